/**
 * Lookups under the real engine: a program finds an organization by name, its plan and a project made outside
 * Pulumi, and manages a policy inside that project. The key stays out of state and out of the CLI's output.
 */
import * as path from "node:path";
import { PgBeamClient } from "../../provider/client/client";
import { type Emulator, startEmulator } from "../emulator";
import { consumerProject, expectNoPlaintext, pulumiBinDir, TestStack } from "./harness";

jest.setTimeout(10 * 60_000);

let emulator: Emulator;
let stack: TestStack;
let projectId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const client = new PgBeamClient({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  const created = await client.post<{ project: { id: string } }>("/v1/projects", {
    name: "made-in-the-console",
    org_id: emulator.orgId,
    database: { host: "console-db.internal", port: 5432, name: "app", username: "app", password: "console-pw-Vb62" },
  });
  projectId = created.project.id;
  stack = await TestStack.create({ program: path.join(__dirname, "programs/lookups"), consumer: consumerProject(), bin: pulumiBinDir(), emulator });
  const orgName = emulator.get("organization", emulator.orgId).name as string;
  await stack.stack.setConfig("lookups", { value: JSON.stringify({ orgName, projectName: "made-in-the-console" }) });
});

afterAll(async () => {
  await stack?.cleanup();
  await emulator?.stop();
});

it("an up resolves every lookup and manages a policy in the looked-up project; the key is in no state or output", async () => {
  const up = await stack.up();
  expect(up.ops).toEqual({ policy: "create" });
  const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([key, output]) => [key, output.value]));
  expect(outputs).toEqual({
    orgId: emulator.orgId,
    plan: "scale",
    maxProjects: 100,
    projectId,
    primaryDatabaseHost: "console-db.internal",
    policyProjectId: projectId,
    availableRegions: ["us-east-1", "eu-west-1"],
    planNames: ["starter", "pro", "scale"],
  });
  expect(emulator.objects("policy").map((policy) => policy.data.project_id)).toEqual([projectId]);
  expectNoPlaintext({ "stack export": await stack.exportText(), "CLI output": up.output }, { "API key": emulator.apiKey, "database password": "console-pw-Vb62" });
});

it("an unchanged program previews as no changes, lookups included", async () => {
  const preview = await stack.preview();
  expect(preview.ops).toEqual({ policy: "same" });
});

it("destroy removes only the managed policy: looked-up objects are never touched", async () => {
  emulator.clearRequests();
  await stack.destroy();
  expect(emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/[^/]+$/, ":id")}`)).toEqual([
    `DELETE /v1/projects/${projectId}/policies/:id`,
  ]);
  expect(emulator.get("project", projectId)).toBeDefined();
});
