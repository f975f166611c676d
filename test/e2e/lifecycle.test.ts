/**
 * A program of five resources under the real Pulumi engine, for what the registry-driven run
 * (registry.test.ts) does not show: a preview with unknown ids, previews of updates and replaces before the `up`,
 * rotation, drift put back, a delete-before-replace, and a destroy refused by the API. (Write-only changes and
 * out-of-band deletes are that run's, for every resource.) After every step the exported state and the CLI's
 * output are searched for secrets in plain text.
 */
import * as path from "node:path";
import { expectNoPlaintext, leftovers, realEngineSuite, type StepResult, type TestStack, writesIn } from "./harness";

jest.setTimeout(20 * 60_000);

const PASSWORDS = { primary: "pw-primary-Xq81", replica: "pw-replica-Lm27" };
const WEBHOOK_SECRET = "whsec-Kd93-never-in-state";

const suite = realEngineSuite();
let stack: TestStack;
const timings: string[] = [];

/** The program: a project with its database, a second database, a policy, an agent bound to it, a webhook. */
function resources(
  overrides: { project?: object; other?: object; replica?: object; policy?: object; agent?: object; webhook?: object } = {},
) {
  return {
    project: {
      type: "Project",
      args: {
        name: "e2e-project",
        orgId: suite.emulator.orgId,
        description: "created by the e2e suite",
        database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PRIMARY_PASSWORD" },
        ...overrides.project,
      },
    },
    other: {
      type: "Project",
      args: {
        name: "e2e-other",
        orgId: suite.emulator.orgId,
        database: { host: "db2.internal", port: 5432, name: "app", username: "app", password: "env:PRIMARY_PASSWORD" },
        ...overrides.other,
      },
    },
    replica: {
      type: "Database",
      args: {
        projectId: "ref:project.id",
        host: "replica.internal",
        port: 5432,
        name: "app",
        username: "reader",
        password: "env:REPLICA_PASSWORD",
        role: "replica",
        ...overrides.replica,
      },
    },
    policy: {
      type: "PolicyProfile",
      args: { projectId: "ref:project.id", name: "read-only", accessMode: "read_only", maxRows: 1000, ...overrides.policy },
    },
    agent: {
      type: "AgentCredential",
      args: { projectId: "ref:project.id", policyProfileId: "ref:policy.id", name: "analyst-bot", ...overrides.agent },
    },
    webhook: {
      type: "WebhookEndpoint",
      args: {
        projectId: "ref:project.id",
        url: "https://hooks.example.com/pgbeam",
        secret: "env:WEBHOOK_SECRET",
        eventTypes: ["approval.requested", "anomaly.detected"],
        ...overrides.webhook,
      },
    },
  };
}

type Changes = Parameters<typeof resources>[0];
/** The program as the steps have changed it so far: each step applies only its own change. */
let applied: NonNullable<Changes> = {};
async function change(changes: NonNullable<Changes>) {
  for (const [name, fields] of Object.entries(changes) as [keyof typeof applied, object][]) {
    applied = { ...applied, [name]: { ...applied[name], ...fields } };
  }
  await stack.setResources(resources(applied));
}

/** Secrets that must never be readable: the API key, passwords, webhook secret, and every agent secret seen so far. */
const secrets: Record<string, string> = {};

async function checkNoSecretsLeak(step: StepResult) {
  const outputs = await stack.outputs();
  const agent = outputs.agent?.value as { connectionString?: string; mcpToken?: string } | undefined;
  if (agent?.mcpToken) secrets[`MCP token ${agent.mcpToken.slice(0, 8)}`] = agent.mcpToken;
  if (agent?.connectionString) {
    const password = new URL(agent.connectionString).password;
    secrets[`agent password ${password.slice(0, 4)}`] = password;
  }
  const state = await stack.exportText();
  expectNoPlaintext({ "stack export": state, "CLI output": step.output }, secrets);
  const exported: { outputs?: { __provider?: string } }[] = JSON.parse(state).deployment.resources ?? [];
  const providerTexts = exported.map((r) => String(r.outputs?.__provider ?? ""));
  expectNoPlaintext({ __provider: providerTexts.join("\n") }, { "API key": suite.emulator.apiKey });
}

async function step(name: string, run: () => Promise<StepResult>): Promise<StepResult> {
  const result = await run();
  timings.push(`${name}: ${result.ms} ms`);
  await checkNoSecretsLeak(result);
  return result;
}

beforeAll(async () => {
  Object.assign(secrets, {
    "API key": suite.emulator.apiKey,
    "primary password": PASSWORDS.primary,
    "replica password": PASSWORDS.replica,
    "webhook secret": WEBHOOK_SECRET,
  });
  stack = await suite.stack(path.join(__dirname, "programs/resources"), {
    env: { PRIMARY_PASSWORD: PASSWORDS.primary, REPLICA_PASSWORD: PASSWORDS.replica, WEBHOOK_SECRET },
  });
});

afterAll(async () => {
  console.log(`real-engine timings (wall):\n  ${timings.join("\n  ")}`);
  await stack?.cleanup();
});

const ALL = ["project", "other", "replica", "policy", "agent", "webhook"];
const opsOf = (result: StepResult, op: string) => ALL.filter((name) => result.ops[name] === op);

it("previews a fresh stack with unknown ids: no API call, every resource a create", async () => {
  await stack.setResources(resources());
  suite.emulator.clearRequests();
  const preview = await step("preview (fresh)", () => stack.preview());
  expect(opsOf(preview, "create")).toEqual(ALL);
  expect(suite.emulator.requests).toEqual([]);
});

it("creates everything; every request passes the spec", async () => {
  const up = await step("up (create 6)", () => stack.up());
  expect(opsOf(up, "create")).toEqual(ALL);
  expect(suite.emulator.validationFailures).toEqual([]);
  const outputs = await stack.outputs();
  expect((outputs.agent.value as { mcpToken: string }).mcpToken).toMatch(/^pba_/);
  for (const [resource, output] of [
    ["agent", "connectionString"],
    ["agent", "mcpToken"],
    ["replica", "password"],
    ["webhook", "secret"],
    ["project", "database.password"],
  ]) {
    expect([resource, output, await stack.isSecretInState(resource, output)]).toEqual([resource, output, true]);
  }
  const state = await stack.resources();
  // From the installed package, each stored provider is one require of the shared methods plus the type's name.
  for (const entry of state) {
    const type = entry.type.split(":").pop();
    for (const stored of [entry.inputs?.__provider, entry.outputs?.__provider]) {
      const text = String(stored);
      expect(text).toContain('Object.create(require("pulumi-pgbeam/dist/provider/engine/provider-methods.js"))');
      expect(text).toContain(`.resourceName = "${type}";`);
      expect(text.length).toBeLessThan(500);
    }
  }
  const bytes = JSON.stringify(state).length;
  timings.push(`state: ${state.length} resources, ${bytes} bytes, ${Math.round(bytes / state.length)} bytes/resource`);
});

it("a second preview of the unchanged program shows no changes for any resource", async () => {
  suite.emulator.clearRequests();
  const preview = await step("preview (unchanged)", () => stack.preview());
  expect(opsOf(preview, "same")).toEqual(ALL);
  expect(suite.emulator.requests.filter((r) => r.method !== "GET")).toEqual([]);
});

it("in-place changes are updates, with a minimal PATCH or a full PUT", async () => {
  await change({
    project: { description: "changed in place" },
    replica: { port: 6432 },
    policy: { maxRows: 500 },
    agent: { status: "disabled" },
    webhook: { enabled: false },
  });
  const preview = await step("preview (updates)", () => stack.preview());
  expect(opsOf(preview, "update").sort()).toEqual(["agent", "policy", "project", "replica", "webhook"]);
  suite.emulator.clearRequests();
  const up = await step("up (5 updates)", () => stack.up());
  expect(opsOf(up, "update").sort()).toEqual(["agent", "policy", "project", "replica", "webhook"]);
  // The collection a request went to: /v1/projects/{id}/<collection>/{id}, or "projects".
  const collection = (requestPath: string) => requestPath.split("/")[4] ?? "projects";
  const writes = writesIn(suite.emulator.requests).map((r) => [r.method, collection(r.path), r.body]);
  expect(writes.filter(([method]) => method === "PATCH")).toEqual(
    expect.arrayContaining([
      ["PATCH", "projects", { description: "changed in place" }],
      ["PATCH", "databases", { port: 6432 }],
      ["PATCH", "agents", { status: "disabled" }],
    ]),
  );
  expect(writes).toHaveLength(5);
  const put = (kind: string) => suite.emulator.requests.find((r) => r.method === "PUT" && r.path.includes(`/${kind}/`))!.body;
  expect(put("policies")).toMatchObject({ name: "read-only", access_mode: "read_only", max_rows: 500, approval_timeout_seconds: 300 });
  expect(put("webhooks")).toMatchObject({ url: "https://hooks.example.com/pgbeam", secret: WEBHOOK_SECRET, enabled: false });
  expect(suite.emulator.validationFailures).toEqual([]);

  const again = await step("preview (after updates)", () => stack.preview());
  expect(opsOf(again, "same")).toEqual(ALL);
});

it("rotation keeps the agent's id and replaces its secrets", async () => {
  const before = (await stack.outputs()).agent.value as { id: string; connectionString: string; mcpToken: string };
  await change({ agent: { rotationTrigger: "1" } });
  const up = await step("up (rotate)", () => stack.up());
  expect(up.ops.agent).toBe("update");
  const rotated = (await stack.outputs()).agent.value as typeof before;
  expect(await stack.isSecretInState("agent", "mcpToken")).toBe(true);
  expect(rotated.id).toBe(before.id);
  expect(rotated.mcpToken).not.toBe(before.mcpToken);
  expect(rotated.connectionString).not.toBe(before.connectionString);
});

it("a refresh with no drift keeps the one-time secrets, still encrypted", async () => {
  const before = (await stack.outputs()).agent.value as { connectionString: string; mcpToken: string };
  const refresh = await step("refresh (no drift)", () => stack.refresh());
  expect(refresh.summary.delete ?? 0).toBe(0);
  const after = (await stack.outputs()).agent.value as typeof before;
  expect([after.connectionString, after.mcpToken]).toEqual([before.connectionString, before.mcpToken]);
  expect(await stack.isSecretInState("agent", "mcpToken")).toBe(true);
  expect(await stack.isSecretInState("agent", "connectionString")).toBe(true);
  const preview = await step("preview (after refresh)", () => stack.preview());
  expect(opsOf(preview, "same")).toEqual(ALL);
});

it("drift made outside Pulumi shows on refresh, and the next up puts it back", async () => {
  const outputs = (await stack.outputs()) as Record<string, { value: { id: string } }>;
  suite.emulator.patch("project", outputs.project.value.id, { description: "edited in the console" });
  suite.emulator.patch("policy", outputs.policy.value.id, { max_rows: 999999 });
  const refresh = await step("refresh (2 drifted)", () => stack.refresh());
  expect(refresh.summary.update).toBe(2);
  const preview = await step("preview (drift)", () => stack.preview());
  expect(opsOf(preview, "update").sort()).toEqual(["policy", "project"]);
  // `--diff` shows the drift, and no removal of what the server fills and the program leaves out.
  expect(preview.output).toMatch(/~ description\s*: "edited in the console" => "changed in place"/);
  expect(preview.output).toMatch(/~ maxRows\s*: 999999 => 500/);
  expect(preview.output).not.toMatch(/^\s*- \w+\s*:/m);
  await step("up (undo drift)", () => stack.up());
  expect(suite.emulator.get("project", outputs.project.value.id).description).toBe("changed in place");
  expect(suite.emulator.get("policy", outputs.policy.value.id).max_rows).toBe(500);
});

it("replace-field changes replace: database, policy, agent and webhook move to the other project", async () => {
  const before = (await stack.outputs()) as Record<string, { value: { id: string } }>;
  await change({
    replica: { projectId: "ref:other.id" },
    policy: { projectId: "ref:other.id" },
    agent: { projectId: "ref:other.id", name: "analyst-bot-2" },
    webhook: { projectId: "ref:other.id" },
  });
  const preview = await step("preview (4 replaces)", () => stack.preview());
  expect(opsOf(preview, "replace").sort()).toEqual(["agent", "policy", "replica", "webhook"]);
  const up = await step("up (4 replaces)", () => stack.up());
  expect(opsOf(up, "replace").sort()).toEqual(["agent", "policy", "replica", "webhook"]);
  const after = (await stack.outputs()) as typeof before;
  for (const name of ["replica", "policy", "agent", "webhook"]) expect(after[name].value.id).not.toBe(before[name].value.id);
  expect(suite.emulator.get("database", before.replica.value.id)).toBeUndefined();
  expect(suite.emulator.get("policy", before.policy.value.id)).toBeUndefined();
  expect(suite.emulator.get("webhook", before.webhook.value.id)).toBeUndefined();
  expect(suite.emulator.get("agent", before.agent.value.id)).toMatchObject({ status: "revoked" });
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("a Project replace (cloud) deletes the old project first, since the name stays", async () => {
  const before = (await stack.outputs()) as Record<string, { value: { id: string } }>;
  await change({ project: { cloud: "gcp" } });
  suite.emulator.clearRequests();
  const up = await step("up (project replace)", () => stack.up());
  expect(opsOf(up, "replace")).toEqual(["project"]);
  const calls = suite.emulator.requests.map((r) => `${r.method} ${r.path}`);
  expect(calls.indexOf(`DELETE /v1/projects/${before.project.value.id}`)).toBeGreaterThanOrEqual(0);
  expect(calls.indexOf(`DELETE /v1/projects/${before.project.value.id}`)).toBeLessThan(calls.indexOf("POST /v1/projects"));
  const after = (await stack.outputs()) as Record<string, { value: { id: string; cloud: string } }>;
  expect(after.project.value.cloud).toBe("gcp");
  expect(suite.emulator.get("project", before.project.value.id)).toBeUndefined();
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("destroy stops at a policy still used by a credential outside the stack, naming it, deleting nothing of it", async () => {
  const outputs = (await stack.outputs()) as Record<string, { value: { id: string } }>;
  const projectId = outputs.other.value.id;
  const response = await fetch(`${suite.emulator.url}/v1/projects/${projectId}/agents`, {
    method: "POST",
    headers: { authorization: `Bearer ${suite.emulator.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "someone-elses-bot", policy_profile_id: outputs.policy.value.id }),
  });
  const outsider = ((await response.json()) as { credential: { id: string } }).credential;
  const failure = await stack.destroy().then(
    () => undefined,
    (error: Error) => error,
  );
  expect(String(failure)).toContain(
    `cannot delete policy profile ${outputs.policy.value.id}: agent credentials still use it: someone-elses-bot (${outsider.id})`,
  );
  expect(suite.emulator.get("policy", outputs.policy.value.id)).toBeDefined();
  expect((await stack.resources()).map((r) => r.urn.split("::").pop())).toContain("policy");
  suite.emulator.remove("agent", outsider.id);
});

it("destroy leaves the emulator with nothing of the stack", async () => {
  const destroy = await step("destroy", () => stack.destroy());
  expect(destroy.summary.delete).toBeGreaterThanOrEqual(1);
  // Revoked credentials stay listed by the API with status "revoked"; nothing else of the stack remains.
  expect(leftovers(suite.emulator)).toEqual([]);
  expect(await stack.resources()).toEqual([]);
});
