/**
 * Refusals predicted in check() (provider/engine/predictions.ts), against the emulator: each kind of prediction,
 * the run's own creates counted against a limit, and what a prediction costs in API calls.
 */
import * as host from "../../provider/host";
import type { Props } from "../../provider/engine/values";
import { type Emulator, startEmulator } from "../../emulator";
import { call } from "../../fixtures/scenario";

let emulator: Emulator;
const configure = (predictRefusals: string, apiKey = emulator.apiKey) =>
  host.configure({
    get: (key) => ({ "pgbeam:apiKey": apiKey, "pgbeam:baseUrl": emulator.url, "pgbeam:predictRefusals": predictRefusals })[key],
  });

beforeAll(async () => {
  emulator = await startEmulator();
});
// Each test is a new run: a fresh client and no reads remembered (one process is one run in production).
afterEach(() => {
  configure("true");
  host.thisDeployment.predictionReads.clear();
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]);
  await emulator.stop();
});

const DB = { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw-predict-Lq81" };
const urn = (name: string, type: string) => `urn:pulumi:e2e::predict::pulumi-nodejs:dynamic/pgbeam:${type}::${name}`;
const check = (type: string, name: string, args: Props, olds: Props = {}) =>
  host.lifecycle(type).check(olds, { ...args, __urn: urn(name, type) });
const reasons = (result: { failures?: { property: string; reason: string }[] }) =>
  (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
const requestsDuring = async <T>(action: () => Promise<T>) => {
  emulator.clearRequests();
  const result = await action();
  return { result, calls: emulator.requests.map((r) => `${r.method} ${r.path}`) };
};

async function organization(id: string, plan: string, limits?: Record<string, number>) {
  emulator.addOrganization(id, { plan, limits });
  const created = await call(emulator, "POST", "/v1/projects", { name: `${id}-existing`, org_id: id, database: DB });
  return { projectId: (created.project as Props).id as string };
}

it("an unchanged resource, or predictions turned off (pgbeam:predictRefusals false), costs no call", async () => {
  configure("true");
  const args = { orgId: emulator.orgId, name: "unchanged", database: DB };
  const stored = (await check("Project", "unchanged", args)).inputs!;
  expect((await requestsDuring(() => check("Project", "unchanged", args, stored))).calls).toEqual([]);
  configure("false");
  const off = await requestsDuring(() => check("Project", "off", { ...args, name: "off" }));
  expect([off.calls, off.result.failures]).toEqual([[], undefined]);
  configure("maybe");
  await expect(check("Project", "bad-switch", args)).rejects.toThrow('pgbeam:predictRefusals must be true or false, got "maybe"');
});

it("a parent that does not exist fails the check, naming the field and the id", async () => {
  configure("true");
  const { projectId } = await organization("org_predict_parents", "scale");
  expect(reasons(await check("Database", "orphan", { projectId: "prj_gone", ...DB }))).toEqual([
    'projectId: projectId "prj_gone" does not exist (PgBeam answers 404 for /v1/projects/prj_gone), so creating this would fail. ' +
      "Check the id, or create that object in this program and pass its id. To preview without these reads, set pgbeam:predictRefusals to false.",
  ]);
  const agent = await check("AgentCredential", "no-policy", { projectId, policyProfileId: "pol_gone", name: "bot" });
  expect(reasons(agent)).toEqual([
    expect.stringMatching(
      /^policyProfileId: policyProfileId "pol_gone" does not exist \(PgBeam answers 404 for \/v1\/projects\/prj_\w+\/policies\/pol_gone\)/,
    ),
  ]);
});

it("a limit counts what exists plus what this run creates before the candidate; one plan read and one list for all", async () => {
  configure("true");
  await organization("org_predict_limits", "pro", { max_projects: 3 });
  const project = (name: string) => ({ orgId: "org_predict_limits", name, database: DB });
  const { calls, result } = await requestsDuring(async () => [
    await check("Project", "second", project("second")),
    await check("Project", "third", project("third")),
    await check("Project", "fourth", project("fourth")),
    await check("Project", "second", project("second")), // an `up` checks again in its update phase: still allowed
  ]);
  expect(result.map(reasons)).toEqual([
    [],
    [],
    [
      "orgId: PgBeam would refuse to create this: organization org_predict_limits is on the pro plan: its limit of active projects is 3 " +
        "(limits.max_projects), with 1 in use, and this run creates 2 more before this one. Upgrade the organization's plan, or remove this " +
        "resource (or another of the same kind). To preview without these reads, set pgbeam:predictRefusals to false.",
    ],
    [],
  ]);
  expect(calls).toEqual(["GET /v1/organizations/org_predict_limits/plan", "GET /v1/projects"]);
});

it("a cache rule for a query shape the proxy has never seen fails, sharing the list its limit counts", async () => {
  configure("true");
  const created = await call(emulator, "POST", "/v1/projects", { name: "shapes", org_id: emulator.orgId, database: DB });
  const [projectId, databaseId] = [(created.project as Props).id as string, (created.database as Props).id as string];
  emulator.observeQuery(projectId, databaseId, "0123456789abcdef");
  const rule = (name: string, queryHash: string) => check("CacheRule", name, { projectId, databaseId, queryHash });
  const { result, calls } = await requestsDuring(async () => [
    reasons(await rule("seen", "0123456789abcdef")),
    reasons(await rule("unseen", "fedcba9876543210")),
  ]);
  expect(result).toEqual([
    [],
    [
      `queryHash: queryHash "fedcba9876543210" is not in /v1/projects/${projectId}/databases/${databaseId}/cache-rules, so creating this would fail (404): ` +
        "PgBeam creates a cache rule only for a query its proxy has seen. Run the query through PgBeam first, or check queryHash and databaseId. " +
        "To preview without these reads, set pgbeam:predictRefusals to false.",
    ],
  ]);
  expect(calls).toEqual([
    `GET /v1/projects/${projectId}`,
    `GET /v1/projects/${projectId}/databases/${databaseId}`,
    `GET /v1/projects/${projectId}/databases/${databaseId}/cache-rules`,
    `GET /v1/organizations/${emulator.orgId}/plan`,
  ]);
});

it("entitlements and the key's access to the organization", async () => {
  configure("true");
  const { projectId } = await organization("org_predict_starter", "starter");
  expect(reasons(await check("CustomDomain", "domain", { projectId, domain: "db.predict.example.com" }))).toEqual([
    expect.stringContaining(
      "projectId: PgBeam would refuse to create this: custom domains need the Scale or Enterprise plan, and organization org_predict_starter is on starter.",
    ),
  ]);
  emulator.addOrganization("org_predict_unreachable", { plan: "scale" });
  emulator.addApiKey("pbo_predict_scoped", { orgId: "org_predict_starter" });
  configure("true", "pbo_predict_scoped");
  expect(reasons(await check("SelfHostEnrollment", "enrollment", { orgId: "org_predict_unreachable" }))).toEqual([
    expect.stringContaining(
      "orgId: this API key cannot read organization org_predict_unreachable (PgBeam said: this API key has no access to organization org_predict_unreachable), " +
        "so creating this would be refused (403). List the key's organizations with pgbeam.getOrganizations() and compare orgId",
    ),
  ]);
});

it("a unique name taken outside the stack fails, offering adoptId; one made within 24 h (maybe an interrupted create) only warns", async () => {
  configure("true");
  const { projectId } = await organization("org_predict_names", "scale");
  const old = (await call(emulator, "POST", `/v1/projects/${projectId}/policies`, { name: "console-made" })).id as string;
  emulator.patch("policy", old, { created_at: "2026-01-05T10:00:00Z" });
  expect(reasons(await check("PolicyProfile", "taken", { projectId, name: "console-made" }))).toEqual([
    `name: a PolicyProfile with name "console-made" already exists (${old}), and this resource does not manage it: creating it would be refused (409). ` +
      `To manage that one from this program, set adoptId: "${old}"; or choose another name. To preview without these reads, set pgbeam:predictRefusals to false.`,
  ]);
  expect((await check("PolicyProfile", "adopting", { projectId, name: "console-made", adoptId: old })).failures).toBeUndefined();

  await call(emulator, "POST", `/v1/projects/${projectId}/policies`, { name: "just-made" });
  host.thisDeployment.predictionReads.clear(); // a new run: the list read above is remembered for the deployment
  const warnings = jest.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    expect((await check("PolicyProfile", "recent", { projectId, name: "just-made" })).failures).toBeUndefined();
    expect(warnings).toHaveBeenCalledWith(
      expect.stringMatching(
        /^warning: PolicyProfile with name "just-made" already exists \(pol_\w+, created within the last 24 h\)\. If an interrupted `up` made it/,
      ),
    );
  } finally {
    warnings.mockRestore();
  }
});
