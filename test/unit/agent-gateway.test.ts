import { failedField } from "../bad-input/failed-field";
import * as host from "../../provider/host";
import type { Props } from "../../provider/engine/values";
import { type Emulator, startEmulator } from "../../emulator";

let emulator: Emulator;
let projectId: string;
beforeAll(async () => {
  emulator = await startEmulator();
  host.configure({ get: (key) => ({ "pgbeam:apiKey": emulator.apiKey, "pgbeam:baseUrl": emulator.url })[key] });
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]);
  await emulator.stop();
});
beforeEach(async () => {
  const project = host.lifecycle("Project");
  const checked = await project.check(
    {},
    {
      name: `gw-${Math.random().toString(36).slice(2, 8)}`,
      orgId: emulator.orgId,
      database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
    },
  );
  projectId = (await project.create(checked.inputs!)).id;
  emulator.clearRequests();
});

const policy = host.lifecycle("PolicyProfile");
const agent = host.lifecycle("AgentCredential");
const webhook = host.lifecycle("WebhookEndpoint");

async function create(lifecycle: typeof policy, news: Props) {
  const checked = await lifecycle.check({}, news);
  expect(checked.failures ?? []).toEqual([]);
  const created = await lifecycle.create(checked.inputs!);
  return { inputs: checked.inputs!, id: created.id, outs: created.outs as Props };
}
async function checked(lifecycle: typeof policy, news: Props): Promise<Props> {
  const result = await lifecycle.check({}, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs!;
}
const requestsTo = (method: string) => emulator.requests.filter((r) => r.method === method);

describe("PolicyProfile", () => {
  const readOnly = () => ({ projectId, name: "read-only", accessMode: "read_only", maxRows: 1000 });

  it("validates every nested field with the spec's enums and ranges", async () => {
    const result = await policy.check(
      {},
      {
        projectId,
        name: "",
        accessMode: "sometimes",
        maxRows: -1,
        maskingRules: [{ table: "users", column: "email", kind: "scramble" }],
        rowFilters: [{ table: "orders" }],
        statementRules: { allow: ["SELECT"], block: ["DROP"] },
      },
    );
    expect((result.failures ?? []).map(failedField).sort()).toEqual([
      "accessMode",
      "maskingRules[0].kind",
      "maxRows",
      "name",
      "rowFilters[0].predicate",
      "statementRules.block",
    ]);
  });

  it("applies the API's defaults: an unchanged program has no diff", async () => {
    const { inputs, id, outs } = await create(policy, readOnly());
    expect(inputs).toMatchObject({ writeMode: "normal", approvalMode: "off", approvalTimeoutSeconds: 300, migrationSafety: "off" });
    expect(await policy.diff(id, outs, await checked(policy, readOnly()))).toMatchObject({ changes: false });
  });

  it("updates with a PUT of the full profile, and none when nothing changed", async () => {
    const { id, outs } = await create(policy, {
      ...readOnly(),
      tableAllowlist: ["public.orders"],
      maskingRules: [{ table: "users", column: "email", kind: "redact" }],
    });
    const news = await checked(policy, {
      ...readOnly(),
      maxRows: 500,
      tableAllowlist: ["public.orders"],
      maskingRules: [{ table: "users", column: "email", kind: "redact" }],
    });
    emulator.clearRequests();
    const updated = await policy.update(id, outs, news);
    const [put] = requestsTo("PUT");
    expect(put.body).toMatchObject({
      name: "read-only",
      access_mode: "read_only",
      max_rows: 500,
      table_allowlist: ["public.orders"],
      masking_rules: [{ table: "users", column: "email", kind: "redact" }],
      approval_timeout_seconds: 300,
    });
    expect(put.body).not.toHaveProperty("project_id");
    expect(emulator.get("policy", id)).toMatchObject({ masking_rules: [{ kind: "redact" }], max_rows: 500 });
    expect(await policy.diff(id, updated.outs as Props, news)).toMatchObject({ changes: false });
  });

  it("a 409 on delete names the credentials holding the profile and deletes nothing", async () => {
    const profile = await create(policy, readOnly());
    const holder = await create(agent, { projectId, policyProfileId: profile.id, name: "holder-bot" });
    const error = (await policy.delete(profile.id, profile.outs).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`holder-bot (${holder.id})`);
    expect(error.message).toContain("Nothing was deleted");
    expect(emulator.get("policy", profile.id)).toBeDefined();
    expect(emulator.get("agent", holder.id)).toMatchObject({ status: "active" });
  });
});

describe("AgentCredential", () => {
  async function credential(extra: Props = {}) {
    const profile = await create(policy, { projectId, name: "p" });
    return { profile, ...(await create(agent, { projectId, policyProfileId: profile.id, name: "bot", ...extra })) };
  }

  it("keeps the one-time secrets from create in its outputs", async () => {
    const { outs } = await credential();
    expect(outs.connectionString).toMatch(/^postgresql:\/\/agent_\w+:.+@.+:5432\//);
    expect(outs.mcpToken).toMatch(/^pba_/);
    expect(outs.mcpUrl).toMatch(/^https:\/\/.+\/mcp$/);
    expect(outs.pgUsername).toMatch(/^agent_/);
  });

  it("an omitted status gives no diff and no PATCH", async () => {
    const { inputs, id, outs } = await credential();
    expect(requestsTo("PATCH")).toEqual([]);
    expect(await agent.diff(id, outs, inputs)).toMatchObject({ changes: false });
  });

  it("status is a PATCH of {status} alone, and the secrets survive it", async () => {
    const { inputs, id, outs } = await credential();
    const news = { ...inputs, status: "disabled" };
    expect(await agent.diff(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    emulator.clearRequests();
    const updated = (await agent.update(id, outs, news)).outs as Props;
    expect(requestsTo("PATCH").map((r) => r.body)).toEqual([{ status: "disabled" }]);
    expect(updated).toMatchObject({ status: "disabled", connectionString: outs.connectionString, mcpToken: outs.mcpToken });
    const refreshed = (await agent.read(id, updated)).props!;
    expect(refreshed).toMatchObject({ connectionString: outs.connectionString, mcpToken: outs.mcpToken });
  });

  it("created disabled: the create is followed by the status PATCH", async () => {
    const { outs } = await credential({ status: "disabled" });
    expect(requestsTo("PATCH").map((r) => r.body)).toEqual([{ status: "disabled" }]);
    expect(outs.status).toBe("disabled");
  });

  it("changing rotationTrigger rotates in place: same id, new secrets", async () => {
    const { inputs, id, outs } = await credential({ rotationTrigger: "2026-11" });
    const news = { ...inputs, rotationTrigger: "2026-12" };
    expect(await agent.diff(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    emulator.clearRequests();
    const rotated = (await agent.update(id, outs, news)).outs as Props;
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /v1/projects/${projectId}/agents/${id}/rotate`]);
    expect(rotated.connectionString).not.toBe(outs.connectionString);
    expect(rotated.mcpToken).not.toBe(outs.mcpToken);
    expect(rotated.pgUsername).toBe(outs.pgUsername);
    expect(await agent.diff(id, rotated, news)).toMatchObject({ changes: false });
  });

  it("a later failure in an update records what already happened (the rotation) instead of losing it", async () => {
    const { inputs, id, outs } = await credential({ rotationTrigger: "a" });
    emulator.inject({ method: "PATCH", status: 500 });
    const error = (await agent
      .update(id, outs, { ...inputs, rotationTrigger: "b", status: "disabled" })
      .catch((e: unknown) => e)) as Error & {
      id?: string;
      properties?: Props;
    };
    expect(error.message).toMatch(new RegExp(`updating ${id} failed part-way: .*500`));
    expect(error.id).toBe(id);
    expect(error.properties!.mcpToken).toBe(
      emulator.get("agent", id) && emulator.objects("agent").find((o) => o.id === id)!.secrets.mcp_token,
    );
    expect(error.properties!.mcpToken).not.toBe(outs.mcpToken);
  });

  it("immutable fields replace; a re-formatted expiry does not", async () => {
    const { inputs, id, outs } = await credential({ expiresAt: "2999-01-01T00:00:00Z" });
    expect(await agent.diff(id, outs, await checked(agent, { ...inputs, expiresAt: "2999-01-01T00:00:00.000+00:00" }))).toMatchObject({
      changes: false,
    });
    for (const [field, value] of [
      ["name", "bot-2"],
      ["policyProfileId", "pol_other"],
      ["principalType", "human"],
    ]) {
      expect(await agent.diff(id, outs, { ...inputs, [field]: value })).toMatchObject({ changes: true, replaces: [field] });
    }
  });

  it("revoked out of band: read reports it gone", async () => {
    const { id, outs } = await credential();
    emulator.remove("agent", id);
    expect(await agent.read(id, outs)).toEqual({ id: "", props: {} });
    await expect(agent.delete(id, outs)).resolves.toBeUndefined();
  });
});

describe("WebhookEndpoint", () => {
  const hook = () => ({
    projectId,
    url: "https://hooks.example.com/pgbeam",
    secret: "whsec-1",
    eventTypes: ["approval.requested", "anomaly.detected"],
  });

  it("format/enabled defaults give no diff; the secret is kept from the input", async () => {
    const { inputs, id, outs } = await create(webhook, hook());
    expect(inputs).toMatchObject({ format: "json", enabled: true });
    expect(outs.secret).toBe("whsec-1");
    expect(await webhook.diff(id, outs, await checked(webhook, hook()))).toMatchObject({ changes: false });
  });

  it("update is a full PUT that resends the signing secret", async () => {
    const { id, outs } = await create(webhook, hook());
    const news = await checked(webhook, { ...hook(), enabled: false });
    emulator.clearRequests();
    await webhook.update(id, outs, news);
    expect(requestsTo("PUT").map((r) => r.body)).toEqual([
      {
        url: "https://hooks.example.com/pgbeam",
        secret: "whsec-1",
        format: "json",
        event_types: ["approval.requested", "anomaly.detected"],
        enabled: false,
      },
    ]);
  });

  it("a new secret is an update; projectId replaces", async () => {
    const { inputs, id, outs } = await create(webhook, hook());
    expect(await webhook.diff(id, outs, { ...inputs, secret: "whsec-2" })).toMatchObject({ changes: true, replaces: [] });
    expect(await webhook.diff(id, outs, { ...inputs, projectId: "prj_x" })).toMatchObject({ replaces: ["projectId"] });
  });
});
