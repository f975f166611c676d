import type { PgBeamClient } from "../client/client";
import { isNotFound, isPgBeamApiError } from "../client/errors";
import type { Props } from "./values";

/**
 * What an organization's plan must allow before the API creates an object: the entitlements and `PlanLimits` the
 * spec documents (its Forbidden response: "Operation not allowed by current plan limits"). Declared per resource;
 * the engine uses them to tell a plan refusal from any other 403 on create.
 */

/** SPEC `OrganizationPlan.plan`. */
export type PlanTier = "starter" | "pro" | "scale" | "enterprise";

/** Read-only API calls a rule may make to count what exists. */
export interface Reader {
  get(path: string): Promise<Props>;
  /** Every item of a (paged) list. */
  list(path: string, itemsKey: string, query?: Record<string, string>): Promise<Props[]>;
}

interface RuleBase {
  /** What is refused, plural, as messages name it: "custom domains", "projects". */
  what: string;
  /** Whether a create with these inputs is subject to the rule (a self-hosted project; a rule that caches). */
  appliesTo?(inputs: Props): boolean;
}

/** Only some plans include the feature at all. */
export interface Entitlement extends RuleBase {
  plans: readonly PlanTier[];
}

/** A count the plan caps (`PlanLimits.<limit>`), over the organization or over the parent named by an input. */
export interface Limit extends RuleBase {
  limit: string;
  /** The spec says "0 means unlimited" for this limit; for the others 0 is a cap. */
  zeroIsUnlimited: boolean;
  /** What the count is over: the organization, or the parent whose id is this input ("projectId", "databaseId"). */
  per: "organization" | string;
  /** How many count against the limit now, given the organization and the candidate's inputs. */
  used(read: Reader, scope: { orgId: string; inputs: Props }): Promise<number>;
}

export type PlanRule = Entitlement | Limit;

const isLimit = (rule: PlanRule): rule is Limit => "limit" in rule;

/** The organization a candidate belongs to: its `orgId`, or its project's (one read); undefined when it names neither. */
export async function organizationOf(read: Reader, inputs: Props): Promise<string | undefined> {
  if (typeof inputs.orgId === "string") return inputs.orgId;
  if (typeof inputs.projectId !== "string") return undefined;
  const project = await read.get(`/v1/projects/${encodeURIComponent(inputs.projectId)}`);
  return String(project.org_id);
}

export function directReader(client: PgBeamClient): Reader {
  return {
    get: (path) => client.get<Props>(path),
    list: (path, itemsKey, query) => client.listAll<Props>(path, itemsKey, query),
  };
}

const label = (plans: readonly string[]) => plans.map((plan) => plan[0].toUpperCase() + plan.slice(1)).join(" or ");

/** The rule the plan breaks for this candidate, as a sentence; undefined when the plan allows it. */
export async function planBreach(
  rules: readonly PlanRule[],
  read: Reader,
  orgId: string,
  plan: Props,
  inputs: Props,
  /** Objects this run creates before this one, per rule (preview predictions); 0 for an explanation. */
  addedBefore: (rule: Limit) => number = () => 0,
): Promise<string | undefined> {
  const tier = String(plan.plan);
  for (const rule of rules) {
    if (rule.appliesTo && !rule.appliesTo(inputs)) continue;
    if (!isLimit(rule)) {
      if (!rule.plans.includes(tier as PlanTier))
        return `${rule.what} need the ${label(rule.plans)} plan, and organization ${orgId} is on ${tier}`;
      continue;
    }
    const allowed = Number((plan.limits as Props | undefined)?.[rule.limit]);
    if (!Number.isFinite(allowed) || (allowed === 0 && rule.zeroIsUnlimited)) continue;
    const used = await rule.used(read, { orgId, inputs });
    const added = addedBefore(rule);
    if (used + added >= allowed) {
      const scope = rule.per === "organization" ? "" : ` per ${rule.per.replace(/Id$/, "")}`;
      const program = added > 0 ? `, and this run creates ${added} more before this one` : "";
      return `organization ${orgId} is on the ${tier} plan: its limit of ${rule.what}${scope} is ${allowed} (limits.${rule.limit}), with ${used} in use${program}`;
    }
  }
  return undefined;
}

/**
 * A 403 on create, explained: as the plan's refusal only when the organization's plan says so (an entitlement it
 * lacks, a limit it has reached); otherwise as what PgBeam said, with what to check. Any other error is returned
 * as it is.
 */
export async function explainForbiddenCreate(
  rules: readonly PlanRule[],
  client: PgBeamClient,
  inputs: Props,
  error: Error,
): Promise<Error> {
  if (!isPgBeamApiError(error) || error.status !== 403) return error;
  const said = `(PgBeam said: ${error.detail})`;
  const read = directReader(client);
  let orgId: string | undefined;
  let plan: Props | undefined;
  let breach: string | undefined;
  try {
    orgId = await organizationOf(read, inputs);
    if (orgId !== undefined && rules.length > 0) {
      plan = await read.get(`/v1/organizations/${encodeURIComponent(orgId)}/plan`);
      breach = await planBreach(rules, read, orgId, plan, inputs);
    }
  } catch (readError) {
    // The key cannot read the organization (or its project) either: an access problem, not the plan.
    if (!isPgBeamApiError(readError) || (readError.status !== 403 && !isNotFound(readError))) throw error;
  }
  if (breach) {
    return new Error(`PgBeam refused to create this: ${breach} ${said}. Upgrade the organization's plan, or remove this resource.`, {
      cause: error,
    });
  }
  const named = typeof inputs.orgId === "string" ? "orgId" : typeof inputs.projectId === "string" ? "projectId" : undefined;
  const org = orgId === undefined ? "the organization this resource is in" : `organization ${orgId}`;
  const planSays = plan ? `, and ${org}'s ${String(plan.plan)} plan allows it` : "";
  return new Error(
    `PgBeam refused to create this with 403 ${said}${planSays}. Check that the API key (pgbeam:apiKey) has access to ` +
      `${org}: list the key's organizations with pgbeam.getOrganizations()${named ? ` and compare this resource's ${named}` : ""}; ` +
      "or set pgbeam:apiKey to a key of that organization.",
    { cause: error },
  );
}
