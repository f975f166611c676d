import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import * as api from "../../api/schemas.generated";
import { resourceNameOf } from "../../engine/diagnostics";
import type { PreChangeVerification, UpdateContext, VerificationContext } from "../../engine/verification";
import { containsUnknown, type Props, pick, toApi } from "../../engine/values";
import { projectPath } from "../paths";

/**
 * A policy profile's pre-change verification, through PgBeam's what-if endpoints (both persist nothing):
 * - expectations: each declared statement is dry-evaluated (`dryEvalPolicy`) against the candidate profile before
 *   it is created or changed; any decision other than the expected one fails the preview;
 * - impact: an in-place update replays the traffic recorded for the credentials bound to the profile against the
 *   candidate (`replayPolicy`) and attaches a summary to the resource; `impactLimits` turn it into a gate in
 *   preview and up, never in refresh (see `UpdateContext.mode`).
 */

export const Decision = z.enum(["allow", "block", "mask", "row-filter"]);

export const Expectation = z.strictObject({
  /** One SQL statement, as an agent would send it. */
  sql: z.string().min(1).max(100000),
  /** The decision the policy must reach for it. */
  decision: Decision,
});

/** Upper bounds on what a change may do to recorded traffic; a change beyond any of them fails the preview. */
export const ImpactLimits = z.strictObject({
  newlyAllowed: z.number().int().min(0).optional(),
  /** Of the newly allowed, those that write data or change schema (INSERT, UPDATE, DELETE, DDL, COPY … FROM). */
  newlyAllowedWrites: z.number().int().min(0).optional(),
  newlyBlocked: z.number().int().min(0).optional(),
});

/** The profile's own fields: what the API evaluates (everything but the path and the verification's inputs). */
const POLICY_FIELDS = Object.keys(api.PolicyProfileInput.shape);

/** Requests in flight at once for a profile's expectations (the API has no batch evaluation). */
const CONCURRENCY = 4;
/** Example query shapes shown per category, and how much of each. */
const EXAMPLES = 3;
const SHAPE_CHARS = 120;

interface DryEvalResult {
  verdict: z.infer<typeof Decision>;
  rule: string;
  reason: string;
  masked_columns?: { column: string }[];
}

interface ReplayItem {
  query_hash: string;
  sql: string;
  statement_kind?: string;
  occurrences: number;
  recorded_event: string;
  recorded_rule?: string;
  change: "newly_blocked" | "newly_allowed" | "still_allowed" | "still_blocked";
  result: DryEvalResult;
}

type ReplayCount = "entries_scanned" | "distinct_queries" | "would_mask" | "would_row_filter" | "skipped_unparseable";

interface ReplayResult {
  summary: Record<ReplayCount, number> & { truncated: boolean };
  items: ReplayItem[];
}

const candidatePolicy = (candidate: Props): Props => toApi(pick(candidate, POLICY_FIELDS));

/** How messages name the profile: `PolicyProfile "policy" (name "analytics", pol_…)`. */
export function describeProfile(context: { urn?: string; candidate: Props }, id?: string): string {
  const name = resourceNameOf(context.urn);
  const known = typeof context.candidate.name === "string" && !containsUnknown(context.candidate.name);
  const object = [known ? `name "${context.candidate.name}"` : undefined, id].filter(Boolean).join(", ");
  return `PolicyProfile${name ? ` "${name}"` : ""}${object ? ` (${object})` : ""}`;
}

const shape = (sql: string): string => (sql.length > SHAPE_CHARS ? `${sql.slice(0, SHAPE_CHARS - 1)}…` : sql);

async function inBatches<T, R>(items: T[], size: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map((item, i) => run(item, start + i)))));
  }
  return results;
}

async function checkExpectations(context: VerificationContext): Promise<pulumi.dynamic.CheckFailure[]> {
  const declared = context.candidate.expectations;
  if (declared === undefined || (Array.isArray(declared) && declared.length === 0)) return [];
  const unknown = context.unknownInputs.filter((key) => key === "projectId" || key === "expectations" || POLICY_FIELDS.includes(key));
  if (unknown.length > 0) {
    await context.diagnostics.warn(
      `policy expectations: ${describeProfile(context)}: not verified in this preview because ${unknown.join(", ")} ` +
        `${unknown.length === 1 ? "is" : "are"} not known yet; they are verified in the update phase of \`pulumi up\`, before the profile is created or changed`,
    );
    return [];
  }
  const expectations = declared as z.infer<typeof Expectation>[];
  const client = context.client();
  const path = `${projectPath(context.candidate)}/policy-evaluations`;
  const policy = candidatePolicy(context.candidate);
  let results: DryEvalResult[];
  try {
    results = await inBatches(expectations, CONCURRENCY, ({ sql }) => client.post<DryEvalResult>(path, { sql, policy }));
  } catch (error) {
    return [{ property: "", reason: `policy expectations could not be verified, so nothing was changed: ${(error as Error).message}` }];
  }
  const failures = expectations.flatMap(({ sql, decision }, index) => {
    const actual = results[index];
    if (actual.verdict === decision) return [];
    // No property: the engine would print the value at that path before the reason, which only adds noise here.
    return [
      {
        property: "",
        reason: `policy expectation failed: expectations[${index}] "${shape(sql)}" expected ${decision}, got ${actual.verdict} (rule ${actual.rule}: ${actual.reason})`,
      },
    ];
  });
  if (failures.length === 0) {
    await context.diagnostics.info(
      `policy expectations: ${describeProfile(context)}: all ${expectations.length} hold against the candidate profile`,
    );
  }
  return failures;
}

const isWrite = (item: ReplayItem): boolean =>
  ["insert", "update", "delete", "ddl"].includes(item.statement_kind ?? "") ||
  (item.statement_kind === "copy" && /\bfrom\b/i.test(item.sql));

function examples(items: ReplayItem[], describeItem: (item: ReplayItem) => string): string {
  const listed = items.slice(0, EXAMPLES).map(describeItem).join("; ");
  return items.length > EXAMPLES ? `${listed}; and ${items.length - EXAMPLES} more` : listed;
}

/** Merges per-credential replays: counts add up, example shapes are listed once. */
function combine(replays: ReplayResult[]) {
  const total = (key: ReplayCount) => replays.reduce((sum, r) => sum + r.summary[key], 0);
  const seen = new Set<string>();
  const items = replays
    .flatMap((r) => r.items)
    .filter((item) => !seen.has(`${item.change}:${item.query_hash}`) && seen.add(`${item.change}:${item.query_hash}`));
  return {
    shapes: total("distinct_queries"),
    executions: total("entries_scanned"),
    skipped: total("skipped_unparseable"),
    truncated: replays.some((r) => r.summary.truncated),
    masked: total("would_mask"),
    rowFiltered: total("would_row_filter"),
    newlyBlocked: items.filter((i) => i.change === "newly_blocked"),
    newlyAllowed: items.filter((i) => i.change === "newly_allowed"),
    maskedItems: items.filter((i) => i.result.verdict === "mask"),
    filteredItems: items.filter((i) => i.result.verdict === "row-filter"),
  };
}

/**
 * One line, starting `policy impact:`, that stands on its own (resource, object, counts, example shapes): it is
 * read in the preview and picked up from it by review tooling. Query shapes are normalized SQL, never data.
 */
function impactLine(context: VerificationContext, id: string, credentials: number, impact: ReturnType<typeof combine>): string {
  const writes = impact.newlyAllowed.filter(isWrite).length;
  const parts = [
    `${impact.newlyBlocked.length} newly blocked`,
    `${impact.newlyAllowed.length} newly allowed${writes > 0 ? ` (${writes} write${writes === 1 ? "" : "s"})` : ""}`,
    `${impact.masked} masked`,
    `${impact.rowFiltered} row-filtered`,
  ];
  const scope =
    `${impact.shapes} recorded query shape${impact.shapes === 1 ? "" : "s"} (${impact.executions} executions, last 7 days) ` +
    `of the ${credentials} agent credential${credentials === 1 ? "" : "s"} using it` +
    (impact.skipped > 0 ? `, ${impact.skipped} unparseable skipped` : "") +
    (impact.truncated ? ", newest 500 shapes per credential only" : "");
  const detail = [
    impact.newlyAllowed.length > 0 &&
      `newly allowed: ${examples(impact.newlyAllowed, (i) => `${shape(i.sql)} (${i.occurrences}×, was blocked by ${i.recorded_rule ?? "policy"})`)}`,
    impact.newlyBlocked.length > 0 &&
      `newly blocked: ${examples(impact.newlyBlocked, (i) => `${shape(i.sql)} (${i.occurrences}×, by ${i.result.rule})`)}`,
    impact.maskedItems.length > 0 &&
      `masked: ${examples(impact.maskedItems, (i) => `${shape(i.sql)} (${(i.result.masked_columns ?? []).map((c) => c.column).join(", ")})`)}`,
    impact.filteredItems.length > 0 && `row-filtered: ${examples(impact.filteredItems, (i) => shape(i.sql))}`,
  ].filter(Boolean);
  return `policy impact: ${describeProfile(context, id)} in project ${context.previous.projectId}, replayed ${scope}: ${parts.join(", ")}.${detail.length ? ` ${detail.join(". ")}.` : ""}`;
}

function limitBreaches(limits: z.infer<typeof ImpactLimits> | undefined, impact: ReturnType<typeof combine>): string[] {
  if (!limits) return [];
  const measured = {
    newlyAllowed: impact.newlyAllowed.length,
    newlyAllowedWrites: impact.newlyAllowed.filter(isWrite).length,
    newlyBlocked: impact.newlyBlocked.length,
  };
  return (Object.keys(measured) as (keyof typeof measured)[])
    .filter((key) => limits[key] !== undefined && measured[key] > limits[key]!)
    .map((key) => `impactLimits.${key} is ${limits[key]}, the change has ${measured[key]}`);
}

/**
 * The replays of a policy change, asked once per deployment (`onceThisDeployment`). `up` checks a change in diff()
 * and again in update(), before the PUT: the second check reuses the first's answer, so a policy change costs one
 * list of the bound credentials and one replay each per run. A failed replay is not kept, so a later check tries again.
 */
function replayOnce(context: UpdateContext): Promise<{ credentials: number; replays: ReplayResult[] }> {
  const policy = candidatePolicy(context.candidate);
  return context.onceThisDeployment(JSON.stringify([context.previous.projectId, context.id, policy]), async () => {
    const client = context.client();
    const base = projectPath(context.previous);
    const agents = await client.listAll<{ id: string; policy_profile_id: string; status: string }>(`${base}/agents`, "agents");
    const bound = agents.filter((agent) => agent.policy_profile_id === context.id && agent.status !== "revoked");
    const replays = await inBatches(bound, CONCURRENCY, (agent) =>
      client.post<ReplayResult>(`${base}/policy-replays`, { policy, credential_id: agent.id, limit: 500 }),
    );
    return { credentials: bound.length, replays };
  });
}

async function reportImpact(context: UpdateContext): Promise<void> {
  const limits = context.candidate.impactLimits as z.infer<typeof ImpactLimits> | undefined;
  if (context.mode === "gate" && !limits) return;
  const unknown = context.unknownInputs.filter((key) => POLICY_FIELDS.includes(key) || key === "impactLimits");
  if (unknown.length > 0) {
    await context.diagnostics.warn(
      `policy impact: ${describeProfile(context, context.id)}: not computed in this preview because ${unknown.join(", ")} ` +
        `${unknown.length === 1 ? "is" : "are"} not known yet; it is computed (and impactLimits enforced) in the update phase of \`pulumi up\``,
    );
    return;
  }
  let replays: ReplayResult[];
  let credentials: number;
  try {
    ({ credentials, replays } = await replayOnce(context));
  } catch (error) {
    const message = `policy impact: ${describeProfile(context, context.id)}: the replay failed: ${(error as Error).message}`;
    // Without a replay the limits cannot be checked: a gate fails closed, a summary only says so.
    if (limits && context.mode !== "report")
      throw new Error(`${message}; impactLimits cannot be checked, so the change is stopped`, { cause: error });
    await context.diagnostics.warn(message);
    return;
  }
  if (credentials === 0) {
    await context.diagnostics.info(
      `policy impact: ${describeProfile(context, context.id)}: no agent credential uses this profile, so there is no recorded traffic to replay`,
    );
    return;
  }
  const impact = combine(replays);
  const line = impactLine(context, context.id, credentials, impact);
  // A warning only when recorded traffic would be decided differently: review tooling keeps warnings, and a
  // warning on every policy change would teach reviewers to skip them.
  const differs = impact.newlyAllowed.length > 0 || impact.newlyBlocked.length > 0;
  await (differs ? context.diagnostics.warn(line) : context.diagnostics.info(line));
  const breaches = limitBreaches(limits, impact);
  if (breaches.length === 0) return;
  const over = `policy impact over its limits (${breaches.join("; ")}): ${describeProfile(context, context.id)}`;
  if (context.mode !== "report") throw new Error(`${over} was not changed`);
  await context.diagnostics.warn(
    `${over}: reported only, since refresh changes nothing in PgBeam; \`pulumi up\` enforces the limits before changing the profile`,
  );
}

export const policyVerification: PreChangeVerification = {
  inputs: ["expectations", "impactLimits"],
  beforeChange: checkExpectations,
  onUpdate: reportImpact,
};
