import { createHash } from "node:crypto";
import type { EmulatorState, HandlerContext, Handlers } from "./context";
import { invalidInput } from "./errors";
import { findAccessible, requireProject } from "./resources";
import { type DryEvalResult, evaluate, isSingleStatement, normalizeSql, type PolicyFields, statementKind } from "./policy-engine";

/**
 * What-if evaluation of policies: `dryEvalPolicy` (one statement) and `replayPolicy` (the project's recorded agent
 * traffic). Both persist nothing. Recorded traffic exists only through the test hook `recordAgentTraffic`: the
 * emulator has no data plane to record it.
 */

/** The outcome PgBeam recorded for a query (`PolicyReplayItem.recorded_event`). */
export type RecordedEvent = "query" | "masked" | "truncated" | "blocked";

/** One recorded execution (or several of the same shape), as a test seeds it. */
export interface RecordedQuery {
  /** The statement; stored normalized (literals become `$N`), as PgBeam records it. */
  sql: string;
  event: RecordedEvent;
  /** The rule recorded with a blocked outcome (e.g. read_only). */
  rule?: string;
  credentialId?: string;
  /** How many executions this entry stands for; default 1. */
  occurrences?: number;
  /** When (the last of them) ran; default now. */
  at?: string;
  /** The statement was cut at record time and cannot be parsed faithfully any more. */
  truncatedAtRecord?: boolean;
}

export interface TrafficEntry extends Required<Omit<RecordedQuery, "rule" | "credentialId">> {
  queryHash: string;
  rule?: string;
  credentialId?: string;
}

const DAY_MS = 86_400_000;

export const queryHash = (normalized: string): string => createHash("sha256").update(normalized).digest("hex").slice(0, 16);

export function recordAgentTraffic(state: EmulatorState, projectId: string, queries: RecordedQuery[]): void {
  const project = state.store.find("project", projectId);
  if (!project || project.deleted) throw new Error(`recordAgentTraffic: no live project ${projectId}`);
  const log = state.agentTraffic.get(projectId) ?? [];
  for (const query of queries) {
    if (query.event === "blocked" && !query.rule) throw new Error("recordAgentTraffic: a blocked query needs the rule that blocked it");
    const sql = normalizeSql(query.sql);
    log.push({
      ...query,
      sql,
      queryHash: queryHash(sql),
      occurrences: query.occurrences ?? 1,
      at: query.at ?? state.now(),
      truncatedAtRecord: query.truncatedAtRecord ?? false,
    });
  }
  state.agentTraffic.set(projectId, log);
}

/** The candidate policy of a request: a saved one by id (404 if it is not this project's) or an inline draft. */
function candidatePolicy(ctx: HandlerContext): PolicyFields {
  const { policy_id: policyId, policy } = ctx.body;
  if ((policyId === undefined) === (policy === undefined)) throw invalidInput("body: supply exactly one of policy_id or policy");
  const project = requireProject(ctx);
  if (policyId !== undefined) return findAccessible(ctx, "policy", policyId, project.id).data as PolicyFields;
  return ctx.state.validator.withDefaults("PolicyProfileInput", policy) as PolicyFields;
}

interface ShapeSummary {
  entry: TrafficEntry;
  firstSeen: string;
  occurrences: number;
}

/** Traffic in the window, one summary per normalized shape, newest first (by its latest occurrence). */
function shapesInWindow(entries: TrafficEntry[], from: number, to: number, credentialId?: string): ShapeSummary[] {
  const byHash = new Map<string, ShapeSummary>();
  for (const entry of entries) {
    const at = Date.parse(entry.at);
    if (at < from || at >= to || (credentialId !== undefined && entry.credentialId !== credentialId)) continue;
    const seen = byHash.get(entry.queryHash);
    if (!seen) byHash.set(entry.queryHash, { entry, firstSeen: entry.at, occurrences: entry.occurrences });
    else {
      seen.occurrences += entry.occurrences;
      if (at < Date.parse(seen.firstSeen)) seen.firstSeen = entry.at;
      if (at >= Date.parse(seen.entry.at)) seen.entry = entry;
    }
  }
  return [...byHash.values()].sort((a, b) => Date.parse(b.entry.at) - Date.parse(a.entry.at));
}

const CHANGE_ORDER = { newly_blocked: 0, newly_allowed: 1, still_allowed: 2, still_blocked: 2 } as const;

function verdictCounter(result: DryEvalResult): "would_allow" | "would_block" | "would_mask" | "would_row_filter" {
  return result.verdict === "row-filter" ? "would_row_filter" : (`would_${result.verdict}` as "would_allow" | "would_block" | "would_mask");
}

export const policySimulationHandlers: Handlers = {
  dryEvalPolicy(ctx) {
    const policy = candidatePolicy(ctx);
    if (!isSingleStatement(ctx.body.sql)) throw invalidInput("body.sql: must be a single SQL statement");
    return { status: 200, body: evaluate(policy, ctx.body.sql) };
  },

  /** Window defaults: end now, start 7 days earlier; items changes first, then by occurrences. */
  replayPolicy(ctx) {
    const policy = candidatePolicy(ctx);
    const project = requireProject(ctx);
    if (ctx.body.credential_id !== undefined) findAccessible(ctx, "agent", ctx.body.credential_id, project.id);
    // The window excludes its end; by default it must still take traffic recorded in this very millisecond.
    const to = ctx.body.end_ts === undefined ? Date.parse(ctx.state.now()) + 1 : Date.parse(ctx.body.end_ts);
    const from = ctx.body.start_ts === undefined ? to - 7 * DAY_MS : Date.parse(ctx.body.start_ts);
    if (from >= to) throw invalidInput("body.start_ts: must be before end_ts");
    const limit: number = ctx.body.limit ?? 200;

    const shapes = shapesInWindow(ctx.state.agentTraffic.get(project.id) ?? [], from, to, ctx.body.credential_id);
    const replayed = shapes.slice(0, limit);
    const summary = {
      entries_scanned: replayed.reduce((sum, s) => sum + s.occurrences, 0),
      distinct_queries: replayed.length,
      evaluated: 0,
      would_allow: 0,
      would_block: 0,
      would_mask: 0,
      would_row_filter: 0,
      newly_blocked: 0,
      newly_allowed: 0,
      skipped_unparseable: 0,
      truncated: shapes.length > limit,
    };
    const items = [];
    for (const { entry, firstSeen, occurrences } of replayed) {
      if (entry.truncatedAtRecord) {
        summary.skipped_unparseable++;
        continue;
      }
      const result = evaluate(policy, entry.sql);
      const wasBlocked = entry.event === "blocked";
      const isBlocked = result.verdict === "block";
      const change: keyof typeof CHANGE_ORDER = wasBlocked
        ? isBlocked
          ? "still_blocked"
          : "newly_allowed"
        : isBlocked
          ? "newly_blocked"
          : "still_allowed";
      summary.evaluated++;
      summary[verdictCounter(result)]++;
      if (change === "newly_blocked" || change === "newly_allowed") summary[change]++;
      const kind = statementKind(entry.sql);
      items.push({
        query_hash: entry.queryHash,
        sql: entry.sql,
        ...(kind ? { statement_kind: kind } : {}),
        occurrences,
        first_seen: firstSeen,
        last_seen: entry.at,
        recorded_event: entry.event,
        ...(entry.rule ? { recorded_rule: entry.rule } : {}),
        change,
        result,
      });
    }
    items.sort((a, b) => CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change] || b.occurrences - a.occurrences);
    return { status: 200, body: { summary, items } };
  },
};
