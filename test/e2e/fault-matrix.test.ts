/**
 * The fault matrix under the real engine: every registered resource × every operation that calls the API ×
 * each fault, then a run without faults. Cases are batched into one stack per phase (create+configure, update+
 * rotation, refresh, delete). After each phase: every case's outcome, the emulator holding exactly what the
 * state names, one-time secrets unchanged unless rotated, and no secret in plain text anywhere.
 *
 * `npm test` runs a sample (each resource × operation meets one fault, cycling through them, plus the two long
 * faults once each); `PGBEAM_FULL_MATRIX=1` runs every combination.
 */
import * as path from "node:path";
import { fieldsWith } from "../../provider/engine/spec";
import type { Props } from "../../provider/engine/values";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import { type Emulator, type Fault, startEmulator } from "../emulator";
import { expectNoLeaks, expectStateMatchesEmulator } from "./convergence";
import { type CliResult, consumerProject, pulumiBinDir, TestStack } from "./harness";

jest.setTimeout(60 * 60_000);

const FULL = process.env.PGBEAM_FULL_MATRIX === "1";
const PASSWORD = "pw-matrix-Ju28";
const WEBHOOK_SECRET = "whsec-matrix-Np61";
const ATTEMPT_TIMEOUT_MS = 2000;

type Op = "create" | "configure" | "update" | "rotate" | "read" | "delete";
const OPS: Op[] = ["create", "configure", "update", "rotate", "read", "delete"];

interface FaultKind {
  name: string;
  fault: Omit<Fault, "method" | "path" | "bodyIncludes">;
  /** "first": converges in the faulted run; "second": fails it, naming the resource and cause, converges next run. */
  converges: "first" | "second";
  /** Only these operations (default all). */
  ops?: Op[];
  /** Long: in the default sample only where `sampleAt` says. */
  sampleAt?: { resource: string; op: Op };
}

const FAULTS: FaultKind[] = [
  { name: "503 then recovery", fault: { status: 503, times: 2 }, converges: "first" },
  { name: "429 with Retry-After", fault: { status: 429, retryAfter: "1", times: 2 }, converges: "first" },
  { name: "dropped before the server acts", fault: { drop: "before" }, converges: "first" },
  { name: "dropped after the server acted", fault: { drop: "after" }, converges: "first" },
  { name: "slower than the attempt timeout", fault: { delayMs: ATTEMPT_TIMEOUT_MS + 1500 }, converges: "first" },
  { name: "503 for 70 s", fault: { status: 503, forMs: 70_000 }, converges: "first", sampleAt: { resource: "Project", op: "create" } },
  {
    name: "every attempt slower than the timeout (the server acts)",
    fault: { delayMs: ATTEMPT_TIMEOUT_MS + 1500, forMs: 600_000 },
    converges: "second",
    ops: ["create"],
    sampleAt: { resource: "WebhookEndpoint", op: "create" },
  },
];

/** References to the project (and a policy in it) a case's resource hangs off. */
interface Parents {
  project: string;
  policy: string;
}
const parentsNamed = (prefix: string): Parents => ({ project: `ref:${prefix}.id`, policy: `ref:${prefix}Policy.id` });

/**
 * How to exercise one resource. The one piece written per resource: a test fails naming any registered resource
 * without a sample, so a resource added to the registry cannot skip the matrix.
 */
interface Sample {
  /** Arguments with `marker` in the create body (the fault finds the request by it), under the given parents. */
  args(marker: string, parent: Parents): Props;
  /** Inputs set after create by a second call, the request it makes, and how to see it applied. */
  configure?: { args(marker: string): Props; applied(object: Props): boolean };
  /** An in-place change, and how to see it applied. */
  update: { args: Props; applied(object: Props): boolean };
}

const SAMPLES: Record<string, Sample> = {
  Project: {
    args: (marker) => ({
      name: marker,
      orgId: "org_demo",
      database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PASSWORD" },
    }),
    configure: {
      args: (marker) => ({ allowedCidrs: [{ cidr: "10.40.0.0/16", label: marker }], agentsDisabled: true }),
      applied: (o) => o.agents_disabled === true && (o.allowed_cidrs as Props[]).length === 1,
    },
    update: { args: { description: "updated by the matrix" }, applied: (o) => o.description === "updated by the matrix" },
  },
  Database: {
    args: (marker, parent) => ({ projectId: parent.project, host: `${marker}.internal`, port: 5432, name: "app", username: "ro", password: "env:PASSWORD", role: "replica" }),
    update: { args: { port: 6432 }, applied: (o) => o.port === 6432 },
  },
  PolicyProfile: {
    args: (marker, parent) => ({ projectId: parent.project, name: marker, accessMode: "read_only" }),
    update: { args: { maxRows: 77 }, applied: (o) => o.max_rows === 77 },
  },
  AgentCredential: {
    args: (marker, parent) => ({ projectId: parent.project, policyProfileId: parent.policy, name: marker }),
    configure: { args: () => ({ status: "disabled" }), applied: (o) => o.status === "disabled" },
    update: { args: { status: "disabled" }, applied: (o) => o.status === "disabled" },
  },
  WebhookEndpoint: {
    args: (marker, parent) => ({ projectId: parent.project, url: `https://hooks.example.com/${marker}`, secret: "env:WEBHOOK_SECRET" }),
    update: { args: { description: "updated by the matrix" }, applied: (o) => o.description === "updated by the matrix" },
  },
};

interface Case {
  n: number;
  resource: string;
  op: Op;
  fault: FaultKind;
  name: string;
  /** Which run converged it: 1 (the faulted one), 2 (the next), or 0 (neither). */
  convergedIn?: 0 | 1 | 2;
}

function applicable(resource: string, op: Op): boolean {
  const spec = RESOURCE_SPECS[resource];
  if (op === "configure") return (spec.create?.patchAfter?.length ?? 0) > 0 && SAMPLES[resource].configure !== undefined;
  if (op === "update") return spec.update !== undefined;
  if (op === "rotate") return spec.action !== undefined && !spec.action.onCreate;
  return true;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const add = (resource: string, op: Op, fault: FaultKind) =>
    cases.push({ n: cases.length, resource, op, fault, name: `c${cases.length}` });
  Object.keys(RESOURCE_SPECS).forEach((resource, r) => {
    OPS.forEach((op, o) => {
      if (!applicable(resource, op)) return;
      const faults = FAULTS.filter((f) => !f.ops || f.ops.includes(op));
      if (FULL) return faults.forEach((fault) => add(resource, op, fault));
      const short = faults.filter((f) => !f.sampleAt);
      add(resource, op, short[(r + o) % short.length]);
      for (const long of faults.filter((f) => f.sampleAt?.resource === resource && f.sampleAt.op === op)) add(resource, op, long);
    });
  });
  return cases;
}

let emulator: Emulator;
let stack: TestStack;
const cases = buildCases();
const ids: Record<string, string> = {};
const given = { password: PASSWORD, "webhook secret": WEBHOOK_SECRET };

/** Configure cases under a project child get a parent of their own, so the configuring PATCH's path finds them. */
const ownParent = (c: Case) => c.op === "configure" && fieldsWith(RESOURCE_SPECS[c.resource], "path").includes("projectId");

function program(phase: "parents" | "created" | "changed" | "deleted"): Record<string, { type: string; args: unknown }> {
  const resources: Record<string, { type: string; args: unknown }> = {};
  for (const prefix of ["parent", ...cases.filter(ownParent).map((c) => `${c.name}parent`)]) {
    const none = { project: "", policy: "" };
    resources[prefix] = { type: "Project", args: { ...SAMPLES.Project.args(`matrix-${prefix}`, none), orgId: emulator.orgId } };
    resources[`${prefix}Policy`] = { type: "PolicyProfile", args: { projectId: `ref:${prefix}.id`, name: `matrix-${prefix}-policy` } };
  }
  if (phase === "parents") return resources;
  for (const c of cases) {
    if (phase === "deleted" && c.op === "delete") continue;
    const sample = SAMPLES[c.resource];
    let args: Props = sample.args(`matrix-${c.name}`, parentsNamed(ownParent(c) ? `${c.name}parent` : "parent"));
    if (c.resource === "Project") args = { ...args, orgId: emulator.orgId };
    if (c.op === "configure") args = { ...args, ...sample.configure!.args(`matrix-${c.name}`) };
    if (phase !== "created" && c.op === "update") args = { ...args, ...sample.update.args };
    if (phase !== "created" && c.op === "rotate") args = { ...args, [RESOURCE_SPECS[c.resource].action!.trigger]: "rotated-once" };
    resources[c.name] = { type: c.resource, args };
  }
  return resources;
}

const outputsOf = async (name: string) => (await stack.outputs())[name]?.value as Props | undefined;
const kindOf = (id: string) => emulator.objects().find((o) => o.id === id)?.kind;

/** The request each case's fault must hit. */
async function faultFor(c: Case): Promise<Fault> {
  const spec = RESOURCE_SPECS[c.resource];
  const marker = `matrix-${c.name}`;
  if (c.op === "create") return { ...c.fault.fault, method: spec.create?.method ?? "POST", bodyIncludes: marker };
  if (c.op === "configure") {
    if (!ownParent(c)) return { ...c.fault.fault, method: "PATCH", bodyIncludes: marker };
    // Any object's URL under the case's own parent project.
    return { ...c.fault.fault, method: "PATCH", path: new RegExp(`^/v1/projects/${ids[`${c.name}parent`]}/[^/]+/[^/]+$`) };
  }
  const outputs = (await outputsOf(c.name))!;
  const itemPath = spec.itemPath(outputs, ids[c.name]);
  if (c.op === "update") return { ...c.fault.fault, method: spec.update!.method, path: itemPath };
  if (c.op === "rotate") return { ...c.fault.fault, method: "POST", path: spec.action!.path(outputs, ids[c.name]) };
  if (c.op === "read") return { ...c.fault.fault, method: "GET", path: itemPath };
  return { ...c.fault.fault, method: spec.delete?.method ?? "DELETE", path: itemPath };
}

/** Whether the run reported no error for the case's resource, which is where its phase wants it in state and API. */
async function converged(c: Case, run: CliResult, rotatedFrom: Record<string, string>): Promise<boolean> {
  if (new RegExp(`\\(${c.name}\\):\\s*\\n\\s*error:`).test(run.output)) return false;
  const state = (await stack.resources()).find((r) => r.urn.endsWith(`::${c.name}`));
  if (c.op === "delete") return state === undefined && (emulator.get(kindOf(ids[c.name]) ?? "project", ids[c.name])?.status ?? "revoked") === "revoked";
  if (!state?.id) return false;
  const object = emulator.get(kindOf(state.id) ?? "project", state.id);
  if (!object) return false;
  const sample = SAMPLES[c.resource];
  if (c.op === "configure") return sample.configure!.applied(object);
  if (c.op === "update") return sample.update.applied(object);
  if (c.op === "rotate") {
    const token = (await outputsOf(c.name))?.mcpToken;
    const stored = emulator.objects().find((o) => o.id === state.id)!.secrets.mcp_token;
    return token === stored && token !== rotatedFrom[c.name];
  }
  return true;
}

/** One faulted run and one clean run for the cases of a phase; records which converged them. */
async function runPhase(phaseCases: Case[], run: () => Promise<CliResult>, rotatedFrom: Record<string, string> = {}): Promise<void> {
  emulator.clearFaults();
  for (const c of phaseCases) emulator.inject(await faultFor(c));
  const first = await run();
  for (const c of phaseCases) if (await converged(c, first, rotatedFrom)) c.convergedIn = 1;
  const failedFirst = phaseCases.filter((c) => c.convergedIn !== 1);
  for (const c of failedFirst) {
    // A failure must name the resource and its cause.
    expect({ case: c.name, code: first.code, named: first.output.includes(c.name) }).toEqual({ case: c.name, code: first.code, named: true });
  }
  emulator.clearFaults();
  await expectNoLeaks(stack, emulator, given);
  const second = await run();
  if (second.code !== 0) {
    const errors = second.output.split("\n").filter((line, i, lines) => /error:/.test(line) || /error:/.test(lines[i + 1] ?? ""));
    throw new Error(`the run without faults failed:\n${errors.join("\n")}`);
  }
  for (const c of failedFirst) c.convergedIn = (await converged(c, second, rotatedFrom)) ? 2 : 0;
  await expectStateMatchesEmulator(stack, emulator, "matrix-");
  await expectNoLeaks(stack, emulator, given);
}

const up = () => stack.cli(["up", "--yes", "--skip-preview", "--continue-on-error"]);

beforeAll(async () => {
  emulator = await startEmulator({ plan: "enterprise" });
  stack = await TestStack.create({ program: path.join(__dirname, "programs/resources"), consumer: consumerProject(), bin: pulumiBinDir(), emulator, env: { PASSWORD, WEBHOOK_SECRET } });
  await stack.stack.setConfig("pgbeam:attemptTimeoutMs", { value: String(ATTEMPT_TIMEOUT_MS) });
});

afterAll(async () => {
  const rows = cases.map((c) => `${c.resource.padEnd(16)} ${c.op.padEnd(9)} ${c.fault.name.padEnd(56)} ${["failed", "converged in the faulted run", "converged in the next run"][c.convergedIn ?? 0]}`);
  const count = (n: number) => cases.filter((c) => (c.convergedIn ?? 0) === n).length;
  console.log(
    `fault matrix (${FULL ? "full" : "sample; PGBEAM_FULL_MATRIX=1 for all"}): ${cases.length} cases, ${count(1)} converged in the first run, ` +
      `${count(2)} in the second, ${count(0)} failed\n  ${rows.join("\n  ")}`,
  );
  await stack?.cleanup();
  await emulator?.stop();
});

it("every registered resource has a matrix sample", () => {
  expect(Object.keys(RESOURCE_SPECS).filter((name) => !SAMPLES[name])).toEqual([]);
});

it("create and the configuring step after it", async () => {
  await stack.setResources(program("parents") as never);
  expect((await up()).code).toBe(0);
  for (const r of await stack.resources()) ids[r.urn.split("::").pop()!] = r.id!;
  await stack.setResources(program("created") as never);
  await runPhase(cases.filter((c) => c.op === "create" || c.op === "configure"), up);
  for (const r of await stack.resources()) ids[r.urn.split("::").pop()!] = r.id!;
});

it("update and rotation; one-time secrets unchanged unless rotated", async () => {
  const agents = cases.filter((c) => c.resource === "AgentCredential" && c.op !== "delete");
  const before: Record<string, string> = {};
  for (const c of agents) before[c.name] = String((await outputsOf(c.name))?.mcpToken);
  await stack.setResources(program("changed") as never);
  await runPhase(cases.filter((c) => c.op === "update" || c.op === "rotate"), up, before);
  for (const c of agents.filter((a) => a.op !== "rotate")) expect([c.name, (await outputsOf(c.name))?.mcpToken]).toEqual([c.name, before[c.name]]);
});

it("refresh reads", async () => {
  await runPhase(cases.filter((c) => c.op === "read"), () => stack.cli(["refresh", "--yes", "--skip-preview"]));
});

it("delete", async () => {
  await stack.setResources(program("deleted") as never);
  await runPhase(cases.filter((c) => c.op === "delete"), up);
});

it("every case converged, in the run the fault allows", () => {
  const wrong = cases.filter((c) => c.convergedIn !== (c.fault.converges === "first" ? 1 : 2)).map((c) => `${c.name} ${c.resource} ${c.op} ${c.fault.name}: ${c.convergedIn ?? 0}`);
  expect(wrong).toEqual([]);
});
