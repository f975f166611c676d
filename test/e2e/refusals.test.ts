/**
 * The API's refusals under the real engine, against an organization already at its Starter limits:
 * - every plan refusal the emulator enforces, in one program (plus one organization the key cannot reach): `up`
 *   fails and shows every message, the plan's where the plan refuses, the access problem otherwise;
 * - the corpus of programs the emulator refuses at `up` that a read can predict, each run as `preview` (with
 *   `pgbeam:predictRefusals`) then `up`: how many the preview catches, and the calls each preview made.
 */
import * as path from "node:path";
import { call } from "../../fixtures/scenario";
import { realEngineSuite, type TestStack } from "./harness";

jest.setTimeout(15 * 60_000);

const STARTER = "org_plan_starter";
/** A Pro organization with room for one more project, and an old console-made project named "legacy". */
const PRO = "org_plan_pro";
const UNREACHABLE = "org_plan_unreachable";
/** The stack's key: scoped to the Starter organization, so the other one is out of its reach. */
const SCOPED_KEY = "pbo_plan_limits_Hq3Zt8";
const PASSWORD = "pw-plan-limits-Vd52";
const shape = (n: number) => `feedc0de000000${String(n).padStart(2, "0")}`;

const suite = realEngineSuite({}, (emulator) => {
  emulator.addOrganization(STARTER, { plan: "starter" });
  emulator.addOrganization(UNREACHABLE, { plan: "scale" });
  emulator.addOrganization(PRO, { plan: "pro", limits: { max_projects: 2 } });
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
  for (const name of ["bot-1", "bot-2", "bot-3"])
    await call(emulator, "POST", `/v1/projects/${projectId}/agents`, { name, policy_profile_id: policyId });
  for (let n = 1; n <= 11; n++) emulator.observeQuery(projectId, databaseId, shape(n));
  for (let n = 1; n <= 10; n++)
    await call(emulator, "PUT", `/v1/projects/${projectId}/databases/${databaseId}/cache-rules/${shape(n)}`, { cache_enabled: true });
  // Made in the console last week, outside any stack.
  const legacy = await call(emulator, "POST", "/v1/projects", { name: "legacy", org_id: PRO, database });
  emulator.patch("project", (legacy.project as { id: string }).id, { created_at: "2026-11-20T09:00:00Z" });
  emulator.patch("policy", policyId, { created_at: "2026-11-20T09:00:00Z" });
  return { projectId, databaseId, policyId, legacyId: (legacy.project as { id: string }).id };
}

/** One resource per refusal, by the refusal it meets. */
const database = { host: "db2.internal", port: 5432, name: "app", username: "app", password: "env:PASSWORD" };

function overTheLimits(full: { projectId: string; databaseId: string; policyId: string }) {
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

/** Programs the emulator refuses at `up` that a read can predict, each with what its preview must say. */
function corpus(): { name: string; resources: Record<string, { type: string; args: unknown }>; key?: string; predicted: string }[] {
  const plan = overTheLimits(full);
  const one = (name: keyof typeof plan) => ({ [name]: plan[name] });
  return [
    {
      name: "max_projects",
      resources: one("maxProjects"),
      predicted: "its limit of active projects is 1 (limits.max_projects), with 1 in use",
    },
    {
      name: "max_databases",
      resources: one("maxDatabases"),
      predicted: "its limit of databases per project is 1 (limits.max_databases), with 1 in use",
    },
    {
      name: "max_agent_credentials",
      resources: one("maxAgentCredentials"),
      predicted: "its limit of agent credentials is 3 (limits.max_agent_credentials), with 3 in use",
    },
    {
      name: "max_query_shapes",
      resources: one("maxQueryShapes"),
      predicted: "its limit of cached query shapes per database is 10 (limits.max_query_shapes), with 10 in use",
    },
    {
      name: "max_projects, two creates in one run",
      resources: {
        first: { type: "Project", args: { name: "first", orgId: PRO, database } },
        second: { type: "Project", args: { name: "second", orgId: PRO, database } },
      },
      predicted: "its limit of active projects is 2 (limits.max_projects), with 1 in use, and this run creates 1 more before this one",
    },
    { name: "custom domains (entitlement)", resources: one("customDomain"), predicted: "custom domains need the Scale or Enterprise plan" },
    {
      name: "self-host enrollment (entitlement)",
      resources: one("selfHost"),
      predicted: "self-hosted proxies need the Scale or Enterprise plan",
    },
    {
      name: "self-hosted project (entitlement)",
      resources: { selfHosted: { type: "Project", args: { name: "byoc", orgId: PRO, selfHosted: true, database } } },
      predicted: "self-hosted projects need the Scale or Enterprise plan",
    },
    {
      name: "organization the key cannot reach",
      resources: one("unreachableOrg"),
      key: SCOPED_KEY,
      predicted: `this API key cannot read organization ${UNREACHABLE}`,
    },
    {
      name: "parent project that does not exist",
      resources: { orphan: { type: "Database", args: { projectId: "prj_deleted_last_week", ...database } } },
      predicted: 'projectId "prj_deleted_last_week" does not exist',
    },
    {
      name: "policy profile that does not exist",
      resources: { unbound: { type: "AgentCredential", args: { projectId: full.projectId, policyProfileId: "pol_typo", name: "bot-x" } } },
      predicted: 'policyProfileId "pol_typo" does not exist',
    },
    {
      name: "cache rule for a query shape never seen",
      resources: { unseen: { type: "CacheRule", args: { projectId: full.projectId, databaseId: full.databaseId, queryHash: shape(99) } } },
      predicted: `queryHash "${shape(99)}" is not in /v1/projects/${full.projectId}/databases/${full.databaseId}/cache-rules`,
    },
    {
      name: "project name taken outside the stack",
      resources: { legacy: { type: "Project", args: { name: "legacy", orgId: PRO, database } } },
      predicted: `a Project with orgId "${PRO}", name "legacy" already exists (${full.legacyId})`,
    },
    {
      name: "policy profile name taken outside the stack",
      resources: { agents: { type: "PolicyProfile", args: { projectId: full.projectId, name: "agents" } } },
      predicted: `a PolicyProfile with name "agents" already exists (${full.policyId})`,
    },
  ];
}

it("the preview predicts every refusal of the corpus that `up` then meets, with bounded reads", async () => {
  // Two stacks of the same program, so no run changes config: one previews with predictions, one runs `up` without.
  const predicting = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD }, predictRefusals: true });
  const applying = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD } });
  const rows: string[] = [];
  const missed: string[] = [];
  let key = suite.emulator.apiKey;
  try {
    for (const entry of corpus()) {
      if ((entry.key ?? suite.emulator.apiKey) !== key) {
        key = entry.key ?? suite.emulator.apiKey;
        for (const target of [predicting, applying]) await target.stack.setConfig("pgbeam:apiKey", { value: key, secret: true });
      }
      await predicting.setResources(entry.resources as never);
      await applying.setResources(entry.resources as never);
      suite.emulator.clearRequests();
      const preview = await predicting.cli(["preview"]);
      const calls = suite.emulator.requests.map((r) => `${r.method} ${r.path}`);
      const caught = preview.code !== 0 && preview.output.replace(/\s+/g, " ").includes(entry.predicted);
      if (!caught)
        missed.push(`${entry.name}:
${preview.output}`);
      expect(calls.filter((c) => !c.startsWith("GET "))).toEqual([]);
      // Without predictions, the API itself must refuse (a 4xx on a write), or the program is no refusal at all.
      suite.emulator.clearRequests();
      const up = await applying.cli(["up", "--yes", "--skip-preview"]);
      const refused = up.code !== 0 && suite.emulator.requests.some((r) => r.method !== "GET" && r.status >= 400 && r.status < 500);
      // What the up did create (the first of two creates that fit) goes again, so each program meets the account as seeded.
      if ((await applying.resources()).length > 0) expect((await applying.cli(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
      rows.push(`${entry.name.padEnd(40)} preview ${caught ? "caught" : "MISSED"}, ${calls.length} read(s); up refused: ${refused}`);
      expect({ entry: entry.name, refused }).toEqual({ entry: entry.name, refused: true });
    }
  } finally {
    console.log(`refusal corpus (${rows.length} programs):\n  ${rows.join("\n  ")}`);
    await Promise.all([predicting.cleanup(), applying.cleanup()]);
  }
  expect(missed).toEqual([]);
});

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
