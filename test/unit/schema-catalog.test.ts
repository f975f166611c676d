/**
 * The emulator's schema catalog and PII scan (emulator/schema-catalog.ts): answers from the seeded schema, every
 * response checked against the spec, and heuristics that need the name or the values to agree.
 */
import { type Emulator, startEmulator } from "../../emulator";
import { detectPii } from "../../emulator/schema-catalog";
import { call } from "../../fixtures/scenario";
import type { PiiSuggestion } from "../../provider/resources/policy/against-database";

let emulator: Emulator;
let projectId: string;
let databaseId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const created = await call(emulator, "POST", "/v1/projects", {
    name: "catalog",
    org_id: emulator.orgId,
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw-catalog-Zr4" },
  });
  projectId = (created.project as { id: string }).id;
  databaseId = (created.database as { id: string }).id;
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]);
  expect(emulator.responseValidationFailures).toEqual([]);
  await emulator.stop();
});

const base = () => `/v1/projects/${projectId}/databases/${databaseId}`;

it("the catalog lists the default schema's relations by schema then name, views and binary columns marked", async () => {
  const catalog = await call(emulator, "GET", `${base()}/schema-catalog`);
  const relations = catalog.relations as { schema: string; name: string; kind: string; columns: { name: string; is_binary: boolean }[] }[];
  expect(relations.map((r) => `${r.schema}.${r.name} (${r.kind})`)).toEqual([
    "payroll.employees (table)",
    "public.active_users (view)",
    "public.orders (table)",
    "public.sessions (table)",
    "public.users (table)",
  ]);
  expect(
    relations
      .find((r) => r.name === "users")!
      .columns.filter((c) => c.is_binary)
      .map((c) => c.name),
  ).toEqual(["avatar"]);
  expect([catalog.scanned_relations, catalog.scanned_columns]).toEqual([5, 24]);
});

it("the scan ranks likely-PII columns with a masking suggestion and its reasons, and leaves the rest alone", async () => {
  const scan = await call(emulator, "POST", `${base()}/scan-pii`);
  const suggestions = scan.suggestions as (PiiSuggestion & { reasons: string[] })[];
  const found = suggestions.map((s) => `${s.schema}.${s.table}.${s.column}: ${s.pii_type} ${s.mask_kind} ${s.confidence}`);
  expect(found).toEqual([
    "payroll.employees.ssn: ssn null 0.98",
    "payroll.employees.iban: bank_account null 0.97",
    "public.active_users.email: email hash 0.97",
    "public.users.email: email hash 0.97",
    "payroll.employees.full_name: full_name redact 0.96",
    "public.orders.payment_card: credit_card null 0.96",
    "public.sessions.client_ip: ip_address hash 0.96",
    "public.users.full_name: full_name redact 0.96",
    "public.users.phone: phone redact 0.96",
    "public.orders.shipping_address: street_address redact 0.95",
    "payroll.employees.date_of_birth: date_of_birth redact 0.8",
  ]);
  expect(suggestions[3].reasons).toEqual(["column name suggests an email address", "4/4 sampled values look like an email address"]);
  expect([scan.scanned_tables, scan.scanned_columns]).toEqual([5, 24]);
});

it("a seeded schema replaces the default; values alone flag a column only when most samples match", async () => {
  const other = (
    await call(emulator, "POST", `/v1/projects/${projectId}/databases`, {
      host: "db2.internal",
      port: 5432,
      name: "crm",
      username: "app",
      password: "pw-crm-Q2",
    })
  ).id as string;
  emulator.seedDatabaseSchema(other, [
    {
      name: "contacts",
      columns: [
        { name: "reach", dataType: "text", samples: ["a@example.com", "b@example.com", "n/a"] },
        { name: "notes", dataType: "text", samples: ["call back", "x@example.com", "later"] },
      ],
    },
    { schema: "ops", name: "blobs", columns: [{ name: "api_key", dataType: "bytea" }] },
  ]);
  const scan = await call(emulator, "POST", `/v1/projects/${projectId}/databases/${other}/scan-pii`);
  const suggestions = scan.suggestions as { table: string; column: string; mask_kind: string }[];
  expect(suggestions.map((s) => [s.table, s.column, s.mask_kind])).toEqual([
    ["blobs", "api_key", "null"],
    ["contacts", "reach", "hash"],
  ]);
  const catalog = await call(emulator, "GET", `/v1/projects/${projectId}/databases/${other}/schema-catalog`);
  expect((catalog.relations as { name: string }[]).map((r) => r.name)).toEqual(["blobs", "contacts"]);
});

it("an unknown database answers 404 on both", async () => {
  for (const [method, path] of [
    ["GET", "schema-catalog"],
    ["POST", "scan-pii"],
  ]) {
    await expect(call(emulator, method, `/v1/projects/${projectId}/databases/db_missing/${path}`)).rejects.toThrow(/404/);
  }
});

it("heuristics: a name or the values alone can suffice, a weak name alone cannot", () => {
  expect(detectPii({ name: "name", dataType: "text", samples: ["widget", "gadget"] })).toBeUndefined();
  expect(detectPii({ name: "name", dataType: "text", samples: ["Ada Lovelace", "Alan Turing"] })?.detector.type).toBe("full_name");
  expect(detectPii({ name: "card_no", dataType: "text", samples: ["1234 5678 9012 3456"] })).toMatchObject({ confidence: 0.6, matched: 0 });
  expect(detectPii({ name: "created_at", dataType: "date", samples: ["1990-01-01"] })).toBeUndefined();
});
