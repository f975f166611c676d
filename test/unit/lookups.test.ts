/**
 * Lookups against the emulator, called as a program calls them: key and URL from `pgbeam:` stack config (or the
 * environment), results in camelCase, clear errors before any API call.
 */
import * as pulumi from "@pulumi/pulumi";
import * as pgbeam from "../../provider";
import { type Emulator, startEmulator } from "../../emulator";

let emulator: Emulator;
let projectId: string;
let primaryDatabaseId: string;

/** What an Output resolves to (outside a deployment every value is known, so apply runs). */
const resolved = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

async function rejection(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

beforeAll(async () => {
  emulator = await startEmulator();
  pulumi.runtime.setConfig("pgbeam:apiKey", emulator.apiKey);
  pulumi.runtime.setConfig("pgbeam:baseUrl", emulator.url);
  emulator.addOrganization("org_other", { plan: "pro" });
  const client = new (await import("../../provider/client/client")).PgBeamClient({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  const created = await client.post<{ project: { id: string }; database: { id: string } }>("/v1/projects", {
    name: "existing",
    org_id: emulator.orgId,
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "lookup-pw-Qz19" },
  });
  projectId = created.project.id;
  primaryDatabaseId = created.database.id;
  await client.post(`/v1/projects/${projectId}/databases`, {
    host: "replica.internal",
    port: 5432,
    name: "app",
    username: "ro",
    password: "pw-2",
    role: "replica",
  });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.clearRequests());

it("getRegions and getPlans: the API's lists in camelCase", async () => {
  const { regions } = await pgbeam.getRegions();
  expect(regions).toContainEqual(expect.objectContaining({ id: "us-east-1", provider: "aws", available: true }));
  const { plans } = await pgbeam.getPlans();
  expect(plans.map((plan) => plan.name)).toEqual(["starter", "pro", "scale"]);
  expect(plans[1]).toEqual(
    expect.objectContaining({ monthlyPrice: 49, limits: expect.objectContaining({ maxProjects: 10, maxAgentCredentials: 25 }) }),
  );
  expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/regions", "GET /v1/plans"]);
});

it("getOrganizations, and one organization by id or by name", async () => {
  const { organizations } = await pgbeam.getOrganizations();
  expect(organizations.map((o) => o.id).sort()).toEqual([emulator.orgId, "org_other"].sort());
  const other = organizations.find((o) => o.id === "org_other")!;
  expect(await pgbeam.getOrganization({ id: "org_other" })).toEqual(other);
  expect(await pgbeam.getOrganization({ name: other.name })).toEqual(other);
  expect(await rejection(pgbeam.getOrganization({ name: "nope" }))).toMatch(
    /^pgbeam\.getOrganization: no organization is named "nope" \(found: ".+", ".+"\)$/,
  );
  expect(await rejection(pgbeam.getOrganization({ id: "org_missing" }))).toBe(
    "pgbeam.getOrganization: organization org_missing does not exist or the API key cannot access it",
  );
});

it("argument errors name the field and come before any API call", async () => {
  expect(await rejection(pgbeam.getOrganization({}))).toBe("pgbeam.getOrganization: give exactly one of id and name");
  expect(await rejection(pgbeam.getOrganization({ id: "a", name: "b" }))).toBe("pgbeam.getOrganization: give exactly one of id and name");
  expect(await rejection(pgbeam.getOrganizationPlan({ orgId: "" }))).toBe(
    'pgbeam.getOrganizationPlan: orgId must be a non-empty string, got ""',
  );
  expect(await rejection(pgbeam.getProject({ id: "prj_1", name: "x" }))).toBe("pgbeam.getProject: give either id, or orgId and name");
  expect(await rejection(pgbeam.getProject({ name: "x" }))).toBe("pgbeam.getProject: orgId must be a non-empty string, got undefined");
  expect(emulator.requests).toEqual([]);
});

it("getOrganizationPlan: plan, limits and spend limit", async () => {
  const plan = await pgbeam.getOrganizationPlan({ orgId: "org_other" });
  expect(plan).toEqual(expect.objectContaining({ orgId: "org_other", plan: "pro", limits: expect.objectContaining({ maxProjects: 10 }) }));
});

it("getProject by id and by name within an org, with its primary database and never a password", async () => {
  const byId = await pgbeam.getProject({ id: projectId });
  expect(byId).toEqual(expect.objectContaining({ id: projectId, name: "existing", orgId: emulator.orgId, proxyHost: expect.any(String) }));
  expect(byId.primaryDatabase).toEqual(
    expect.objectContaining({
      id: primaryDatabaseId,
      host: "db.internal",
      poolConfig: expect.objectContaining({ poolMode: "transaction" }),
    }),
  );
  expect(JSON.stringify(byId)).not.toContain("lookup-pw-Qz19");
  expect(await pgbeam.getProject({ orgId: emulator.orgId, name: "existing" })).toEqual(byId);
  expect(await rejection(pgbeam.getProject({ orgId: emulator.orgId, name: "absent" }))).toBe(
    `pgbeam.getProject: no project in organization ${emulator.orgId} is named "absent" (found: "existing")`,
  );
  expect(await rejection(pgbeam.getProject({ id: "prj_absent" }))).toBe(
    "pgbeam.getProject: project prj_absent does not exist or the API key cannot access it",
  );
  const absent = await pgbeam.getProject({ id: "prj_absent" }).catch((error: Error) => error);
  expect((absent as Error).cause).toMatchObject({ name: "PgBeamApiError", status: 404 });
});

it("Output forms take Inputs and resolve to the same results", async () => {
  const orgId = pulumi.output(Promise.resolve(emulator.orgId));
  const project = await resolved(pgbeam.getProjectOutput({ orgId, name: pulumi.output("existing") }));
  expect(project.id).toBe(projectId);
  expect((await resolved(pgbeam.getOrganizationPlanOutput({ orgId }))).plan).toBe("scale");
  expect((await resolved(pgbeam.getOrganizationOutput({ id: orgId }))).id).toBe(emulator.orgId);
  expect((await resolved(pgbeam.getRegionsOutput())).regions.length).toBeGreaterThan(0);
  expect((await resolved(pgbeam.getPlansOutput())).plans.length).toBe(3);
  expect((await resolved(pgbeam.getOrganizationsOutput())).organizations.length).toBe(2);
});

it("the key comes from pgbeam:apiKey before the environment; without either, a clear error", async () => {
  process.env.PGBEAM_API_KEY = "pbu_wrong_key_from_the_environment";
  try {
    await pgbeam.getRegions();
    expect(emulator.requests[0].headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
    pulumi.runtime.setConfig("pgbeam:apiKey", "");
    expect(await rejection(pgbeam.getRegions())).toMatch(/401/);
  } finally {
    pulumi.runtime.setConfig("pgbeam:apiKey", emulator.apiKey);
    delete process.env.PGBEAM_API_KEY;
  }
  pulumi.runtime.setConfig("pgbeam:apiKey", "");
  try {
    expect(await rejection(pgbeam.getRegions())).toMatch(/^PgBeam API key is not configured/);
  } finally {
    pulumi.runtime.setConfig("pgbeam:apiKey", emulator.apiKey);
  }
});
