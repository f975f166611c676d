/**
 * Every plan refusal the emulator enforces, under the real engine: one program whose resources each hit one limit
 * or entitlement of an organization already at its Starter limits, plus one in an organization the key cannot
 * reach. `up` fails and shows every message: the plan's where the plan refuses, the access problem otherwise.
 */
import * as path from "node:path";
import { call } from "../lifecycle/scenario";
import { realEngineSuite, type TestStack } from "./harness";

jest.setTimeout(15 * 60_000);

const STARTER = "org_plan_starter";
const UNREACHABLE = "org_plan_unreachable";
/** The stack's key: scoped to the Starter organization, so the other one is out of its reach. */
const SCOPED_KEY = "pbo_plan_limits_Hq3Zt8";
const PASSWORD = "pw-plan-limits-Vd52";
const shape = (n: number) => `feedc0de000000${String(n).padStart(2, "0")}`;

const suite = realEngineSuite({}, (emulator) => {
  emulator.addOrganization(STARTER, { plan: "starter" });
  emulator.addOrganization(UNREACHABLE, { plan: "scale" });
  emulator.addApiKey(SCOPED_KEY, { orgId: STARTER });
});

/** The Starter organization at every limit: 1 project (with its 1 database), 3 agent credentials, 10 cached shapes. */
async function fillStarterPlan() {
  const emulator = suite.emulator;
  const database = { host: "db.internal", port: 5432, name: "app", username: "app", password: PASSWORD };
  const created = await call(emulator, "POST", "/v1/projects", { name: "full", org_id: STARTER, database });
  const projectId = (created.project as { id: string }).id;
  const databaseId = (created.database as { id: string }).id;
  const policyId = (await call(emulator, "POST", `/v1/projects/${projectId}/policies`, { name: "agents" })).id as string;
  for (const name of ["bot-1", "bot-2", "bot-3"]) await call(emulator, "POST", `/v1/projects/${projectId}/agents`, { name, policy_profile_id: policyId });
  for (let n = 1; n <= 11; n++) emulator.observeQuery(projectId, databaseId, shape(n));
  for (let n = 1; n <= 10; n++) await call(emulator, "PUT", `/v1/projects/${projectId}/databases/${databaseId}/cache-rules/${shape(n)}`, { cache_enabled: true });
  return { projectId, databaseId, policyId };
}

/** One resource per refusal, by the refusal it meets. */
function overTheLimits(full: { projectId: string; databaseId: string; policyId: string }) {
  const database = { host: "db2.internal", port: 5432, name: "app", username: "app", password: "env:PASSWORD" };
  return {
    maxProjects: { type: "Project", args: { name: "one-too-many", orgId: STARTER, database } },
    maxDatabases: { type: "Database", args: { projectId: full.projectId, ...database } },
    maxAgentCredentials: { type: "AgentCredential", args: { projectId: full.projectId, policyProfileId: full.policyId, name: "bot-4" } },
    maxQueryShapes: { type: "CacheRule", args: { projectId: full.projectId, databaseId: full.databaseId, queryHash: shape(11) } },
    customDomain: { type: "CustomDomain", args: { projectId: full.projectId, domain: "db.plan-limits.example.com" } },
    selfHost: { type: "SelfHostEnrollment", args: { orgId: STARTER } },
    unreachableOrg: { type: "SelfHostEnrollment", args: { orgId: UNREACHABLE } },
  };
}

/** What `up` says for each resource: the plan and limit where the plan refuses, the key's access otherwise. */
const EXPECTED: Record<string, string> = {
  maxProjects: `organization ${STARTER} is on the starter plan: its limit of active projects is 1 (limits.max_projects), with 1 in use`,
  maxDatabases: `organization ${STARTER} is on the starter plan: its limit of databases per project is 1 (limits.max_databases), with 1 in use`,
  maxAgentCredentials: `organization ${STARTER} is on the starter plan: its limit of agent credentials is 3 (limits.max_agent_credentials), with 3 in use`,
  maxQueryShapes: `organization ${STARTER} is on the starter plan: its limit of cached query shapes per database is 10 (limits.max_query_shapes), with 10 in use`,
  customDomain: `custom domains need the Scale or Enterprise plan, and organization ${STARTER} is on starter`,
  selfHost: `self-hosted proxies need the Scale or Enterprise plan, and organization ${STARTER} is on starter`,
  unreachableOrg:
    `PgBeam refused to create this with 403 (PgBeam said: this API key has no access to organization ${UNREACHABLE}). Check that the API key ` +
    `(pgbeam:apiKey) has access to organization ${UNREACHABLE}: list the key's organizations with pgbeam.getOrganizations() and compare this resource's orgId`,
};

let stack: TestStack;
let full: Awaited<ReturnType<typeof fillStarterPlan>>;

beforeAll(async () => {
  full = await fillStarterPlan();
  stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD } });
  await stack.stack.setConfig("pgbeam:apiKey", { value: SCOPED_KEY, secret: true });
});

afterAll(() => stack?.cleanup());

it("an up that meets every plan refusal fails with each one's own message, and creates nothing", async () => {
  await stack.setResources(overTheLimits(full));
  const before = suite.emulator.objects().length;
  const started = Date.now();
  const up = await stack.cli(["up", "--yes", "--skip-preview", "--continue-on-error"]);
  console.log(`up meeting ${Object.keys(EXPECTED).length} refusals: ${Date.now() - started} ms`);
  expect(up.code).not.toBe(0);
  const output = up.output.replace(/\s+/g, " ");
  for (const [resource, message] of Object.entries(EXPECTED)) {
    expect({ resource, found: output.includes(message) }).toEqual({ resource, found: true });
  }
  // The access refusal does not blame the plan.
  expect(output).not.toContain(`organization ${UNREACHABLE} is on`);
  expect(suite.emulator.objects().length).toBe(before);
  expect(await stack.resources()).toEqual([]);
});
