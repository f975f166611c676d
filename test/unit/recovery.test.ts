/**
 * Creates that must happen once: an answer lost after the server acted, an interrupted run, a slow create, and
 * the same program creating again after a delete or during a replace. Driven through the provider host as the
 * engine drives it (check, then create), with the identity the resource class gives every resource.
 */
import { createHash } from "node:crypto";
import { PgBeamClient } from "../../provider/client/client";
import { deriveIdempotencyKey } from "../../provider/engine/create-once";
import { ANCHOR_KEY, URN_KEY } from "../../provider/engine/keys";
import * as host from "../../provider/engine/host";
import type { Props } from "../../provider/engine/values";
import { type Emulator, startEmulator } from "../../emulator";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  const config: Record<string, string> = {
    "pgbeam:apiKey": emulator.apiKey,
    "pgbeam:baseUrl": emulator.url,
    "pgbeam:callBudgetMs": "1500",
    "pgbeam:attemptTimeoutMs": "300",
  };
  host.configure({ get: (key) => config[key] });
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]);
  await emulator.stop();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.clearRequests();
});

const project = host.lifecycle("Project");
const agent = host.lifecycle("AgentCredential");
const webhook = host.lifecycle("WebhookEndpoint");
let counter = 0;
const urn = (type: string, name: string) => `urn:pulumi:test::recovery::pulumi-nodejs:dynamic/pgbeam:${type}::${name}`;

/** What the engine does on `up` for a new resource: check the program's inputs, then create. */
async function up(lifecycle: typeof project, news: Props): Promise<{ id: string; outs: Props }> {
  const checked = await lifecycle.check({}, news);
  expect(checked.failures ?? []).toEqual([]);
  const created = await lifecycle.create({ ...checked.inputs, __provider: "serialized" });
  return { id: created.id, outs: created.outs as Props };
}

function projectArgs(extra: Props = {}): Props {
  const name = `rec-${++counter}`;
  return {
    [URN_KEY]: urn("Project", name),
    name,
    orgId: emulator.orgId,
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw-rec-1" },
    ...extra,
  };
}

const liveProjects = (name: string) => emulator.objects("project").filter((o) => o.data.name === name);

it("the key is derived from identity, URL and body: stable, UUID v4-shaped, different for any difference", () => {
  const digest = (data: string) => new PgBeamClient({ apiKey: "pbo_key_1", baseUrl: "http://127.0.0.1:9" }).keyedDigest(data);
  const key = deriveIdempotencyKey(digest, "urn:a", "POST", "/v1/projects", { name: "x", tags: ["a"] });
  expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(deriveIdempotencyKey(digest, "urn:a", "POST", "/v1/projects", { tags: ["a"], name: "x" })).toBe(key);
  expect(deriveIdempotencyKey(digest, "urn:b", "POST", "/v1/projects", { name: "x", tags: ["a"] })).not.toBe(key);
  expect(deriveIdempotencyKey(digest, "urn:a", "POST", "/v1/projects", { name: "y", tags: ["a"] })).not.toBe(key);
});

it("the key is an HMAC keyed with the API key: without the key, no body value (a password) can be confirmed from it", () => {
  const parts = ["urn:a", "POST", "/v1/projects", { name: "x", database: { password: "pw-rec-1" } }];
  const keyedWith = (apiKey: string) =>
    deriveIdempotencyKey((data) => new PgBeamClient({ apiKey, baseUrl: "http://127.0.0.1:9" }).keyedDigest(data), ...parts);
  expect(keyedWith("pbo_key_1")).toBe(keyedWith("pbo_key_1")); // the same key on every run: replays still match
  expect(keyedWith("pbo_key_2")).not.toBe(keyedWith("pbo_key_1"));
  // Anyone can compute an unkeyed digest of a guessed body: the header must not be one.
  const unkeyed = deriveIdempotencyKey((data) => createHash("sha256").update(data).digest("hex"), ...parts);
  expect(keyedWith("pbo_key_1")).not.toBe(unkeyed);
});

it("a slow create (every attempt times out, the server acted) is recovered by the next up: no 409, one project", async () => {
  const args = projectArgs();
  emulator.inject({ method: "POST", path: "/v1/projects", delayMs: 400, forMs: 60_000 });
  // The last attempt may get less than 300 ms: what was left of the 1.5 s budget, which the message then says.
  await expect(up(project, args)).rejects.toThrow(/no response within (300 ms|\d+ ms, all that was left of the retry budget)/);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the server finishes the slow attempts
  expect(liveProjects(args.name as string)).toHaveLength(1);
  emulator.clearFaults();
  const next = await up(project, args);
  expect(liveProjects(args.name as string).map((o) => o.id)).toEqual([next.id]);
  expect(next.outs.primaryDatabaseId).toMatch(/^db_/);
});

it("an interrupted create (answer lost, run killed) is replayed by the next up, configuring step included", async () => {
  const args = projectArgs({ agentsDisabled: true, allowedCidrs: [{ cidr: "10.1.0.0/16" }] });
  // Run 1 dies after the POST reached the server: emulate it with the answer dropped and no retry getting through.
  emulator.inject({ method: "POST", path: "/v1/projects", drop: "after", forMs: 60_000 });
  await expect(up(project, args)).rejects.toThrow();
  const [orphan] = liveProjects(args.name as string);
  expect(orphan.data).toMatchObject({ agents_disabled: false, allowed_cidrs: [] });
  emulator.clearFaults();
  const next = await up(project, args);
  expect(next.id).toBe(orphan.id);
  expect(emulator.get("project", next.id)).toMatchObject({ agents_disabled: true, allowed_cidrs: [{ cidr: "10.1.0.0/16" }] });
  expect(liveProjects(args.name as string)).toHaveLength(1);
});

it("after a delete, the same program creates a new object instead of getting the dead one back", async () => {
  const args = projectArgs();
  const first = await up(project, args);
  await project.delete(first.id, first.outs);
  const second = await up(project, args);
  expect(second.id).not.toBe(first.id);
  expect(emulator.get("project", second.id)).toBeDefined();
  // And again: the chain of keys goes on (each deleted object moves it one link).
  await project.delete(second.id, second.outs);
  const third = await up(project, args);
  expect(new Set([first.id, second.id, third.id]).size).toBe(3);
  // A run interrupted now still finds the third, not a new fourth.
  const again = await up(project, args);
  expect(again.id).toBe(third.id);
});

it("the chain of keys has no length limit: 25 deletes and creates of one resource in the API's 24 h window", async () => {
  const args = projectArgs();
  const ids = new Set<string>();
  for (let cycle = 1; cycle <= 25; cycle++) {
    const created = await up(project, args);
    ids.add(created.id);
    await project.delete(created.id, created.outs);
  }
  expect(ids.size).toBe(25);
});

it("a create-before-delete replace with the same body makes a new object, not the one being replaced", async () => {
  const { id: projectId } = await up(project, projectArgs());
  const args: Props = {
    [URN_KEY]: urn("WebhookEndpoint", `hook-${++counter}`),
    projectId,
    url: "https://hooks.example.com/a",
    secret: "whsec-rec-1",
  };
  const first = await up(webhook, args);
  // `pulumi up --replace`: the engine diffs (the host learns which object the resource holds), then creates anew.
  const checked = (await webhook.check(first.outs, args)).inputs!;
  await webhook.diff(first.id, first.outs, checked);
  const replacement = await webhook.create({ ...checked, __provider: "serialized" });
  expect(replacement.id).not.toBe(first.id);
  expect(emulator.objects("webhook").filter((o) => o.data.project_id === projectId)).toHaveLength(2);
});

it("a replayed agent credential keeps its one-time secrets, and a revoked one is not taken back", async () => {
  const { id: projectId } = await up(project, projectArgs());
  const policy = await up(host.lifecycle("PolicyProfile"), { [URN_KEY]: urn("PolicyProfile", `p-${++counter}`), projectId, name: "ro" });
  const args: Props = { [URN_KEY]: urn("AgentCredential", `a-${++counter}`), projectId, policyProfileId: policy.id, name: "bot" };
  emulator.inject({ method: "POST", path: `/v1/projects/${projectId}/agents`, drop: "after", forMs: 60_000 });
  await expect(up(agent, args)).rejects.toThrow();
  emulator.clearFaults();
  const recovered = await up(agent, args);
  const stored = emulator.objects("agent").find((o) => o.id === recovered.id)!;
  expect(recovered.outs.mcpToken).toBe(stored.secrets.mcp_token);
  expect(String(recovered.outs.connectionString)).toMatch(/^postgresql:\/\//);
  // Revoked (out of band: in this process the engine would only delete a taken-back object as the old entry of a
  // targeted replace, which is kept instead); the API still lists it, with status "revoked".
  emulator.remove("agent", recovered.id);
  const fresh = await up(agent, args);
  expect(fresh.id).not.toBe(recovered.id);
  expect(fresh.outs.mcpToken).not.toBe(recovered.outs.mcpToken);
});

it("without an identity (a state written before it existed) a create still works, with a random key", async () => {
  const args = projectArgs();
  delete args[URN_KEY];
  const created = await up(project, args);
  expect(emulator.get("project", created.id)).toBeDefined();
});

it("an object taken back by a create is not deleted by the same process (the old entry of a targeted replace)", async () => {
  const args = projectArgs();
  const first = await up(project, args);
  // `--replace` with unchanged inputs: no diff is called, the create's replay brings the same project back...
  const again = await up(project, args);
  expect(again.id).toBe(first.id);
  // ...and the engine then deletes the old entry's object, which the new entry now owns: it must stay.
  await project.delete(first.id, first.outs);
  expect(emulator.get("project", first.id)).toBeDefined();
});

it("an interrupted re-registration of a primary database deleted out of band is replayed by the next up: one primary", async () => {
  const args = projectArgs();
  const created = await up(project, args);
  emulator.remove("database", created.outs.primaryDatabaseId as string);
  const refreshed = (await project.read(created.id, created.outs)).props as Props;
  const news = { ...(await project.check(created.outs, args)).inputs!, __provider: "serialized" };
  const databases = `/v1/projects/${created.id}/databases`;
  // Run 1 dies after the POST reached the server: the answer dropped and no retry getting through.
  emulator.inject({ method: "POST", path: databases, drop: "after", forMs: 60_000 });
  await expect(project.update(created.id, refreshed, news)).rejects.toThrow();
  emulator.clearFaults();
  const updated = (await project.update(created.id, refreshed, news)).outs as Props;
  const live = emulator.objects("database").filter((o) => o.data.project_id === created.id);
  expect(live.map((o) => o.id)).toEqual([updated.primaryDatabaseId]);
});

describe("creates are this stack instance's own (its anchor)", () => {
  it("the same URN in another stack instance gets its own object, or a refusal naming the holder: never this one", async () => {
    const { id: projectId } = await up(project, projectArgs());
    const hook: Props = {
      [URN_KEY]: urn("WebhookEndpoint", `hook-${++counter}`),
      projectId,
      url: "https://hooks.example.com/o",
      secret: "whsec-own-1",
    };
    const mine = await up(webhook, { ...hook, [ANCHOR_KEY]: "anchor-backend-a" });
    const theirs = await up(webhook, { ...hook, [ANCHOR_KEY]: "anchor-backend-b" });
    expect(theirs.id).not.toBe(mine.id);

    const args = projectArgs();
    const first = await up(project, { ...args, [ANCHOR_KEY]: "anchor-backend-a" });
    const refused = up(project, { ...args, [ANCHOR_KEY]: "anchor-backend-b" });
    await expect(refused).rejects.toThrow(`Project "${args.name}" (${first.id}) already exists outside this stack`);
    await expect(refused).rejects.toThrow(`set adoptId: "${first.id}"`);
    expect(liveProjects(args.name as string).map((o) => o.id)).toEqual([first.id]);
  });

  it("a replayed refusal is asked again: a name freed since the last up is taken by the next one", async () => {
    const args: Props = { ...projectArgs(), [ANCHOR_KEY]: "anchor-refusal" };
    const squatter = await up(project, { ...args, [URN_KEY]: urn("Project", "elsewhere") });
    await expect(up(project, args)).rejects.toThrow(/409/);
    await expect(up(project, args)).rejects.toThrow(/409/); // refused again, under the next key: not a replay
    emulator.remove("project", squatter.id); // the name is freed in the console
    const created = await up(project, args);
    expect(created.id).not.toBe(squatter.id);
    expect(liveProjects(args.name as string).map((o) => o.id)).toEqual([created.id]);
    // Interrupted now, the next up gets the same object back by following the same chain of keys.
    expect((await up(project, args)).id).toBe(created.id);
  });
});
