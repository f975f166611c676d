import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { PredictHookContext } from "../../engine/spec";
import type { Reader } from "../../engine/plan-rules";
import type { PreChangeVerification, VerificationContext } from "../../engine/verification";
import { containsUnknown, type Props, sameValue } from "../../engine/values";
import { projectPath, segment } from "../paths";
import { describeProfile } from "./what-if";

/**
 * A policy profile judged against the databases of its project (docs/policy-checks.md, "Against the database"):
 * - every relation and column its rules name is looked up in each database's `getSchemaCatalog`, in check() with
 *   the refusal predictions (same run-cached reads, off with `pgbeam:predictRefusals`): a name this change adds
 *   that is one or two edits from an existing one fails as a typo; any other unknown name warns (it may not be
 *   migrated yet); rules on a view and masks of binary columns are noted;
 * - `piiReview` (opt-in: the scan connects to the upstream database) lists the likely-PII columns of
 *   `scanDatabaseForPii` that agents under the profile can read unmasked, and `failAbove` gates the change on them.
 */

export const PiiReview = z.strictObject({
  /** Scan the project's databases for likely-PII columns readable unmasked under this profile, on every change. */
  enabled: z.boolean(),
  /** Fail a change that leaves a likely-PII column above this confidence (0..1) readable unmasked. */
  failAbove: z.number().min(0).max(1).optional(),
});

/** SPEC `SchemaCatalog`, as far as it is read here. */
export interface Catalog {
  relations: { schema: string; name: string; kind: string; columns: { name: string; data_type: string; is_binary: boolean }[] }[];
  truncated?: boolean;
  error?: string;
}

/** SPEC `PiiSuggestion`, as far as it is read here. */
export interface PiiSuggestion {
  schema: string;
  table: string;
  column: string;
  pii_type: string;
  mask_kind: string;
  confidence: number;
}

/** A relation (and column) a rule names, with the field as the program writes it. */
export interface NamedRelation {
  field: string;
  table: string;
  column?: string;
  rule: "allowlist" | "denylist" | "masking" | "row filter";
}

const list = (value: unknown): Props[] => (Array.isArray(value) ? (value as Props[]) : []);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** Every relation and column the profile's rules name (SPEC `PolicyProfileInput`: the table lists, masking, row filters). */
export function namedRelations(profile: Props): NamedRelation[] {
  const named: NamedRelation[] = [
    ...strings(profile.tableAllowlist).map((table, i) => ({ field: `tableAllowlist[${i}]`, table, rule: "allowlist" as const })),
    ...strings(profile.tableDenylist).map((table, i) => ({ field: `tableDenylist[${i}]`, table, rule: "denylist" as const })),
    ...list(profile.maskingRules).map((m, i) => ({
      field: `maskingRules[${i}]`,
      table: String(m.table),
      column: String(m.column),
      rule: "masking" as const,
    })),
    ...list(profile.rowFilters).map((f, i) => ({ field: `rowFilters[${i}]`, table: String(f.table), rule: "row filter" as const })),
  ];
  return named.filter((named) => !containsUnknown(named.table) && !containsUnknown(named.column));
}

/** Identifiers as PostgreSQL folds them: quotes and spaces dropped, lower case. */
const folded = (name: string) => name.replace(/["\s]/g, "").toLowerCase();

/**
 * Whether a rule's relation name reaches this relation: a qualified name its own schema, a bare one the public
 * schema (SPEC `MaskingRule.table`: "public.users" or "users"; PgBeam compares the names agents write).
 */
export function reaches(ruleName: string, relation: { schema: string; name: string }): boolean {
  const name = folded(ruleName);
  const qualified = name.includes(".") ? name : `public.${name}`;
  return qualified === `${relation.schema}.${relation.name}`.toLowerCase();
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** An existing name, or a spelling to compare with and the name to suggest for it (a bare name of another schema). */
export type Candidate = string | { compare: string; suggest: string };

/** The existing names a misspelt one most likely meant: one edit away for short names, two for longer; none under 3. */
export function likelyMeant(name: string, existing: Candidate[]): string[] {
  const typed = folded(name);
  const allowed = typed.length < 3 ? 0 : typed.length <= 5 ? 1 : 2;
  const scored = existing
    .map((c) => (typeof c === "string" ? { compare: c, suggest: c } : c))
    .map((c) => ({ ...c, distance: editDistance(typed, c.compare.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.distance));
  return best > allowed ? [] : [...new Set(scored.filter((s) => s.distance === best).map((s) => s.suggest))];
}

/** What a relation name is compared with: qualified names with qualified ones; bare ones also with the bare names of other schemas. */
function relationCandidates(typed: string, relations: { schema: string; name: string }[]): Candidate[] {
  return relations.flatMap((r): Candidate[] => {
    const qualified = `${r.schema}.${r.name}`;
    if (typed.includes(".")) return [qualified];
    return r.schema === "public" ? [r.name] : [{ compare: r.name, suggest: qualified }];
  });
}

export interface DatabaseCatalog {
  /** How messages name it: `database db_… (app)`. */
  label: string;
  catalog: Catalog;
}

export interface SchemaJudgement {
  failures: pulumi.dynamic.CheckFailure[];
  warnings: string[];
  notes: string[];
}

const quoted = (names: string[]) => names.map((n) => JSON.stringify(n)).join(" or ");
const relationLabel = (r: { schema: string; name: string }) => (r.schema === "public" ? r.name : `${r.schema}.${r.name}`);

/**
 * The names of `named` judged against the catalogs. A typo fails only when it is certain enough: the name is new
 * in this change (a name the last `up` accepted never blocks an unrelated edit), every catalog was read whole, and
 * an existing name is close to it. Anything else unknown warns: a table created by a migration that has not run yet
 * is normal in a workflow that ships the policy with the migration.
 */
export function judgeNames(named: NamedRelation[], catalogs: DatabaseCatalog[], previouslyNamed: Set<string>): SchemaJudgement {
  const judgement: SchemaJudgement = { failures: [], warnings: [], notes: [] };
  const readable = catalogs.filter((c) => c.catalog.error === undefined);
  if (readable.length === 0) return judgement;
  const whole = readable.length === catalogs.length && readable.every((c) => !c.catalog.truncated);
  const where = `the catalog${readable.length === 1 ? "" : "s"} of ${readable.map((c) => c.label).join(", ")}`;
  const relations = readable.flatMap((c) => c.catalog.relations);
  const unknown = (what: string, item: NamedRelation, meant: string[], isNew: boolean) => {
    if (meant.length > 0 && isNew && whole) {
      judgement.failures.push({
        property: "",
        reason:
          `${item.field}: ${what} is not in ${where}; did you mean ${quoted(meant)}? As written, this ${item.rule} rule does nothing. ` +
          "Correct the name. (Checked with the refusal predictions: pgbeam:predictRefusals false skips it.)",
      });
    } else {
      judgement.warnings.push(
        `${item.field}: ${what} is not in ${where}${meant.length > 0 ? ` (closest: ${quoted(meant)})` : ""}; if it is not migrated yet, this ${item.rule} rule does nothing until it is`,
      );
    }
  };
  for (const item of named) {
    const matches = relations.filter((r) => reaches(item.table, r));
    if (matches.length === 0) {
      const meant = likelyMeant(item.table, relationCandidates(item.table, relations));
      unknown(`relation ${JSON.stringify(item.table)}`, item, meant, !previouslyNamed.has(folded(item.table)));
      continue;
    }
    const views = matches.filter((r) => r.kind === "view" || r.kind === "materialized_view");
    if (views.length > 0 && item.rule !== "allowlist") {
      judgement.notes.push(
        `${item.field}: ${relationLabel(views[0])} is a ${views[0].kind.replace("_", " ")}: PgBeam applies the ${item.rule} rule to queries on it only, not through it to its base tables (nor the base tables' rules to it)`,
      );
    }
    if (item.column === undefined) continue;
    const columns = matches.flatMap((r) => r.columns);
    const column = columns.find((c) => c.name.toLowerCase() === item.column!.toLowerCase());
    if (!column) {
      const key = `${folded(item.table)}.${item.column.toLowerCase()}`;
      unknown(
        `column ${JSON.stringify(item.column)} of ${relationLabel(matches[0])}`,
        item,
        likelyMeant(
          item.column,
          columns.map((c) => c.name),
        ),
        !previouslyNamed.has(key),
      );
    } else if (column.is_binary) {
      judgement.notes.push(
        `${item.field}: ${relationLabel(matches[0])}.${column.name} is binary (${column.data_type}): PgBeam masks binary columns to NULL, whatever the kind`,
      );
    }
  }
  return judgement;
}

/** Names (and table.column pairs) the stored profile already had: a typo there was accepted by an earlier `up`. */
function namesIn(profile: Props): Set<string> {
  return new Set(
    namedRelations(profile).flatMap((n) => [folded(n.table), ...(n.column ? [`${folded(n.table)}.${n.column.toLowerCase()}`] : [])]),
  );
}

/** The databases of the profile's project, each with how messages name it. */
async function databasesOf(read: Reader, profile: Props): Promise<{ path: string; label: string }[]> {
  const base = projectPath(profile);
  const databases = await read.list(`${base}/databases`, "databases");
  return databases.map((db) => ({ path: `${base}/databases/${segment(db.id)}`, label: `database ${String(db.id)} (${String(db.name)})` }));
}

const NAMING_FIELDS = ["tableAllowlist", "tableDenylist", "maskingRules", "rowFilters"];

/**
 * The PolicyProfile's `predict` hook: one list of the project's databases and one catalog read per database, per
 * run, and only when a create or change touches a rule that names relations. Unknown project: nothing to read.
 */
export async function checkNamesAgainstCatalog(context: PredictHookContext): Promise<pulumi.dynamic.CheckFailure[]> {
  const { candidate, previous } = context;
  const creating = Object.keys(previous).length === 0;
  if (!creating && NAMING_FIELDS.every((key) => sameValue(candidate[key], previous[key]))) return [];
  const named = namedRelations(candidate);
  if (named.length === 0 || typeof candidate.projectId !== "string" || containsUnknown(candidate.projectId)) return [];
  const read = context.read();
  const catalogs: DatabaseCatalog[] = await Promise.all(
    (await databasesOf(read, candidate)).map(async (db) => ({
      label: db.label,
      catalog: (await read
        .get(`${db.path}/schema-catalog`)
        .catch((error: Error) => ({ relations: [], error: error.message }))) as unknown as Catalog,
    })),
  );
  const profile = describeProfile(context);
  for (const failed of catalogs.filter((c) => c.catalog.error !== undefined)) {
    await context.diagnostics.warn(
      `policy schema: ${profile}: names not checked against ${failed.label}, whose catalog could not be read: ${failed.catalog.error}`,
    );
  }
  const judgement = judgeNames(named, catalogs, namesIn(previous));
  for (const warning of judgement.warnings) await context.diagnostics.warn(`policy schema: ${profile}: ${warning}`);
  for (const note of judgement.notes) await context.diagnostics.info(`policy schema: ${profile}: ${note}`);
  return judgement.failures.map((f) => ({ ...f, reason: `policy schema: ${f.reason}` }));
}

/** A likely-PII column agents can read unmasked, with the database it is in. */
export interface ExposedColumn extends PiiSuggestion {
  database: string;
}

/** Whether agents under the profile can run a SELECT at all (SPEC `StatementRules`: deny wins, a non-empty allow limits). */
function canSelect(profile: Props): boolean {
  const rules = (profile.statementRules ?? {}) as Props;
  const deny = strings(rules.deny).map(folded);
  const allow = strings(rules.allow).map(folded);
  return !deny.includes("select") && (allow.length === 0 || allow.includes("select"));
}

/** The scan's suggestions the profile leaves readable: not denied, not outside the allowlist, not masked. */
export function exposedColumns(profile: Props, scans: { label: string; suggestions: PiiSuggestion[] }[]): ExposedColumn[] {
  if (!canSelect(profile)) return [];
  const denylist = strings(profile.tableDenylist);
  const allowlist = strings(profile.tableAllowlist);
  const masking = list(profile.maskingRules);
  return scans.flatMap(({ label, suggestions }) =>
    suggestions
      .filter((s) => {
        const relation = { schema: s.schema, name: s.table };
        if (denylist.some((d) => reaches(d, relation))) return false;
        if (allowlist.length > 0 && !allowlist.some((a) => reaches(a, relation))) return false;
        return !masking.some((m) => reaches(String(m.table), relation) && String(m.column).toLowerCase() === s.column.toLowerCase());
      })
      .map((s) => ({ ...s, database: label })),
  );
}

const LISTED = 8;
const columnLabel = (c: ExposedColumn) =>
  `${relationLabel({ schema: c.schema, name: c.table })}.${c.column} (${c.pii_type} ${c.confidence}, suggested mask ${c.mask_kind})`;

function listed(columns: ExposedColumn[]): string {
  const shown = columns
    .slice(0, LISTED)
    .map((c) => `${columnLabel(c)} in ${c.database}`)
    .join("; ");
  return columns.length > LISTED ? `${shown}; and ${columns.length - LISTED} more` : shown;
}

/** The gate's message: the columns, then a fix that can be pasted (masking rules as the scan suggests them). */
function piiGateFailure(failAbove: number, over: ExposedColumn[]): pulumi.dynamic.CheckFailure {
  const rules = over
    .slice(0, 3)
    .map(
      (c) =>
        `{ table: ${JSON.stringify(relationLabel({ schema: c.schema, name: c.table }))}, column: ${JSON.stringify(c.column)}, kind: ${JSON.stringify(c.mask_kind)} }`,
    )
    .join(", ");
  return {
    property: "",
    reason:
      `piiReview.failAbove: agents under this profile could read ${over.length} likely-PII column${over.length === 1 ? "" : "s"} ` +
      `above confidence ${failAbove} unmasked: ${listed(over)}. Mask ${over.length === 1 ? "it" : "each"} (maskingRules: [${rules}${over.length > 3 ? ", …" : ""}]), ` +
      "deny the table (tableDenylist), or raise piiReview.failAbove.",
  };
}

/**
 * The opt-in PII review, in check() with the profile's other pre-change verification: one list of the project's
 * databases and one scan per database per run (the run-cached reads of ./predictions, shared with the name check).
 */
export async function reviewPii(context: VerificationContext): Promise<pulumi.dynamic.CheckFailure[]> {
  const review = context.candidate.piiReview as z.infer<typeof PiiReview> | undefined;
  if (!review?.enabled) return [];
  const profile = describeProfile(context);
  const unknown = context.unknownInputs.filter(
    (key) => key === "projectId" || key === "piiReview" || key === "statementRules" || NAMING_FIELDS.includes(key),
  );
  if (unknown.length > 0) {
    await context.diagnostics.warn(
      `pii review: ${profile}: not reviewed in this preview because ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not known yet; ` +
        "it is reviewed (and piiReview.failAbove enforced) in the update phase of `pulumi up`, before the profile is created or changed",
    );
    return [];
  }
  const read = context.reads();
  let scans: { label: string; suggestions: PiiSuggestion[] }[];
  try {
    scans = await Promise.all(
      (await databasesOf(read, context.candidate)).map(async (db) => {
        const scan = await read.ask(`${db.path}/scan-pii`);
        if (typeof scan.error === "string") throw new Error(`${db.label}: ${scan.error}`);
        return { label: db.label, suggestions: scan.suggestions as PiiSuggestion[] };
      }),
    );
  } catch (error) {
    const message = `pii review: ${profile}: the PII scan failed: ${(error as Error).message}`;
    // Without a scan the gate cannot be checked: it fails closed, a review without a gate only says so.
    if (review.failAbove !== undefined)
      return [{ property: "", reason: `${message}; piiReview.failAbove cannot be checked, so nothing was changed` }];
    await context.diagnostics.warn(message);
    return [];
  }
  const found = scans.reduce((sum, scan) => sum + scan.suggestions.length, 0);
  const exposed = exposedColumns(context.candidate, scans);
  const scanned = scans.map((s) => s.label).join(", ");
  if (exposed.length === 0) {
    await context.diagnostics.info(
      `pii review: ${profile}: none of the ${found} likely-PII columns the scan of ${scanned} found is readable unmasked`,
    );
    return [];
  }
  await context.diagnostics.warn(
    `pii review: ${profile}: agents under this profile can read ${exposed.length} of the ${found} likely-PII columns unmasked: ${listed(exposed)}`,
  );
  const over = review.failAbove === undefined ? [] : exposed.filter((c) => c.confidence > review.failAbove!);
  return over.length > 0 ? [piiGateFailure(review.failAbove!, over)] : [];
}

/** A profile's verification with the PII review added: its input, and the review after the other checks before a change. */
export function withPiiReview(verification: PreChangeVerification): PreChangeVerification {
  return {
    ...verification,
    inputs: [...verification.inputs, "piiReview"],
    beforeChange: async (context) => [...((await verification.beforeChange?.(context)) ?? []), ...(await reviewPii(context))],
  };
}
