import { type Emulator, startEmulator } from "../../emulator";
import { normalizeSql, relations, statementKind } from "../../emulator/policy-engine";

let emulator: Emulator;
let projectId: string;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${emulator.apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  emulator = await startEmulator();
  const created = await call("POST", "/v1/projects", {
    name: "sim",
    org_id: emulator.orgId,
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
  });
  projectId = created.body.project.id;
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]);
  expect(emulator.responseValidationFailures).toEqual([]);
  await emulator.stop();
});

const draft = (fields: object = {}) => ({ name: "draft", ...fields });
const dryEval = (sql: string, policy: object) => call("POST", `/v1/projects/${projectId}/policy-evaluations`, { sql, policy });

describe("statement parsing", () => {
  it("classifies statements by kind, data-modifying CTEs included", () => {
    expect(
      [
        "SELECT 1",
        "with x as (select 1) select * from x",
        "INSERT INTO t VALUES (1)",
        "update t set a = 1",
        "DELETE FROM t",
        "DROP TABLE t",
        "create index on t (a)",
        "COPY t FROM stdin",
        "SET search_path = x",
        "SHOW all",
        "EXPLAIN SELECT 1",
        "BEGIN",
        "WITH gone AS (SELECT id FROM t) DELETE FROM u WHERE id IN (SELECT id FROM gone)",
        "VACUUM",
      ].map(statementKind),
    ).toEqual([
      "select",
      "select",
      "insert",
      "update",
      "delete",
      "ddl",
      "ddl",
      "copy",
      "set",
      "show",
      "explain",
      "transaction",
      "delete",
      undefined,
    ]);
  });

  it("finds every relation (joins, comma lists, schema-qualified, quoted) and nothing inside literals", () => {
    expect(
      relations(`SELECT u.email FROM public.users u, items i JOIN "orders" o ON o.user_id = u.id WHERE note = 'from secrets'`),
    ).toEqual(["orders", "public.users", "items"]);
    expect(relations("UPDATE accounts SET balance = 0")).toEqual(["accounts"]);
    expect(relations("INSERT INTO audit.log (a) VALUES (1)")).toEqual(["audit.log"]);
  });

  it("normalizes literals to numbered placeholders, idempotently", () => {
    const once = normalizeSql("SELECT * FROM users WHERE id = 42 AND email = 'a@b.c'  -- hi\n");
    expect(once).toBe("SELECT * FROM users WHERE id = $1 AND email = $2");
    expect(normalizeSql(once)).toBe(once);
  });
});

describe("dryEvalPolicy", () => {
  it("blocks by statement rules, access mode, denylist and allowlist, naming the rule and a hint", async () => {
    const cases: [string, object, string][] = [
      ["DELETE FROM users", draft({ access_mode: "read_write", statement_rules: { deny: ["delete"] } }), "statement_denied"],
      ["UPDATE users SET a = 1", draft({ access_mode: "read_write", statement_rules: { allow: ["select"] } }), "statement_denied"],
      ["DELETE FROM users", draft(), "read_only"],
      ["DROP TABLE users", draft(), "read_only"],
      ["SELECT * FROM secrets", draft({ table_denylist: ["public.secrets"] }), "table_denied"],
      ["SELECT * FROM users JOIN payments p ON true", draft({ table_allowlist: ["users"] }), "table_not_allowed"],
    ];
    for (const [sql, policy, rule] of cases) {
      const { status, body } = await dryEval(sql, policy);
      expect(status).toBe(200);
      expect(body).toMatchObject({ verdict: "block", rule });
      expect(body.hint).toEqual(expect.any(String));
    }
  });

  it("allows what the policy permits, with notes for what one statement cannot decide", async () => {
    const { body } = await dryEval(
      "DELETE FROM sessions WHERE id = 1",
      draft({ access_mode: "read_write", approval_mode: "writes", write_mode: "rollback", max_affected_rows: 10 }),
    );
    expect(body).toMatchObject({ verdict: "allow", rule: "ok" });
    expect(body.notes).toEqual([
      "a write affecting more than 10 rows is rolled back and blocked (max_affected_rows)",
      "requires human approval (approval_mode writes)",
      "writes are rolled back (write_mode rollback)",
    ]);
    expect((await dryEval("SELECT id FROM users", draft({ max_rows: 100 }))).body).toMatchObject({
      verdict: "allow",
      notes: ["results are capped at 100 rows (max_rows)"],
    });
  });

  it("masks the output columns a rule covers, by alias and through *", async () => {
    const policy = draft({
      masking_rules: [
        { table: "public.users", column: "email", kind: "hash" },
        { table: "users", column: "ssn", kind: "redact" },
      ],
    });
    expect((await dryEval("SELECT id, u.email AS contact FROM users u", policy)).body).toMatchObject({
      verdict: "mask",
      masked_columns: [{ column: "contact", kind: "hash" }],
    });
    expect((await dryEval("SELECT * FROM users", policy)).body.masked_columns).toEqual([
      { column: "email", kind: "hash" },
      { column: "ssn", kind: "redact" },
    ]);
    expect((await dryEval("SELECT id FROM users", policy)).body.verdict).toBe("allow");
  });

  it("ANDs row filters into the WHERE clause, and blocks where it cannot be injected safely", async () => {
    const policy = draft({
      row_filters: [{ table: "orders", predicate: "tenant_id = 7" }],
      masking_rules: [{ table: "orders", column: "card", kind: "null" }],
    });
    expect((await dryEval("SELECT id, card FROM orders WHERE total > 5 ORDER BY id", policy)).body).toEqual({
      verdict: "row-filter",
      rule: "ok",
      reason: "row filter on orders is ANDed into the statement; 1 column(s) masked",
      masked_columns: [{ column: "card", kind: "null" }],
      row_filter_predicate: "(tenant_id = 7)",
      rewritten_sql: "SELECT id, card FROM orders WHERE (total > 5) AND ((tenant_id = 7)) ORDER BY id",
    });
    expect((await dryEval("SELECT id FROM orders UNION SELECT id FROM archive", policy)).body).toMatchObject({
      verdict: "block",
      rule: "row_filter_unsafe",
    });
  });

  it("evaluates a saved policy by id, and refuses bad requests", async () => {
    const saved = await call("POST", `/v1/projects/${projectId}/policies`, draft({ name: "saved", table_denylist: ["users"] }));
    const byId = await call("POST", `/v1/projects/${projectId}/policy-evaluations`, {
      sql: "SELECT 1 FROM users",
      policy_id: saved.body.id,
    });
    expect(byId.body).toMatchObject({ verdict: "block", rule: "table_denied" });
    const path = `/v1/projects/${projectId}/policy-evaluations`;
    expect((await call("POST", path, { sql: "SELECT 1" })).status).toBe(400);
    expect((await call("POST", path, { sql: "SELECT 1", policy_id: saved.body.id, policy: draft() })).status).toBe(400);
    expect((await call("POST", path, { sql: "SELECT 1; DROP TABLE users", policy: draft() })).body.error.message).toMatch(
      /single SQL statement/,
    );
    expect((await call("POST", path, { sql: "SELECT 1", policy_id: "pol_missing" })).status).toBe(404);
    expect((await call("POST", "/v1/projects/prj_missing/policy-evaluations", { sql: "SELECT 1", policy: draft() })).status).toBe(404);
  });
});

describe("replayPolicy", () => {
  let replayProject: string;
  let credentialId: string;
  beforeAll(async () => {
    const created = await call("POST", "/v1/projects", {
      name: "replay",
      org_id: emulator.orgId,
      database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
    });
    replayProject = created.body.project.id;
    const policy = await call("POST", `/v1/projects/${replayProject}/policies`, draft({ name: "current" }));
    const agent = await call("POST", `/v1/projects/${replayProject}/agents`, { name: "bot", policy_profile_id: policy.body.id });
    credentialId = agent.body.credential.id;
    const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
    emulator.recordAgentTraffic(replayProject, [
      { sql: "SELECT email FROM users WHERE id = 1", event: "query", credentialId, occurrences: 40 },
      { sql: "SELECT email FROM users WHERE id = 2", event: "query", credentialId, occurrences: 2 },
      { sql: "DELETE FROM users WHERE id = 9", event: "blocked", rule: "read_only", credentialId, occurrences: 3 },
      { sql: "SELECT * FROM orders", event: "query", occurrences: 5 },
      { sql: "SELECT * FROM audit WHERE note = 'cut", event: "query", truncatedAtRecord: true },
      { sql: "SELECT * FROM ancient", event: "query", at: old },
    ]);
  });
  const replay = (body: object) => call("POST", `/v1/projects/${replayProject}/policy-replays`, body);

  it("compares the candidate with what was recorded, per normalized shape, changes first", async () => {
    const { status, body } = await replay({
      policy: draft({
        access_mode: "read_write",
        table_denylist: ["orders"],
        masking_rules: [{ table: "users", column: "email", kind: "redact" }],
      }),
    });
    expect(status).toBe(200);
    expect(body.summary).toEqual({
      entries_scanned: 51,
      distinct_queries: 4,
      evaluated: 3,
      would_allow: 1,
      would_block: 1,
      would_mask: 1,
      would_row_filter: 0,
      newly_blocked: 1,
      newly_allowed: 1,
      skipped_unparseable: 1,
      truncated: false,
    });
    expect(body.items.map((i: any) => [i.change, i.sql, i.occurrences])).toEqual([
      ["newly_blocked", "SELECT * FROM orders", 5],
      ["newly_allowed", "DELETE FROM users WHERE id = $1", 3],
      ["still_allowed", "SELECT email FROM users WHERE id = $1", 42],
    ]);
    expect(body.items[1]).toMatchObject({ statement_kind: "delete", recorded_event: "blocked", recorded_rule: "read_only" });
  });

  it("narrows to one credential and a limit, saying when the window held more", async () => {
    const { body } = await replay({ policy: draft(), credential_id: credentialId, limit: 1 });
    expect(body.summary).toMatchObject({ distinct_queries: 1, truncated: true });
    const all = await replay({ policy: draft(), credential_id: credentialId });
    expect(all.body.summary).toMatchObject({ distinct_queries: 2, entries_scanned: 45, newly_allowed: 0, newly_blocked: 0 });
    const windowed = await replay({ policy: draft(), start_ts: new Date(Date.now() - 60 * 86_400_000).toISOString() });
    expect(windowed.body.summary.distinct_queries).toBe(5);
    expect((await replay({ policy: draft(), credential_id: "agt_missing" })).status).toBe(404);
    expect((await replay({})).status).toBe(400);
  });
});
