/**
 * A policy profile judged against the real database (provider/resources/policy/against-database.ts): the rules as pure
 * functions, then check() against the emulator's seeded catalogs, with the calls it makes.
 */
import * as host from "../../provider/host";
import { UNKNOWN, type Props } from "../../provider/engine/values";
import {
  type Catalog,
  editDistance,
  exposedColumns,
  judgeNames,
  likelyMeant,
  namedRelations,
  reaches,
} from "../../provider/resources/policy/against-database";
import { type Emulator, startEmulator } from "../../emulator";
import { call } from "../../fixtures/scenario";

describe("rules", () => {
  const catalog: Catalog = {
    relations: [
      {
        schema: "public",
        name: "users",
        kind: "table",
        columns: [
          { name: "email", data_type: "text", is_binary: false },
          { name: "avatar", data_type: "bytea", is_binary: true },
        ],
      },
      { schema: "public", name: "active_users", kind: "view", columns: [{ name: "email", data_type: "text", is_binary: false }] },
      { schema: "payroll", name: "employees", kind: "table", columns: [{ name: "ssn", data_type: "text", is_binary: false }] },
    ],
  };
  const db = [{ label: "database db_1 (app)", catalog }];

  it("edit distance counts a swap of neighbours as one edit; a name is likely meant only when close for its length", () => {
    expect([editDistance("usrs", "users"), editDistance("ordres", "orders"), editDistance("kitten", "sitting")]).toEqual([1, 1, 3]);
    expect(likelyMeant("usrs", ["users", "orders"])).toEqual(["users"]);
    expect(likelyMeant("audit_log", ["users", "orders"])).toEqual([]);
    expect(likelyMeant("id", ["ip"])).toEqual([]);
  });

  it("a bare name reaches the public schema's relation; a qualified one its own schema's", () => {
    expect(reaches("users", { schema: "public", name: "users" })).toBe(true);
    expect(reaches('Public."Users"', { schema: "public", name: "users" })).toBe(true);
    expect(reaches("employees", { schema: "payroll", name: "employees" })).toBe(false);
    expect(reaches("payroll.employees", { schema: "payroll", name: "employees" })).toBe(true);
  });

  it("names every relation and column of the table lists, masking rules and row filters; unknown ones are skipped", () => {
    const named = namedRelations({
      tableAllowlist: ["users"],
      tableDenylist: [UNKNOWN, "audit"],
      maskingRules: [{ table: "users", column: "email", kind: "hash" }],
      rowFilters: [{ table: "orders", predicate: "true" }],
    });
    expect(named.map((n) => `${n.field} ${n.table}${n.column ? `.${n.column}` : ""}`)).toEqual([
      "tableAllowlist[0] users",
      "tableDenylist[1] audit",
      "maskingRules[0] users.email",
      "rowFilters[0] orders",
    ]);
  });

  it("a new name close to an existing one fails as a typo; an unknown name, or one already applied, warns; views and binary masks are noted", () => {
    const named = namedRelations({
      tableDenylist: ["usrs", "audit_log", "empolyees", "employees"],
      maskingRules: [
        { table: "users", column: "emial", kind: "hash" },
        { table: "users", column: "avatar", kind: "hash" },
        { table: "active_users", column: "email", kind: "redact" },
      ],
    });
    const { failures, warnings, notes } = judgeNames(named, db, new Set(["empolyees"]));
    expect(failures.map((f) => f.reason)).toEqual([
      'tableDenylist[0]: relation "usrs" is not in the catalog of database db_1 (app); did you mean "users"? As written, this denylist rule does nothing. Correct the name. (Checked with the refusal predictions: pgbeam:predictRefusals false skips it.)',
      'tableDenylist[3]: relation "employees" is not in the catalog of database db_1 (app); did you mean "payroll.employees"? As written, this denylist rule does nothing. Correct the name. (Checked with the refusal predictions: pgbeam:predictRefusals false skips it.)',
      'maskingRules[0]: column "emial" of users is not in the catalog of database db_1 (app); did you mean "email"? As written, this masking rule does nothing. Correct the name. (Checked with the refusal predictions: pgbeam:predictRefusals false skips it.)',
    ]);
    expect(warnings).toEqual([
      'tableDenylist[1]: relation "audit_log" is not in the catalog of database db_1 (app); if it is not migrated yet, this denylist rule does nothing until it is',
      'tableDenylist[2]: relation "empolyees" is not in the catalog of database db_1 (app) (closest: "payroll.employees"); if it is not migrated yet, this denylist rule does nothing until it is',
    ]);
    expect(notes).toEqual([
      "maskingRules[1]: users.avatar is binary (bytea): PgBeam masks binary columns to NULL, whatever the kind",
      "maskingRules[2]: active_users is a view: PgBeam applies the masking rule to queries on it only, not through it to its base tables (nor the base tables' rules to it)",
    ]);
  });

  it("a catalog that could not be read, or was truncated, turns typos into warnings", () => {
    const named = namedRelations({ tableDenylist: ["usrs"] });
    const partial = judgeNames(
      named,
      [...db, { label: "database db_2 (crm)", catalog: { relations: [], error: "connection refused" } }],
      new Set(),
    );
    expect([partial.failures, partial.warnings.length]).toEqual([[], 1]);
    expect(judgeNames(named, [{ label: "database db_1 (app)", catalog: { ...catalog, truncated: true } }], new Set()).failures).toEqual([]);
  });

  it("exposed: the scan's columns minus those masked, denied or outside the allowlist; nothing when SELECT is denied", () => {
    const suggestion = (schema: string, table: string, column: string) => ({
      schema,
      table,
      column,
      pii_type: "email",
      mask_kind: "hash",
      confidence: 0.9,
    });
    const scans = [
      {
        label: "database db_1 (app)",
        suggestions: [
          suggestion("public", "users", "email"),
          suggestion("public", "users", "phone"),
          suggestion("payroll", "employees", "ssn"),
          suggestion("public", "orders", "card"),
        ],
      },
    ];
    const exposed = (profile: Props) => exposedColumns(profile, scans).map((c) => `${c.table}.${c.column}`);
    expect(
      exposed({ maskingRules: [{ table: "public.users", column: "EMAIL", kind: "hash" }], tableDenylist: ["payroll.employees"] }),
    ).toEqual(["users.phone", "orders.card"]);
    expect(exposed({ tableAllowlist: ["users"] })).toEqual(["users.email", "users.phone"]);
    expect(exposed({ statementRules: { deny: ["select"] } })).toEqual([]);
  });
});

describe("check() against the emulator's catalogs", () => {
  let emulator: Emulator;
  let projectId: string;
  const messages: string[] = [];
  const policy = host.lifecycle("PolicyProfile");
  const urn = (name: string) => `urn:pulumi:dev::app::pulumi-nodejs:dynamic/pgbeam:PolicyProfile::${name}`;
  const configure = (predictRefusals: boolean) =>
    host.configure({
      get: (key) =>
        ({ "pgbeam:apiKey": emulator.apiKey, "pgbeam:baseUrl": emulator.url, "pgbeam:predictRefusals": String(predictRefusals) })[key],
    });
  const calls = () => emulator.requests.map((r) => `${r.method} ${r.path.replace(projectId, "{p}").replace(/db_\w+/g, "{db}")}`);
  const reasons = (result: { failures?: { reason: string }[] }) => (result.failures ?? []).map((f) => f.reason);
  const diagnostics = () => messages.filter((m) => !m.startsWith("info: PgBeam API calls made to plan"));

  beforeAll(async () => {
    emulator = await startEmulator();
    const created = await call(emulator, "POST", "/v1/projects", {
      name: "schema-checks",
      org_id: emulator.orgId,
      database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw-schema-Kd3" },
    });
    projectId = (created.project as { id: string }).id;
  });
  afterAll(async () => {
    expect(emulator.validationFailures).toEqual([]);
    expect(emulator.responseValidationFailures).toEqual([]);
    await emulator.stop();
  });
  beforeEach(() => {
    configure(true);
    host.thisDeployment.predictionReads.clear();
    emulator.clearRequests();
    messages.length = 0;
    jest.spyOn(console, "error").mockImplementation((line: string) => void messages.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it("a typo fails the check naming the field and the likely name; two profiles share one catalog read", async () => {
    const first = await policy.check({}, { projectId, name: "typo", tableDenylist: ["usrs"], __urn: urn("typo") });
    const second = await policy.check(
      {},
      { projectId, name: "fine", maskingRules: [{ table: "users", column: "email", kind: "hash" }], __urn: urn("fine") },
    );
    expect(reasons(first)).toEqual([
      expect.stringMatching(
        /^policy schema: tableDenylist\[0\]: relation "usrs" is not in the catalog of database db_\w+ \(app\); did you mean "users"\?/,
      ),
    ]);
    expect(reasons(second)).toEqual([]);
    expect(calls()).toEqual([
      "GET /v1/projects/{p}",
      "GET /v1/projects/{p}/databases",
      "GET /v1/projects/{p}/databases/{db}/schema-catalog",
      "GET /v1/projects/{p}/policies",
    ]);
  });

  it("no call: predictions off, an unknown project, or a change that touches no named relation", async () => {
    configure(false);
    expect(reasons(await policy.check({}, { projectId, name: "off", tableDenylist: ["usrs"], __urn: urn("off") }))).toEqual([]);
    configure(true);
    expect(reasons(await policy.check({}, { projectId: UNKNOWN, name: "later", tableDenylist: ["usrs"], __urn: urn("later") }))).toEqual(
      [],
    );
    const stored = { projectId, name: "stored", tableDenylist: ["usrs"], maxRows: 10 };
    expect(calls()).toEqual([]);
    await policy.check(stored, { ...stored, maxRows: 20, __urn: urn("stored") });
    expect(calls().filter((c) => c.includes("schema-catalog"))).toEqual([]);
  });

  it("piiReview lists the likely-PII columns readable unmasked, and failAbove gates on them with the fix", async () => {
    const args = {
      projectId,
      name: "pii",
      maskingRules: [{ table: "users", column: "email", kind: "hash" }],
      tableDenylist: ["payroll.employees"],
      __urn: urn("pii"),
    };
    expect(reasons(await policy.check({}, { ...args, piiReview: { enabled: true } }))).toEqual([]);
    expect(diagnostics()).toEqual([
      expect.stringMatching(
        /^warning: pii review: PolicyProfile "pii" \(name "pii"\): agents under this profile can read 6 of the 11 likely-PII columns unmasked: active_users\.email \(email 0\.97, suggested mask hash\) in database db_\w+ \(app\); orders\.payment_card/,
      ),
    ]);
    const gated = await policy.check({}, { ...args, piiReview: { enabled: true, failAbove: 0.96 } });
    expect(reasons(gated)).toEqual([
      expect.stringMatching(
        /^piiReview\.failAbove: agents under this profile could read 1 likely-PII column above confidence 0\.96 unmasked: active_users\.email .*\. Mask it \(maskingRules: \[\{ table: "active_users", column: "email", kind: "hash" \}\]\), deny the table \(tableDenylist\), or raise piiReview\.failAbove\.$/,
      ),
    ]);
    // One scan per database for the run, however many checks ask.
    expect(calls().filter((c) => c.endsWith("scan-pii"))).toEqual(["POST /v1/projects/{p}/databases/{db}/scan-pii"]);
  });

  it("piiReview is never sent, and a profile that does not change is not reviewed again (no call)", async () => {
    const news = { projectId, name: "kept", piiReview: { enabled: true }, tableDenylist: ["orders"], __urn: urn("kept") };
    const stored = (await policy.check({}, news)).inputs!;
    await policy.create(stored);
    const created = emulator.requests.find((r) => r.operationId === "createPolicyProfile")!;
    expect(created.status).toBe(201);
    expect(Object.keys(created.body as object).filter((key) => /pii/i.test(key))).toEqual([]);
    host.thisDeployment.predictionReads.clear();
    emulator.clearRequests();
    expect(reasons(await policy.check(stored, news))).toEqual([]);
    expect(calls()).toEqual([]);
  });

  it("piiReview waits for an unknown project, and a profile that masks everything found passes with a note", async () => {
    await policy.check({}, { projectId: UNKNOWN, name: "later", piiReview: { enabled: true, failAbove: 0 }, __urn: urn("later") });
    expect(diagnostics()).toEqual([
      expect.stringContaining(
        'warning: pii review: PolicyProfile "later" (name "later"): not reviewed in this preview because projectId is not known yet',
      ),
    ]);
    expect(calls()).toEqual([]);
    messages.length = 0;
    const allowOnlyOrders = {
      projectId,
      name: "orders-only",
      tableAllowlist: ["orders"],
      maskingRules: [
        { table: "orders", column: "payment_card", kind: "null" },
        { table: "orders", column: "shipping_address", kind: "redact" },
      ],
    };
    expect(
      reasons(await policy.check({}, { ...allowOnlyOrders, piiReview: { enabled: true, failAbove: 0 }, __urn: urn("orders-only") })),
    ).toEqual([]);
    expect(diagnostics()).toEqual([
      expect.stringMatching(
        /^info: pii review: .*: none of the 11 likely-PII columns the scan of database db_\w+ \(app\) found is readable unmasked$/,
      ),
    ]);
  });
});
