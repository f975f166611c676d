/**
 * Creates by PUT/PATCH to a path built from the inputs (spend limit, project default policy, cache rule): they
 * never take over a setting made elsewhere, and a replace that writes the same path keeps what it wrote. Driven
 * through the provider host as the engine drives it: check (with the stored inputs when the resource exists),
 * then create, and for a replace the old entry's delete; `pulumi up --replace` calls no diff.
 */
import { URN_KEY } from "../../provider/engine/keys";
import * as host from "../../provider/host";
import type { Props } from "../../provider/engine/values";
import { type Emulator, startEmulator } from "../emulator";
import type { Parents } from "../lifecycle/fixtures";
import { createParents } from "../lifecycle/scenario";

let emulator: Emulator;
let parents: Parents;
beforeAll(async () => {
  emulator = await startEmulator();
  host.configure({ get: (key) => ({ "pgbeam:apiKey": emulator.apiKey, "pgbeam:baseUrl": emulator.url })[key] });
  parents = await createParents(emulator);
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]);
  await emulator.stop();
});
beforeEach(() => emulator.clearRequests());

const PROVIDER = { __provider: "serialized-provider-text" };
let counter = 0;
const urn = (type: string) => `urn:pulumi:test::upsert::pulumi-nodejs:dynamic/pgbeam:${type}::r${++counter}`;
const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);

async function call(method: string, path: string, body: Props): Promise<Props> {
  const response = await fetch(emulator.url + path, {
    method,
    headers: { authorization: `Bearer ${emulator.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Props;
}

/** `up` of a resource: check against its stored inputs (empty when new), then create. */
async function create(type: string, args: Props, stored: Props = {}) {
  const lifecycle = host.lifecycle(type);
  const checked = await lifecycle.check(stored, args);
  expect(checked.failures ?? []).toEqual([]);
  return { inputs: checked.inputs!, ...(await lifecycle.create({ ...checked.inputs!, ...PROVIDER })) };
}

function freshOrg(): string {
  const orgId = `org_upsert_${++counter}`;
  emulator.addOrganization(orgId, { plan: "scale" });
  return orgId;
}

describe("an upsert create never takes over a setting made elsewhere", () => {
  it("refuses a spend limit set in the console, changing nothing; adoptId takes it over", async () => {
    const orgId = freshOrg();
    await call("PUT", `/v1/organizations/${orgId}/spend-limit`, { spend_limit: 2000 });
    emulator.clearRequests();
    const error = await failureOf(create("SpendLimit", { [URN_KEY]: urn("SpendLimit"), orgId, spendLimit: 500 }));
    expect(String(error)).toContain(`SpendLimit ${orgId} is already set (/v1/organizations/${orgId}/spend-limit)`);
    expect(String(error)).toContain(`set adoptId: "${orgId}"`);
    expect(emulator.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(emulator.get("plan", orgId)).toMatchObject({ spend_limit: 2000 });

    const adopted = await create("SpendLimit", { [URN_KEY]: urn("SpendLimit"), orgId, spendLimit: 500, adoptId: orgId });
    expect(adopted.id).toBe(orgId);
    expect(emulator.get("plan", orgId)).toMatchObject({ spend_limit: 500 });
  });

  it("refuses a project's default policy set elsewhere", async () => {
    const { settingsProjectId: projectId, settingsPolicyId, settingsSecondPolicyId } = parents;
    await call("PATCH", `/v1/projects/${projectId}`, { default_policy_profile_id: settingsPolicyId });
    const error = await failureOf(create("ProjectDefaultPolicy", { projectId, defaultPolicyProfileId: settingsSecondPolicyId }));
    expect(String(error)).toContain(`ProjectDefaultPolicy ${projectId} is already set`);
    expect(emulator.get("project", projectId)).toMatchObject({ default_policy_profile_id: settingsPolicyId });
    await call("PATCH", `/v1/projects/${projectId}`, { default_policy_profile_id: null });
  });

  it("a cache rule is free while caching is off with no TTL of its own (every seen shape has an entry), taken once set", async () => {
    const hash = "00000000000000aa";
    emulator.observeQuery(parents.projectId, parents.databaseId, hash);
    const args = { projectId: parents.projectId, databaseId: parents.databaseId, queryHash: hash, cacheTtlSeconds: 60 };
    const created = await create("CacheRule", args);
    expect(created.id).toBe(hash);
    const error = await failureOf(create("CacheRule", { ...args, cacheTtlSeconds: 30 }));
    expect(String(error)).toContain(`CacheRule ${hash} is already set`);
  });
});

describe("a replace that writes the same path keeps what it wrote", () => {
  it("`pulumi up --replace` of a spend limit (no diff: check, create, then the old entry's delete) leaves the limit set", async () => {
    const orgId = freshOrg();
    const identity = urn("SpendLimit");
    const first = await create("SpendLimit", { [URN_KEY]: identity, orgId, spendLimit: 500 });
    const replacement = await create("SpendLimit", { [URN_KEY]: identity, orgId, spendLimit: 500 }, first.inputs);
    expect(replacement.id).toBe(orgId);
    await host.lifecycle("SpendLimit").delete(first.id, first.outs as Props);
    expect(emulator.get("plan", orgId)).toMatchObject({ spend_limit: 500 });
  });

  it("the same for a project's default policy", async () => {
    const { settingsProjectId: projectId, settingsPolicyId } = parents;
    const identity = urn("ProjectDefaultPolicy");
    const first = await create("ProjectDefaultPolicy", { [URN_KEY]: identity, projectId, defaultPolicyProfileId: settingsPolicyId });
    await create("ProjectDefaultPolicy", { [URN_KEY]: identity, projectId, defaultPolicyProfileId: settingsPolicyId }, first.inputs);
    await host.lifecycle("ProjectDefaultPolicy").delete(first.id, first.outs as Props);
    expect(emulator.get("project", projectId)).toMatchObject({ default_policy_profile_id: settingsPolicyId });
    await host.lifecycle("ProjectDefaultPolicy").delete(first.id, first.outs as Props); // a later deployment's destroy still clears it
  });

  it("a replace to another path still deletes the old setting", async () => {
    const [orgA, orgB] = [freshOrg(), freshOrg()];
    const identity = urn("SpendLimit");
    const first = await create("SpendLimit", { [URN_KEY]: identity, orgId: orgA, spendLimit: 100 });
    await create("SpendLimit", { [URN_KEY]: identity, orgId: orgB, spendLimit: 100 }, first.inputs);
    await host.lifecycle("SpendLimit").delete(first.id, first.outs as Props);
    expect(emulator.get("plan", orgA)).toMatchObject({ spend_limit: null });
    expect(emulator.get("plan", orgB)).toMatchObject({ spend_limit: 100 });
  });
});

it("changing adoptId on an existing resource is no change (it only matters to create)", async () => {
  const orgId = freshOrg();
  const created = await create("SpendLimit", { orgId, spendLimit: 10 });
  const lifecycle = host.lifecycle("SpendLimit");
  const news = (await lifecycle.check(created.inputs, { orgId, spendLimit: 10, adoptId: "org_elsewhere" })).inputs!;
  expect(await lifecycle.diff(created.id, created.outs as Props, news)).toMatchObject({ changes: false, replaces: [] });
});
