/**
 * No run takes, changes or deletes what another stack instance owns, and the create-once that recovers interrupted
 * creates believes no stale answer: two stacks with the same names in two file backends against one key, a refusal
 * fixed outside the program, an hourly up/destroy cycle, `pulumi up --replace` of objects with unique names, and a
 * default policy removed from the program, under the real engine.
 */
import * as path from "node:path";
import type { RecordedRequest } from "../../emulator";
import { leftovers, realEngineSuite, type TestStack } from "./harness";

jest.setTimeout(30 * 60_000);

const PASSWORD = "pw-ownership-Tz41";
const WEBHOOK_SECRET = "whsec-ownership-Lm06";
const program = path.resolve(__dirname, "programs/resources");
const suite = realEngineSuite();

async function stackOf(resources: Record<string, unknown>): Promise<TestStack> {
  const stack = await suite.stack(program, { stackName: "dev", env: { PASSWORD, WEBHOOK_SECRET } });
  await stack.setResources(resources as never);
  return stack;
}

const projectArgs = (name: string) => ({
  name,
  orgId: suite.emulator.orgId,
  database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PASSWORD" },
});

const live = (kind: string) =>
  suite.emulator
    .objects(kind)
    .map((o) => o.id)
    .sort();

it("two backends, stack `dev` of the same project and one key: two independent stacks, or a refusal naming the object", async () => {
  const alice = await stackOf({
    app: { type: "Project", args: projectArgs("own-app") },
    hook: {
      type: "WebhookEndpoint",
      args: { projectId: "ref:app.id", url: "https://hooks.example.com/own", secret: "env:WEBHOOK_SECRET" },
    },
  });
  const bob = await stackOf({});
  try {
    await alice.up();
    const [app, hook] = await alice.resources().then((entries) => entries.map((entry) => entry.id!));
    // Bob's program: the same names, URNs and bodies (his webhook under Alice's project, as a shared parent).
    await bob.setResources({
      app: { type: "Project", args: projectArgs("own-app") },
      hook: { type: "WebhookEndpoint", args: { projectId: app, url: "https://hooks.example.com/own", secret: "env:WEBHOOK_SECRET" } },
    });
    const refused = await bob.cli(["up", "--yes", "--skip-preview"]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`Project "own-app" (${app}) already exists outside this stack`);
    expect(refused.output).toContain(`adoptId: "${app}"`);
    const bobIds = (await bob.resources()).map((entry) => entry.id);
    expect(bobIds).not.toContain(app);
    expect(bobIds).not.toContain(hook);
    expect(bobIds).toHaveLength(1); // his own webhook
    await bob.destroy();
    expect(live("project")).toEqual([app]);
    expect(suite.emulator.objects("webhook").map((o) => o.id)).toEqual([hook]);
    expect((await alice.preview()).ops).toEqual({ app: "same", hook: "same" });
    await alice.destroy();
    expect(leftovers(suite.emulator)).toEqual([]);
  } finally {
    await Promise.all([alice.cleanup(), bob.cleanup()]);
  }
});

it("a create refused before the plan was upgraded is sent again, not answered with the cached 403", async () => {
  const stack = await stackOf({
    app: { type: "Project", args: projectArgs("own-domain") },
    domain: { type: "CustomDomain", args: { projectId: "ref:app.id", domain: "db.own.example.com" } },
  });
  try {
    suite.emulator.setPlan(suite.emulator.orgId, "starter");
    const refused = await stack.cli(["up", "--yes", "--skip-preview"]);
    expect(refused.output).toMatch(/need the Scale or Enterprise plan/);
    suite.emulator.setPlan(suite.emulator.orgId, "scale");
    const upgraded = await stack.up();
    expect(upgraded.ops.domain).toBe("create");
    expect(suite.emulator.objects("domain")).toHaveLength(1);
    await stack.destroy();
  } finally {
    suite.emulator.setPlan(suite.emulator.orgId, "scale");
    await stack.cleanup();
  }
});

it("an hourly CI stack: each up after a destroy has a new anchor, so its creates start a new key space (no replay, nothing to count)", async () => {
  // The chain of keys within one anchor has no limit (test/unit/recovery.test.ts walks 25 links); across destroys it
  // does not even form: here two cycles show each one's create is fresh, under a key the API has never seen.
  const stack = await stackOf({ app: { type: "Project", args: projectArgs("own-hourly") } });
  const anchors: string[] = [];
  const creates: RecordedRequest[] = [];
  try {
    for (let cycle = 1; cycle <= 2; cycle++) {
      suite.emulator.clearRequests();
      await stack.up();
      const deployment = JSON.parse(await stack.exportText()).deployment;
      anchors.push(deployment.resources.find((r: { type: string }) => r.type.endsWith(":StackAnchor")).id);
      creates.push(...suite.emulator.requests.filter((r) => r.operationId === "createProject"));
      await stack.destroy();
    }
    expect(new Set(anchors).size).toBe(2);
    expect(creates.map((r) => r.replayed ?? false)).toEqual([false, false]);
    expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(2);
    expect(leftovers(suite.emulator)).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});

it("`pulumi up --replace` of a project and a policy profile after an in-place update deletes first: no 409", async () => {
  const resources = (accessMode: string, agentsDisabled: boolean) => ({
    app: { type: "Project", args: { ...projectArgs("own-replace"), agentsDisabled } },
    policy: { type: "PolicyProfile", args: { projectId: "ref:app.id", name: "read-only", accessMode } },
  });
  const stack = await stackOf(resources("read_only", false));
  try {
    await stack.up();
    await stack.setResources(resources("read_write", true));
    expect((await stack.up()).ops).toEqual({ app: "update", policy: "update" });
    const before = await stack.resources();
    const replaced = await stack.cli(["up", "--yes", "--skip-preview", ...before.flatMap((entry) => ["--replace", entry.urn])]);
    expect(replaced.output).not.toMatch(/409|CONFLICT/);
    expect(replaced.code).toBe(0);
    const after = await stack.resources();
    expect(after.map((entry) => entry.id)).not.toEqual(expect.arrayContaining(before.map((entry) => entry.id)));
    expect(live("project")).toEqual([after.find((entry) => entry.urn.endsWith("::app"))!.id]);
    expect(suite.emulator.objects("policy").map((o) => o.data)).toEqual([
      expect.objectContaining({ name: "read-only", access_mode: "read_write" }),
    ]);
    expect((await stack.preview()).ops).toEqual({ app: "same", policy: "same" });
  } finally {
    await stack.cleanup();
  }
});

it("removing Project.defaultPolicyProfileId from the program clears it: the preview says so and up does it", async () => {
  const resources = (defaultPolicyProfileId?: string) => ({
    app: { type: "Project", args: { ...projectArgs("own-default"), defaultPolicyProfileId } },
    policy: { type: "PolicyProfile", args: { projectId: "ref:app.id", name: "read-only" } },
  });
  const stack = await stackOf(resources());
  try {
    await stack.up();
    const state = await stack.resources();
    const [projectId, policyId] = ["app", "policy"].map((name) => state.find((entry) => entry.urn.endsWith(`::${name}`))!.id!);
    await stack.setResources(resources(policyId));
    expect((await stack.up()).ops.app).toBe("update");
    expect(suite.emulator.get("project", projectId).default_policy_profile_id).toBe(policyId);
    await stack.setResources(resources());
    expect((await stack.preview()).ops.app).toBe("update");
    await stack.up();
    expect(suite.emulator.get("project", projectId).default_policy_profile_id ?? null).toBeNull();
    expect((await stack.preview()).ops).toEqual({ app: "same", policy: "same" });
  } finally {
    await stack.cleanup();
  }
});
