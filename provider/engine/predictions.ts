import type * as pulumi from "@pulumi/pulumi";
import type { PgBeamClient } from "../client/client";
import { isNotFound, isPgBeamApiError } from "../client/errors";
import { ADOPT_INPUT, fieldsWith, type ResourceSpec } from "./spec";
import { type Limit, organizationOf, planBreach, type PlanRule, type Reader } from "./plan-rules";
import type { DeploymentMemory } from "./deployment-memory";
import { diagnosticsFor } from "./diagnostics";
import { ENGINE_KEYS } from "./keys";
import { holderOfUniqueValues, uniqueValuesOf } from "./unique-values";
import { containsUnknown, omit, type Props, sameValue } from "./values";

/**
 * Refusals predicted in check(): what the API would refuse at `up` that a read can tell now, so a preview fails
 * (naming the resource, the rule and what to do) instead of the unattended `up` after it. From the spec's
 * declarations, never per-resource code:
 * - references to parents that do not exist (`ResourceSpec.parents`: a 404 on the parent's GET);
 * - the organization's plan (`planRules`): an entitlement it lacks, or a limit that what exists plus what this run
 *   creates before the candidate already fills; and a key that cannot read the organization at all;
 * - unique names (`unique` fields) taken by an object this resource does not manage, unless `adoptId` names it;
 * - whatever the resource's own `predict` adds (a policy's table and column names against the database catalogs).
 *
 * Only a candidate that creates or changes something is predicted (an unchanged preview makes no call). Reads are
 * made once per deployment (a preview, or an `up`'s preview and update phases), kept with the creates let through
 * so far in ./deployment-memory: at most one GET per parent, one plan read per organization and one list per
 * collection, shared by every resource.
 */

/** The run's reads, plus read-only POSTs (a PII scan): asked once per path and body. */
export interface RunReader extends Reader {
  ask(path: string, body?: Props): Promise<Props>;
}

/**
 * A reader whose every GET, list and read-only POST is made once per account for the deployment
 * (`DeploymentMemory.predictionReads`). Each call goes through the client it is given, so a read is counted, and its
 * retries shown, on the resource that first needs it. Resources' own checks use it too, so their reads are shared
 * with the predictions'.
 */
export function runReader(client: PgBeamClient, memory: DeploymentMemory): RunReader {
  let cache = memory.predictionReads.get(client.accountScope);
  if (!cache) memory.predictionReads.set(client.accountScope, (cache = new Map()));
  const reads = cache;
  const once = <T>(key: string, call: () => Promise<T>): Promise<T> => {
    if (!reads.has(key)) reads.set(key, call());
    return reads.get(key) as Promise<T>;
  };
  return {
    get: (path) => once(`GET ${path}`, () => client.get<Props>(path)),
    list: (path, itemsKey, query) =>
      once(`LIST ${path} ${JSON.stringify(query ?? {})}`, () => client.listAll<Props>(path, itemsKey, query)),
    ask: (path, body) => once(`POST ${path} ${JSON.stringify(body ?? {})}`, () => client.post<Props>(path, body)),
  };
}

const scopeKey = (rule: Limit, orgId: string, inputs: Props) =>
  `${rule.limit}:${rule.per === "organization" ? orgId : String(inputs[rule.per])}`;

/** How long the API keeps an Idempotency-Key (its answer replayed): an object younger may be an interrupted create's. */
const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;

const TURN_OFF = "To preview without these reads, set pgbeam:predictRefusals to false.";

export interface PredictionContext {
  spec: ResourceSpec;
  /** Checked desired inputs (may hold unknowns in a preview). */
  candidate: Props;
  /** Stored inputs; empty on create. */
  olds: Props;
  urn: unknown;
  client: () => PgBeamClient;
  memory: DeploymentMemory;
}

/** The predictions; a read that fails for another reason (network, 5xx) leaves a warning, not a failed preview. */
export async function predictRefusals(context: PredictionContext): Promise<pulumi.dynamic.CheckFailure[]> {
  try {
    return await predict(context);
  } catch (error) {
    await diagnosticsFor(context.urn).warn(
      `refusals not predicted for this ${context.spec.name}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return [];
  }
}

async function predict({ spec, candidate, olds, urn, client, memory }: PredictionContext): Promise<pulumi.dynamic.CheckFailure[]> {
  const previous = omit(olds, ENGINE_KEYS);
  const creating = Object.keys(previous).length === 0;
  const changed = (key: string) => creating || !sameValue(candidate[key], previous[key]);
  const known = (key: string) => candidate[key] !== undefined && !containsUnknown(candidate[key]);
  const failures: pulumi.dynamic.CheckFailure[] = [];
  let read: Reader | undefined;
  const reader = () => (read ??= runReader(client(), memory));

  // Parents: an id pasted from the console that is gone, or a typo.
  for (const [field, path] of Object.entries(spec.parents ?? {})) {
    if (!changed(field) || !known(field)) continue;
    try {
      await reader().get(path(candidate));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      failures.push({
        property: field,
        reason: `${field} ${JSON.stringify(candidate[field])} does not exist (PgBeam answers 404 for ${path(candidate)}), so creating this would fail. Check the id, or create that object in this program and pass its id. ${TURN_OFF}`,
      });
    }
  }
  if (failures.length > 0) return failures;
  if (spec.predict) {
    failures.push(
      ...(await spec.predict({
        candidate,
        previous,
        read: reader,
        diagnostics: diagnosticsFor(urn),
        urn: typeof urn === "string" ? urn : undefined,
      })),
    );
  }
  if (candidate[ADOPT_INPUT] !== undefined) return failures;

  // The object an upsert writes, which only the platform makes.
  const target = spec.mustExist;
  if (target && changed(target.field) && known(target.field) && Object.keys(spec.parents ?? {}).every(known)) {
    const items = await reader().list(target.list(candidate), target.itemsKey);
    if (!items.some((item) => target.matches(item, candidate))) {
      return [
        ...failures,
        {
          property: target.field,
          reason: `${target.field} ${JSON.stringify(candidate[target.field])} is not in ${target.list(candidate)}, so creating this would fail (404): ${target.why} ${TURN_OFF}`,
        },
      ];
    }
  }

  // The plan: creates only (no update grows a count).
  // A limit counted under a parent this run creates (its id unknown yet) cannot be read: that parent starts empty.
  const rules = (spec.planRules ?? []).filter((rule) => !("limit" in rule) || rule.per === "organization" || known(rule.per));
  let countCreate = () => {};
  if (creating && rules.length > 0 && (known("orgId") || known("projectId"))) {
    const plan = await planFailure(rules, candidate, urn, reader(), memory.plannedCreates);
    if ("property" in plan) return [...failures, plan];
    countCreate = plan.count;
  }

  // Unique names among the collection's live objects.
  const compared = uniqueValuesOf(spec);
  if (compared.length > 0 && fieldsWith(spec, "unique").some(changed) && fieldsWith(spec, "unique").every(known)) {
    const taken = await holderOfUniqueValues(spec, (path, itemsKey, query) => reader().list(path, itemsKey, query), candidate);
    if (taken) {
      const what = compared.map((key) => `${key} ${JSON.stringify(candidate[key])}`).join(", ");
      const field = compared[compared.length - 1];
      const remedy = `To manage that one from this program, set ${ADOPT_INPUT}: "${String(taken.id)}"; or choose another ${field}.`;
      if (Date.now() - Date.parse(String(taken.created_at)) < IDEMPOTENCY_WINDOW_MS) {
        // It may be this resource's own create from an interrupted `up`, which the next create takes back (./create-once).
        await diagnosticsFor(urn).warn(
          `${spec.name} with ${what} already exists (${String(taken.id)}, created within the last 24 h). If an interrupted \`up\` made it for this resource, ` +
            `\`up\` takes it back; otherwise creating this will be refused (409). ${remedy}`,
        );
      } else {
        failures.push({
          property: field,
          reason: `a ${spec.name} with ${what} already exists (${String(taken.id)}), and this resource does not manage it: creating it would be refused (409). ${remedy} ${TURN_OFF}`,
        });
      }
    }
  }
  // Only a create the preview lets through counts against the limits of the resources checked after it.
  if (failures.length === 0) countCreate();
  return failures;
}

/** The plan's refusal of this create, or how to count it as one of this run's creates once nothing else refuses it. */
async function planFailure(
  rules: readonly PlanRule[],
  candidate: Props,
  urn: unknown,
  read: Reader,
  plannedCreates: DeploymentMemory["plannedCreates"],
): Promise<pulumi.dynamic.CheckFailure | { count(): void }> {
  const property = typeof candidate.orgId === "string" ? "orgId" : "projectId";
  let orgId: string | undefined;
  let plan: Props;
  try {
    orgId = await organizationOf(read, candidate);
    if (orgId === undefined) return { count: () => {} };
    plan = await read.get(`/v1/organizations/${encodeURIComponent(orgId)}/plan`);
  } catch (error) {
    if (!isPgBeamApiError(error) || error.status !== 403) throw error;
    return {
      property,
      reason:
        `this API key cannot read organization ${orgId ?? "of this resource"} (PgBeam said: ${error.detail}), so creating this would be refused (403). ` +
        `List the key's organizations with pgbeam.getOrganizations() and compare ${property}; or set pgbeam:apiKey to a key of that organization. ${TURN_OFF}`,
    };
  }
  const self = typeof urn === "string" ? urn : JSON.stringify(candidate);
  const others = (rule: Limit) => [...(plannedCreates.get(scopeKey(rule, orgId!, candidate)) ?? [])].filter((u) => u !== self).length;
  const breach = await planBreach(rules, read, orgId, plan, candidate, others);
  if (breach) {
    return {
      property,
      reason: `PgBeam would refuse to create this: ${breach}. Upgrade the organization's plan, or remove this resource (or another of the same kind). ${TURN_OFF}`,
    };
  }
  const scope = orgId;
  return {
    count() {
      for (const rule of rules) {
        if ("limit" in rule && (!rule.appliesTo || rule.appliesTo(candidate))) {
          const key = scopeKey(rule, scope, candidate);
          plannedCreates.set(key, (plannedCreates.get(key) ?? new Set()).add(self));
        }
      }
    },
  };
}
