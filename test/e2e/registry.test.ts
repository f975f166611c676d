/**
 * The registry-driven lifecycle under the real Pulumi engine: every registered resource in one stack, each step
 * applied to all of them at once (so the run stays within minutes): create → no-change preview → the updatable
 * inputs changed together, with exactly their writes, and a no-change preview → the replace inputs → refresh →
 * out-of-band delete → refresh → recreate → destroy. Driven by fixtures/resources.ts; a registered
 * resource without a fixture fails here.
 */
import * as path from "node:path";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import { type Args, type Parents, SECRET_VALUES } from "../../fixtures/resources";
import {
  changeRounds,
  coverageProblems,
  createParents,
  expectedRoundWrites,
  fixtureFor,
  sortWrites,
  writesTo,
} from "../../fixtures/scenario";
import { expectNoPlaintext, realEngineSuite, type StepResult, type TestStack } from "./harness";

jest.setTimeout(20 * 60_000);

const NAMES = Object.keys(RESOURCE_SPECS);
const fixtures = Object.fromEntries(NAMES.map((name) => [name, fixtureFor(name)]));

const suite = realEngineSuite();
let parents: Parents;
let stack: TestStack;
const timings: string[] = [];
/** Each resource's program arguments as the steps have changed them so far. */
const args: Record<string, Args> = {};

async function program(overrides: Record<string, Args> = {}) {
  await stack.setResources(Object.fromEntries(NAMES.map((name) => [name, { type: name, args: { ...args[name], ...overrides[name] } }])));
}

type Outputs = Record<string, Args & { id: string }>;
async function outputs(): Promise<Outputs> {
  const all = await stack.outputs();
  return Object.fromEntries(NAMES.map((name) => [name, all[name].value as Args & { id: string }]));
}

/** Secrets that must never be readable: the API key, passwords, webhook secrets, every enrollment token seen. */
const secrets: Record<string, string> = { ...SECRET_VALUES };

async function step(name: string, run: () => Promise<StepResult>): Promise<StepResult> {
  const result = await run();
  timings.push(`${name}: ${result.ms} ms`);
  const token = (await stack.outputs()).SelfHostEnrollment?.value as { token?: string } | undefined;
  if (token?.token) secrets[`enrollment token ${token.token.slice(0, 8)}`] = token.token;
  expectNoPlaintext({ "stack export": await stack.exportText(), "CLI output": result.output }, secrets);
  return result;
}

const opsOf = (result: StepResult, op: string) => NAMES.filter((name) => result.ops[name] === op);

beforeAll(async () => {
  secrets["API key"] = suite.emulator.apiKey;
  parents = await createParents(suite.emulator);
  for (const name of NAMES) args[name] = fixtures[name].args(parents);
  stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: SECRET_VALUES });
});

afterAll(async () => {
  console.log(`registry lifecycle, real engine (wall):\n  ${timings.join("\n  ")}`);
  await stack?.cleanup();
});

it("every registered resource has a fixture covering each input", () => {
  expect(Object.fromEntries(NAMES.map((name) => [name, coverageProblems(RESOURCE_SPECS[name], fixtures[name])]))).toEqual(
    Object.fromEntries(NAMES.map((name) => [name, []])),
  );
});

it("creates every resource; an unchanged program then previews as no changes", async () => {
  await program();
  const up = await step("up (create all)", () => stack.up());
  expect(opsOf(up, "create")).toEqual(NAMES);
  const preview = await step("preview (unchanged)", () => stack.preview());
  expect(opsOf(preview, "same")).toEqual(NAMES);
  expect(suite.emulator.validationFailures).toEqual([]);
});

/** Each resource's updates, or replaces, in rounds (`changeRounds`); a resource with fewer rounds sits the rest out. */
function roundsOf(changes: (name: string) => Record<string, (parents: Parents) => Args>): Record<string, string[]>[] {
  const byResource = Object.fromEntries(NAMES.map((name) => [name, changeRounds(changes(name), parents)]));
  const count = Math.max(...Object.values(byResource).map((rounds) => rounds.length));
  return Array.from({ length: count }, (_, round) =>
    Object.fromEntries(NAMES.filter((name) => byResource[name][round]).map((name) => [name, byResource[name][round]])),
  );
}

const describeRound = (round: Record<string, string[]>) =>
  Object.entries(round)
    .map(([name, fields]) => `${name}.{${fields.join(",")}}`)
    .join(" ");

// The exact writes of each input changed alone are proven by the engine-level twin (test/unit/lifecycle.test.ts);
// here every resource changes all the inputs it can at once, and the writes must be exactly their composition.
it("updatable inputs changed together are in-place updates with exactly their writes, then no changes", async () => {
  const putStates = Object.fromEntries(NAMES.map((name) => [name, { ...fixtures[name].putBody?.(parents) }]));
  const rounds = roundsOf((name) =>
    Object.fromEntries(Object.entries(fixtures[name].updates).map(([field, update]) => [field, update.change])),
  );
  for (const [index, round] of rounds.entries()) {
    for (const [name, fields] of Object.entries(round)) {
      for (const field of fields) args[name] = { ...args[name], ...fixtures[name].updates[field].change(parents) };
    }
    await program();
    suite.emulator.clearRequests();
    const up = await step(`up (update round ${index + 1}: ${describeRound(round)})`, () => stack.up());
    expect(Object.keys(round).map((name) => [name, up.ops[name]])).toEqual(Object.keys(round).map((name) => [name, "update"]));
    const after = await outputs();
    for (const [name, fields] of Object.entries(round)) {
      const writes = sortWrites(writesTo(suite.emulator.requests, RESOURCE_SPECS[name].itemPath(after[name], after[name].id)));
      expect([name, fields, writes]).toEqual([name, fields, expectedRoundWrites(fixtures[name], fields, parents, putStates[name])]);
    }
    const preview = await step(`preview (after update round ${index + 1})`, () => stack.preview());
    expect(opsOf(preview, "same")).toEqual(NAMES);
  }
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("replace inputs changed together replace (the id changes), then no changes", async () => {
  // A round's changes apply to the arguments the updates left; a resource sitting a round out keeps its last ones.
  const overrides: Record<string, Args> = {};
  const rounds = roundsOf((name) => fixtures[name].replaces);
  for (const [index, round] of rounds.entries()) {
    const before = await outputs();
    for (const [name, fields] of Object.entries(round))
      overrides[name] = Object.assign({}, ...fields.map((field) => fixtures[name].replaces[field](parents)));
    await program(overrides);
    const up = await step(`up (replace round ${index + 1}: ${describeRound(round)})`, () => stack.up());
    expect(opsOf(up, "replace")).toEqual(Object.keys(round));
    const after = await outputs();
    // Upserts keyed by their path (cache rule, spend limit, default policy) may keep their id; the rest get new ones.
    const keptId = Object.keys(round).filter((name) => RESOURCE_SPECS[name].create?.id === undefined && after[name].id === before[name].id);
    expect(keptId).toEqual([]);
  }
  for (const name of NAMES) args[name] = { ...args[name], ...overrides[name] };
  const preview = await step("preview (after replaces)", () => stack.preview());
  expect(opsOf(preview, "same")).toEqual(NAMES);
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("a refresh without drift changes nothing", async () => {
  const refresh = await step("refresh (no drift)", () => stack.refresh());
  expect([refresh.summary.update ?? 0, refresh.summary.delete ?? 0]).toEqual([0, 0]);
  const preview = await step("preview (after refresh)", () => stack.preview());
  expect(opsOf(preview, "same")).toEqual(NAMES);
});

it("a project's primary database deleted out of band is registered again in place: nothing is replaced", async () => {
  const before = await outputs();
  suite.emulator.remove("database", before.Project.primaryDatabaseId as string);
  await step("refresh (primary database gone)", () => stack.refresh());
  const preview = await step("preview (primary database gone)", () => stack.preview());
  expect(opsOf(preview, "update")).toEqual(["Project"]);
  const up = await step("up (primary database again)", () => stack.up());
  expect(opsOf(up, "update")).toEqual(["Project"]);
  const after = await outputs();
  expect(after.Project.id).toBe(before.Project.id);
  expect(suite.emulator.get("database", after.Project.primaryDatabaseId as string)).toMatchObject({
    role: "primary",
    project_id: before.Project.id,
  });
});

it("two SpendLimits for one organization fail in preview", async () => {
  const resources = Object.fromEntries(NAMES.map((name) => [name, { type: name, args: args[name] }]));
  const orgId = args.SpendLimit.orgId as string;
  await stack.setResources({ ...resources, SecondSpendLimit: { type: "SpendLimit", args: { orgId, spendLimit: 5 } } });
  const failure = await step("preview (two SpendLimits)", () => stack.preview()).then(
    () => undefined,
    (error: Error) => error,
  );
  expect(String(failure)).toContain(`SpendLimit "SecondSpendLimit" and "SpendLimit" both manage the one SpendLimit of orgId "${orgId}"`);
  await program();
});

it("out-of-band deletes are gone after refresh; the next up recreates them; destroy removes everything", async () => {
  const before = await outputs();
  for (const name of NAMES) fixtures[name].removeOutOfBand(suite.emulator, before[name].id, before[name]);
  const refresh = await step("refresh (all deleted out of band)", () => stack.refresh());
  expect(refresh.summary.delete).toBe(NAMES.length);
  expect(await stack.resources()).toEqual([]);

  // What the API needs for a create is there again (a cache rule's query shape is seen by the proxy again).
  for (const name of NAMES) fixtures[name].prepare?.(suite.emulator, parents);
  const up = await step("up (recreate all)", () => stack.up());
  expect(opsOf(up, "create")).toEqual(NAMES);
  const preview = await step("preview (after recreate)", () => stack.preview());
  expect(opsOf(preview, "same")).toEqual(NAMES);

  const destroy = await step("destroy", () => stack.destroy());
  expect(opsOf(destroy, "delete")).toEqual(NAMES);
  expect(await stack.resources()).toEqual([]);
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("adopts a console-made object only by explicit adoptId, and reads one with get without ever changing it", async () => {
  const response = await fetch(`${suite.emulator.url}/v1/projects/${parents.projectId}/policies`, {
    method: "POST",
    headers: { authorization: `Bearer ${suite.emulator.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "made-in-console", max_rows: 10 }),
  });
  const consoleMade = (await response.json()) as { id: string };
  await stack.setResources({
    adopted: {
      type: "PolicyProfile",
      args: { projectId: parents.projectId, name: "made-in-console", maxRows: 500, adoptId: consoleMade.id },
    },
    existing: { type: "Project", get: parents.otherProjectId },
  });
  suite.emulator.clearRequests();
  const up = await step("up (adopt + get)", () => stack.up());
  expect([up.ops.adopted, up.ops.existing]).toEqual(["create", "read"]);
  const writes = suite.emulator.requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path, (r.body as Args).max_rows]);
  expect(writes).toEqual([["PUT", `/v1/projects/${parents.projectId}/policies/${consoleMade.id}`, 500]]);
  const all = await stack.outputs();
  expect([(all.adopted.value as Args).id, (all.existing.value as Args).name]).toEqual([consoleMade.id, "lifecycle-other-parent"]);
  const preview = await step("preview (after adopt)", () => stack.preview());
  expect(preview.ops.adopted).toBe("same");
  expect(["same", "read"]).toContain(preview.ops.existing); // a read resource is read again on every run, never changed

  await step("destroy (adopted + read)", () => stack.destroy());
  expect(suite.emulator.get("policy", consoleMade.id)).toBeUndefined(); // managed once adopted
  expect(suite.emulator.get("project", parents.otherProjectId)).toBeDefined(); // read with get: never deleted
});
