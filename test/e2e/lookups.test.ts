/**
 * Lookups under the real engine: a program finds an organization by name, its plan and a project made outside
 * Pulumi, and manages a policy inside that project. The key stays out of state and out of the CLI's output.
 */
import * as path from "node:path";
import { PgBeamClient } from "../../provider/client/client";
import { expectNoPlaintext, realEngineSuite, type TestStack } from "./harness";

jest.setTimeout(10 * 60_000);

const suite = realEngineSuite();
let stack: TestStack;
let projectId: string;

beforeAll(async () => {
  const client = new PgBeamClient({ apiKey: suite.emulator.apiKey, baseUrl: suite.emulator.url });
  const created = await client.post<{ project: { id: string } }>("/v1/projects", {
    name: "made-in-the-console",
    org_id: suite.emulator.orgId,
    database: { host: "console-db.internal", port: 5432, name: "app", username: "app", password: "console-pw-Vb62" },
  });
  projectId = created.project.id;
  stack = await suite.stack(path.join(__dirname, "programs/lookups"));
  const orgName = suite.emulator.get("organization", suite.emulator.orgId).name as string;
  await stack.stack.setConfig("lookups", { value: JSON.stringify({ orgName, projectName: "made-in-the-console" }) });
});

afterAll(() => stack?.cleanup());

it("an up resolves every lookup and manages a policy in the looked-up project; the key is in no state or output", async () => {
  const up = await stack.up();
  expect(up.ops).toEqual({ policy: "create" });
  const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([key, output]) => [key, output.value]));
  expect(outputs).toEqual({
    orgId: suite.emulator.orgId,
    plan: "scale",
    maxProjects: 100,
    projectId,
    primaryDatabaseHost: "console-db.internal",
    policyProjectId: projectId,
    availableRegions: ["us-east-1", "eu-west-1"],
    planNames: ["starter", "pro", "scale"],
  });
  expect(suite.emulator.objects("policy").map((policy) => policy.data.project_id)).toEqual([projectId]);
  expectNoPlaintext(
    { "stack export": await stack.exportText(), "CLI output": up.output },
    { "API key": suite.emulator.apiKey, "database password": "console-pw-Vb62" },
  );
});

it("an unchanged program previews as no changes, lookups included", async () => {
  const preview = await stack.preview();
  expect(preview.ops).toEqual({ policy: "same" });
});

it("destroy removes only the managed policy: looked-up objects are never touched", async () => {
  suite.emulator.clearRequests();
  await stack.destroy();
  expect(suite.emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/[^/]+$/, ":id")}`)).toEqual([
    `DELETE /v1/projects/${projectId}/policies/:id`,
  ]);
  expect(suite.emulator.get("project", projectId)).toBeDefined();
});
