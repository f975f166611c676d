/**
 * The emulator's policy engine: one SQL statement against one policy profile (API field names, spec defaults
 * applied) → the `DryEvalResult` the data plane would give. Deliberately small and honest: the statement kind
 * comes from its leading keyword, relations from FROM/JOIN/INTO/UPDATE/TABLE clauses, output columns from the
 * select list. What it cannot model from one statement (budgets, approvals, write routing, row caps) becomes a note.
 *
 * Order of decisions (first block wins): statement rules (deny, then allow list), access mode, table denylist,
 * table allowlist, row-filter safety; then row filters and masking decide between allow, mask and row-filter.
 */

export type Verdict = "allow" | "block" | "mask" | "row-filter";

export interface PolicyFields {
  access_mode: "read_only" | "read_write";
  statement_rules?: { allow?: string[]; deny?: string[] };
  table_allowlist?: string[];
  table_denylist?: string[];
  masking_rules?: { table: string; column: string; kind: "redact" | "null" | "hash" }[];
  row_filters?: { table: string; predicate: string }[];
  max_rows: number;
  max_affected_rows: number;
  budget_queries_per_hour: number;
  budget_queries_per_day: number;
  egress_bytes_per_day: number;
  write_mode: "normal" | "rollback" | "sandbox";
  approval_mode: "off" | "writes" | "ddl" | "all";
  migration_safety: "off" | "warn" | "block";
}

export interface DryEvalResult {
  verdict: Verdict;
  rule: string;
  reason: string;
  hint?: string;
  masked_columns?: { column: string; kind: "redact" | "null" | "hash" }[];
  row_filter_predicate?: string;
  rewritten_sql?: string;
  notes?: string[];
}

/** Statement kinds as the spec's `StatementRules` names them. */
export type StatementKind = "select" | "insert" | "update" | "delete" | "ddl" | "copy" | "set" | "show" | "explain" | "transaction";

const KIND_BY_KEYWORD: Record<string, StatementKind> = {
  select: "select",
  values: "select",
  table: "select",
  insert: "insert",
  update: "update",
  delete: "delete",
  merge: "update",
  create: "ddl",
  alter: "ddl",
  drop: "ddl",
  truncate: "ddl",
  grant: "ddl",
  revoke: "ddl",
  comment: "ddl",
  rename: "ddl",
  copy: "copy",
  set: "set",
  reset: "set",
  show: "show",
  explain: "explain",
  begin: "transaction",
  start: "transaction",
  commit: "transaction",
  rollback: "transaction",
  savepoint: "transaction",
  end: "transaction",
};

const WRITE_KINDS: ReadonlySet<StatementKind> = new Set(["insert", "update", "delete"]);

/** Whether a kind mutates data or schema (what read_only blocks and what "newly allowed writes" counts). */
export function isMutation(kind: StatementKind | undefined, sql = ""): boolean {
  if (kind === "copy") return /\bfrom\b/i.test(stripLiterals(sql));
  return kind !== undefined && (WRITE_KINDS.has(kind) || kind === "ddl");
}

/** String literals and comments blanked out, so keywords and semicolons inside them are never read as SQL. */
function stripLiterals(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\$\$[\s\S]*?\$\$/g, "''");
}

/** The statement's kind; a WITH is classified by the data-modifying statement it wraps, if any. */
export function statementKind(sql: string): StatementKind | undefined {
  const code = stripLiterals(sql).toLowerCase();
  const keyword = /^\s*\(?\s*([a-z]+)/.exec(code)?.[1];
  if (keyword === "with") {
    const modifying = /\)\s*(insert|update|delete)\b/.exec(code)?.[1];
    return modifying ? KIND_BY_KEYWORD[modifying] : "select";
  }
  return keyword === undefined ? undefined : KIND_BY_KEYWORD[keyword];
}

/**
 * The normalized shape PgBeam records: literals replaced with `$N` placeholders (numbered left to right),
 * whitespace collapsed. Existing placeholders are renumbered, so normalizing twice changes nothing.
 */
export function normalizeSql(sql: string): string {
  let n = 0;
  return sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'|\$\d+|(?<![\w$.])-?\d+(?:\.\d+)?(?![\w.])/g, () => `$${++n}`)
    .replace(/\s+/g, " ")
    .replace(/\s*;\s*$/, "")
    .trim();
}

const IDENT = String.raw`(?:"[^"]+"|[a-zA-Z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[a-zA-Z_][\w$]*))?`;

function relationName(raw: string): string {
  return raw.replace(/\s+/g, "").replace(/"/g, "").toLowerCase();
}

/** `public.users` and `users` name the same relation (PgBeam's rules may be written either way). */
export function sameRelation(a: string, b: string): boolean {
  const bare = (name: string) => relationName(name).replace(/^public\./, "");
  return bare(a) === bare(b);
}

/** Relations the statement reads or writes, in order of appearance, each once. */
export function relations(sql: string): string[] {
  const code = stripLiterals(sql);
  const found: string[] = [];
  const add = (raw: string) => {
    const name = relationName(raw);
    if (!["select", "lateral", "only", "(", "if"].includes(name) && !found.includes(name)) found.push(name);
  };
  const single = new RegExp(
    String.raw`\b(?:join|into|update|table(?:\s+if\s+(?:not\s+)?exists)?|truncate(?:\s+table)?|copy)\s+(?:only\s+)?(${IDENT})`,
    "gi",
  );
  for (const match of code.matchAll(single)) add(match[1]);
  // FROM takes a comma-separated list: `FROM a, b x, c AS y` (subqueries are skipped).
  for (const match of code.matchAll(
    /\bfrom\s+([^;]*?)(?=\bwhere\b|\bgroup\b|\border\b|\blimit\b|\bjoin\b|\bleft\b|\bright\b|\binner\b|\bfull\b|\bcross\b|\bon\b|\bunion\b|\breturning\b|\)|;|$)/gi,
  )) {
    for (const item of match[1].split(",")) {
      const name = new RegExp(`^\\s*(?:only\\s+)?(${IDENT})`).exec(item)?.[1];
      if (name) add(name);
    }
  }
  return found;
}

/** Output columns of a select list: `[{ source, output }]`, `*` for a star (`t.*` keeps its qualifier). */
function selectColumns(sql: string): { source: string; output: string }[] {
  const code = stripLiterals(sql);
  const list = /^\s*select\s+(?:distinct\s+)?([\s\S]*?)\s+from\b/i.exec(code)?.[1];
  if (!list) return [];
  return list.split(",").map((item) => {
    const trimmed = item.trim();
    const aliased = /^([\s\S]*?)\s+(?:as\s+)?("?[a-zA-Z_][\w$]*"?)$/i.exec(trimmed);
    const source = (aliased && !/[()]/.test(aliased[2]) ? aliased[1] : trimmed).trim();
    const output = aliased ? aliased[2].replace(/"/g, "") : (source.split(".").pop() ?? source).replace(/"/g, "");
    return { source: source.replace(/"/g, "").toLowerCase(), output };
  });
}

function maskedColumns(sql: string, tables: string[], rules: NonNullable<PolicyFields["masking_rules"]>): DryEvalResult["masked_columns"] {
  const applicable = rules.filter((rule) => tables.some((table) => sameRelation(table, rule.table)));
  const masked: NonNullable<DryEvalResult["masked_columns"]> = [];
  for (const { source, output } of selectColumns(sql)) {
    const column = source.split(".").pop()!;
    for (const rule of applicable) {
      const hit = column === "*" ? true : column === rule.column.toLowerCase();
      const name = column === "*" ? rule.column : output;
      if (hit && !masked.some((m) => m.column === name)) masked.push({ column: name, kind: rule.kind });
    }
  }
  return masked;
}

/** The filter's predicate ANDed into the statement's WHERE (added before GROUP/ORDER/LIMIT when there is none). */
function rewriteWithFilter(sql: string, predicate: string): string {
  const trimmed = sql.trim().replace(/;\s*$/, "");
  const where = /\bwhere\b/i.exec(trimmed);
  if (where) {
    const after = trimmed.slice(where.index + 5);
    const tail = /\b(group\s+by|order\s+by|limit|offset|for\s+update)\b/i.exec(after);
    const condition = tail ? after.slice(0, tail.index) : after;
    const rest = tail ? ` ${after.slice(tail.index)}` : "";
    return `${trimmed.slice(0, where.index)}WHERE (${condition.trim()}) AND (${predicate})${rest}`;
  }
  const tail = /\b(group\s+by|order\s+by|limit|offset|for\s+update)\b/i.exec(trimmed);
  return tail ? `${trimmed.slice(0, tail.index)}WHERE (${predicate}) ${trimmed.slice(tail.index)}` : `${trimmed} WHERE (${predicate})`;
}

function block(rule: string, reason: string, hint: string, notes: string[]): DryEvalResult {
  return { verdict: "block", rule, reason, hint, ...(notes.length ? { notes } : {}) };
}

/** Notes on what one statement cannot show: the spec's stateful checks, reported rather than decided. */
function stateNotes(policy: PolicyFields, kind: StatementKind, mutation: boolean): string[] {
  const notes: string[] = [];
  if (kind === "select" && policy.max_rows > 0) notes.push(`results are capped at ${policy.max_rows} rows (max_rows)`);
  if (mutation && policy.max_affected_rows > 0)
    notes.push(`a write affecting more than ${policy.max_affected_rows} rows is rolled back and blocked (max_affected_rows)`);
  if (policy.budget_queries_per_hour > 0 || policy.budget_queries_per_day > 0)
    notes.push("query budgets apply per region and are not evaluated here");
  if (policy.egress_bytes_per_day > 0) notes.push("the daily egress budget is not evaluated here");
  const needsApproval =
    policy.approval_mode === "all" || (policy.approval_mode === "writes" && mutation) || (policy.approval_mode === "ddl" && kind === "ddl");
  if (needsApproval) notes.push(`requires human approval (approval_mode ${policy.approval_mode})`);
  if (mutation && policy.write_mode !== "normal")
    notes.push(
      `writes are ${policy.write_mode === "rollback" ? "rolled back" : "routed to a sandbox branch"} (write_mode ${policy.write_mode})`,
    );
  if (kind === "ddl" && policy.migration_safety !== "off")
    notes.push(`migration safety checks apply (migration_safety ${policy.migration_safety})`);
  return notes;
}

export function evaluate(policy: PolicyFields, sql: string): DryEvalResult {
  const kind = statementKind(sql);
  if (kind === undefined) {
    return block("unparseable", "the statement could not be classified", "send one complete SQL statement", []);
  }
  const mutation = isMutation(kind, sql);
  const notes = stateNotes(policy, kind, mutation);
  const denied = (policy.statement_rules?.deny ?? []).map((k) => k.toLowerCase());
  const allowed = (policy.statement_rules?.allow ?? []).map((k) => k.toLowerCase());
  if (denied.includes(kind))
    return block(
      "statement_denied",
      `${kind} statements are denied by statement_rules.deny`,
      `remove "${kind}" from statement_rules.deny`,
      notes,
    );
  if (allowed.length > 0 && !allowed.includes(kind)) {
    return block(
      "statement_denied",
      `${kind} is not in statement_rules.allow (${allowed.join(", ")})`,
      `add "${kind}" to statement_rules.allow`,
      notes,
    );
  }
  if (policy.access_mode === "read_only" && mutation) {
    return block(
      "read_only",
      `${kind} modifies data or schema and the policy is read_only`,
      "use a read_write policy for this agent",
      notes,
    );
  }
  const tables = relations(sql);
  const deniedTable = tables.find((t) => (policy.table_denylist ?? []).some((d) => sameRelation(t, d)));
  if (deniedTable)
    return block("table_denied", `relation ${deniedTable} is in table_denylist`, `remove ${deniedTable} from table_denylist`, notes);
  const allowlist = policy.table_allowlist ?? [];
  const outside = allowlist.length > 0 ? tables.find((t) => !allowlist.some((a) => sameRelation(t, a))) : undefined;
  if (outside)
    return block("table_not_allowed", `relation ${outside} is not in table_allowlist`, `add ${outside} to table_allowlist`, notes);

  if (kind !== "select") return { verdict: "allow", rule: "ok", reason: `${kind} permitted`, ...(notes.length ? { notes } : {}) };
  const masked = maskedColumns(sql, tables, policy.masking_rules ?? []) ?? [];
  const filters = (policy.row_filters ?? []).filter((f) => tables.some((t) => sameRelation(t, f.table)));
  if (filters.length > 0) {
    // A filter can only be ANDed into a single flat SELECT; set operations and subqueries could bypass it.
    if (/\b(union|intersect|except)\b|\(\s*select\b/i.test(stripLiterals(sql))) {
      return block(
        "row_filter_unsafe",
        `a row filter applies to ${filters.map((f) => f.table).join(", ")} but the statement has a set operation or subquery it cannot be safely injected into`,
        "query the filtered relation in a single flat SELECT",
        notes,
      );
    }
    const predicate = filters.map((f) => `(${f.predicate})`).join(" AND ");
    return {
      verdict: "row-filter",
      rule: "ok",
      reason: `row filter on ${filters.map((f) => f.table).join(", ")} is ANDed into the statement${masked.length ? `; ${masked.length} column(s) masked` : ""}`,
      ...(masked.length ? { masked_columns: masked } : {}),
      row_filter_predicate: predicate,
      rewritten_sql: rewriteWithFilter(sql, predicate),
      ...(notes.length ? { notes } : {}),
    };
  }
  if (masked.length > 0) {
    return {
      verdict: "mask",
      rule: "ok",
      reason: `masking rules apply to ${masked.map((m) => m.column).join(", ")}`,
      masked_columns: masked,
      ...(notes.length ? { notes } : {}),
    };
  }
  return { verdict: "allow", rule: "ok", reason: "select permitted", ...(notes.length ? { notes } : {}) };
}

/** False when the text holds more than one statement (a `;` followed by more SQL). */
export function isSingleStatement(sql: string): boolean {
  return !/;\s*\S/.test(stripLiterals(sql));
}
