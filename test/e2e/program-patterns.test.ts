/**
 * Program patterns under the real engine, for every registered resource (driven by the registry and the lifecycle
 * fixtures): components, URN changes that must not touch the object (aliases, stack rename, state move), the
 * resource options of the pinned SDK, and values from elsewhere (StackReference, config secrets, unknowns).
 *
 * Each pattern is a slot: one instance of every resource, with parents of its own (its own organizations and
 * projects, so singletons and unique names never meet). All slots are in one program, so each phase is one CLI
 * run; the program is test/e2e/programs/patterns. The matrix (pattern × resource) is printed at the end and kept
 * in docs/program-patterns.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Emulator } from "../../emulator";
import * as pgbeam from "../../provider";
import { fieldsWith } from "../../provider/engine/spec";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import { type Args, type Parents, SECRET_VALUES } from "../../fixtures/resources";
import { createParents, fixtureFor, resolveSecrets, writesTo } from "../../fixtures/scenario";
import { expectNoPlaintext, FINAL_STATE_ONLY, isSecretValue, realEngineSuite, type StepResult, type TestStack, writesIn } from "./harness";

jest.setTimeout(40 * 60_000);

const TYPES = Object.keys(RESOURCE_SPECS);
const PROGRAM = path.join(__dirname, "programs/patterns");

type Phase = "create" | "change" | "remove";
interface Entry {
  name: string;
  type: string;
  args: Args;
  opts?: Args;
}
interface Component {
  name: string;
  parent?: string;
  outputs?: Args;
  provider?: boolean;
  providers?: boolean;
}

/** One instance of every resource under one pattern; `entry` says how it looks in each phase (undefined: absent). */
interface Slot {
  id: string;
  components?: Component[];
  /** Whether the pattern applies to the resource, and if not, why. */
  applies?(type: string): true | string;
  entry(type: string, phase: Phase, base: Args): Entry | undefined;
}

const suite = realEngineSuite();
const parents: Record<string, Parents> = {};
const timings: string[] = [];
/** `pulumi stack export` (secrets encrypted) after each step, by step name: the leak check's, read again by later checks. */
const exported: Record<string, string> = {};
const secrets: Record<string, string> = { ...SECRET_VALUES };
/** pattern → resource → "pass", "FAIL: why" or "n/a: why". */
const matrix: Record<string, Record<string, string>> = {};
let stack: TestStack;

const fixtureChange = (change: (p: Parents) => Args, slot: string) => localize(slot, change(parents[slot])) as Args;
/** Names and domains made unique per slot: "lifecycle-project" → "lifecycle-rename-project". */
function localize(slot: string, value: unknown): unknown {
  if (typeof value === "string") return value.replace("lifecycle", `lifecycle-${slot}`);
  if (Array.isArray(value)) return value.map((item) => localize(slot, item));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localize(slot, v)]));
  return value;
}
const nameOf = (slot: string, type: string) => `${slot}-${type}`;

/** The first input change that updates in place, skipping triggers that act at create (a domain's verification). */
function updateOf(type: string): string | undefined {
  const action = RESOURCE_SPECS[type].action;
  return Object.keys(fixtureFor(type).updates).find((field) => !(action?.onCreate && action.trigger === field));
}
/** A change a create can carry: the first such update, else the first replace input's change. */
function someChange(type: string, slot: string): Args {
  const fixture = fixtureFor(type);
  const update = updateOf(type);
  return fixtureChange(update ? fixture.updates[update].change : Object.values(fixture.replaces)[0], slot);
}
/** A top-level input that is neither a URL id nor already secret: the one a pattern makes secret. */
function plainField(type: string, args: Args): string {
  const spec = RESOURCE_SPECS[type];
  const excluded = [...fieldsWith(spec, "path"), ...fieldsWith(spec, "writeOnly"), ...fieldsWith(spec, "secret")];
  return Object.keys(args).find((key) => !excluded.includes(key))!;
}
/** A nested numeric field an update changes, with its path, for ignoreChanges on a nested field. */
function nestedNumber(type: string, slot: string): { field: string; leaf: string; value: Args } | undefined {
  for (const [field, update] of Object.entries(fixtureFor(type).updates)) {
    const value = fixtureChange(update.change, slot)[field];
    if (!value || typeof value !== "object" || Array.isArray(value)) continue;
    const leaf = Object.keys(value).find((key) => typeof (value as Args)[key] === "number");
    if (leaf) return { field, leaf, value: value as Args };
  }
  return undefined;
}
/** Arguments with every id of the slot's parents replaced by `source(<parent key>)`. */
function routeIds(slot: string, args: Args, source: (key: string) => string): Args {
  const keyOf = (value: unknown) => Object.entries(parents[slot]).find(([, id]) => id === value)?.[0];
  return Object.fromEntries(Object.entries(args).map(([field, value]) => [field, keyOf(value) ? source(keyOf(value)!) : value]));
}

const plain = (type: string, slot: string, base: Args, opts?: Args): Entry => ({ name: nameOf(slot, type), type, args: base, opts });

const SLOTS: Record<string, Slot> = {
  // Components
  "several siblings under one component": {
    id: "siblings",
    components: [{ name: "g-siblings" }],
    entry: (type, _phase, base) => plain(type, "siblings", base, { parent: "g-siblings" }),
  },
  "nested components": {
    id: "nested",
    components: [{ name: "g-outer" }, { name: "g-inner", parent: "g-outer" }],
    entry: (type, _phase, base) => plain(type, "nested", base, { parent: "g-inner" }),
  },
  "a component in dependsOn": {
    id: "depends-on-component",
    entry: (type, _phase, base) => plain(type, "depends-on-component", base, { dependsOn: ["g-siblings"] }),
  },
  "a component's outputs as inputs": {
    id: "component-outputs",
    components: [{ name: "g-ids", outputs: {} }],
    entry: (type, _phase, base) =>
      plain(
        type,
        "component-outputs",
        routeIds("component-outputs", base, (key) => `ref:g-ids.${key}`),
      ),
  },
  // URN changes that must not touch the object
  "rename with aliases": {
    id: "rename",
    entry: (type, phase, base) =>
      phase === "create"
        ? { name: `${nameOf("rename", type)}-before`, type, args: base }
        : plain(type, "rename", base, { aliases: [{ name: `${nameOf("rename", type)}-before` }] }),
  },
  "moved into a component with aliases": {
    id: "move-in",
    components: [{ name: "g-move-in" }],
    entry: (type, phase, base) =>
      plain(type, "move-in", base, phase === "create" ? {} : { parent: "g-move-in", aliases: [{ parent: "root" }] }),
  },
  "moved out of a component with aliases": {
    id: "move-out",
    components: [{ name: "g-move-out" }],
    entry: (type, phase, base) =>
      plain(type, "move-out", base, phase === "create" ? { parent: "g-move-out" } : { aliases: [{ parent: "g-move-out" }] }),
  },
  "pulumi state move to another stack": {
    id: "state-move",
    // After the move, the program of the stack it left no longer has it.
    entry: (type, phase, base) => (phase === "remove" ? undefined : plain(type, "state-move", base)),
  },
  // Resource options
  protect: {
    id: "protect",
    entry: (type, _phase, base) => plain(type, "protect", base, { protect: true }),
  },
  retainOnDelete: {
    id: "retain",
    entry: (type, phase, base) => (phase === "remove" ? undefined : plain(type, "retain", base, { retainOnDelete: true })),
  },
  deleteBeforeReplace: {
    id: "dbr",
    entry: (type, phase, base) => {
      const change = phase === "create" ? {} : fixtureChange(Object.values(fixtureFor(type).replaces)[0], "dbr");
      return plain(type, "dbr", { ...base, ...change }, { deleteBeforeReplace: true });
    },
  },
  replaceOnChanges: {
    id: "roc",
    applies: (type) => updateOf(type) !== undefined || "every input replaces already",
    entry: (type, phase, base) => {
      const field = updateOf(type)!;
      const change = phase === "create" ? {} : fixtureChange(fixtureFor(type).updates[field].change, "roc");
      return plain(type, "roc", { ...base, ...change }, { replaceOnChanges: [field] });
    },
  },
  "ignoreChanges (top-level field)": {
    id: "ignore",
    entry: (type, phase, base) => {
      const change = someChange(type, "ignore");
      return plain(type, "ignore", phase === "create" ? base : { ...base, ...change }, { ignoreChanges: Object.keys(change) });
    },
  },
  "ignoreChanges (nested field)": {
    id: "ignore-nested",
    applies: (type) => nestedNumber(type, "ignore-nested") !== undefined || "no nested object input with a number in it",
    entry: (type, phase, base) => {
      const { field, leaf, value } = nestedNumber(type, "ignore-nested")!;
      const nested = phase === "create" ? value : { ...value, [leaf]: (value[leaf] as number) + 1 };
      return plain(type, "ignore-nested", { ...base, [field]: nested }, { ignoreChanges: [`${field}.${leaf}`] });
    },
  },
  dependsOn: {
    id: "depends-on",
    entry: (type, _phase, base) => plain(type, "depends-on", base, { dependsOn: ["holder-depends-on"] }),
  },
  customTimeouts: {
    id: "timeouts",
    entry: (type, _phase, base) => plain(type, "timeouts", base, { customTimeouts: { create: "7m", update: "7m", delete: "7m" } }),
  },
  "transforms (sets an input)": {
    id: "transforms",
    entry: (type, _phase, base) => plain(type, "transforms", base, { transforms: someChange(type, "transforms") }),
  },
  "transformations (sets an input)": {
    id: "transformations",
    entry: (type, _phase, base) => plain(type, "transformations", base, { transformations: someChange(type, "transformations") }),
  },
  "provider through a component": {
    id: "provider",
    components: [{ name: "g-provider", provider: true }],
    entry: (type, _phase, base) => plain(type, "provider", base, { parent: "g-provider" }),
  },
  "providers through a component": {
    id: "providers",
    components: [{ name: "g-providers", providers: true }],
    entry: (type, _phase, base) => plain(type, "providers", base, { parent: "g-providers" }),
  },
  deletedWith: {
    id: "deleted-with",
    entry: (type, phase, base) =>
      phase === "remove" ? undefined : plain(type, "deleted-with", base, { deletedWith: "holder-deleted-with" }),
  },
  "additionalSecretOutputs on top of ours": {
    id: "aso",
    entry: (type, _phase, base) => plain(type, "aso", base, { additionalSecretOutputs: [plainField(type, base)] }),
  },
  // Values from elsewhere
  "StackReference output; a secret from another stack": {
    id: "stack-ref",
    entry: (type, _phase, base) => {
      const routed = routeIds("stack-ref", base, (key) => `stack:ids.${key}`);
      return plain(type, "stack-ref", { ...routed, [plainField(type, base)]: `stack:secrets.${type}` });
    },
  },
  "a secret from config": {
    id: "config-secret",
    entry: (type, _phase, base) => plain(type, "config-secret", { ...base, [plainField(type, base)]: `config:${type}` }),
  },
  "unknowns from another provider in preview": {
    id: "unknown",
    entry: (type, _phase, base) =>
      plain(
        type,
        "unknown",
        routeIds("unknown", base, (key) => `later:${key}`),
      ),
  },
};
const ROWS = Object.keys(SLOTS);
const STACK_RENAME = "pulumi stack rename (every slot)";
const IMPORT = "import (fails at once, pointing to adoptId)";
/** The matrix: the slots' patterns and those that span them. */
const MATRIX_ROWS = [
  ...ROWS.slice(0, ROWS.indexOf("pulumi state move to another stack")),
  STACK_RENAME,
  ...ROWS.slice(ROWS.indexOf("pulumi state move to another stack")),
  IMPORT,
];
const slotOf = (row: string) => SLOTS[row].id;
const applies = (row: string, type: string) => SLOTS[row]?.applies?.(type) ?? true;
const baseArgs = (type: string, slot: string) => localize(slot, fixtureFor(type).args(parents[slot])) as Args;

/** A cell passes when every check of it passed: a later pass never hides an earlier failure. */
function record(row: string, type: string, failure: string | undefined): void {
  const cells = (matrix[row] ??= {});
  if (failure !== undefined) cells[type] = `${cells[type]?.startsWith("FAIL") ? `${cells[type]}; ` : "FAIL: "}${failure}`;
  else cells[type] ??= "pass";
}
/** Records each applicable resource's result (`check` returns why it failed, or undefined) and returns the failures. */
function judge(rows: string[], check: (row: string, type: string) => string | undefined): string[] {
  const failures: string[] = [];
  for (const row of rows) {
    for (const type of TYPES) {
      const applicable = applies(row, type);
      if (applicable !== true) {
        (matrix[row] ??= {})[type] = `n/a: ${applicable}`;
        continue;
      }
      const failure = check(row, type);
      record(row, type, failure);
      if (failure) failures.push(`${row} × ${type}: ${failure}`);
    }
  }
  return failures;
}

/** The program of one phase: every applicable slot's entries (`rows`), their components and the holders. */
function programFor(phase: Phase, rows: string[] = ROWS): Args {
  const resources: Entry[] = [
    { name: "holder-depends-on", type: "Holder", args: {} },
    ...(phase === "remove" ? [] : [{ name: "holder-deleted-with", type: "Holder", args: {} }]),
  ];
  const components: Component[] = [{ name: "g-siblings" }];
  for (const row of rows) {
    const slot = SLOTS[row];
    for (const component of slot.components ?? []) {
      if (components.some((c) => c.name === component.name)) continue;
      components.push(component.outputs ? { ...component, outputs: parents[slot.id] as unknown as Args } : component);
    }
    for (const type of TYPES) {
      const entry = applies(row, type) === true ? slot.entry(type, phase, baseArgs(type, slot.id)) : undefined;
      if (entry) resources.push(entry);
    }
  }
  return {
    stackReference: "source",
    laterValues: parents.unknown,
    configSecrets: true,
    components,
    resources,
  };
}

function write(target: TestStack, program: Args): void {
  fs.writeFileSync(path.join(target.workDir, `patterns.${target.stack.name}.json`), JSON.stringify(program));
}

async function step(target: TestStack, name: string, run: () => Promise<StepResult>): Promise<StepResult> {
  const result = await run();
  timings.push(`${name}: ${result.ms} ms`);
  exported[name] = await target.exportText();
  expectNoPlaintext({ "stack export": exported[name], "CLI output": result.output }, secrets);
  return result;
}

interface StateEntry {
  urn: string;
  type: string;
  id: string;
  parent?: string;
  provider?: string;
  protect?: boolean;
  dependencies?: string[];
  customTimeouts?: Record<string, number>;
  inputs: Args;
  outputs: Args;
}
/** Our resources' state entries by name, secrets decrypted. */
async function state(target: TestStack): Promise<Record<string, StateEntry>> {
  const deployment = (await target.stack.exportStack()).deployment as { resources?: StateEntry[] };
  return Object.fromEntries(
    (deployment.resources ?? [])
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/pgbeam:"))
      .map((r) => [r.urn.split("::").pop()!, r]),
  );
}
const itemPathOf = (type: string, entry: StateEntry) => RESOURCE_SPECS[type].itemPath(entry.outputs, entry.id);

async function slotParents(emulator: Emulator, slot: string): Promise<Parents> {
  const orgs = { orgId: `org_patterns_${slot.replace(/-/g, "_")}`, otherOrgId: `org_patterns_${slot.replace(/-/g, "_")}_other` };
  emulator.addOrganization(orgs.orgId, { plan: "scale" });
  return createParents(emulator, orgs);
}

let source: TestStack;
let moved: TestStack;
/** Objects as created (by name), before anything changed. */
let created: Record<string, StateEntry>;

beforeAll(async () => {
  secrets["API key"] = suite.emulator.apiKey;
  for (const row of ROWS) parents[slotOf(row)] = await slotParents(suite.emulator, slotOf(row));
  stack = await suite.stack(PROGRAM, { env: { ...SECRET_VALUES, ...FINAL_STATE_ONLY } });
  source = await stack.sibling("source", suite.emulator);
  moved = await stack.sibling("moved", suite.emulator);
  // The other stack exports the stack-ref slot's parent ids, and as a secret each resource's plain field.
  const secretValues = (slot: string) =>
    Object.fromEntries(TYPES.map((type) => [type, resolveSecrets(baseArgs(type, slot)[plainField(type, baseArgs(type, slot))])]));
  write(source, { exports: { ids: parents["stack-ref"] }, secretExports: { secrets: secretValues("stack-ref") } });
  await step(source, "up (the referenced stack)", () => source.up());
  await stack.stack.setConfig("secrets", { value: JSON.stringify(secretValues("config-secret")), secret: true });
});

afterAll(async () => {
  const width = Math.max(...MATRIX_ROWS.map((row) => row.length));
  const lines = MATRIX_ROWS.map(
    (row) => `${row.padEnd(width)}  ${TYPES.map((type) => (matrix[row]?.[type] ?? "-").split(":")[0].padEnd(4)).join(" ")}`,
  );
  const notes = MATRIX_ROWS.flatMap((row) =>
    TYPES.filter((type) => (matrix[row]?.[type] ?? "pass") !== "pass").map(
      (type) => `  ${row} × ${type}: ${matrix[row]?.[type] ?? "not run"}`,
    ),
  );
  console.log(
    `program patterns × resources (real engine):\n${" ".repeat(width)}  ${TYPES.join(" ")}\n${lines.join("\n")}\n${notes.join("\n")}\n` +
      `wall:\n  ${timings.join("\n  ")}`,
  );
  await Promise.all([stack, source, moved].map((target) => target?.cleanup()));
});

it("previews a new stack of every pattern × resource (unknowns included) without writing, then creates it", async () => {
  write(stack, programFor("create"));
  suite.emulator.clearRequests();
  const preview = await step(stack, "preview (create)", () => stack.preview());
  expect(writesIn(suite.emulator.requests)).toEqual([]);
  const up = await step(stack, "up (create)", () => stack.up());
  created = await state(stack);
  const entryName = (row: string, type: string) => SLOTS[row].entry(type, "create", baseArgs(type, slotOf(row)))!.name;
  const failures = judge(ROWS, (row, type) => {
    const name = entryName(row, type);
    if (preview.ops[name] !== "create") return `preview: ${preview.ops[name] ?? "not registered"}`;
    if (up.ops[name] !== "create") return `up: ${up.ops[name] ?? "not registered"}`;
    return created[name]?.id ? undefined : "not in state";
  });
  expect(failures).toEqual([]);
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("each option does what users expect of it on create", () => {
  const entry = (row: string, type: string) => created[nameOf(slotOf(row), type)];
  const holder = (name: string) => `::${name}`;
  const checks: Record<string, (type: string) => string | undefined> = {
    protect: (type) => (entry("protect", type).protect ? undefined : "not protected in state"),
    dependsOn: (type) =>
      entry("dependsOn", type).dependencies?.some((urn) => urn.endsWith(holder("holder-depends-on")))
        ? undefined
        : "no dependency in state",
    customTimeouts: (type) =>
      entry("customTimeouts", type).customTimeouts?.create === 420
        ? undefined
        : `timeouts in state: ${JSON.stringify(entry("customTimeouts", type).customTimeouts)}`,
    "provider through a component": (type) =>
      entry("provider through a component", type).provider?.includes("::explicit::")
        ? undefined
        : `provider ${entry("provider through a component", type).provider}`,
    "providers through a component": (type) =>
      entry("providers through a component", type).provider?.includes("::explicit::")
        ? undefined
        : `provider ${entry("providers through a component", type).provider}`,
  };
  for (const row of ["transforms (sets an input)", "transformations (sets an input)"]) {
    checks[row] = (type) => {
      const change = resolveSecrets(someChange(type, slotOf(row))) as Args;
      const outputs = entry(row, type).outputs;
      const differing = Object.keys(change).filter((key) => JSON.stringify(outputs[key]) !== JSON.stringify(change[key]));
      return differing.length === 0 ? undefined : `${differing.join(", ")} not as the transform set it`;
    };
  }
  expect(Object.entries(checks).flatMap(([row, check]) => judge([row], (_row, type) => check(type)))).toEqual([]);
});

it("secrets stay secret: additionalSecretOutputs on top of ours, from config and from another stack", async () => {
  const resources = (JSON.parse(exported["up (create)"]).deployment.resources ?? []) as StateEntry[];
  // additionalSecretOutputs is about outputs (Pulumi leaves the input as the program gave it); a secret value is secret in both.
  const isSecret = (name: string, key: string, inputsToo: boolean) => {
    const entry = resources.find((r) => r.urn.endsWith(`::${name}`));
    return isSecretValue(entry?.outputs?.[key]) && (!inputsToo || entry?.inputs?.[key] === undefined || isSecretValue(entry.inputs[key]));
  };
  const failures = judge(
    ["additionalSecretOutputs on top of ours", "StackReference output; a secret from another stack", "a secret from config"],
    (row, type) => {
      const slot = slotOf(row);
      const base = baseArgs(type, slot);
      const name = nameOf(slot, type);
      const ours = [...fieldsWith(RESOURCE_SPECS[type], "writeOnly"), ...fieldsWith(RESOURCE_SPECS[type], "secret")].filter(
        (key) => !key.includes(".") && created[name].outputs[key] !== undefined,
      );
      const expected = [plainField(type, base), ...ours];
      const plainOnes = expected.filter(
        (key) => !isSecret(name, key, row !== "additionalSecretOutputs on top of ours" || ours.includes(key)),
      );
      return plainOnes.length === 0 ? undefined : `not secret in state: ${plainOnes.join(", ")}`;
    },
  );
  expect(failures).toEqual([]);
});

it("renames and moves with aliases, ignoreChanges, replaceOnChanges and deleteBeforeReplace preview and apply as expected", async () => {
  write(stack, programFor("change"));
  suite.emulator.clearRequests();
  const preview = await step(stack, "preview (changes)", () => stack.preview());
  const previewWrites = writesIn(suite.emulator.requests);
  suite.emulator.clearRequests();
  const up = await step(stack, "up (changes)", () => stack.up());
  const after = await state(stack);
  const replacing = ["deleteBeforeReplace", "replaceOnChanges"];
  const expectedOp = (row: string) => (replacing.includes(row) ? "replace" : "same");
  const failures = judge(ROWS, (row, type) => {
    const name = nameOf(slotOf(row), type);
    if (preview.ops[name] !== expectedOp(row)) return `preview: ${preview.ops[name] ?? "not registered"}`;
    if (up.ops[name] !== expectedOp(row)) return `up: ${up.ops[name] ?? "not registered"}`;
    const before = created[SLOTS[row].entry(type, "create", baseArgs(type, slotOf(row)))!.name];
    if (after[name].inputs.__urn !== after[name].urn) return `__urn input ${after[name].inputs.__urn} is not the URN ${after[name].urn}`;
    if (replacing.includes(row)) {
      if (after[name].id === before.id && RESOURCE_SPECS[type].create?.id === undefined) return "replaced but kept its id";
      const order = up.steps.filter(([step]) => step === name).map(([, op]) => op);
      const deletedFirst = order.indexOf("delete-replaced") < order.indexOf("create-replacement");
      if (row === "deleteBeforeReplace" && !deletedFirst) return `steps ${order.join(", ")}`;
      return undefined;
    }
    const writes = writesTo(suite.emulator.requests, itemPathOf(type, before));
    return writes.length === 0 ? undefined : `wrote ${writes.map((w) => `${w.method} ${w.suffix ?? ""}`).join(", ")}`;
  });
  expect(failures).toEqual([]);
  expect(previewWrites).toEqual([]);
});

it("after pulumi stack rename and pulumi state move, nothing is replaced or written and up is a no-op", async () => {
  stack = await stack.rename("renamed");
  write(stack, programFor("change"));
  suite.emulator.clearRequests();
  const preview = await step(stack, "preview (after stack rename)", () => stack.preview());
  const previewWrites = writesIn(suite.emulator.requests);

  const movingRow = "pulumi state move to another stack";
  const before = await state(stack);
  const urns = TYPES.map((type) => before[nameOf(slotOf(movingRow), type)].urn);
  const move = await stack.cli(["state", "move", "--source", "renamed", "--dest", "moved", "--yes", ...urns]);
  if (move.code !== 0) throw new Error(`pulumi state move failed:\n${move.output}`);
  write(moved, { resources: (programFor("change", [movingRow]).resources as Entry[]).filter((entry) => entry.type !== "Holder") });
  suite.emulator.clearRequests();
  const movedUp = await step(moved, "up (the stack moved to)", () => moved.up());
  const movedWrites = writesIn(suite.emulator.requests);

  // The stack it left, after both: the program without the moved slot, and retainOnDelete/deletedWith removed.
  write(stack, programFor("remove"));
  suite.emulator.clearRequests();
  const up = await step(stack, "up (after rename and move; retained and deletedWith removed)", () => stack.up());
  const removedWrites = writesIn(suite.emulator.requests);
  const after = await state(stack);
  const removedRows = ["retainOnDelete", "deletedWith"];
  const failures = judge([STACK_RENAME, movingRow, ...removedRows], (row, type) => {
    if (row === STACK_RENAME) {
      const names = Object.keys(after).filter((name) => after[name].type.endsWith(`:${type}`));
      const wrong = names
        .filter((name) => preview.ops[name] !== "same" || up.ops[name] !== "same")
        .map((name) => `${name}: ${preview.ops[name]}, ${up.ops[name]}`);
      const stale = names.filter((name) => after[name].inputs.__urn !== after[name].urn);
      return [...wrong, ...stale.map((name) => `${name}: __urn not the new URN`)].join("; ") || undefined;
    }
    const name = nameOf(slotOf(row), type);
    if (row === movingRow) {
      if (movedUp.ops[name] !== "same") return `up in the stack moved to: ${movedUp.ops[name] ?? "not registered"}`;
      return up.ops[name] === undefined ? undefined : `the stack it left: ${up.ops[name]}`;
    }
    if (after[name]) return `still in state (${up.ops[name]})`;
    const writes = writesTo(removedWrites, itemPathOf(type, before[name]));
    return writes.length === 0 ? undefined : `removing it wrote ${writes.map((w) => w.method).join(", ")}`;
  });
  expect(failures).toEqual([]);
  expect([previewWrites, movedWrites, removedWrites]).toEqual([[], [], []]);
});

it("a protected resource removed from the program fails the preview; opts.import fails before anything registers", async () => {
  // Everything removed, the protected resources among them: each is refused as it would be alone, and the program
  // registers nothing (what a preview's CPU goes to).
  write(stack, {});
  const protectedPreview = await stack.preview().then(
    () => "",
    (error: Error) => String(error),
  );
  const importing = {
    name: "imported",
    type: "Project",
    args: baseArgs("Project", "siblings"),
    opts: { import: parents.siblings.projectId },
  };
  write(moved, { resources: [importing] });
  suite.emulator.clearRequests();
  const importPreview = await moved.preview().then(
    () => "",
    (error: Error) => String(error),
  );
  // The program stops at the first resource that throws: the CLI is shown one; every class is constructed here.
  const constructed = (type: string) => {
    const resourceClass = (pgbeam as unknown as Record<string, new (name: string, args: Args, opts: Args) => unknown>)[type];
    try {
      new resourceClass("imported", {}, { import: "x_123" });
      return "constructed";
    } catch (error) {
      return String(error);
    }
  };
  const failures = judge(["protect", IMPORT], (row, type) => {
    if (row === "protect") return protectedPreview.includes(nameOf("protect", type)) ? undefined : "preview did not refuse to delete it";
    if (type === "Project" && !importPreview.includes(`set the input adoptId: "${parents.siblings.projectId}"`))
      return `preview: ${importPreview.slice(0, 300)}`;
    return constructed(type).includes('set the input adoptId: "x_123"') ? undefined : constructed(type);
  });
  expect(protectedPreview).toContain("protected");
  expect(failures).toEqual([]);
  expect(writesIn(suite.emulator.requests)).toEqual([]);
});
