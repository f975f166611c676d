import { startEmulator, type Emulator } from "../../emulator";

/** The PgBeam API emulator, driven over real HTTP the way the provider's client will drive it. */

interface ApiResponse {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

interface CallOptions {
  body?: unknown;
  /** API key to send; `null` sends no Authorization header. Default: the emulator's personal key. */
  key?: string | null;
  headers?: Record<string, string>;
}

let emulator: Emulator;

async function call(method: string, path: string, options: CallOptions = {}, target: Emulator = emulator): Promise<ApiResponse> {
  const key = options.key === undefined ? target.apiKey : options.key;
  const headers: Record<string, string> = { ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(target.url + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.includes("application/json") ?? false;
  return { status: response.status, text, body: isJson ? JSON.parse(text) : text, headers: response.headers };
}

let nameCounter = 0;
const uniqueName = (prefix: string) => `${prefix}-${++nameCounter}`;

const databaseInput = (overrides: Record<string, unknown> = {}) => ({
  host: "db.example.com",
  port: 5432,
  name: "app",
  username: "app_user",
  password: "s3cret-password",
  ...overrides,
});

async function createProject(
  options: { orgId?: string; key?: string; name?: string; database?: Record<string, unknown> } = {},
  target: Emulator = emulator,
) {
  const response = await call(
    "POST",
    "/v1/projects",
    {
      key: options.key,
      body: {
        name: options.name ?? uniqueName("project"),
        org_id: options.orgId ?? target.orgId,
        database: databaseInput(options.database),
      },
    },
    target,
  );
  expect(response.status).toBe(201);
  return response.body as { project: any; database: any };
}

async function createPolicy(projectId: string, body: Record<string, unknown> = {}) {
  const response = await call("POST", `/v1/projects/${projectId}/policies`, { body: { name: uniqueName("policy"), ...body } });
  expect(response.status).toBe(201);
  return response.body;
}

async function createAgent(projectId: string, policyId: string, body: Record<string, unknown> = {}) {
  return call("POST", `/v1/projects/${projectId}/agents`, { body: { name: uniqueName("agent"), policy_profile_id: policyId, ...body } });
}

const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{26}$`);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator.stop();
});

describe("authentication", () => {
  it("answers 401 with the error envelope without a key, with an unknown key, and with a foreign prefix", async () => {
    for (const key of [null, "pbu_not_registered", "pgb_wrong_prefix"]) {
      const response = await call("GET", "/v1/organizations", { key });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
    }
  });

  it("refuses to register keys that are neither personal nor organization keys", () => {
    expect(() => emulator.addApiKey("pgb_legacy")).toThrow(/pbu_.*pbo_/);
  });

  it("scopes pbo_ keys to one org: whoami shows only it, other orgs' objects are 404, naming another org is 403", async () => {
    emulator.addOrganization("org_scoped", { plan: "pro" });
    emulator.addApiKey("pbo_scoped_key", { orgId: "org_scoped" });
    const demoProject = await createProject();

    const whoami = await call("GET", "/v1/organizations", { key: "pbo_scoped_key" });
    expect(whoami.status).toBe(200);
    expect(whoami.body.organizations).toEqual([{ id: "org_scoped", name: expect.any(String), slug: expect.any(String) }]);
    const personal = await call("GET", "/v1/organizations");
    expect(personal.body.organizations.map((o: any) => [o.id, o.role])).toEqual(
      expect.arrayContaining([
        ["org_demo", "owner"],
        ["org_scoped", "owner"],
      ]),
    );

    expect((await call("GET", `/v1/projects/${demoProject.project.id}`, { key: "pbo_scoped_key" })).status).toBe(404);
    expect((await call("GET", `/v1/projects/${demoProject.project.id}/databases`, { key: "pbo_scoped_key" })).status).toBe(404);
    const foreignList = await call("GET", "/v1/projects?org_id=org_demo", { key: "pbo_scoped_key" });
    expect(foreignList.status).toBe(403);
    expect(foreignList.body.error.code).toBe("FORBIDDEN");
    expect((await call("GET", "/v1/organizations/org_demo/plan", { key: "pbo_scoped_key" })).status).toBe(403);

    const own = await createProject({ orgId: "org_scoped", key: "pbo_scoped_key" });
    expect(own.project.org_id).toBe("org_scoped");
    expect((await call("GET", `/v1/projects/${own.project.id}`, { key: "pbo_scoped_key" })).status).toBe(200);
  });
});

describe("spec validation", () => {
  it("rejects a body with an out-of-range port and a missing required field, naming both, and changes nothing", async () => {
    const projectsBefore = emulator.objects("project").length;
    const failuresBefore = emulator.validationFailures.length;
    const response = await call("POST", "/v1/projects", {
      body: { name: "invalid", org_id: emulator.orgId, database: { host: "db.example.com", port: 70000, name: "app", username: "u" } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_INPUT");
    expect(response.body.error.message).toContain("body.database.port: must be <= 65535");
    expect(response.body.error.message).toContain("body.database.password: is required");
    expect(emulator.objects("project")).toHaveLength(projectsBefore);
    expect(emulator.validationFailures).toHaveLength(failuresBefore + 1);
    const failure = emulator.validationFailures[emulator.validationFailures.length - 1];
    expect(failure.operationId).toBe("createProject");
    expect(failure.validationErrors).toEqual(
      expect.arrayContaining(["body.database.port: must be <= 65535", "body.database.password: is required"]),
    );
  });

  it("validates and coerces query parameters", async () => {
    const tooLarge = await call("GET", `/v1/projects?org_id=${emulator.orgId}&page_size=101`);
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error.message).toContain("query.page_size: must be <= 100");
    const missing = await call("GET", "/v1/projects");
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("query.org_id: is required");
    const badSort = await call("GET", `/v1/projects?org_id=${emulator.orgId}&sort_by=size`);
    expect(badSort.body.error.message).toContain('query.sort_by: must be one of "name", "created_at", "active_connections"');
    expect((await call("GET", `/v1/projects?org_id=${emulator.orgId}&page_size=3`)).status).toBe(200);
  });

  it("rejects read-only and unknown fields, malformed JSON, and bad path parameters", async () => {
    const { project } = await createProject();
    const readOnly = await call("PATCH", `/v1/projects/${project.id}`, { body: { cloud: "gcp" } });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error.message).toContain("body.cloud");
    const misspelt = await call("PATCH", `/v1/projects/${project.id}`, { body: { agentsDisabled: true } });
    expect(misspelt.body.error.message).toContain("body.agentsDisabled: is not defined by the spec here");
    const malformed = await call("PATCH", `/v1/projects/${project.id}`, { body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/^body: is not valid JSON/);
    const badId = await call("GET", "/v1/projects/has%20space");
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toContain("path.project_id: must match pattern");
  });

  it('with unknownFields: "drop", removes unknown fields and query parameters silently, like a lenient server', async () => {
    const lenient = await startEmulator({ unknownFields: "drop" });
    try {
      const { project } = await createProject({}, lenient);
      const patched = await call("PATCH", `/v1/projects/${project.id}`, { body: { description: "kept", agentsDisabled: true } }, lenient);
      expect(patched.status).toBe(200);
      expect(patched.body.description).toBe("kept");
      expect(patched.body).not.toHaveProperty("agentsDisabled");
      expect(patched.body.agents_disabled).toBe(false);
      expect((await call("GET", `/v1/projects?org_id=${lenient.orgId}&pageSize=5`, {}, lenient)).status).toBe(200);
      expect(lenient.requests.find((r) => r.method === "PATCH")?.body).toEqual({ description: "kept", agentsDisabled: true });
      expect(lenient.validationFailures).toEqual([]);
    } finally {
      await lenient.stop();
    }
  });

  it("answers 404 for paths the spec does not have and records them as validation failures", async () => {
    const response = await call("GET", "/v1/nope");
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOUND");
    expect(emulator.validationFailures[emulator.validationFailures.length - 1]).toMatchObject({
      path: "/v1/nope",
      validationErrors: [expect.stringContaining("no operation")],
    });
    // Replicas have no GET by id in the spec.
    expect((await call("GET", "/v1/databases/db_x/replicas/rep_x")).status).toBe(404);
  });
});

describe("projects and databases", () => {
  it("creates project and primary database together: a 400 on the database leaves no project, the retry succeeds", async () => {
    const name = uniqueName("atomic");
    const bad = databaseInput({ pool_config: { pool_mode: "transaction", pool_size: 5, min_pool_size: 10 } });
    const refused = await call("POST", "/v1/projects", { body: { name, org_id: emulator.orgId, database: bad } });
    expect(refused.status).toBe(400);
    expect(emulator.objects("project").filter((p) => p.data.name === name)).toEqual([]);
    await createProject({ name });
  });

  it("creates a project with its primary database and fills every server default", async () => {
    const name = uniqueName("My App");
    const { project, database } = await createProject({ name });
    expect(project).toMatchObject({
      org_id: emulator.orgId,
      name,
      status: "active",
      cloud: "aws",
      self_hosted: false,
      tags: [],
      allowed_cidrs: [],
      default_policy_profile_id: null,
      residency: "any",
      agents_disabled: false,
      database_count: 1,
      active_connections: 0,
    });
    expect(project.id).toMatch(ID("prj"));
    expect(project.proxy_host).toMatch(/^my-app-\d+-[0-9a-z]{6}\.proxy\.pgbeam\.app$/);
    expect(project.created_at).toMatch(RFC3339);
    expect(project.updated_at).toBe(project.created_at);
    expect(database).toMatchObject({
      project_id: project.id,
      ssl_mode: "require",
      role: "primary",
      query_timeout_ms: 0,
      auto_read_routing: false,
      cache_config: { enabled: true, ttl_seconds: 60, max_entries: 10000, swr_seconds: 30 },
      pool_config: { pool_size: 10, min_pool_size: 1, pool_mode: "transaction", max_active: 200 },
      connection_string: `postgresql://app_user:YOUR_PASSWORD@${project.proxy_host}:5432/app`,
    });
    expect(database.id).toMatch(ID("db"));
    expect(database).not.toHaveProperty("password");
    expect(emulator.objects("database").find((d) => d.id === database.id)?.secrets).toEqual({ password: "s3cret-password" });
  });

  it("gets, patches only the fields sent, normalizes CIDRs, and refuses a duplicate name", async () => {
    const { project } = await createProject({ name: uniqueName("patch-me") });
    const fetched = await call("GET", `/v1/projects/${project.id}`);
    expect(fetched.body).toEqual(project);

    const patched = await call("PATCH", `/v1/projects/${project.id}`, {
      body: {
        description: "now described",
        allowed_cidrs: [{ cidr: "10.0.0.1", label: "office" }, { cidr: "2001:db8::1" }, { cidr: "10.0.0.0/8" }],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({
      ...project,
      description: "now described",
      allowed_cidrs: [{ cidr: "10.0.0.1/32", label: "office" }, { cidr: "2001:db8::1/128" }, { cidr: "10.0.0.0/8" }],
      updated_at: expect.stringMatching(RFC3339),
    });
    const badCidr = await call("PATCH", `/v1/projects/${project.id}`, { body: { allowed_cidrs: [{ cidr: "10.0.0.0/33" }] } });
    expect(badCidr.status).toBe(400);
    expect(badCidr.body.error.message).toContain("body.allowed_cidrs[0].cidr");

    const duplicate = await call("POST", "/v1/projects", {
      body: { name: project.name, org_id: emulator.orgId, database: databaseInput() },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toEqual({ code: "CONFLICT", message: expect.stringContaining(project.id) });
  });

  it("paginates the project list with opaque tokens, a total, and an empty token on the last page", async () => {
    emulator.addOrganization("org_pages", { plan: "scale" });
    const names = ["delta", "alpha", "echo", "charlie", "bravo"];
    const created: string[] = [];
    for (const name of names) created.push((await createProject({ orgId: "org_pages", name })).project.id);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `/v1/projects?org_id=org_pages&page_size=2${token ? `&page_token=${token}` : ""}`;
      const page = await call("GET", query);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(5);
      seen.push(...page.body.projects.map((p: any) => p.id));
      token = page.body.next_page_token;
      pages++;
      if (token) expect(token).toMatch(/^[a-zA-Z0-9_.-]+$/);
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);

    const byName = await call("GET", "/v1/projects?org_id=org_pages&sort_by=name&page_size=100");
    expect(byName.body.projects.map((p: any) => p.name)).toEqual([...names].sort());
    expect(byName.body.next_page_token).toBe("");

    const foreignToken = await call("GET", `/v1/projects/${created[0]}/databases?page_token=${Buffer.from("2:abc").toString("base64url")}`);
    expect(foreignToken.status).toBe(400);
    expect(foreignToken.body.error.message).toContain("page_token");
  });

  it("soft-deletes a project and cascades to its databases and everything under it", async () => {
    const { project, database } = await createProject();
    const policy = await createPolicy(project.id);
    const agent = (await createAgent(project.id, policy.id)).body.credential;
    const replica = await call("POST", `/v1/databases/${database.id}/replicas`, { body: { host: "replica.example.com", port: 5432 } });
    expect(replica.status).toBe(201);

    expect((await call("DELETE", `/v1/projects/${project.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/projects/${project.id}`)).status).toBe(404);
    expect((await call("GET", `/v1/projects/${project.id}/databases/${database.id}`)).status).toBe(404);
    expect((await call("GET", `/v1/databases/${database.id}/replicas`)).status).toBe(404);
    expect((await call("DELETE", `/v1/projects/${project.id}`)).status).toBe(404);
    const list = await call("GET", `/v1/projects?org_id=${emulator.orgId}&page_size=100`);
    expect(list.body.projects.map((p: any) => p.id)).not.toContain(project.id);

    const stored = emulator.objects(undefined, { includeDeleted: true });
    const find = (kind: string, id: string) => stored.find((o) => o.kind === kind && o.id === id);
    expect(find("project", project.id)).toMatchObject({ deleted: true, data: { status: "deleted" } });
    expect(find("database", database.id)?.deleted).toBe(true);
    expect(find("policy", policy.id)?.deleted).toBe(true);
    expect(find("agent", agent.id)).toMatchObject({ deleted: true, data: { status: "revoked" } });
    expect(find("replica", replica.body.id)?.deleted).toBe(true);
    expect(emulator.get("project", project.id)).toBeUndefined();
  });

  it("creates, patches (partially, whole nested configs) and deletes extra databases", async () => {
    const { project } = await createProject();
    const created = await call("POST", `/v1/projects/${project.id}/databases`, {
      body: databaseInput({
        name: "analytics",
        ssl_mode: "verify-full",
        pool_config: { pool_size: 20, min_pool_size: 2, pool_mode: "session" },
      }),
    });
    expect(created.status).toBe(201);
    expect(created.body.pool_config).toEqual({ pool_size: 20, min_pool_size: 2, pool_mode: "session", max_active: 200 });
    expect(created.body.ssl_mode).toBe("verify-full");

    const patched = await call("PATCH", `/v1/projects/${project.id}/databases/${created.body.id}`, {
      body: { port: 6543, password: "rotated" },
    });
    expect(patched.body).toEqual({ ...created.body, port: 6543, updated_at: expect.stringMatching(RFC3339) });
    expect(emulator.objects("database").find((d) => d.id === created.body.id)?.secrets.password).toBe("rotated");

    const partialCache = await call("PATCH", `/v1/projects/${project.id}/databases/${created.body.id}`, {
      body: { cache_config: { enabled: false } },
    });
    expect(partialCache.status).toBe(400);
    expect(partialCache.body.error.message).toContain("body.cache_config.ttl_seconds: is required");
    const pool = await call("PATCH", `/v1/projects/${project.id}/databases/${created.body.id}`, {
      body: { pool_config: { pool_size: 5, min_pool_size: 6, pool_mode: "transaction" } },
    });
    expect(pool.status).toBe(400);
    expect(pool.body.error.message).toContain("min_pool_size");

    const listed = await call("GET", `/v1/projects/${project.id}/databases`);
    expect(listed.body.databases).toHaveLength(2);
    expect(listed.body.next_page_token).toBe("");
    expect((await call("DELETE", `/v1/projects/${project.id}/databases/${created.body.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/projects/${project.id}`)).body.database_count).toBe(1);
  });
});

describe("policy profiles", () => {
  it("creates with the spec's defaults and the response's required lists", async () => {
    const { project } = await createProject();
    const policy = await createPolicy(project.id, { name: "readers" });
    expect(policy).toEqual({
      id: expect.stringMatching(ID("pol")),
      project_id: project.id,
      name: "readers",
      access_mode: "read_only",
      table_allowlist: [],
      table_denylist: [],
      masking_rules: [],
      row_filters: [],
      budget_queries_per_hour: 0,
      budget_queries_per_day: 0,
      max_rows: 0,
      statement_timeout_ms: 0,
      write_mode: "normal",
      approval_mode: "off",
      approval_auto_max_rows: 0,
      approval_timeout_seconds: 300,
      migration_safety: "off",
      egress_bytes_per_day: 0,
      max_affected_rows: 0,
      created_at: expect.stringMatching(RFC3339),
      updated_at: expect.stringMatching(RFC3339),
    });
    const duplicate = await call("POST", `/v1/projects/${project.id}/policies`, { body: { name: "readers" } });
    expect(duplicate.status).toBe(409);
  });

  it("PUT needs the full body and replaces whatever it omits", async () => {
    const { project } = await createProject();
    const policy = await createPolicy(project.id, {
      max_rows: 500,
      table_denylist: ["secrets"],
      masking_rules: [{ table: "users", column: "email", kind: "hash" }],
    });

    const partial = await call("PUT", `/v1/projects/${project.id}/policies/${policy.id}`, { body: { max_rows: 100 } });
    expect(partial.status).toBe(400);
    expect(partial.body.error.message).toContain("body.name: is required");
    expect(emulator.validationFailures[emulator.validationFailures.length - 1].operationId).toBe("updatePolicyProfile");

    const replaced = await call("PUT", `/v1/projects/${project.id}/policies/${policy.id}`, {
      body: { name: policy.name, access_mode: "read_write" },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id: policy.id,
      created_at: policy.created_at,
      access_mode: "read_write",
      max_rows: 0,
      table_denylist: [],
      masking_rules: [],
    });
    expect((await call("GET", `/v1/projects/${project.id}/policies/${policy.id}`)).body).toEqual(replaced.body);
  });

  it("refuses to delete a policy while a non-revoked agent credential uses it, naming the credentials", async () => {
    const { project } = await createProject();
    const policy = await createPolicy(project.id);
    const first = (await createAgent(project.id, policy.id)).body.credential;
    const second = (await createAgent(project.id, policy.id)).body.credential;

    const refused = await call("DELETE", `/v1/projects/${project.id}/policies/${policy.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("CONFLICT");
    expect(refused.body.error.message).toContain(first.id);
    expect(refused.body.error.message).toContain(second.id);
    expect(() => emulator.remove("policy", policy.id)).toThrow(first.id);

    await call("DELETE", `/v1/projects/${project.id}/agents/${first.id}`);
    await call("DELETE", `/v1/projects/${project.id}/agents/${second.id}`);
    expect((await call("DELETE", `/v1/projects/${project.id}/policies/${policy.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/projects/${project.id}/policies/${policy.id}`)).status).toBe(404);
  });

  it("clears a project's default policy when that policy is deleted, and refuses unknown defaults", async () => {
    const { project } = await createProject();
    const policy = await createPolicy(project.id);
    const unknown = await call("PATCH", `/v1/projects/${project.id}`, { body: { default_policy_profile_id: "pol_missing" } });
    expect(unknown.status).toBe(400);
    const set = await call("PATCH", `/v1/projects/${project.id}`, { body: { default_policy_profile_id: policy.id } });
    expect(set.body.default_policy_profile_id).toBe(policy.id);
    await call("DELETE", `/v1/projects/${project.id}/policies/${policy.id}`);
    expect((await call("GET", `/v1/projects/${project.id}`)).body.default_policy_profile_id).toBeNull();
  });
});

describe("agent credentials", () => {
  it("returns the one-time secrets on create only", async () => {
    const { project } = await createProject({ database: { name: "warehouse" } });
    const policy = await createPolicy(project.id);
    const created = await createAgent(project.id, policy.id, { name: "claude" });
    expect(created.status).toBe(201);
    const { credential, connection_string, mcp_url, mcp_token } = created.body;
    expect(credential).toEqual({
      id: expect.stringMatching(ID("agt")),
      project_id: project.id,
      policy_profile_id: policy.id,
      name: "claude",
      pg_username: expect.stringMatching(/^agent_[0-9a-f]{12}$/),
      status: "active",
      principal_type: "agent",
      auth_method: "scram-sha-256",
      last_used_at: null,
      expires_at: null,
      created_at: expect.stringMatching(RFC3339),
      updated_at: expect.stringMatching(RFC3339),
    });
    const password = emulator.objects("agent").find((a) => a.id === credential.id)?.secrets.password;
    expect(connection_string).toBe(`postgresql://${credential.pg_username}:${password}@${project.proxy_host}:5432/warehouse`);
    expect(mcp_url).toBe(`https://${project.proxy_host}/mcp`);
    expect(mcp_token).toMatch(/^pba_[0-9a-z]{32}$/);

    const fetched = await call("GET", `/v1/projects/${project.id}/agents/${credential.id}`);
    expect(fetched.body).toEqual(credential);
    const listed = await call("GET", `/v1/projects/${project.id}/agents`);
    expect(listed.body.agents).toEqual([credential]);
    for (const response of [fetched, listed]) {
      expect(response.text).not.toContain(mcp_token);
      expect(response.text).not.toContain(String(password));
    }
  });

  it("checks the policy, the expiry and the name before issuing", async () => {
    const { project } = await createProject();
    const other = await createProject();
    const foreignPolicy = await createPolicy(other.project.id);
    const wrongPolicy = await createAgent(project.id, foreignPolicy.id);
    expect(wrongPolicy.status).toBe(400);
    expect(wrongPolicy.body.error.message).toContain("body.policy_profile_id");

    const policy = await createPolicy(project.id);
    const past = await createAgent(project.id, policy.id, { expires_at: "2000-01-01T00:00:00Z" });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toContain("body.expires_at: must be in the future");

    await createAgent(project.id, policy.id, { name: "same" });
    expect((await createAgent(project.id, policy.id, { name: "same" })).status).toBe(409);
  });

  it("PATCH changes only the status and requires it", async () => {
    const { project } = await createProject();
    const policy = await createPolicy(project.id);
    const { credential } = (await createAgent(project.id, policy.id)).body;
    const disabled = await call("PATCH", `/v1/projects/${project.id}/agents/${credential.id}`, { body: { status: "disabled" } });
    expect(disabled.body).toEqual({ ...credential, status: "disabled", updated_at: expect.stringMatching(RFC3339) });
    const empty = await call("PATCH", `/v1/projects/${project.id}/agents/${credential.id}`, { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("body.status: is required");
    const revoke = await call("PATCH", `/v1/projects/${project.id}/agents/${credential.id}`, { body: { status: "revoked" } });
    expect(revoke.status).toBe(400);
    expect(revoke.body.error.message).toContain("body.status: must be one of");
  });

  it("rotate keeps id, username, name and policy, and issues new secrets", async () => {
    const { project } = await createProject();
    const policy = await createPolicy(project.id);
    const created = (await createAgent(project.id, policy.id)).body;
    const rotated = await call("POST", `/v1/projects/${project.id}/agents/${created.credential.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.credential).toMatchObject({
      id: created.credential.id,
      pg_username: created.credential.pg_username,
      name: created.credential.name,
      policy_profile_id: policy.id,
      status: "active",
    });
    expect(rotated.body.connection_string).not.toBe(created.connection_string);
    expect(rotated.body.mcp_token).not.toBe(created.mcp_token);
    expect(emulator.objects("agent").find((a) => a.id === created.credential.id)?.secrets.mcp_token).toBe(rotated.body.mcp_token);
  });

  it("DELETE revokes: the credential stays visible as revoked and can no longer be rotated or re-enabled", async () => {
    const { project } = await createProject();
    const policy = await createPolicy(project.id);
    const { credential } = (await createAgent(project.id, policy.id)).body;
    const path = `/v1/projects/${project.id}/agents/${credential.id}`;
    expect((await call("DELETE", path)).status).toBe(204);
    expect((await call("GET", path)).body).toMatchObject({ id: credential.id, status: "revoked" });
    expect((await call("GET", `/v1/projects/${project.id}/agents`)).body.agents.map((a: any) => a.status)).toEqual(["revoked"]);
    const rotate = await call("POST", `${path}/rotate`);
    expect(rotate.status).toBe(409);
    expect(rotate.body.error.message).toContain("revoked");
    expect((await call("PATCH", path, { body: { status: "active" } })).status).toBe(400);
    expect((await call("DELETE", path)).status).toBe(204);
    // The name is free again once the credential holding it is revoked.
    expect((await createAgent(project.id, policy.id, { name: credential.name })).status).toBe(201);
  });

  it('with revokedAgents: "gone", a revoked credential answers 404 and leaves the list', async () => {
    const goneEmulator = await startEmulator({ revokedAgents: "gone" });
    try {
      const { project } = await createProject({}, goneEmulator);
      const policy = (await call("POST", `/v1/projects/${project.id}/policies`, { body: { name: "p" } }, goneEmulator)).body;
      const { credential } = (
        await call("POST", `/v1/projects/${project.id}/agents`, { body: { name: "a", policy_profile_id: policy.id } }, goneEmulator)
      ).body;
      const path = `/v1/projects/${project.id}/agents/${credential.id}`;
      expect((await call("DELETE", path, {}, goneEmulator)).status).toBe(204);
      expect((await call("GET", path, {}, goneEmulator)).status).toBe(404);
      expect((await call("GET", `/v1/projects/${project.id}/agents`, {}, goneEmulator)).body.agents).toEqual([]);
      expect((await call("DELETE", path, {}, goneEmulator)).status).toBe(404);
      expect(goneEmulator.responseValidationFailures).toEqual([]);
    } finally {
      await goneEmulator.stop();
    }
  });
});

describe("webhook endpoints", () => {
  it("never returns the write-only secret and fills format/enabled/event_types", async () => {
    const { project } = await createProject();
    const created = await call("POST", `/v1/projects/${project.id}/webhooks`, {
      body: { url: "https://hooks.example.com/pgbeam", secret: "whsec_top" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(ID("whk")),
      project_id: project.id,
      url: "https://hooks.example.com/pgbeam",
      format: "json",
      enabled: true,
      event_types: [],
      created_at: expect.stringMatching(RFC3339),
      updated_at: expect.stringMatching(RFC3339),
    });
    const fetched = await call("GET", `/v1/projects/${project.id}/webhooks/${created.body.id}`);
    const listed = await call("GET", `/v1/projects/${project.id}/webhooks`);
    for (const response of [created, fetched, listed]) expect(response.text).not.toContain("whsec_top");
    expect(emulator.objects("webhook").find((w) => w.id === created.body.id)?.secrets.secret).toBe("whsec_top");
  });

  it("PUT needs the url, replaces everything, and drops the secret when the body omits it", async () => {
    const { project } = await createProject();
    const created = (
      await call("POST", `/v1/projects/${project.id}/webhooks`, {
        body: { url: "https://a.example.com", secret: "s", format: "datadog", event_types: ["blocked"] },
      })
    ).body;
    const path = `/v1/projects/${project.id}/webhooks/${created.id}`;
    const partial = await call("PUT", path, { body: { enabled: false } });
    expect(partial.status).toBe(400);
    expect(partial.body.error.message).toContain("body.url: is required");

    const replaced = await call("PUT", path, { body: { url: "https://a.example.com", enabled: false } });
    expect(replaced.body).toMatchObject({ format: "json", event_types: [], enabled: false });
    expect(emulator.objects("webhook").find((w) => w.id === created.id)?.secrets.secret).toBeUndefined();

    const plainHttp = await call("PUT", path, { body: { url: "http://a.example.com" } });
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.body.error.message).toContain("body.url");
  });

  it("test delivery answers 202", async () => {
    const { project } = await createProject();
    const webhook = (await call("POST", `/v1/projects/${project.id}/webhooks`, { body: { url: "https://a.example.com" } })).body;
    const tested = await call("POST", `/v1/projects/${project.id}/webhooks/${webhook.id}/test`);
    expect(tested.status).toBe(202);
    expect(tested.body).toEqual({ delivery_id: expect.any(String), status: "delivered", status_code: 200 });
    expect((await call("DELETE", `/v1/projects/${project.id}/webhooks/${webhook.id}`)).status).toBe(204);
    expect((await call("POST", `/v1/projects/${project.id}/webhooks/${webhook.id}/test`)).status).toBe(404);
  });
});

describe("idempotency", () => {
  it("replays the stored response for a repeated key without creating a second object", async () => {
    const body = { name: uniqueName("idempotent"), org_id: emulator.orgId, database: databaseInput() };
    const headers = { "idempotency-key": "7d4f1c2e-0000-4000-8000-000000000001" };
    const first = await call("POST", "/v1/projects", { body, headers });
    const second = await call("POST", "/v1/projects", { body: { database: body.database, org_id: body.org_id, name: body.name }, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(emulator.objects("project").filter((p) => p.data.name === body.name)).toHaveLength(1);
    expect(emulator.requests[emulator.requests.length - 1]).toMatchObject({
      replayed: true,
      idempotencyKey: headers["idempotency-key"],
      status: 201,
    });
  });

  it("refuses the same key with a different body (422) and scopes keys by path", async () => {
    const { project } = await createProject();
    const headers = { "idempotency-key": "7d4f1c2e-0000-4000-8000-000000000002" };
    const first = await call("PATCH", `/v1/projects/${project.id}`, { body: { description: "one" }, headers });
    expect(first.status).toBe(200);
    const changed = await call("PATCH", `/v1/projects/${project.id}`, { body: { description: "two" }, headers });
    expect(changed.status).toBe(422);
    expect(changed.body.error.code).toBe("INVALID_INPUT");
    expect((await call("GET", `/v1/projects/${project.id}`)).body.description).toBe("one");

    const other = await createProject();
    const otherPath = await call("PATCH", `/v1/projects/${other.project.id}`, { body: { description: "one" }, headers });
    expect(otherPath.status).toBe(200);
    expect(otherPath.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("fault injection", () => {
  afterEach(() => emulator.clearFaults());

  it("answers an injected status with the envelope and Retry-After, then recovers", async () => {
    emulator.inject({ method: "GET", path: "/v1/organizations", status: 503, retryAfter: "1" });
    const failed = await call("GET", "/v1/organizations");
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(failed.body).toEqual({ error: { code: "INTERNAL_ERROR", message: expect.any(String) } });
    expect((await call("GET", "/v1/organizations")).status).toBe(200);
  });

  it("sends 429 RATE_LIMITED with an HTTP-date Retry-After, `times` in a row, only to matching requests", async () => {
    const date = new Date(Date.now() + 2000).toUTCString();
    emulator.inject({ method: "POST", path: /^\/v1\/projects$/, status: 429, retryAfter: date, times: 2 });
    expect((await call("GET", `/v1/projects?org_id=${emulator.orgId}`)).status).toBe(200);
    const body = { name: uniqueName("limited"), org_id: emulator.orgId, database: databaseInput() };
    for (let i = 0; i < 2; i++) {
      const limited = await call("POST", "/v1/projects", { body });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("RATE_LIMITED");
      expect(limited.headers.get("retry-after")).toBe(date);
    }
    expect((await call("POST", "/v1/projects", { body })).status).toBe(201);
  });

  it("applies faults in FIFO order and can send a non-JSON gateway page", async () => {
    emulator.inject({ path: "/v1/organizations", status: 502, rawBody: "<html>bad gateway</html>" });
    emulator.inject({ path: "/v1/organizations", status: 500 });
    const gateway = await call("GET", "/v1/organizations");
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get("content-type")).toContain("text/html");
    expect(gateway.body).toBe("<html>bad gateway</html>");
    expect((await call("GET", "/v1/organizations")).status).toBe(500);
    expect((await call("GET", "/v1/organizations")).status).toBe(200);
  });

  it("drop before: the connection dies and nothing changes", async () => {
    emulator.inject({ method: "POST", path: "/v1/projects", drop: "before" });
    const name = uniqueName("dropped-before");
    await expect(call("POST", "/v1/projects", { body: { name, org_id: emulator.orgId, database: databaseInput() } })).rejects.toThrow();
    expect(emulator.objects("project").some((p) => p.data.name === name)).toBe(false);
    expect(emulator.requests[emulator.requests.length - 1]).toMatchObject({ status: 0, fault: { drop: "before" } });
  });

  it("drop after: the change happens, the answer is lost, and an idempotent retry gets the original answer", async () => {
    emulator.inject({ method: "POST", path: "/v1/projects", drop: "after" });
    const body = { name: uniqueName("dropped-after"), org_id: emulator.orgId, database: databaseInput() };
    const headers = { "idempotency-key": "7d4f1c2e-0000-4000-8000-000000000003" };
    await expect(call("POST", "/v1/projects", { body, headers })).rejects.toThrow();
    const created = emulator.objects("project").filter((p) => p.data.name === body.name);
    expect(created).toHaveLength(1);

    const retry = await call("POST", "/v1/projects", { body, headers });
    expect(retry.status).toBe(201);
    expect(retry.body.project.id).toBe(created[0].id);
    expect(emulator.objects("project").filter((p) => p.data.name === body.name)).toHaveLength(1);
  });

  it("a transient fault is not cached: the retry with the same key runs for real", async () => {
    emulator.inject({ method: "POST", path: "/v1/projects", status: 503 });
    const body = { name: uniqueName("after-503"), org_id: emulator.orgId, database: databaseInput() };
    const headers = { "idempotency-key": "7d4f1c2e-0000-4000-8000-000000000004" };
    expect((await call("POST", "/v1/projects", { body, headers })).status).toBe(503);
    const retry = await call("POST", "/v1/projects", { body, headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("adds latency, then proceeds normally", async () => {
    emulator.inject({ path: "/v1/organizations", delayMs: 300 });
    const started = Date.now();
    const response = await call("GET", "/v1/organizations");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.status).toBe(200);
  });

  it("clearFaults discards queued faults, and a fault must do something", async () => {
    emulator.inject({ path: "/v1/organizations", status: 500 });
    emulator.clearFaults();
    expect((await call("GET", "/v1/organizations")).status).toBe(200);
    expect(() => emulator.inject({ path: "/v1/organizations" })).toThrow(/status, drop or delayMs/);
  });
});

describe("outages and throttling", () => {
  it("a forMs fault hits every matching request for that long after its first hit, then is gone", async () => {
    let now = 0;
    const timed = await startEmulator({ clock: () => now });
    try {
      timed.inject({ path: "/v1/organizations", status: 503, forMs: 70_000 });
      now = 5_000; // the outage starts at the first request it hits, not at injection
      expect((await call("GET", "/v1/organizations", {}, timed)).status).toBe(503);
      now = 74_999;
      expect((await call("GET", "/v1/organizations", {}, timed)).status).toBe(503);
      expect((await call("GET", "/v1/projects?org_id=org_demo", {}, timed)).status).toBe(200);
      now = 75_000;
      expect((await call("GET", "/v1/organizations", {}, timed)).status).toBe(200);
      expect(() => timed.inject({ status: 503, forMs: 10, times: 2 })).toThrow(/forMs/);
    } finally {
      await timed.stop();
    }
  });

  it("a token bucket per key answers 429 with Retry-After in whole seconds when empty, and refills", async () => {
    let now = 0;
    const limited = await startEmulator({ clock: () => now, rateLimit: { perSecond: 2, burst: 2 } });
    try {
      limited.addApiKey("pbu_second_key_for_bucket_test");
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call("GET", "/v1/organizations", {}, limited)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await call("GET", "/v1/organizations", {}, limited);
      expect([refused.status, refused.headers.get("retry-after"), refused.body.error.code]).toEqual([429, "1", "RATE_LIMITED"]);
      // Another key has its own bucket.
      expect((await call("GET", "/v1/organizations", { key: "pbu_second_key_for_bucket_test" }, limited)).status).toBe(200);
      now = 500; // one token back at 2/s
      expect((await call("GET", "/v1/organizations", {}, limited)).status).toBe(200);
      expect((await call("GET", "/v1/organizations", {}, limited)).status).toBe(429);
      expect(limited.requests.filter((r) => r.rateLimited)).toHaveLength(3);
      limited.setRateLimit(undefined);
      expect((await call("GET", "/v1/organizations", {}, limited)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it("a revoked API key gets 401", async () => {
    const other = await startEmulator();
    try {
      other.addApiKey("pbu_key_to_revoke_0000");
      expect((await call("GET", "/v1/organizations", { key: "pbu_key_to_revoke_0000" }, other)).status).toBe(200);
      other.revokeApiKey("pbu_key_to_revoke_0000");
      expect((await call("GET", "/v1/organizations", { key: "pbu_key_to_revoke_0000" }, other)).status).toBe(401);
    } finally {
      await other.stop();
    }
  });
});

describe("replicas", () => {
  it("creates with a default ssl_mode, lists without paging, deletes", async () => {
    const { database } = await createProject();
    const created = await call("POST", `/v1/databases/${database.id}/replicas`, { body: { host: "replica.example.com", port: 5433 } });
    expect(created.body).toEqual({
      id: expect.stringMatching(ID("rep")),
      database_id: database.id,
      host: "replica.example.com",
      port: 5433,
      ssl_mode: "require",
      created_at: expect.stringMatching(RFC3339),
      updated_at: expect.stringMatching(RFC3339),
    });
    const listed = await call("GET", `/v1/databases/${database.id}/replicas`);
    expect(listed.body).toEqual({ replicas: [created.body] });
    const paged = await call("GET", `/v1/databases/${database.id}/replicas?page_size=10`);
    expect(paged.status).toBe(400);
    expect((await call("DELETE", `/v1/databases/${database.id}/replicas/${created.body.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/databases/${database.id}/replicas`)).body.replicas).toEqual([]);
  });
});

describe("cache rules", () => {
  it("PUT answers 404 until the query shape has been observed, then upserts with full-replace semantics", async () => {
    const { project, database } = await createProject();
    const base = `/v1/projects/${project.id}/databases/${database.id}/cache-rules`;
    const hash = "a1b2c3d4e5f60718";
    const early = await call("PUT", `${base}/${hash}`, { body: { cache_enabled: true } });
    expect(early.status).toBe(404);
    expect(early.body.error.code).toBe("NOT_FOUND");

    emulator.observeQuery(project.id, database.id, hash, "SELECT * FROM orders WHERE id = $1");
    const listed = await call("GET", base);
    expect(listed.body.entries).toEqual([
      expect.objectContaining({ query_hash: hash, query_type: "read", cache_enabled: false, cache_ttl_seconds: null }),
    ]);
    expect(listed.body.next_page_token).toBe("");

    const enabled = await call("PUT", `${base}/${hash}`, { body: { cache_enabled: true, cache_ttl_seconds: 300, cache_swr_seconds: 60 } });
    expect(enabled.body.entry).toMatchObject({ query_hash: hash, cache_enabled: true, cache_ttl_seconds: 300, cache_swr_seconds: 60 });
    const reset = await call("PUT", `${base}/${hash}`, { body: { cache_enabled: true } });
    expect(reset.body.entry).toMatchObject({ cache_enabled: true, cache_ttl_seconds: null, cache_swr_seconds: null });

    const missingField = await call("PUT", `${base}/${hash}`, { body: { cache_ttl_seconds: 10 } });
    expect(missingField.body.error.message).toContain("body.cache_enabled: is required");
    expect((await call("PUT", `${base}/not-a-hash`, { body: { cache_enabled: true } })).status).toBe(400);
    expect(() => emulator.observeQuery(project.id, database.id, "XYZ")).toThrow(/16 lowercase hex/);
  });
});

describe("custom domains", () => {
  it("creates with DNS instructions, refuses duplicates, verifies", async () => {
    const { project } = await createProject();
    const created = await call("POST", `/v1/projects/${project.id}/domains`, { body: { domain: "db.acme.example.com" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(ID("dom")),
      domain: "db.acme.example.com",
      verified: false,
      verified_at: null,
      dns_instructions: {
        cname_host: "db.acme.example.com",
        cname_target: project.proxy_host,
        txt_value: `pgbeam-verify=${created.body.dns_verification_token}`,
      },
    });
    const other = await createProject();
    expect((await call("POST", `/v1/projects/${other.project.id}/domains`, { body: { domain: "DB.acme.example.com" } })).status).toBe(409);

    const verified = await call("POST", `/v1/projects/${project.id}/domains/${created.body.id}/verify`);
    expect(verified.body).toMatchObject({ verified: true, domain: { verified: true, verified_at: expect.stringMatching(RFC3339) } });

    emulator.failDomainVerification("bad.acme.example.com");
    const bad = (await call("POST", `/v1/projects/${project.id}/domains`, { body: { domain: "bad.acme.example.com" } })).body;
    const failed = await call("POST", `/v1/projects/${project.id}/domains/${bad.id}/verify`);
    expect(failed.body).toMatchObject({ verified: false, error: expect.stringContaining("TXT record"), domain: { verified: false } });

    emulator.verifyDomain("bad.acme.example.com");
    const listed = (await call("GET", `/v1/projects/${project.id}/domains`)).body.domains.find((d: any) => d.id === bad.id);
    expect(listed).toMatchObject({
      verified: true,
      verified_at: expect.stringMatching(RFC3339),
      tls_cert_expiry: expect.stringMatching(RFC3339),
    });

    expect((await call("DELETE", `/v1/projects/${project.id}/domains/${created.body.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/projects/${project.id}/domains`)).body.domains.map((d: any) => d.id)).toEqual([bad.id]);
  });
});

describe("organization plan and spend limit", () => {
  it("distinguishes a limit of 0 (capped at once) from null (no limit)", async () => {
    const plan = await call("GET", `/v1/organizations/${emulator.orgId}/plan`);
    expect(plan.body).toMatchObject({ org_id: emulator.orgId, plan: "scale", spend_limit: null, spend_capped: false });
    const path = `/v1/organizations/${emulator.orgId}/spend-limit`;

    const zero = await call("PUT", path, { body: { spend_limit: 0 } });
    expect(zero.body).toMatchObject({ spend_limit: 0, spend_capped: true, spend_capped_at: expect.stringMatching(RFC3339) });
    const none = await call("PUT", path, { body: { spend_limit: null } });
    expect(none.body).toMatchObject({ spend_limit: null, spend_capped: false, spend_capped_at: null });
    const some = await call("PUT", path, { body: { spend_limit: 500 } });
    expect(some.body).toMatchObject({ spend_limit: 500, spend_capped: false });
    expect((await call("GET", `/v1/organizations/${emulator.orgId}/plan`)).body.spend_limit).toBe(500);

    expect((await call("PUT", path, { body: { spend_limit: "500" } })).status).toBe(400);
    expect((await call("PUT", path, { body: { spend_limit: -1 } })).status).toBe(400);
  });
});

describe("self-host enrollments", () => {
  it("returns the token once, rotates it, revokes by setting revoked_at", async () => {
    const base = `/v1/organizations/${emulator.orgId}/self-host-enrollments`;
    const created = await call("POST", base, { body: { region_label: "vpc-us-east", description: "prod" } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      enrollment: {
        id: expect.stringMatching(ID("she")),
        org_id: emulator.orgId,
        region_label: "vpc-us-east",
        description: "prod",
        created_by: expect.any(String),
        created_at: expect.stringMatching(RFC3339),
        last_seen_at: null,
        revoked_at: null,
        expires_at: null,
      },
      token: expect.stringMatching(/^pbh_/),
    });
    const id = created.body.enrollment.id;
    const listed = await call("GET", base);
    expect(listed.body.enrollments[0]).toEqual(created.body.enrollment);
    expect(listed.text).not.toContain(created.body.token);

    const rotated = await call("POST", `${base}/${id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.enrollment.id).toBe(id);
    expect(rotated.body.token).not.toBe(created.body.token);
    expect(emulator.objects("enrollment").find((e) => e.id === id)?.secrets.token).toBe(rotated.body.token);

    expect((await call("DELETE", `${base}/${id}`)).status).toBe(204);
    const afterRevoke = await call("GET", base);
    expect(afterRevoke.body.enrollments.find((e: any) => e.id === id).revoked_at).toMatch(RFC3339);
    expect((await call("POST", `${base}/${id}/rotate`)).status).toBe(409);
    expect((await call("DELETE", `${base}/enr_unknown`)).status).toBe(404);
  });

  it("accepts a create without a body", async () => {
    expect((await call("POST", `/v1/organizations/${emulator.orgId}/self-host-enrollments`)).status).toBe(201);
  });
});

/**
 * Every limit and entitlement of the spec's `PlanLimits` and Forbidden responses, at its boundary: at the limit the
 * create is allowed, one over it is refused with 403 and the error envelope, naming the plan and the limit.
 */
describe("plan limits and entitlements", () => {
  let orgCounter = 0;
  const newOrg = (plan: string, limits?: Record<string, number>) => {
    const orgId = `org_limits_${++orgCounter}`;
    emulator.addOrganization(orgId, { plan, limits });
    return orgId;
  };
  const expectPlanRefusal = (response: ApiResponse, limit: string) => {
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: { code: "FORBIDDEN", message: expect.stringContaining(`(limits.${limit})`) } });
  };
  const createProjectIn = (orgId: string) =>
    call("POST", "/v1/projects", { body: { name: uniqueName("limits"), org_id: orgId, database: databaseInput() } });

  it("each tier has its own limits, as getOrganizationPlan and listPlans report them", async () => {
    const tiers: Record<string, Record<string, number>> = {
      starter: { max_projects: 1, max_databases: 1, max_agent_credentials: 3, max_query_shapes: 10 },
      pro: { max_projects: 10, max_databases: 10, max_agent_credentials: 25, max_query_shapes: 100 },
      scale: { max_projects: 100, max_databases: 50, max_agent_credentials: 0, max_query_shapes: 1000 },
      enterprise: { max_projects: 1000, max_databases: 500, max_agent_credentials: 0, max_query_shapes: 0 },
    };
    for (const [plan, limits] of Object.entries(tiers)) {
      const plan_ = await call("GET", `/v1/organizations/${newOrg(plan)}/plan`);
      expect(plan_.body).toMatchObject({ plan, limits });
    }
    const listed = await call("GET", "/v1/plans");
    expect(listed.body.plans.map((p: any) => [p.name, p.limits.max_projects])).toEqual([
      ["starter", 1],
      ["pro", 10],
      ["scale", 100],
    ]);
  });

  it("max_projects: the last allowed project is created, one more is refused; a deleted one no longer counts", async () => {
    const orgId = newOrg("pro", { max_projects: 2 });
    const first = await createProjectIn(orgId);
    expect((await createProjectIn(orgId)).status).toBe(201);
    const over = await createProjectIn(orgId);
    expectPlanRefusal(over, "max_projects");
    expect(over.body.error.message).toBe(
      `plan limit reached: organization ${orgId} is on the pro plan, which allows 2 active project(s), and it has 2 (limits.max_projects)`,
    );
    expect((await call("DELETE", `/v1/projects/${first.body.project.id}`)).status).toBe(204);
    expect((await createProjectIn(orgId)).status).toBe(201);
  });

  it("max_databases (per project): the primary fills a starter project, a second database is refused", async () => {
    const orgId = newOrg("starter");
    const { project } = await createProject({ orgId });
    expectPlanRefusal(await call("POST", `/v1/projects/${project.id}/databases`, { body: databaseInput() }), "max_databases");
    emulator.setPlan(orgId, "starter", { limits: { max_databases: 2 } });
    expect((await call("POST", `/v1/projects/${project.id}/databases`, { body: databaseInput() })).status).toBe(201);
    expectPlanRefusal(await call("POST", `/v1/projects/${project.id}/databases`, { body: databaseInput() }), "max_databases");
  });

  it("max_agent_credentials (per organization): the third starter credential is issued, the fourth refused; a revoked one frees its place", async () => {
    const orgId = newOrg("starter", { max_projects: 2 });
    const projects = [(await createProject({ orgId })).project, (await createProject({ orgId })).project];
    const policies = [await createPolicy(projects[0].id), await createPolicy(projects[1].id)];
    const issued = [];
    for (const i of [0, 0, 1]) issued.push(await createAgent(projects[i].id, policies[i].id));
    expect(issued.map((r) => r.status)).toEqual([201, 201, 201]);
    expectPlanRefusal(await createAgent(projects[1].id, policies[1].id), "max_agent_credentials");
    expect((await call("DELETE", `/v1/projects/${projects[0].id}/agents/${issued[0].body.credential.id}`)).status).toBe(204);
    expect((await createAgent(projects[1].id, policies[1].id)).status).toBe(201);
  });

  it("max_query_shapes (cached shapes per database): the 10th starter shape is cached, the 11th refused; edits and switching off stay allowed", async () => {
    const orgId = newOrg("starter");
    const { project, database } = await createProject({ orgId });
    const hashes = Array.from({ length: 11 }, (_, i) => `${"a".repeat(14)}${String(i).padStart(2, "0")}`);
    for (const hash of hashes) emulator.observeQuery(project.id, database.id, hash);
    const rule = (hash: string, body: Record<string, unknown>) =>
      call("PUT", `/v1/projects/${project.id}/databases/${database.id}/cache-rules/${hash}`, { body });
    for (const hash of hashes.slice(0, 10)) expect((await rule(hash, { cache_enabled: true })).status).toBe(200);
    expectPlanRefusal(await rule(hashes[10], { cache_enabled: true }), "max_query_shapes");
    expect((await rule(hashes[10], { cache_enabled: false, cache_ttl_seconds: 5 })).status).toBe(200);
    expect((await rule(hashes[0], { cache_enabled: true, cache_ttl_seconds: 30 })).status).toBe(200);
    expect((await rule(hashes[0], { cache_enabled: false })).status).toBe(200);
    expect((await rule(hashes[10], { cache_enabled: true })).status).toBe(200);
  });

  it("0 means unlimited where the spec says so (agent credentials, query shapes), and is a real cap for projects", async () => {
    const unlimited = newOrg("scale", { max_agent_credentials: 0 });
    const { project } = await createProject({ orgId: unlimited });
    const policy = await createPolicy(project.id);
    for (let i = 0; i < 4; i++) expect((await createAgent(project.id, policy.id)).status).toBe(201);
    expectPlanRefusal(await createProjectIn(newOrg("scale", { max_projects: 0 })), "max_projects");
  });

  it("custom domains, self-hosted projects and self-host enrollments: refused on Pro, allowed on Scale", async () => {
    const orgId = newOrg("pro");
    const { project } = await createProject({ orgId });
    const domain = () =>
      call("POST", `/v1/projects/${project.id}/domains`, { body: { domain: `db-${orgId.replace(/_/g, "-")}.example.com` } });
    const selfHosted = () =>
      call("POST", "/v1/projects", { body: { name: uniqueName("sh"), org_id: orgId, self_hosted: true, database: databaseInput() } });
    const enrollment = () => call("POST", `/v1/organizations/${orgId}/self-host-enrollments`, { body: {} });
    for (const refused of [await domain(), await selfHosted(), await enrollment()]) {
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error: {
          code: "FORBIDDEN",
          message: expect.stringMatching(/require a Scale or Enterprise plan \(organization org_limits_\d+ is on pro\)$/),
        },
      });
    }
    emulator.setPlan(orgId, "scale");
    expect([(await domain()).status, (await selfHosted()).status, (await enrollment()).status]).toEqual([201, 201, 201]);
  });

  it("a limit name that is not in PlanLimits is a test bug", () => {
    expect(() => emulator.setPlan(emulator.orgId, "scale", { limits: { max_widgets: 1 } as never })).toThrow(
      /unknown plan limit\(s\) max_widgets/,
    );
  });
});

describe("out-of-band changes", () => {
  it("remove and patch act like someone using the console", async () => {
    const { project } = await createProject();
    emulator.patch("project", project.id, { name: "renamed in console" });
    expect((await call("GET", `/v1/projects/${project.id}`)).body.name).toBe("renamed in console");
    expect(emulator.get("project", project.id).name).toBe("renamed in console");
    emulator.remove("project", project.id);
    expect((await call("GET", `/v1/projects/${project.id}`)).status).toBe(404);
    expect(() => emulator.patch("project", project.id, { name: "x" })).toThrow(/no live project/);
    expect(() => emulator.objects("bogus")).toThrow(/unknown kind/);
  });

  it("clearRequests empties the log but keeps the validation failures", async () => {
    const failures = emulator.validationFailures.length;
    await call("GET", "/v1/organizations");
    expect(emulator.requests.length).toBeGreaterThan(0);
    emulator.clearRequests();
    expect(emulator.requests).toEqual([]);
    expect(emulator.validationFailures.length).toBe(failures);
  });
});

describe("response validation", () => {
  it("turns a response that does not conform to the spec into a loud 500", async () => {
    const strict = await startEmulator();
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const { project } = await createProject({}, strict);
      strict.patch("project", project.id, { cloud: "on-prem" });
      const response = await call("GET", `/v1/projects/${project.id}`, {}, strict);
      expect(response.status).toBe(500);
      expect(response.body.error.message).toContain("response.cloud: must be one of");
      expect(strict.responseValidationFailures).toHaveLength(1);
      expect(errors).toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      await strict.stop();
    }
  });

  it("can be switched off with validateResponses: false", async () => {
    const lax = await startEmulator({ validateResponses: false });
    try {
      const { project } = await createProject({}, lax);
      lax.patch("project", project.id, { cloud: "on-prem" });
      const response = await call("GET", `/v1/projects/${project.id}`, {}, lax);
      expect(response.status).toBe(200);
      expect(response.body.cloud).toBe("on-prem");
      expect(lax.responseValidationFailures).toEqual([]);
    } finally {
      await lax.stop();
    }
  });

  it("every response provoked by the tests above conforms to the spec", () => {
    expect(emulator.responseValidationFailures).toEqual([]);
  });
});
