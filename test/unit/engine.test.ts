import { failedField } from "../bad-input/failed-field";
import * as host from "../../provider/host";
import { toApi as toApiBody, UNKNOWN, type Props } from "../../provider/engine/values";
import { type Emulator, startEmulator } from "../../emulator";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  const config: Record<string, string> = {
    "pgbeam:apiKey": emulator.apiKey,
    "pgbeam:baseUrl": emulator.url,
    "pgbeam:callBudgetMs": "3000",
    "pgbeam:predictRefusals": "false",
  };
  host.configure({ get: (key) => config[key] });
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]); // the provider never sends a request the spec rejects
  await emulator.stop();
});
beforeEach(() => emulator.clearRequests());

const project = host.lifecycle("Project");
const database = host.lifecycle("Database");

const primaryDb = { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw-primary-1" };
const projectInputs = (extra: Props = {}): Props => ({
  name: `proj-${Math.random().toString(36).slice(2, 8)}`,
  orgId: emulator.orgId,
  database: primaryDb,
  __provider: "serialized-provider-text",
  ...extra,
});

/** What the engine does on `up`: check the program's inputs, then create. */
async function checkedInputs(lifecycle: typeof project, news: Props, olds: Props = {}): Promise<Props> {
  const result = await lifecycle.check(olds, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs!;
}

async function createProject(extra: Props = {}) {
  const inputs = await checkedInputs(project, projectInputs(extra));
  // As the provider host does: it re-adds the serialized provider to the checked inputs.
  const created = await project.create({ ...inputs, __provider: "serialized-provider-text" });
  return { inputs, id: created.id, outs: created.outs as Props };
}

const bodies = (method: string) => emulator.requests.filter((r) => r.method === method).map((r) => r.body);

describe("check", () => {
  it("applies the API's defaults so inputs and outputs compare equal", async () => {
    const inputs = await checkedInputs(project, projectInputs());
    expect(inputs).toMatchObject({ cloud: "aws", selfHosted: false, residency: "any" });
    expect(inputs.database).toMatchObject({ role: "primary", queryTimeoutMs: 0, autoReadRouting: false });
    expect((inputs.database as Props).cacheConfig).toEqual({ enabled: true, ttlSeconds: 60, maxEntries: 10000, swrSeconds: 30 });
    expect(inputs.__provider).toBeUndefined();
  });

  it("names every bad field: range, enum, type, unknown key, missing required", async () => {
    const result = await database.check(
      {},
      {
        projectId: "prj_x",
        host: "db",
        port: 70000,
        name: "app",
        username: "u",
        sslMode: "sometimes",
        queryTimeoutMs: "5",
        poolSize: 3,
      },
    );
    const byField = Object.fromEntries((result.failures ?? []).map((f) => [failedField(f), f.reason]));
    expect(Object.keys(byField).sort()).toEqual(["password", "poolSize", "port", "queryTimeoutMs", "sslMode"]);
    expect(byField.port).toMatch(/65535/);
    expect(byField.sslMode).toMatch(/verify-full/);
    expect(byField.poolSize).toMatch(/unknown property/);
    expect(emulator.requests).toEqual([]);
  });

  it("validates nested fields with their full path", async () => {
    const result = await project.check(
      {},
      projectInputs({
        database: { ...primaryDb, poolConfig: { poolSize: 0, poolMode: "bursty" } },
        allowedCidrs: [{ cidr: "not-an-ip" }],
      }),
    );
    expect((result.failures ?? []).map(failedField).sort()).toEqual([
      "allowedCidrs[0].cidr",
      "database.poolConfig.poolMode",
      "database.poolConfig.poolSize",
    ]);
  });

  it("puts a field in `property` only where the engine prints its value: a present, non-secret top-level field", async () => {
    // The engine prints `property <p> value <inputs[p]>`, looking p up as a top-level key: `{<nil>}` for anything else.
    const nested = await project.check({}, projectInputs({ allowedCidrs: [{ cidr: "10.0.0.0/8" }, { cidr: "not-an-ip" }] }));
    expect(nested.failures).toEqual([{ property: "", reason: expect.stringMatching(/^allowedCidrs\[1\]\.cidr: \S/) }]);
    const { name: _, ...nameless } = projectInputs({});
    const missing = await project.check({}, nameless);
    expect(missing.failures).toEqual([{ property: "", reason: expect.stringMatching(/^name: \S/) }]);
    const topLevel = await database.check({}, { projectId: "prj_x", host: "db", port: 70000, name: "n", username: "u", password: "p" });
    expect(topLevel.failures).toEqual([{ property: "port", reason: expect.stringMatching(/65535/) }]);
  });

  it("an unknown nested value does not switch off validation of its siblings", async () => {
    const result = await project.check(
      {},
      projectInputs({
        database: { ...primaryDb, port: 70000, sslMode: "sometimes", password: UNKNOWN },
        allowedCidrs: [{ cidr: UNKNOWN, labl: "typo" }, { cidr: "not-an-ip" }],
      }),
    );
    expect((result.failures ?? []).map(failedField).sort()).toEqual([
      "allowedCidrs[0].labl",
      "allowedCidrs[1].cidr",
      "database.port",
      "database.sslMode",
    ]);
    const ok = await project.check({}, projectInputs({ database: { ...primaryDb, password: UNKNOWN } }));
    expect(ok.failures ?? []).toEqual([]);
    expect(ok.inputs).toMatchObject({ cloud: "aws", database: { password: UNKNOWN } });
  });

  it("lets preview unknowns through untouched and still checks the known fields", async () => {
    const ok = await database.check({}, { projectId: UNKNOWN, host: "db", port: 5432, name: "n", username: "u", password: UNKNOWN });
    expect(ok.failures ?? []).toEqual([]);
    expect(ok.inputs).toMatchObject({ projectId: UNKNOWN, password: UNKNOWN, role: "primary" });
    const bad = await database.check({}, { projectId: UNKNOWN, host: "db", port: -1, name: "n", username: "u", password: "p" });
    expect((bad.failures ?? []).map(failedField)).toEqual(["port"]);
  });

  it("normalizes a bare address to the prefix length the API stores", async () => {
    const inputs = await checkedInputs(project, projectInputs({ allowedCidrs: [{ cidr: "203.0.113.5" }, { cidr: "2001:db8::1" }] }));
    expect(inputs.allowedCidrs).toEqual([{ cidr: "203.0.113.5/32" }, { cidr: "2001:db8::1/128" }]);
  });
});

describe("Project", () => {
  it("creates with its primary database and PATCHes the create-less fields in the same call", async () => {
    const { id, outs } = await createProject({
      allowedCidrs: [{ cidr: "10.0.0.0/8", label: "VPC" }],
      residency: "eu",
      agentsDisabled: true,
    });
    expect(id).toMatch(/^prj_/);
    expect(emulator.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 201", "PATCH 200"]);
    expect(bodies("PATCH")).toEqual([{ allowed_cidrs: [{ cidr: "10.0.0.0/8", label: "VPC" }], residency: "eu", agents_disabled: true }]);
    expect(outs).toMatchObject({ residency: "eu", agentsDisabled: true, status: "active" });
    expect(outs.primaryDatabaseId).toMatch(/^db_/);
    expect(outs.proxyHost).toEqual(expect.any(String));
    expect((outs.database as Props).password).toBe("pw-primary-1"); // write-only: kept from inputs
    expect(outs.id).toBeUndefined();
    expect(outs.__provider).toBe("serialized-provider-text");
  });

  it("needs no PATCH when the create-less fields are left at their defaults", async () => {
    await createProject();
    expect(emulator.requests.map((r) => r.method)).toEqual(["POST"]);
  });

  it("an unchanged program has no diff, though the server filled defaults", async () => {
    const { inputs, id, outs } = await createProject();
    const again = await checkedInputs(project, projectInputs({ name: inputs.name }), inputs);
    expect(await project.diff(id, outs, again)).toEqual({ changes: false, replaces: [] });
  });

  it("updates in place with a PATCH of only the changed fields", async () => {
    const { inputs, id, outs } = await createProject({ description: "before", tags: ["a"] });
    const news = await checkedInputs(project, { ...projectInputs({ name: inputs.name }), description: "after", tags: ["a"] });
    expect(await project.diff(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    emulator.clearRequests();
    const updated = await project.update(id, outs, news);
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /v1/projects/${id}`]);
    expect(bodies("PATCH")).toEqual([{ description: "after" }]);
    expect(updated.outs).toMatchObject({ description: "after", primaryDatabaseId: outs.primaryDatabaseId });
  });

  it("clears a removed optional field explicitly", async () => {
    const { inputs, id, outs } = await createProject({ tags: ["keep-me"] });
    const news = await checkedInputs(project, projectInputs({ name: inputs.name }));
    emulator.clearRequests();
    const updated = await project.update(id, outs, news);
    expect(bodies("PATCH")).toEqual([{ tags: [] }]);
    expect(await project.diff(id, updated.outs as Props, news)).toMatchObject({ changes: false });
  });

  it("PATCHes the primary database when the nested database changes, and only that", async () => {
    const { inputs, id, outs } = await createProject();
    const news = await checkedInputs(project, projectInputs({ name: inputs.name, database: { ...primaryDb, port: 6432 } }));
    emulator.clearRequests();
    const updated = await project.update(id, outs, news);
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /v1/projects/${id}/databases/${outs.primaryDatabaseId}`]);
    expect(bodies("PATCH")).toEqual([{ port: 6432 }]);
    expect((updated.outs as Props).database).toMatchObject({ port: 6432, password: "pw-primary-1" });
    expect(await project.diff(id, updated.outs as Props, news)).toMatchObject({ changes: false });
  });

  it("clears a removed nested field with the value that clears it, and then has no diff", async () => {
    const { inputs, id, outs } = await createProject({ database: { ...primaryDb, poolRegion: "us-east-1" } });
    const news = await checkedInputs(project, projectInputs({ name: inputs.name }));
    emulator.clearRequests();
    const updated = (await project.update(id, outs, news)).outs as Props;
    expect(bodies("PATCH")).toEqual([{ pool_region: "" }]);
    expect(await project.diff(id, updated, news)).toMatchObject({ changes: false });
  });

  it("an unrelated update keeps the primary database's server values", async () => {
    const { inputs, id, outs } = await createProject();
    expect((outs.database as Props).connectionString).toEqual(expect.stringContaining("postgresql://"));
    const news = await checkedInputs(project, projectInputs({ name: inputs.name, description: "other" }));
    const updated = (await project.update(id, outs, news)).outs as Props;
    expect(updated.database).toMatchObject({ connectionString: (outs.database as Props).connectionString, password: "pw-primary-1" });
  });

  it("removing agentsDisabled switches agents back on", async () => {
    const { inputs, id, outs } = await createProject({ agentsDisabled: true });
    const news = await checkedInputs(project, projectInputs({ name: inputs.name }));
    emulator.clearRequests();
    await project.update(id, outs, news);
    expect(bodies("PATCH")).toEqual([{ agents_disabled: false }]);
  });

  it("a primary database deleted out of band is registered again in place: the project and its id stay", async () => {
    const { inputs, id, outs } = await createProject();
    emulator.remove("database", outs.primaryDatabaseId as string);
    const refreshed = (await project.read(id, outs)).props!;
    expect(refreshed.primaryDatabaseId).toBeUndefined();
    expect(await project.diff(id, refreshed, inputs)).toMatchObject({ changes: true, replaces: [] });
    emulator.clearRequests();
    const updated = (await project.update(id, refreshed, { ...inputs, __provider: "serialized-provider-text" })).outs as Props;
    expect(emulator.requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path, r.body])).toEqual([
      ["POST", `/v1/projects/${id}/databases`, { ...toApiBody(inputs.database as Props), role: "primary" }],
    ]);
    expect(updated.primaryDatabaseId).toMatch(/^db_/);
    expect(updated.primaryDatabaseId).not.toBe(outs.primaryDatabaseId);
    expect((updated.database as Props).password).toBe(primaryDb.password);
    expect(await project.diff(id, updated, inputs)).toMatchObject({ changes: false });
  });

  it("replaces on orgId/cloud/selfHosted", async () => {
    const { inputs, id, outs } = await createProject();
    const otherCloud = await checkedInputs(project, projectInputs({ name: inputs.name, cloud: "gcp" }));
    // Names are unique per org: the replacement keeps the name, so the old project goes first.
    expect(await project.diff(id, outs, otherCloud)).toEqual({ changes: true, replaces: ["cloud"], deleteBeforeReplace: true });
    const renamedToo = await checkedInputs(project, projectInputs({ name: `${inputs.name}-2`, cloud: "gcp" }));
    expect(await project.diff(id, outs, renamedToo)).toEqual({ changes: true, replaces: ["cloud"] });
    const unknownOrg = { ...inputs, orgId: UNKNOWN };
    expect(await project.diff(id, outs, unknownOrg)).toMatchObject({ changes: true, replaces: ["orgId"] });
  });

  it("the program's replaceOnChanges (a hidden input) replaces on a change of those paths only, deleting first if the replacement would meet the old one", async () => {
    const { inputs, id, outs } = await createProject();
    const withOption = (extra: Props, paths: string[]) =>
      checkedInputs(project, projectInputs({ name: inputs.name, ...extra, __replaceOnChanges: paths }));
    const described = await withOption({ description: "changed" }, ["description"]);
    expect(await project.diff(id, outs, described)).toEqual({ changes: true, replaces: ["description"], deleteBeforeReplace: true });
    const otherHost = await withOption({ database: { ...primaryDb, host: "other.internal" } }, ["database.port"]);
    expect(await project.diff(id, outs, otherHost)).toEqual({ changes: true, replaces: [] });
    const otherPort = await withOption({ database: { ...primaryDb, port: 6432 } }, ["database.port"]);
    expect(await project.diff(id, outs, otherPort)).toEqual({ changes: true, replaces: ["database"], deleteBeforeReplace: true });

    // A setting written to its parent's path (an upsert) deletes first when replaced at the same path.
    const spendLimit = host.lifecycle("SpendLimit");
    const limit = await spendLimit.create(await checkedInputs(spendLimit, { orgId: emulator.orgId, spendLimit: 10 }));
    const raised = await checkedInputs(spendLimit, { orgId: emulator.orgId, spendLimit: 20, __replaceOnChanges: ["spendLimit"] });
    expect(await spendLimit.diff(limit.id, limit.outs as Props, raised)).toEqual({
      changes: true,
      replaces: ["spendLimit"],
      deleteBeforeReplace: true,
    });
    await spendLimit.delete(limit.id, limit.outs as Props);
  });

  it("read reports drift, keeps write-only values, and returns an empty id once deleted out of band", async () => {
    const { id, outs } = await createProject();
    emulator.patch("project", id, { description: "edited in the console" });
    const refreshed = await project.read(id, outs);
    expect(refreshed.id).toBe(id);
    expect(refreshed.props).toMatchObject({ description: "edited in the console" });
    expect((refreshed.props!.database as Props).password).toBe("pw-primary-1");
    // Inputs as the API has them now, in checked form: the drift shows in `preview --diff` too.
    const inputs = (await checkedInputs(project, projectInputs({ name: outs.name }))) as Props;
    expect(refreshed.inputs).toMatchObject({
      ...inputs,
      description: "edited in the console",
      // sslMode, filled by the server and left out by the program, stays out (see "read returns the inputs…").
      database: inputs.database,
      __provider: "serialized-provider-text",
    });
    emulator.remove("project", id);
    expect(await project.read(id, outs)).toEqual({ id: "", props: {} });
  });

  it("read shows a field cleared out of band as cleared (the API's answer is the truth)", async () => {
    const { inputs, id, outs } = await createProject({ description: "team project" });
    const response = await fetch(`${emulator.url}/v1/projects/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${emulator.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ description: "" }),
    });
    expect(response.status).toBe(200);
    const refreshed = (await project.read(id, outs)).props!;
    expect(refreshed.description ?? "").toBe("");
    expect(await project.diff(id, refreshed, inputs)).toMatchObject({ changes: true, replaces: [] });
  });

  it("delete removes project and primary database; deleting again is not an error", async () => {
    const { id, outs } = await createProject();
    await project.delete(id, outs);
    expect(emulator.get("project", id)).toBeUndefined();
    expect(emulator.get("database", outs.primaryDatabaseId as string)).toBeUndefined();
    await expect(project.delete(id, outs)).resolves.toBeUndefined();
  });

  it("a failing post-create PATCH deletes the project again (fail closed) and says so", async () => {
    const inputs = await checkedInputs(project, projectInputs({ residency: "us", allowedCidrs: [{ cidr: "10.0.0.0/8" }] }));
    emulator.inject({ method: "PATCH", status: 500 });
    const error = (await project.create(inputs).catch((e: unknown) => e)) as Error & { id?: string };
    const created = emulator.requests.find((r) => r.method === "POST")!.response as { project: { id: string } };
    expect(error.id).toBeUndefined();
    expect(emulator.get("project", created.project.id)).toBeUndefined();
    expect(error.message).toMatch(
      /^created Project prj_\w+, but setting allowedCidrs, residency on it failed: .*500.*\. It was deleted again rather than left running with the API's defaults for allowedCidrs, residency; nothing is left behind/,
    );
    expect(error.cause).toMatchObject({ name: "PgBeamApiError", method: "PATCH", status: 500 }); // for code that inspects it
  });

  it("when deleting it again fails too, the project stays in state (no orphan) and the message says it runs unconfigured", async () => {
    const inputs = await checkedInputs(project, projectInputs({ agentsDisabled: true }));
    emulator.inject({ method: "PATCH", status: 500 });
    emulator.inject({ method: "DELETE", status: 500 });
    const error = (await project.create(inputs).catch((e: unknown) => e)) as Error & { id?: string };
    expect(error.id).toMatch(/^prj_/);
    expect(emulator.get("project", error.id!)).toBeDefined();
    expect(error.message).toMatch(
      /Deleting it again failed too \(.*500.*\), so it is kept in state and the next `pulumi up` sets agentsDisabled/,
    );
  });

  it("an update that fails at the API fails: never reported as success", async () => {
    const { inputs, id, outs } = await createProject();
    const news = await checkedInputs(project, projectInputs({ name: inputs.name, description: "new" }));
    emulator.inject({ method: "PATCH", status: 503, forMs: 60_000 });
    await expect(project.update(id, outs, news)).rejects.toThrow(/PATCH .* failed with 503 .*gave up: the 3 s retry budget ran out/);
    emulator.clearFaults();
  });
});

describe("Database", () => {
  async function createDatabase(extra: Props = {}) {
    const { id: projectId } = await createProject();
    const inputs = await checkedInputs(database, {
      projectId,
      host: "replica.internal",
      port: 5432,
      name: "app",
      username: "ro",
      password: "pw-db-1",
      ...extra,
    });
    emulator.clearRequests();
    const created = await database.create(inputs);
    return { projectId, inputs, id: created.id, outs: created.outs as Props };
  }

  it("creates with every field, keeps the password, exposes the connection string", async () => {
    const { id, outs, projectId } = await createDatabase({
      sslMode: "require",
      poolConfig: { poolSize: 20, minPoolSize: 2, poolMode: "transaction", maxActive: 50 },
      queryTimeoutMs: 30000,
    });
    expect(id).toMatch(/^db_/);
    expect(emulator.requests[0].body).toMatchObject({ ssl_mode: "require", pool_config: { pool_mode: "transaction", max_active: 50 } });
    expect(emulator.requests[0].body).not.toHaveProperty("project_id");
    expect(emulator.requests[0].path).toBe(`/v1/projects/${projectId}/databases`);
    expect(outs).toMatchObject({ password: "pw-db-1", projectId, sslMode: "require" });
    expect(outs.connectionString).toEqual(expect.stringContaining("postgresql://"));
  });

  it("no diff when the server filled ssl mode and pool config", async () => {
    const { inputs, id, outs } = await createDatabase();
    expect(outs.sslMode).toEqual(expect.any(String));
    expect(outs.poolConfig).toEqual(expect.any(Object));
    expect(await database.diff(id, outs, inputs)).toMatchObject({ changes: false });
  });

  it("PATCHes only the change (a password rotation sends the password alone)", async () => {
    const { inputs, id, outs } = await createDatabase();
    const news = { ...inputs, password: "pw-db-2" };
    expect(await database.diff(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    emulator.clearRequests();
    const updated = await database.update(id, outs, news);
    expect(bodies("PATCH")).toEqual([{ password: "pw-db-2" }]);
    expect((updated.outs as Props).password).toBe("pw-db-2");
  });

  it("names each changed secret input on the resource (never its value), whatever else changes", async () => {
    const { inputs, id, outs } = await createDatabase();
    const notes: string[] = [];
    // Without an engine address, messages for the resource go to stderr.
    jest.spyOn(console, "error").mockImplementation((line: string) => void notes.push(line));
    try {
      const __urn = "urn:pulumi:dev::app::pulumi-nodejs:dynamic/pgbeam:Database::reports";
      await database.diff(id, outs, { ...inputs, port: 6432, password: "pw-db-2", __urn });
      await database.diff(id, outs, { ...inputs, port: 6432, __urn });
    } finally {
      jest.restoreAllMocks();
    }
    expect(notes).toEqual(["info: secret inputs that change (values not shown): `password`"]);
  });

  it("projectId forces replacement", async () => {
    const { inputs, id, outs } = await createDatabase();
    expect(await database.diff(id, outs, { ...inputs, projectId: "prj_other" })).toMatchObject({ replaces: ["projectId"] });
  });

  it("detects out-of-band deletion and deletes idempotently", async () => {
    const { id, outs } = await createDatabase();
    expect((await database.read(id, outs)).id).toBe(id);
    emulator.remove("database", id);
    expect((await database.read(id, outs)).id).toBe("");
    await expect(database.delete(id, outs)).resolves.toBeUndefined();
  });
});

describe("read returns the inputs as the program has them", () => {
  it("server-defaulted fields the program leaves out stay out (no removal in `preview --diff`); set ones are read back", async () => {
    const { id, outs } = await createProject();
    expect(outs.status).toBe("active");
    const read = await project.read(id, outs);
    expect(read.inputs).not.toHaveProperty("status");
    expect(read.inputs).not.toHaveProperty("defaultPolicyProfileId");
    expect((read.inputs as Props).database).not.toHaveProperty("sslMode");
    // Optional fields left out, which the API returns cleared, are not removals either.
    expect(read.inputs).not.toHaveProperty("tags");
    expect(read.inputs).not.toHaveProperty("allowedCidrs");
    // Read again from what refresh stored: still left out; a value set outside Pulumi shows as drift.
    emulator.patch("project", id, { tags: ["console"] });
    const again = await project.read(id, read.props as Props);
    expect(again.inputs).not.toHaveProperty("status");
    expect(again.inputs).toMatchObject({ tags: ["console"] });

    const set = await createProject({ status: "active", database: { ...primaryDb, sslMode: "require" } });
    const readSet = await project.read(set.id, set.outs);
    expect(readSet.inputs).toMatchObject({ status: "active", database: { sslMode: "require" } });
  });

  it("a default policy another resource set while the program leaves it out is kept; removed from the program, it is cleared", async () => {
    const { inputs, id, outs } = await createProject();
    const profile = host.lifecycle("PolicyProfile");
    const policy = await profile.create({ ...(await checkedInputs(profile, { projectId: id, name: "default" })), __provider: "p" });
    emulator.patch("project", id, { default_policy_profile_id: policy.id }); // a ProjectDefaultPolicy set it
    const refreshed = (await project.read(id, outs)).props as Props;
    expect(await project.diff(id, refreshed, inputs)).toMatchObject({ changes: false });
    const withDefault = await checkedInputs(project, { ...inputs, defaultPolicyProfileId: policy.id });
    const set = (await project.update(id, refreshed, withDefault)).outs as Props;
    expect(await project.diff(id, set, inputs)).toMatchObject({ changes: true });
    await project.update(id, set, inputs);
    expect(emulator.get("project", id).default_policy_profile_id ?? null).toBeNull();
  });

  it("a policy profile's verification inputs are kept, so a preview after refresh does not dry-evaluate again", async () => {
    const { id: projectId } = await createProject();
    const profile = host.lifecycle("PolicyProfile");
    const args = {
      projectId,
      name: "verified",
      accessMode: "read_only",
      expectations: [{ sql: "DELETE FROM users", decision: "block" }],
      impactLimits: { newlyAllowed: 0 },
    };
    const inputs = await checkedInputs(profile, args);
    const created = await profile.create({ ...inputs, __provider: "serialized-provider-text" });
    const read = await profile.read(created.id, created.outs as Props);
    expect(read.inputs).toMatchObject({ expectations: args.expectations, impactLimits: args.impactLimits });
    emulator.clearRequests();
    await checkedInputs(profile, args, read.inputs as Props);
    expect(emulator.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
