/**
 * The registry-driven lifecycle under the real Pulumi engine: every registered resource in one stack, each step
 * applied to all of them at once, each CLI run proving several things (so the run stays within minutes): a fresh
 * preview without one API call → create (secrets encrypted) → the updatable inputs changed together, rotations
 * among them, with exactly their writes → the replace inputs, a unique value kept deleting first → refresh without
 * drift → edits and a primary database deleted outside Pulumi, shown by refresh and put back → out-of-band deletes
 * → recreate → destroy; then adoption and a destroy the API refuses. Every preview before an up names exactly what
 * the up then does and writes nothing, every up is followed by a preview of no changes, and after every step the
 * CLI's output (and the exported state, when the step wrote it) is searched for secrets in plain text. Driven by
 * fixtures/resources.ts; a registered resource without a fixture fails here.
 */
import * as path from "node:path";
import { fieldsWith } from "../../provider/engine/spec";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import { type Args, type Parents, SECRET_VALUES } from "../../fixtures/resources";
import {
  call,
  changeRounds,
  coverageProblems,
  createParents,
  driftField,
  expectedRoundWrites,
  fixtureFor,
  removeOutOfBand,
  sortWrites,
  writesTo,
} from "../../fixtures/scenario";
import {
  expectNoPlaintext,
  isSecretValue,
  resourcesIn,
  realEngineSuite,
  type StateEntry,
  type StepResult,
  type TestStack,
  writesIn,
} from "./harness";

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
/** What the last step left, by resource name: outputs (secrets shown) and state entries as exported (secrets encrypted). */
const latest = { outputs: {} as Outputs, state: {} as Record<string, StateEntry> };

/** Secrets that must never be readable: the API key, passwords, webhook secrets, and every secret output seen. */
const secrets: Record<string, string> = { ...SECRET_VALUES };

const valueAt = (object: unknown, dotted: string) =>
  dotted.split(".").reduce<unknown>((node, key) => (node as Args | undefined)?.[key], object);
/** Output paths stored as secrets: the spec's secret outputs and the write-only inputs it keeps. */
const secretPaths = (name: string) => [...fieldsWith(RESOURCE_SPECS[name], "secret"), ...fieldsWith(RESOURCE_SPECS[name], "writeOnly")];
const oneTimeSecrets = (name: string) => fieldsWith(RESOURCE_SPECS[name], "oneTime").filter((key) => secretPaths(name).includes(key));

/** Adds every secret output's value to `secrets` (and a URL's password on its own: a connection string's). */
function rememberSecrets(name: string, outputs: Args) {
  for (const key of secretPaths(name)) {
    const value = valueAt(outputs, key);
    if (typeof value !== "string" || value === "") continue;
    secrets[`${name}.${key} ${value.slice(0, 8)}`] = value;
    const password = URL.canParse(value) ? decodeURIComponent(new URL(value).password) : "";
    if (password) secrets[`${name}.${key} password ${password.slice(0, 4)}`] = password;
  }
}

/** Whether the value at a dotted output path is stored encrypted (itself, or an object holding it). */
function encryptedAt(entry: StateEntry | undefined, dotted: string): boolean {
  let node: unknown = entry?.outputs;
  for (const key of dotted.split(".")) {
    if (isSecretValue(node)) return true;
    node = (node as Args | undefined)?.[key];
  }
  return isSecretValue(node);
}

/** Each resource's secret outputs that have a value but are stored in plain text (none, or it leaks). */
const plainSecrets = () =>
  Object.fromEntries(
    NAMES.map((name) => [
      name,
      secretPaths(name).filter((key) => valueAt(latest.outputs[name], key) !== undefined && !encryptedAt(latest.state[name], key)),
    ]),
  );
const noneFor = (names: string[]) => Object.fromEntries(names.map((name) => [name, []]));

async function step(name: string, run: () => Promise<StepResult>): Promise<StepResult> {
  const result = await run();
  timings.push(`${name}: ${result.ms} ms`);
  const all = await stack.outputs();
  latest.outputs = Object.fromEntries(Object.entries(all).map(([key, output]) => [key, output.value as Args & { id: string }]));
  for (const name of NAMES.filter((key) => latest.outputs[key])) rememberSecrets(name, latest.outputs[name]);
  const exported = await stack.exportText();
  expectNoPlaintext({ "stack export": exported, "CLI output": result.output }, secrets);
  latest.state = Object.fromEntries(resourcesIn(exported).map((entry) => [entry.urn.split("::").pop()!, entry]));
  return result;
}

/** A preview writes no state: only what it printed is searched for secrets (the state was, after the step before). */
async function previewStep(name: string): Promise<StepResult> {
  const result = await stack.preview();
  timings.push(`${name}: ${result.ms} ms`);
  expectNoPlaintext({ "CLI output": result.output }, secrets);
  return result;
}

const opsOf = (result: StepResult, op: string) => NAMES.filter((name) => result.ops[name] === op);

/** A preview, then the up: the preview names exactly the operations the up then does, and writes nothing. */
async function previewThenUp(label: string): Promise<StepResult> {
  suite.emulator.clearRequests();
  const preview = await previewStep(`preview (${label})`);
  expect(writesIn(suite.emulator.requests)).toEqual([]);
  suite.emulator.clearRequests();
  const up = await step(`up (${label})`, () => stack.up());
  expect(preview.ops).toEqual(up.ops);
  return up;
}

/** A preview of the program as it stands: no changes for any resource, and no write. */
async function expectNoChanges(label: string) {
  suite.emulator.clearRequests();
  const preview = await previewStep(`preview (${label})`);
  expect(opsOf(preview, "same")).toEqual(NAMES);
  expect(writesIn(suite.emulator.requests)).toEqual([]);
}

/** Whether the object is gone from the API as its resource reads it (a revoked credential is still listed). */
function goneFromApi(name: string, id: string, outputs: Args): boolean {
  const object = suite.emulator.get(...fixtures[name].stored(id, outputs));
  return object === undefined || RESOURCE_SPECS[name].read?.isGone?.(object) === true;
}
/** Upserts keyed by their path (cache rule, spend limit, default policy) keep their id; the rest get new ones. */
const upsert = (name: string) => RESOURCE_SPECS[name].create?.id !== undefined;

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
  expect(Object.fromEntries(NAMES.map((name) => [name, coverageProblems(RESOURCE_SPECS[name], fixtures[name])]))).toEqual(noneFor(NAMES));
});

it("a fresh preview calls no API and shows the creates the up then does; secrets are encrypted; then no changes", async () => {
  await program();
  suite.emulator.clearRequests();
  const preview = await previewStep("preview (fresh)");
  expect(suite.emulator.requests).toEqual([]);
  const up = await step("up (create all)", () => stack.up());
  expect(opsOf(up, "create")).toEqual(NAMES);
  expect(preview.ops).toEqual(up.ops);
  expect(suite.emulator.validationFailures).toEqual([]);

  expect(plainSecrets()).toEqual(noneFor(NAMES));
  const missingOneTime = NAMES.flatMap((name) =>
    oneTimeSecrets(name)
      .filter((key) => typeof latest.outputs[name][key] !== "string" || latest.outputs[name][key] === "")
      .map((key) => `${name}.${key}`),
  );
  expect(missingOneTime).toEqual([]);
  // From the installed package, each stored provider is one require of the shared methods plus the type's name.
  for (const [name, entry] of Object.entries(latest.state)) {
    for (const stored of [entry.inputs?.__provider, entry.outputs?.__provider]) {
      const text = String(stored);
      expect([name, text]).toEqual([
        name,
        expect.stringContaining('Object.create(require("pulumi-pgbeam/dist/provider/engine/provider-methods.js"))'),
      ]);
      expect([name, text]).toEqual([name, expect.stringContaining(`.resourceName = "${name}";`)]);
      expect([name, text.length < 500]).toEqual([name, true]);
    }
  }
  const bytes = JSON.stringify(Object.values(latest.state)).length;
  timings.push(`state: ${NAMES.length} resources, ${bytes} bytes, ${Math.round(bytes / NAMES.length)} bytes/resource`);

  await expectNoChanges("unchanged");
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
it("updatable inputs changed together update in place with exactly their writes; a rotation keeps the id, new secrets", async () => {
  const putStates = Object.fromEntries(NAMES.map((name) => [name, { ...fixtures[name].putBody?.(parents) }]));
  const rounds = roundsOf((name) =>
    Object.fromEntries(Object.entries(fixtures[name].updates).map(([field, update]) => [field, update.change])),
  );
  const rotated: string[] = [];
  for (const [index, round] of rounds.entries()) {
    const before = latest.outputs;
    for (const [name, fields] of Object.entries(round)) {
      for (const field of fields) args[name] = { ...args[name], ...fixtures[name].updates[field].change(parents) };
    }
    await program();
    const up = await previewThenUp(`update round ${index + 1}: ${describeRound(round)}`);
    expect(Object.keys(round).map((name) => [name, up.ops[name]])).toEqual(Object.keys(round).map((name) => [name, "update"]));
    const after = latest.outputs;
    const itemPaths = Object.keys(round).map((name) => RESOURCE_SPECS[name].itemPath(after[name], after[name].id));
    expect(
      writesIn(suite.emulator.requests).filter((r) => !itemPaths.some((item) => r.path === item || r.path.startsWith(`${item}/`))),
    ).toEqual([]);
    for (const [name, fields] of Object.entries(round)) {
      const writes = sortWrites(writesTo(suite.emulator.requests, RESOURCE_SPECS[name].itemPath(after[name], after[name].id)));
      expect([name, fields, writes]).toEqual([name, fields, expectedRoundWrites(fixtures[name], fields, parents, putStates[name])]);
      expect([name, after[name].id]).toEqual([name, before[name].id]);
      // A rotation (the action's trigger changed): every one-time secret is new, and still encrypted.
      const trigger = RESOURCE_SPECS[name].action?.trigger;
      if (!trigger || !fields.includes(trigger) || oneTimeSecrets(name).length === 0) continue;
      rotated.push(name);
      const unchanged = oneTimeSecrets(name).filter((key) => after[name][key] === before[name][key] || !after[name][key]);
      expect([name, unchanged]).toEqual([name, []]);
    }
    expect(plainSecrets()).toEqual(noneFor(NAMES));
    await expectNoChanges(`after update round ${index + 1}`);
  }
  expect(rotated.length).toBeGreaterThan(0);
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("replace inputs changed together replace (a new object, the old one gone; a kept unique value deletes first), then no changes", async () => {
  // A round's changes apply to the arguments the updates left; a resource sitting a round out keeps its last ones.
  const overrides: Record<string, Args> = {};
  const rounds = roundsOf((name) => fixtures[name].replaces);
  for (const [index, round] of rounds.entries()) {
    const before = latest.outputs;
    for (const [name, fields] of Object.entries(round))
      overrides[name] = Object.assign({}, ...fields.map((field) => fixtures[name].replaces[field](parents)));
    await program(overrides);
    const up = await previewThenUp(`replace round ${index + 1}: ${describeRound(round)}`);
    const replaced = Object.keys(round);
    expect(opsOf(up, "replace")).toEqual(replaced);
    const after = latest.outputs;
    const renewed = replaced.filter((name) => !upsert(name));
    expect(renewed.filter((name) => after[name].id === before[name].id)).toEqual([]);
    expect(renewed.filter((name) => !goneFromApi(name, before[name].id, before[name]))).toEqual([]);
    // A unique value (a project's name) the replacement keeps would meet the old object: the old one is deleted first.
    const stepIndex = (name: string, op: string) => up.steps.findIndex(([resource, kind]) => resource === name && kind === op);
    const deletesFirst = replaced.filter((name) => fieldsWith(RESOURCE_SPECS[name], "unique").length > 0);
    const deletedFirst = (name: string) =>
      stepIndex(name, "delete-replaced") >= 0 && stepIndex(name, "delete-replaced") < stepIndex(name, "create-replacement");
    expect(deletesFirst.filter((name) => !deletedFirst(name))).toEqual([]);
    // And the API saw them in that order: the call that removed the old object before the one that made the new one.
    const writes = suite.emulator.requests.filter((request) => request.method !== "GET" && request.status > 0 && request.status < 300);
    // The old object's last write is its removal (earlier rounds may have updated it).
    const removal = (name: string) => writes.map((request) => request.path.includes(String(before[name].id))).lastIndexOf(true);
    const making = (name: string) =>
      writes.findIndex(
        (request) =>
          !request.path.includes(String(after[name].id)) && JSON.stringify(request.response ?? null).includes(String(after[name].id)),
      );
    expect(deletesFirst.filter((name) => !(removal(name) >= 0 && removal(name) < making(name)))).toEqual([]);
  }
  for (const name of NAMES) args[name] = { ...args[name], ...overrides[name] };
  await expectNoChanges("after replaces");
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("a refresh without drift changes nothing and keeps the one-time secrets, still encrypted", async () => {
  const before = latest.outputs;
  const refresh = await step("refresh (no drift)", () => stack.refresh());
  expect([refresh.summary.update ?? 0, refresh.summary.delete ?? 0]).toEqual([0, 0]);
  const changed = NAMES.flatMap((name) =>
    oneTimeSecrets(name)
      .filter((key) => latest.outputs[name][key] !== before[name][key])
      .map((key) => `${name}.${key}`),
  );
  expect(changed).toEqual([]);
  expect(plainSecrets()).toEqual(noneFor(NAMES));
  await expectNoChanges("after refresh");
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

it("edits and a primary database deleted outside Pulumi show on refresh and in the diff; the next up puts the program back", async () => {
  const before = latest.outputs;
  // Every resource with an input the API stores gets one edited (fixtures' `drift`); the project also loses its primary database.
  const drifted = NAMES.filter((name) => fixtures[name].drift);
  for (const name of drifted) {
    const stored = fixtures[name].stored(before[name].id, before[name]);
    suite.emulator.patch(...stored, { [driftField(fixtures[name], parents)]: fixtures[name].drift!.value(parents) });
  }
  suite.emulator.remove("database", before.Project.primaryDatabaseId as string);
  const refresh = await step("refresh (edited outside Pulumi)", () => stack.refresh());
  expect(refresh.summary.update).toBe(drifted.length);

  suite.emulator.clearRequests();
  const preview = await previewStep("preview (edited outside Pulumi)");
  expect(writesIn(suite.emulator.requests)).toEqual([]);
  expect(opsOf(preview, "update")).toEqual(drifted);
  // `--diff` shows each edit against the program's value, and no removal of what the server fills and the program leaves out.
  const diffLine = (name: string) => {
    const { input, value } = fixtures[name].drift!;
    return new RegExp(`~ ${input}\\s*: ${escaped(JSON.stringify(value(parents)))} => ${escaped(JSON.stringify(args[name][input]))}`);
  };
  expect(drifted.filter((name) => !diffLine(name).test(preview.output))).toEqual([]);
  expect(preview.output).not.toMatch(/^\s*- \w+\s*:/m);

  const up = await step("up (put back)", () => stack.up());
  expect(up.ops).toEqual(preview.ops);
  const after = latest.outputs;
  const notBack = drifted.filter((name) => {
    const object = suite.emulator.get(...fixtures[name].stored(after[name].id, after[name]));
    return object?.[driftField(fixtures[name], parents)] !== args[name][fixtures[name].drift!.input];
  });
  expect(notBack).toEqual([]);
  // The primary database is registered again in place: nothing is replaced.
  expect(after.Project.id).toBe(before.Project.id);
  expect(suite.emulator.get("database", after.Project.primaryDatabaseId as string)).toMatchObject({
    role: "primary",
    project_id: before.Project.id,
  });
  await expectNoChanges("after putting back");
});

it("two SpendLimits for one organization fail in preview", async () => {
  const resources = Object.fromEntries(NAMES.map((name) => [name, { type: name, args: args[name] }]));
  const orgId = args.SpendLimit.orgId as string;
  await stack.setResources({ ...resources, SecondSpendLimit: { type: "SpendLimit", args: { orgId, spendLimit: 5 } } });
  const failure = await previewStep("preview (two SpendLimits)").then(
    () => undefined,
    (error: Error) => error,
  );
  expect(String(failure)).toContain(`SpendLimit "SecondSpendLimit" and "SpendLimit" both manage the one SpendLimit of orgId "${orgId}"`);
  await program();
});

it("out-of-band deletes are gone after refresh; the next up recreates them; destroy removes everything", async () => {
  const before = latest.outputs;
  for (const name of NAMES) removeOutOfBand(suite.emulator, fixtures[name], before[name].id, before[name]);
  const refresh = await step("refresh (all deleted out of band)", () => stack.refresh());
  expect(refresh.summary.delete).toBe(NAMES.length);
  expect(latest.state).toEqual({});

  // What the API needs for a create is there again (a cache rule's query shape is seen by the proxy again).
  for (const name of NAMES) fixtures[name].prepare?.(suite.emulator, parents);
  const up = await step("up (recreate all)", () => stack.up());
  expect(opsOf(up, "create")).toEqual(NAMES);
  await expectNoChanges("after recreate");

  const created = latest.outputs;
  const destroy = await step("destroy", () => stack.destroy());
  expect(opsOf(destroy, "delete")).toEqual(NAMES);
  expect(latest.state).toEqual({});
  const left = NAMES.filter((name) => !upsert(name) && !goneFromApi(name, created[name].id, created[name]));
  expect(left).toEqual([]);
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("adopts a console-made object only by explicit adoptId, reads one with get without changing it; a destroy the API refuses deletes nothing", async () => {
  const consoleMade = (await call(suite.emulator, "POST", `/v1/projects/${parents.projectId}/policies`, {
    name: "made-in-console",
    max_rows: 10,
  })) as { id: string };
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
  expect([latest.outputs.adopted.id, latest.outputs.existing.name]).toEqual([consoleMade.id, "lifecycle-other-parent"]);
  const preview = await previewStep("preview (after adopt)");
  expect(preview.ops.adopted).toBe("same");
  expect(["same", "read"]).toContain(preview.ops.existing); // a read resource is read again on every run, never changed

  // A credential made outside the stack still uses the policy: the API refuses its delete, and the error names it.
  const outsider = (
    await call(suite.emulator, "POST", `/v1/projects/${parents.projectId}/agents`, {
      name: "someone-elses-bot",
      policy_profile_id: consoleMade.id,
    })
  ).credential as { id: string };
  const failure = await stack.destroy().then(
    () => undefined,
    (error: Error) => error,
  );
  expect(String(failure)).toContain(
    `cannot delete policy profile ${consoleMade.id}: agent credentials still use it: someone-elses-bot (${outsider.id})`,
  );
  expect(suite.emulator.get("policy", consoleMade.id)).toBeDefined();
  expect((await stack.resources()).map((r) => r.urn.split("::").pop())).toContain("adopted");
  suite.emulator.remove("agent", outsider.id);

  await step("destroy (adopted + read)", () => stack.destroy());
  expect(suite.emulator.get("policy", consoleMade.id)).toBeUndefined(); // managed once adopted
  expect(suite.emulator.get("project", parents.otherProjectId)).toBeDefined(); // read with get: never deleted
});
