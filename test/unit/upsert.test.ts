/**
 * Creates by PUT/PATCH to a path built from the inputs (spend limit, project default policy, cache rule): they
 * never take over a setting made elsewhere, and a replace that writes the same path keeps what it wrote. Driven
 * through the provider host as the engine drives it: check, then create, and for a replace the old entry's delete
 * (`pulumi up --replace` calls no diff, and its check gets no old state).
 */
import { URN_KEY } from "../../provider/engine/keys";
import * as host from "../../provider/host";
import type { Props } from "../../provider/engine/values";
import { providerSuite } from "./provider-suite";

const suite = providerSuite();
beforeEach(() => suite.emulator.clearRequests());

const PROVIDER = { __provider: "serialized-provider-text" };
let counter = 0;
const urn = (type: string) => `urn:pulumi:test::upsert::pulumi-nodejs:dynamic/pgbeam:${type}::r${++counter}`;
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => error,
  );

async function call(method: string, path: string, body: Props): Promise<Props> {
  const response = await fetch(suite.emulator.url + path, {
    method,
    headers: { authorization: `Bearer ${suite.emulator.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Props;
}

/** `up` of a new resource (or a targeted replacement): check, then create. */
async function create(type: string, args: Props) {
  const lifecycle = host.lifecycle(type);
  const checked = await lifecycle.check({}, args);
  expect(checked.failures ?? []).toEqual([]);
  return { inputs: checked.inputs!, ...(await lifecycle.create({ ...checked.inputs!, ...PROVIDER })) };
}

function freshOrg(): string {
  const orgId = `org_upsert_${++counter}`;
  suite.emulator.addOrganization(orgId, { plan: "scale" });
  return orgId;
}

describe("an upsert create never takes over a setting made elsewhere", () => {
  it("refuses a spend limit set in the console, changing nothing; adoptId takes it over", async () => {
    const orgId = freshOrg();
    await call("PUT", `/v1/organizations/${orgId}/spend-limit`, { spend_limit: 2000 });
    suite.emulator.clearRequests();
    const error = await failureOf(create("SpendLimit", { [URN_KEY]: urn("SpendLimit"), orgId, spendLimit: 500 }));
    expect(String(error)).toContain(`SpendLimit ${orgId} is already set (/v1/organizations/${orgId}/spend-limit)`);
    expect(String(error)).toContain(`set adoptId: "${orgId}"`);
    expect(suite.emulator.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(suite.emulator.get("plan", orgId)).toMatchObject({ spend_limit: 2000 });

    const adopted = await create("SpendLimit", { [URN_KEY]: urn("SpendLimit"), orgId, spendLimit: 500, adoptId: orgId });
    expect(adopted.id).toBe(orgId);
    expect(suite.emulator.get("plan", orgId)).toMatchObject({ spend_limit: 500 });
  });

  it("refuses a project's default policy set elsewhere", async () => {
    const { settingsProjectId: projectId, settingsPolicyId, settingsSecondPolicyId } = suite.parents;
    await call("PATCH", `/v1/projects/${projectId}`, { default_policy_profile_id: settingsPolicyId });
    const error = await failureOf(create("ProjectDefaultPolicy", { projectId, defaultPolicyProfileId: settingsSecondPolicyId }));
    expect(String(error)).toContain(`ProjectDefaultPolicy ${projectId} is already set`);
    expect(suite.emulator.get("project", projectId)).toMatchObject({ default_policy_profile_id: settingsPolicyId });
    await call("PATCH", `/v1/projects/${projectId}`, { default_policy_profile_id: null });
  });

  it("a cache rule is free while caching is off with no TTL of its own (every seen shape has an entry), taken once set", async () => {
    const hash = "00000000000000aa";
    suite.emulator.observeQuery(suite.parents.projectId, suite.parents.databaseId, hash);
    const args = { projectId: suite.parents.projectId, databaseId: suite.parents.databaseId, queryHash: hash, cacheTtlSeconds: 60 };
    const created = await create("CacheRule", args);
    expect(created.id).toBe(hash);
    const error = await failureOf(create("CacheRule", { ...args, cacheTtlSeconds: 30 }));
    expect(String(error)).toContain(`CacheRule ${hash} is already set`);
  });
});

describe("a replace that writes the same path keeps what it wrote", () => {
  /** `pulumi up --replace`: check without the old state (a targeted replace ignores it), create, then the old entry's delete. */
  async function targetedReplace(type: string, args: Props, old: { id: string; outs?: unknown }) {
    const replacement = await create(type, args);
    await host.lifecycle(type).delete(old.id, old.outs as Props);
    return replacement;
  }

  it("a spend limit keeps the limit just written", async () => {
    const orgId = freshOrg();
    const args = { [URN_KEY]: urn("SpendLimit"), orgId, spendLimit: 500 };
    const first = await create("SpendLimit", args);
    expect((await targetedReplace("SpendLimit", args, first)).id).toBe(orgId);
    expect(suite.emulator.get("plan", orgId)).toMatchObject({ spend_limit: 500 });
  });

  it("a project's default policy and a cache rule keep theirs too", async () => {
    const { settingsProjectId: projectId, settingsPolicyId } = suite.parents;
    const policyArgs = { [URN_KEY]: urn("ProjectDefaultPolicy"), projectId, defaultPolicyProfileId: settingsPolicyId };
    const policy = await create("ProjectDefaultPolicy", policyArgs);
    await targetedReplace("ProjectDefaultPolicy", policyArgs, policy);
    expect(suite.emulator.get("project", projectId)).toMatchObject({ default_policy_profile_id: settingsPolicyId });

    const hash = "00000000000000bb";
    suite.emulator.observeQuery(suite.parents.projectId, suite.parents.databaseId, hash);
    const ruleArgs = {
      [URN_KEY]: urn("CacheRule"),
      projectId: suite.parents.projectId,
      databaseId: suite.parents.databaseId,
      queryHash: hash,
      cacheTtlSeconds: 90,
    };
    const rule = await create("CacheRule", ruleArgs);
    await targetedReplace("CacheRule", ruleArgs, rule);
    expect(suite.emulator.get("cacheRule", `${suite.parents.databaseId}:${hash}`)).toMatchObject({
      cache_enabled: true,
      cache_ttl_seconds: 90,
    });

    // Leave the shared project as other tests expect it (this process would skip a delete of that path now).
    await call("PATCH", `/v1/projects/${projectId}`, { default_policy_profile_id: null });
  });

  it("a replace to another path still deletes the old setting", async () => {
    const [orgA, orgB] = [freshOrg(), freshOrg()];
    const first = await create("SpendLimit", { [URN_KEY]: urn("SpendLimit"), orgId: orgA, spendLimit: 100 });
    await targetedReplace("SpendLimit", { [URN_KEY]: urn("SpendLimit"), orgId: orgB, spendLimit: 100 }, first);
    expect(suite.emulator.get("plan", orgA)).toMatchObject({ spend_limit: null });
    expect(suite.emulator.get("plan", orgB)).toMatchObject({ spend_limit: 100 });
  });
});

it("changing adoptId on an existing resource is no change (it only matters to create)", async () => {
  const orgId = freshOrg();
  const created = await create("SpendLimit", { orgId, spendLimit: 10 });
  const lifecycle = host.lifecycle("SpendLimit");
  const news = (await lifecycle.check(created.inputs, { orgId, spendLimit: 10, adoptId: "org_elsewhere" })).inputs!;
  expect(await lifecycle.diff(created.id, created.outs as Props, news)).toMatchObject({ changes: false, replaces: [] });
});
