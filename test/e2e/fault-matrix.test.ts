/**
 * The fault matrix under the real engine: every registered resource × every operation that calls the API ×
 * each fault, then a run without faults. Cases are batched into one stack per phase (create+configure, update+
 * rotation, refresh, delete), most hanging off one shared parent project (see needsOwnProject). After each phase:
 * every fault met its request, every case's outcome, the emulator holding exactly what the state names, one-time
 * secrets unchanged unless rotated, and no secret in plain text anywhere.
 *
 * `npm test` runs a sample (each resource × operation meets one fault, cycling through them, plus the two long
 * faults once each); `PGBEAM_FULL_MATRIX=1` runs every combination.
 */
import * as path from "node:path";
import { API_RESOURCES, type ApiResourceName } from "../../provider/api/resources.generated";
import { fieldsWith } from "../../provider/engine/spec";
import type { Props } from "../../provider/engine/values";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import type { Emulator, Fault } from "../../emulator";
import { expectNoLeaks, expectStateMatchesEmulator } from "./convergence";
import { type CliResult, FINAL_STATE_ONLY, realEngineSuite, type TestStack } from "./harness";

jest.setTimeout(60 * 60_000);

const FULL = process.env.PGBEAM_FULL_MATRIX === "1";
const PASSWORD = "pw-matrix-Ju28";
const WEBHOOK_SECRET = "whsec-matrix-Np61";
const ATTEMPT_TIMEOUT_MS = 2000;
/**
 * The client's retry budget here, and an outage well inside it: the long faults are the default budget's (110 s,
 * riding out ~90 s) scaled down, so they cost the run seconds, not minutes. The budget's own arithmetic at its
 * default is proven in virtual time (test/unit/client.test.ts).
 */
const CALL_BUDGET_MS = 45_000;
const OUTAGE_MS = 25_000;

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
  {
    name: `503 for ${OUTAGE_MS / 1000} s (budget ${CALL_BUDGET_MS / 1000} s)`,
    fault: { status: 503, forMs: OUTAGE_MS },
    converges: "first",
    sampleAt: { resource: "Project", op: "create" },
  },
  {
    name: "every attempt slower than the timeout (the server acts)",
    fault: { delayMs: ATTEMPT_TIMEOUT_MS + 1500, forMs: 600_000 },
    converges: "second",
    ops: ["create"],
    sampleAt: { resource: "WebhookEndpoint", op: "create" },
  },
];

/** What a case's resource hangs off: program references to a project, its policies and database; the case's own org. */
interface Parents {
  project: string;
  policy: string;
  secondPolicy: string;
  database: string;
  orgId: string;
  /** A query shape observed on the case's database (cache rules need one). */
  queryHash: string;
}

/** Parent ids as the API has them, once created: for URLs and for checking what an update did. */
type ParentIds = Record<"projectId" | "policyId" | "secondPolicyId" | "databaseId" | "orgId" | "queryHash", string>;

const FUTURE = new Date(Date.UTC(2100, 0, 1)).toISOString();

/**
 * How to exercise one resource. The one piece written per resource: a test fails naming any registered resource
 * without a sample, so a resource added to the registry cannot skip the matrix.
 */
interface Sample {
  /** Arguments with `marker` in them (a create's fault finds its request by it, in the body or the URL). */
  args(marker: string, parents: Parents): Props;
  /** Inputs set after create by a second call, and how to see them applied. */
  configure?: { args(marker: string): Props; applied(object: Props): boolean };
  /** An in-place change, and how to see it applied. */
  update?: { args(parents: Parents): Props; applied(object: Props, parents: ParentIds): boolean };
  /** The API's view of the object, when its id is not an object id of its own. */
  object?(emulator: Emulator, id: string, parents: ParentIds): Props | undefined;
  /** Deleted, as the API shows it (default: not found, or revoked). */
  gone?(object: Props | undefined): boolean;
}

const SAMPLES: Record<string, Sample> = {
  Project: {
    args: (marker, p) => ({
      name: marker,
      orgId: p.orgId,
      database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PASSWORD" },
    }),
    configure: {
      args: (marker) => ({ allowedCidrs: [{ cidr: "10.40.0.0/16", label: marker }], agentsDisabled: true }),
      applied: (o) => o.agents_disabled === true && (o.allowed_cidrs as Props[]).length === 1,
    },
    update: { args: () => ({ description: "updated by the matrix" }), applied: (o) => o.description === "updated by the matrix" },
  },
  Database: {
    args: (marker, p) => ({
      projectId: p.project,
      host: `${marker}.internal`,
      port: 5432,
      name: "app",
      username: "ro",
      password: "env:PASSWORD",
      role: "replica",
    }),
    update: { args: () => ({ port: 6432 }), applied: (o) => o.port === 6432 },
  },
  PolicyProfile: {
    args: (marker, p) => ({ projectId: p.project, name: marker, accessMode: "read_only" }),
    update: { args: () => ({ maxRows: 77 }), applied: (o) => o.max_rows === 77 },
  },
  AgentCredential: {
    args: (marker, p) => ({ projectId: p.project, policyProfileId: p.policy, name: marker }),
    configure: { args: () => ({ status: "disabled" }), applied: (o) => o.status === "disabled" },
    update: { args: () => ({ status: "disabled" }), applied: (o) => o.status === "disabled" },
  },
  WebhookEndpoint: {
    args: (marker, p) => ({ projectId: p.project, url: `https://hooks.example.com/${marker}`, secret: "env:WEBHOOK_SECRET" }),
    update: { args: () => ({ description: "updated by the matrix" }), applied: (o) => o.description === "updated by the matrix" },
  },
  Replica: {
    args: (marker, p) => ({ databaseId: p.database, host: `${marker}.replica.internal`, port: 5432 }),
  },
  CustomDomain: {
    args: (marker, p) => ({ projectId: p.project, domain: `${marker}.example.com` }),
  },
  CacheRule: {
    args: (_marker, p) => ({ projectId: p.project, databaseId: p.database, queryHash: p.queryHash, cacheTtlSeconds: 300 }),
    update: { args: () => ({ cacheTtlSeconds: 60 }), applied: (o) => o.cache_ttl_seconds === 60 },
    object: (emulator, _id, p) => emulator.get("cacheRule", `${p.databaseId}:${p.queryHash}`),
    gone: (o) => o?.cache_enabled === false,
  },
  SpendLimit: {
    args: (_marker, p) => ({ orgId: p.orgId, spendLimit: 100 }),
    update: { args: () => ({ spendLimit: 250.5 }), applied: (o) => o.spend_limit === 250.5 },
    object: (emulator, _id, p) => emulator.get("plan", p.orgId),
    gone: (o) => o?.spend_limit === null,
  },
  SelfHostEnrollment: {
    args: (marker, p) => ({ orgId: p.orgId, regionLabel: marker, expiresAt: FUTURE }),
    gone: (o) => o === undefined || Boolean(o.revoked_at),
  },
  ProjectDefaultPolicy: {
    args: (_marker, p) => ({ projectId: p.project, defaultPolicyProfileId: p.policy }),
    update: {
      args: (p) => ({ defaultPolicyProfileId: p.secondPolicy }),
      applied: (o, p) => o.default_policy_profile_id === p.secondPolicyId,
    },
    object: (emulator, _id, p) => emulator.get("project", p.projectId),
    gone: (o) => o?.default_policy_profile_id === null,
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
  if (op === "update") return spec.update !== undefined && SAMPLES[resource].update !== undefined;
  if (op === "rotate") return spec.action !== undefined && !spec.action.onCreate;
  return true;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const add = (resource: string, op: Op, fault: FaultKind) =>
    // Fixed width: a fault finds its request by the name in it, and "c6" would also find "c60".
    cases.push({ n: cases.length, resource, op, fault, name: `c${String(cases.length).padStart(3, "0")}` });
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

/** Whether the configuring call's body carries the case's marker, so its fault can find it by that. */
const configureCarriesMarker = (c: Case) =>
  JSON.stringify(SAMPLES[c.resource].configure!.args(`matrix-${c.name}`)).includes(`matrix-${c.name}`);

/**
 * Whether a case needs a project (with its policies and database) of its own: when its fault finds its request by
 * a URL that other cases' requests under a shared project would match too. That is a configuring PATCH without the
 * marker (found anywhere under the project: the object's id is not known before the run), a read that lists the
 * project's or database's collection, and a resource that is a setting of the project (its item path is the
 * project's). Every other fault finds its request by the object's own URL or by the marker in the body.
 */
function needsOwnProject(c: Case): boolean {
  const spec = RESOURCE_SPECS[c.resource];
  if (c.op === "configure") return !configureCarriesMarker(c);
  if (c.op === "read" && spec.read?.list) return API_RESOURCES[c.resource as ApiResourceName].parentParams.some((p) => p !== "org_id");
  return spec.itemPath === spec.parents?.projectId;
}

const cases = buildCases();
const suite = realEngineSuite({ plan: "enterprise" }, (emulator) => {
  for (const c of cases) emulator.addOrganization(parentsOf(c).orgId, { plan: "enterprise" });
});
let stack: TestStack;
const ids: Record<string, string> = {};
const given = { password: PASSWORD, "webhook secret": WEBHOOK_SECRET };

/** The program name of a case's parent set: `shared` (one set for most cases), or the case's own. */
const parentSetOf = (c: Case) => (needsOwnProject(c) ? c.name : "shared");
/** Each parent set, with a case under it (whose parents name the set's resources). */
const parentSets = () => new Map(cases.map((c) => [parentSetOf(c), c]));

/**
 * A case's parents: its parent set's project, policies and database; its own org and query hash. The org costs the
 * run nothing (the emulator adds it; it is no resource), so every case has one: spend limits, enrollments and the
 * Project cases find their requests under it.
 */
const parentsOf = (c: Case): Parents => {
  const set = parentSetOf(c);
  return {
    project: `ref:${set}p.id`,
    policy: `ref:${set}pol.id`,
    secondPolicy: `ref:${set}pol2.id`,
    database: `ref:${set}p.primaryDatabaseId`,
    orgId: `org_matrix_${c.name}`,
    queryHash: (c.n + 1).toString(16).padStart(16, "0"),
  };
};

function parentIdsOf(c: Case): ParentIds {
  const set = parentSetOf(c);
  const p = parentsOf(c);
  return {
    projectId: ids[`${set}p`],
    policyId: ids[`${set}pol`],
    secondPolicyId: ids[`${set}pol2`],
    databaseId: ids[`${set}p.primaryDatabaseId`],
    orgId: p.orgId,
    queryHash: p.queryHash,
  };
}

type Program = Record<string, { type: string; args: unknown }>;

/** Each parent set's project, and those of its policies that a case's arguments name in some phase. */
function parentResources(): Program {
  const named = JSON.stringify([caseResources("created"), caseResources("changed")]);
  const resources: Program = {};
  for (const [set, c] of parentSets()) {
    const p = parentsOf(c);
    resources[`${set}p`] = { type: "Project", args: SAMPLES.Project.args(`matrix-${set}-parent`, { ...p, orgId: suite.emulator.orgId }) };
    if (named.includes(`"${p.policy}"`))
      resources[`${set}pol`] = { type: "PolicyProfile", args: { projectId: p.project, name: "parent-policy" } };
    if (named.includes(`"${p.secondPolicy}"`))
      resources[`${set}pol2`] = { type: "PolicyProfile", args: { projectId: p.project, name: "parent-policy-2" } };
  }
  return resources;
}

function program(phase: "parents" | "created" | "changed" | "deleted"): Program {
  return phase === "parents" ? parentResources() : { ...parentResources(), ...caseResources(phase) };
}

function caseResources(phase: "created" | "changed" | "deleted"): Program {
  const resources: Program = {};
  for (const c of cases) {
    if (phase === "deleted" && c.op === "delete") continue;
    const sample = SAMPLES[c.resource];
    let args: Props = sample.args(`matrix-${c.name}`, parentsOf(c));
    if (c.op === "configure") args = { ...args, ...sample.configure!.args(`matrix-${c.name}`) };
    if (phase !== "created" && c.op === "update") args = { ...args, ...sample.update!.args(parentsOf(c)) };
    if (phase !== "created" && c.op === "rotate") args = { ...args, [RESOURCE_SPECS[c.resource].action!.trigger]: "rotated-once" };
    resources[c.name] = { type: c.resource, args };
  }
  return resources;
}

/** The case's arguments with its parents' real ids, as the provider sees them (for URLs). */
function resolvedArgs(c: Case): Props {
  const p = parentIdsOf(c);
  const refs: Record<string, string> = {
    [parentsOf(c).project]: p.projectId,
    [parentsOf(c).policy]: p.policyId,
    [parentsOf(c).secondPolicy]: p.secondPolicyId,
    [parentsOf(c).database]: p.databaseId,
  };
  return Object.fromEntries(
    Object.entries(SAMPLES[c.resource].args(`matrix-${c.name}`, parentsOf(c))).map(([k, v]) => [k, refs[v as string] ?? v]),
  );
}

/** Ids by program name, and each project's primary database as `<name>.primaryDatabaseId`. */
async function rememberIds(): Promise<void> {
  for (const r of await stack.resources()) {
    const name = r.urn.split("::").pop()!;
    ids[name] = r.id!;
    if (typeof r.outputs?.primaryDatabaseId === "string") ids[`${name}.primaryDatabaseId`] = r.outputs.primaryDatabaseId;
  }
}

/** State after a run, read once: each read of the full matrix's state (~430 resources) takes the CLI seconds. */
interface Snapshot {
  resources: Awaited<ReturnType<TestStack["resources"]>>;
  outputs: Awaited<ReturnType<TestStack["outputs"]>>;
}
const snapshot = async (): Promise<Snapshot> => ({ resources: await stack.resources(), outputs: await stack.outputs() });
const outputsIn = (state: Snapshot, name: string) => state.outputs[name]?.value as Props | undefined;
const kindOf = (id: string | undefined) => suite.emulator.objects(undefined, { includeDeleted: true }).find((o) => o.id === id)?.kind;

/** The request each case's fault must hit. */
function faultFor(c: Case, state: Snapshot): Fault {
  const spec = RESOURCE_SPECS[c.resource];
  if (c.op === "create") {
    const verb = spec.create ?? {};
    if (verb.method === undefined || verb.method === "POST") return { ...c.fault.fault, method: "POST", bodyIncludes: `matrix-${c.name}` };
    const args = resolvedArgs(c);
    return { ...c.fault.fault, method: verb.method, path: spec.itemPath(args, verb.id!(args)) };
  }
  // The marker in the PATCH's body, or else any object's URL under the case's own project (see needsOwnProject).
  if (c.op === "configure") {
    if (configureCarriesMarker(c)) return { ...c.fault.fault, method: "PATCH", bodyIncludes: `matrix-${c.name}` };
    return { ...c.fault.fault, method: "PATCH", path: new RegExp(`^/v1/projects/${parentIdsOf(c).projectId}/[^/]+/[^/]+$`) };
  }
  const outputs = outputsIn(state, c.name)!;
  const itemPath = spec.itemPath(outputs, ids[c.name]);
  if (c.op === "update") return { ...c.fault.fault, method: spec.update!.method, path: itemPath };
  if (c.op === "rotate") return { ...c.fault.fault, method: "POST", path: spec.action!.path(outputs, ids[c.name]) };
  // Where the engine reads it: the collection it lists, a path of its own (a spend limit: the org's plan), the item.
  if (c.op === "read")
    return {
      ...c.fault.fault,
      method: "GET",
      path: spec.read?.list ? spec.collectionPath!(outputs) : (spec.read?.path?.(outputs, ids[c.name]) ?? itemPath),
    };
  return { ...c.fault.fault, method: spec.delete?.method ?? "DELETE", path: itemPath };
}

/** Whether the run reported no error for the case's resource, which is where its phase wants it in state and API. */
function converged(c: Case, run: CliResult, state: Snapshot, oneTimeBefore: Record<string, string>): boolean {
  if (new RegExp(`\\(${c.name}\\):\\s*\\n\\s*error:`).test(run.output)) return false;
  const sample = SAMPLES[c.resource];
  const held = state.resources.find((r) => r.urn.endsWith(`::${c.name}`));
  const id = held?.id ?? ids[c.name];
  const object = sample.object ? sample.object(suite.emulator, id, parentIdsOf(c)) : suite.emulator.get(kindOf(id) ?? "project", id);
  if (c.op === "delete") return held === undefined && (sample.gone ?? ((o) => o === undefined || o.status === "revoked"))(object);
  if (!held?.id || !object) return false;
  if (c.op === "configure") return sample.configure!.applied(object);
  if (c.op === "update") return sample.update!.applied(object, parentIdsOf(c));
  if (c.op === "rotate") return oneTimeOf(c, outputsIn(state, c.name) ?? {}) !== oneTimeBefore[c.name];
  return true;
}

/** The case's one-time outputs (tokens), as one comparable string. */
const oneTimeOf = (c: Case, outputs: Props) => JSON.stringify(fieldsWith(RESOURCE_SPECS[c.resource], "oneTime").map((key) => outputs[key]));

/** One faulted run and one clean run for the cases of a phase; records which converged them. */
async function runPhase(phaseCases: Case[], run: () => Promise<CliResult>, oneTimeBefore: Record<string, string> = {}): Promise<void> {
  suite.emulator.clearFaults();
  const before = await snapshot();
  const faults = new Map(phaseCases.map((c) => [c, faultFor(c, before)]));
  for (const fault of faults.values()) suite.emulator.inject(fault);
  const first = await run();
  // Every fault met its request: one that matched nothing would let its case pass untested.
  const hit = new Set(suite.emulator.requests.map((r) => r.fault));
  expect(phaseCases.filter((c) => !hit.has(faults.get(c))).map((c) => `${c.name} ${c.resource} ${c.op}`)).toEqual([]);
  const afterFirst = await snapshot();
  for (const c of phaseCases) if (converged(c, first, afterFirst, oneTimeBefore)) c.convergedIn = 1;
  const failedFirst = phaseCases.filter((c) => c.convergedIn !== 1);
  for (const c of failedFirst) {
    // A failure must name the resource and its cause.
    expect({ case: c.name, code: first.code, named: first.output.includes(c.name) }).toEqual({
      case: c.name,
      code: first.code,
      named: true,
    });
  }
  suite.emulator.clearFaults();
  await expectNoLeaks(stack, suite.emulator, given);
  const second = await run();
  if (second.code !== 0) {
    const errors = second.output.split("\n").filter((line, i, lines) => /error:/.test(line) || /error:/.test(lines[i + 1] ?? ""));
    throw new Error(`the run without faults failed:\n${errors.join("\n")}`);
  }
  const afterSecond = await snapshot();
  for (const c of failedFirst) c.convergedIn = converged(c, second, afterSecond, oneTimeBefore) ? 2 : 0;
  await expectStateMatchesEmulator(stack, suite.emulator, "matrix-");
  await expectNoLeaks(stack, suite.emulator, given);
}

const up = () => stack.cli(["up", "--yes", "--skip-preview", "--continue-on-error"]);

beforeAll(async () => {
  stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD, WEBHOOK_SECRET, ...FINAL_STATE_ONLY } });
  await stack.stack.setAllConfig({
    "pgbeam:attemptTimeoutMs": { value: String(ATTEMPT_TIMEOUT_MS) },
    "pgbeam:callBudgetMs": { value: String(CALL_BUDGET_MS) },
  });
});

afterAll(async () => {
  const rows = cases.map(
    (c) =>
      `${c.resource.padEnd(16)} ${c.op.padEnd(9)} ${c.fault.name.padEnd(56)} ${["failed", "converged in the faulted run", "converged in the next run"][c.convergedIn ?? 0]}`,
  );
  const count = (n: number) => cases.filter((c) => (c.convergedIn ?? 0) === n).length;
  console.log(
    `fault matrix (${FULL ? "full" : "sample; PGBEAM_FULL_MATRIX=1 for all"}): ${cases.length} cases, ${count(1)} converged in the first run, ` +
      `${count(2)} in the second, ${count(0)} failed; ${Object.keys(program("created")).length} resources in a run, ` +
      `${Object.keys(parentResources()).length} of them parents\n  ${rows.join("\n  ")}`,
  );
  await stack?.cleanup();
});

it("every registered resource has a matrix sample", () => {
  expect(Object.keys(RESOURCE_SPECS).filter((name) => !SAMPLES[name])).toEqual([]);
});

it("create and the configuring step after it", async () => {
  await stack.setResources(program("parents") as never);
  expect((await up()).code).toBe(0);
  await rememberIds();
  for (const c of cases) suite.emulator.observeQuery(parentIdsOf(c).projectId, parentIdsOf(c).databaseId, parentsOf(c).queryHash);
  await stack.setResources(program("created") as never);
  await runPhase(
    cases.filter((c) => c.op === "create" || c.op === "configure"),
    up,
  );
  await rememberIds();
});

it("update and rotation; one-time secrets unchanged unless rotated", async () => {
  const withSecrets = cases.filter((c) => fieldsWith(RESOURCE_SPECS[c.resource], "oneTime").length > 0);
  const created = await snapshot();
  const before: Record<string, string> = {};
  for (const c of withSecrets) before[c.name] = oneTimeOf(c, outputsIn(created, c.name) ?? {});
  await stack.setResources(program("changed") as never);
  await runPhase(
    cases.filter((c) => c.op === "update" || c.op === "rotate"),
    up,
    before,
  );
  const changed = await snapshot();
  for (const c of withSecrets.filter((a) => a.op !== "rotate"))
    expect([c.name, oneTimeOf(c, outputsIn(changed, c.name) ?? {})]).toEqual([c.name, before[c.name]]);
});

it("refresh reads", async () => {
  await runPhase(
    cases.filter((c) => c.op === "read"),
    () => stack.cli(["refresh", "--yes", "--skip-preview"]),
  );
});

it("delete", async () => {
  await stack.setResources(program("deleted") as never);
  await runPhase(
    cases.filter((c) => c.op === "delete"),
    up,
  );
});

it("every case converged, in the run the fault allows", () => {
  const wrong = cases
    .filter((c) => c.convergedIn !== (c.fault.converges === "first" ? 1 : 2))
    .map((c) => `${c.name} ${c.resource} ${c.op} ${c.fault.name}: ${c.convergedIn ?? 0}`);
  expect(wrong).toEqual([]);
});
