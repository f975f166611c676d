/**
 * `npm run bench`: every figure is a ratio against a floor measured in the same run, so it means something on any
 * machine (never asserted in tests). All parts drive the real Pulumi CLI against the in-process emulator.
 *   1. API calls per operation, for every registered resource, from the emulator's request log, ÷ the minimum the
 *      API requires
 *   2. engine overhead: up / unchanged preview / refresh / destroy of N projects ÷ the same program with a
 *      trivial dynamic resource that calls nothing (the floor); at N = 100, the CPU by process (2b) and the provider
 *      host's CPU as the floor is given, one at a time, what a project's host does beyond it: our modules, a
 *      project's state, its API calls (2d), so what is left is the engine's own work
 *   3. latency scaling: up with 100 ms added to every request ÷ (floor + depth × calls per resource × latency)
 *      (and, for up, the CPU each process spent: where the difference goes)
 *   4. state bytes per resource ÷ the trivial resource's
 *   5. giving up: how long an up takes to fail against an API that stays down, or throttles forever
 * Prints a table, writes bench/results.json (compare runs with `--compare <old.json>`), and with --readme
 * rewrites the figures between the bench markers of docs/benchmarks.md.
 * Options: --sizes 1,10,100  --repeat 3 (cycles per size; medians)  --chain 20 (dependency chain
 * length)  --latency 100 (ms)  --only 1,3 (parts)  --out <file>  --compare <old.json>  --readme.
 * N = 1000 is not in a default run (about 25 minutes on 2 cores for one cycle): `--only 2 --sizes 1,10,100,1000
 * --repeat 1` measures it, with the cost per resource as N grows (2c). The emulator's enterprise plan allows 1000
 * projects, the largest N.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../emulator";
import { configuredSpecPath } from "../emulator/spec";
import { pulumiBinDir } from "../real-engine/pulumi-bin";
import { consumerProject, type StepResult, TestStack } from "../real-engine/stack";
import { RESOURCE_SPECS } from "../provider/resources/registry";
import { SECRET_VALUES } from "../fixtures/resources";
import { createParents, fixtureFor } from "../fixtures/scenario";

const repoRoot = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const sizes = option("sizes", "1,10,100").split(",").map(Number);
const chainLength = Number(option("chain", "20"));
const latencyMs = Number(option("latency", "100"));
const parts = new Set(option("only", "1,2,3,4,5").split(",").map(Number));
/** Cycles of up/preview/refresh/destroy per size (the median is kept): one run says little on a shared machine. */
const repeat = Number(option("repeat", "3"));
const outFile = path.resolve(option("out", path.join(repoRoot, "bench/results.json")));

const PASSWORD = "bench-password-Zr41";
const bin = pulumiBinDir();
const consumer = consumerProject();

const ratio = (value: number, floor: number) => Math.round((value / floor) * 100) / 100;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

const printed: string[] = [];
function report(title: string, text: string) {
  const block = `**${title}**\n\n${text}\n`;
  printed.push(block);
  console.log(`\n${block}`);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. API calls per operation, per resource
// ---------------------------------------------------------------------------------------------------------------

const OPERATION_NAMES = ["create", "up (unchanged)", "preview", "update 1 field", "refresh", "destroy"] as const;
type Operation = (typeof OPERATION_NAMES)[number];

/** The spec's object schemas (for the nested object: whether the object's own answers carry it). */
function specSchemas(): Record<string, { properties?: Record<string, unknown> }> {
  return JSON.parse(fs.readFileSync(configuredSpecPath(), "utf8")).components.schemas;
}

/**
 * The fewest calls the API allows for one object, per operation: one call per object touched. An object with a
 * nested one (a project's primary database) is two on read when the object's schema holds none of the nested
 * settings, and two on create when its create request does not take them (createProject takes its database).
 */
function minimumCalls(name: string, schemas = specSchemas()): Record<Operation, number> {
  const nested = RESOURCE_SPECS[name].nested;
  const carried = (schema: string) => nested === undefined || nested.key in (schemas[schema]?.properties ?? {});
  return {
    create: carried(`Create${name}Request`) ? 1 : 2,
    "up (unchanged)": 0,
    preview: 0,
    "update 1 field": 1,
    refresh: carried(name) ? 1 : 2,
    destroy: 1,
  };
}

const MINIMUM_WHY: Record<Operation, string> = {
  create: "one POST or PUT per object; createProject takes the primary database in the same call",
  "up (unchanged)": "nothing changed: the diff needs only the program and state",
  preview: "a preview changes nothing: check and diff need only the program and state",
  "update 1 field": "one PATCH or PUT of the object whose field changed (the fixture's first updatable input)",
  refresh: "one GET per object; a Project is two (the Project schema holds no database settings)",
  destroy: "one DELETE (or the disabling PUT/PATCH) per object; a project's DELETE takes its primary database with it",
};

/** A request as `METHOD /path`, with ids (`prefix_…`: no path word of the API has an underscore) as `:id`. */
const callShape = (request: { method: string; path: string }) => `${request.method} ${request.path.replace(/\/[^/]*_[^/]*/g, "/:id")}`;

/**
 * Every registered resource on its own stack, against its own emulator, from the registry-driven lifecycle's sample
 * arguments (its parents made through the API first, outside the stack): every call the emulator logs during an
 * operation is that resource's. The update changes the first input the sample updates in place.
 */
async function callsOf(name: string): Promise<{ calls: Partial<Record<Operation, string[]>>; updated?: string }> {
  const emulator = await startEmulator({ plan: "enterprise" });
  const parents = await createParents(emulator);
  const fixture = fixtureFor(name);
  const stack = await TestStack.create({
    program: path.join(repoRoot, "test/e2e/programs/resources"),
    consumer,
    bin,
    emulator,
    env: SECRET_VALUES,
  });
  const calls: Partial<Record<Operation, string[]>> = {};
  const measure = async (operation: Operation, run: () => Promise<StepResult>) => {
    emulator.clearRequests();
    await run();
    calls[operation] = emulator.requests.map(callShape);
  };
  const [updated, update] = Object.entries(fixture.updates)[0] ?? [];
  try {
    await stack.setResources({ [name]: { type: name, args: fixture.args(parents) } });
    await measure("create", () => stack.up());
    await measure("up (unchanged)", () => stack.up());
    await measure("preview", () => stack.preview());
    if (update) {
      await stack.setResources({ [name]: { type: name, args: { ...fixture.args(parents), ...update.change(parents) } } });
      await measure("update 1 field", () => stack.up());
    }
    await measure("refresh", () => stack.refresh());
    await measure("destroy", () => stack.destroy());
  } finally {
    await stack.cleanup();
    await emulator.stop();
  }
  return { calls, updated };
}

/** Resources measured at once: each has its own emulator and stack, and only counts matter here, not time. */
const API_CALLS_PARALLEL = 4;

async function apiCalls() {
  const names = Object.keys(RESOURCE_SPECS);
  const measured: Record<string, Awaited<ReturnType<typeof callsOf>>> = {};
  const queue = [...names];
  await Promise.all(
    Array.from({ length: API_CALLS_PARALLEL }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) measured[name] = await callsOf(name);
    }),
  );
  const actual = Object.fromEntries(names.map((name) => [name, measured[name].calls]));
  const updated = Object.fromEntries(names.map((name) => [name, measured[name].updated]));
  const schemas = specSchemas();
  const minimum = Object.fromEntries(Object.keys(actual).map((name) => [name, minimumCalls(name, schemas)]));
  const cell = (name: string, operation: Operation) => {
    const calls = actual[name][operation];
    if (calls === undefined) return "— (no in-place update)";
    const floor = minimum[name][operation];
    return floor === 0 ? `${calls.length} (goal 0)` : `${calls.length}/${floor} = ${ratio(calls.length, floor)}`;
  };
  const above = Object.keys(actual).flatMap((name) =>
    OPERATION_NAMES.filter((operation) => (actual[name][operation]?.length ?? 0) > minimum[name][operation]).map(
      (operation) =>
        `- ${name} ${operation}${operation === "update 1 field" ? ` (${updated[name]})` : ""}: ${actual[name][operation]!.join(", ")}`,
    ),
  );
  report(
    "1. API calls per operation and resource: actual/minimum (from the emulator's request log)",
    [
      table(
        ["resource", ...OPERATION_NAMES],
        Object.keys(actual).map((name) => [name, ...OPERATION_NAMES.map((operation) => cell(name, operation))]),
      ),
      "",
      "The minimum, from the spec:",
      ...OPERATION_NAMES.map((operation) => `- ${operation}: ${MINIMUM_WHY[operation]}`),
      "",
      above.length > 0 ? "Above the minimum, the calls made:" : "Every operation is at the minimum.",
      ...above,
    ].join("\n"),
  );
  return { actual, minimum, updated };
}

// ---------------------------------------------------------------------------------------------------------------
// 2 + 4. Engine overhead and state size, against a trivial dynamic resource
// ---------------------------------------------------------------------------------------------------------------

/**
 * What a stack is built from: PgBeam projects, or the trivial resource with what it is given of a project's host's
 * work (see scripts/bench-program): "floor+calls" makes the API calls a project makes; the others build up toward a
 * project (2d).
 */
type Kind = "pgbeam" | "floor" | "floor+calls" | "floor+modules" | "floor+modules+state" | "floor+modules+state+calls";
const BUILT_UP: { kind: Kind; adds: string }[] = [
  { kind: "floor+modules", adds: "+ pulumi-pgbeam's modules loaded (a Project's, its HTTP client where a verb calls)" },
  { kind: "floor+modules+state", adds: "+ a Project's outputs stored (the state, so the messages, a project has)" },
  {
    kind: "floor+modules+state+calls",
    adds: "+ the API calls a project makes (its POST, a refresh's two GETs, its DELETE; with Node's fetch)",
  },
];

async function benchStack(emulator: Emulator, kind: Kind, count: number, chain = false): Promise<TestStack> {
  const env = { PW: PASSWORD, BENCH_API_URL: emulator.url, BENCH_API_KEY: emulator.apiKey };
  const stack = await TestStack.create({ program: path.join(repoRoot, "scripts/bench-program"), consumer, bin, emulator, env });
  const [base, ...adds] = kind.split("+");
  await stack.stack.setConfig("bench", { value: JSON.stringify({ kind: base, adds, count, chain, orgId: emulator.orgId }) });
  return stack;
}

/** Bytes per resource of the dynamic resources in `pulumi stack export`, and how many of them are `__provider`. */
async function stateBytes(stack: TestStack): Promise<{ perResource: number; providerPerResource: number }> {
  const deployment = JSON.parse(await stack.exportText());
  const entries = (deployment.deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("pulumi-nodejs:dynamic/"));
  const total = entries.reduce((sum: number, entry: unknown) => sum + JSON.stringify(entry).length, 0);
  const provider = entries.reduce(
    (sum: number, entry: { inputs?: { __provider?: unknown }; outputs?: { __provider?: unknown } }) =>
      sum + JSON.stringify(entry.inputs?.__provider ?? "").length + JSON.stringify(entry.outputs?.__provider ?? "").length,
    0,
  );
  return { perResource: Math.round(total / entries.length), providerPerResource: Math.round(provider / entries.length) };
}

const OPERATIONS = ["up", "preview", "refresh", "destroy"] as const;
/** Refresh against a floor whose read makes the two GETs a project's refresh makes: the provider's own cost. */
const REFRESH_WITH_CALLS = "refresh ÷ a floor making its calls";

type Role = "program" | "provider host" | "CLI" | "emulator";
const ROLES: Role[] = ["program", "provider host", "CLI", "emulator"];

/**
 * CPU time by process while a CLI command runs (Linux /proc, sampled every 100 ms, so a process's last <100 ms may
 * be missed): the program, the dynamic provider host, the CLI with its language host (all found by their working
 * directory, the stack's), and this process, where the emulator runs. Less disturbed by other load than wall time.
 */
async function cpuDuring<T>(workDir: string, run: () => Promise<T>): Promise<{ result: T; cpuMs: Record<Role, number> }> {
  const perPid = new Map<string, { role: Role; ms: number }>();
  const sample = () => {
    for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/cwd`) !== workDir) continue;
        const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        const role: Role = command.includes("dynamic-provider")
          ? "provider host"
          : command.includes("@pulumi/pulumi/cmd/run")
            ? "program"
            : "CLI";
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        perPid.set(pid, { role, ms: (Number(fields[11]) + Number(fields[12])) * (1000 / CLOCK_TICKS) });
      } catch {
        // the process ended between listing and reading: its last sample stands
      }
    }
  };
  const measurable = os.platform() === "linux";
  const timer = measurable ? setInterval(sample, 100) : undefined;
  const own = process.cpuUsage();
  try {
    const result = await run();
    if (measurable) sample();
    const cpuMs = Object.fromEntries(ROLES.map((role) => [role, 0])) as Record<Role, number>;
    for (const { role, ms } of perPid.values()) cpuMs[role] += ms;
    const emulator = process.cpuUsage(own);
    cpuMs.emulator = Math.round((emulator.user + emulator.system) / 1000);
    return { result, cpuMs };
  } finally {
    clearInterval(timer);
  }
}
const CLOCK_TICKS = os.platform() === "linux" ? Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) : 100;

async function overheadAndState() {
  const overhead: { n: number; operation: string; pgbeamMs: number; floorMs: number; ratio: number }[] = [];
  const cpu: { n: number; operation: string; pgbeam: Record<Role, number>; floor: Record<Role, number> }[] = [];
  const state: { n: number; pgbeam: number; floor: number; pgbeamProvider: number; floorProvider: number; ratio: number }[] = [];
  const builtUp: { operation: string; hostCpuMs: Partial<Record<Kind, number>> }[] = [];
  // The goal is set at N = 100; a run with larger sizes still breaks that size down.
  const breakdownN = sizes.includes(100) ? 100 : Math.max(...sizes);
  for (const n of sizes) {
    // Enterprise: room for N projects (max_projects), whatever the sizes asked for.
    const emulator = await startEmulator({ plan: "enterprise" });
    const kinds: Kind[] = ["floor", "pgbeam", "floor+calls", ...(n === breakdownN ? BUILT_UP.map((b) => b.kind) : [])];
    const timings = Object.fromEntries(kinds.map((kind) => [kind, {}])) as Record<Kind, Record<string, number[]>>;
    const cpuByOperation = Object.fromEntries(kinds.map((kind) => [kind, {}])) as Record<Kind, Record<string, Record<Role, number>[]>>;
    const bytes: Partial<Record<Kind, { perResource: number; providerPerResource: number }>> = {};
    // Floor and ours alternate, cycle by cycle, so a burst of load on the shared machine hits both.
    for (let cycle = 0; cycle < repeat; cycle++) {
      for (const kind of kinds) {
        const stack = await benchStack(emulator, kind, n);
        const time = async (operation: string, run: () => Promise<StepResult>) => {
          const { result, cpuMs } = await cpuDuring(stack.workDir, run);
          (timings[kind][operation] ??= []).push(result.ms);
          (cpuByOperation[kind][operation] ??= []).push(cpuMs);
        };
        try {
          await time("up", () => stack.up());
          bytes[kind] = await stateBytes(stack);
          // The floor making a project's calls is compared in refresh only.
          if (kind !== "floor+calls") await time("preview", () => stack.preview());
          await time("refresh", () => stack.refresh());
          await time("destroy", () => stack.destroy());
        } finally {
          await stack.cleanup();
        }
      }
    }
    await emulator.stop();
    for (const operation of OPERATIONS) {
      const { pgbeam, floor } = { pgbeam: median(timings.pgbeam[operation]), floor: median(timings.floor[operation]) };
      overhead.push({ n, operation, pgbeamMs: pgbeam, floorMs: floor, ratio: ratio(pgbeam, floor) });
    }
    const [refreshMs, withCallsMs] = [median(timings.pgbeam.refresh), median(timings["floor+calls"].refresh)];
    overhead.push({ n, operation: REFRESH_WITH_CALLS, pgbeamMs: refreshMs, floorMs: withCallsMs, ratio: ratio(refreshMs, withCallsMs) });
    const cpuMedian = (kind: Kind, operation: string) =>
      Object.fromEntries(ROLES.map((role) => [role, median(cpuByOperation[kind][operation].map((c) => c[role]))])) as Record<Role, number>;
    for (const operation of OPERATIONS)
      cpu.push({ n, operation, pgbeam: cpuMedian("pgbeam", operation), floor: cpuMedian("floor", operation) });
    if (n === breakdownN)
      for (const operation of OPERATIONS)
        builtUp.push({
          operation,
          hostCpuMs: Object.fromEntries(
            (["floor", ...BUILT_UP.map((b) => b.kind), "pgbeam"] as Kind[]).map((kind) => [
              kind,
              cpuMedian(kind, operation)["provider host"],
            ]),
          ),
        });
    state.push({
      n,
      pgbeam: bytes.pgbeam!.perResource,
      floor: bytes.floor!.perResource,
      pgbeamProvider: bytes.pgbeam!.providerPerResource,
      floorProvider: bytes.floor!.providerPerResource,
      ratio: ratio(bytes.pgbeam!.perResource, bytes.floor!.perResource),
    });
  }
  report(
    "2. Engine overhead: PgBeam projects ÷ a trivial dynamic resource with the same arguments (goal ≤ 1.2 at N = 100)",
    table(
      ["N", ...OPERATIONS, REFRESH_WITH_CALLS],
      sizes.map((n) => [
        n,
        ...[...OPERATIONS, REFRESH_WITH_CALLS].map((operation) => {
          const row = overhead.find((o) => o.n === n && o.operation === operation)!;
          return `${seconds(row.pgbeamMs)} / ${seconds(row.floorMs)} = ${row.ratio}`;
        }),
      ]),
    ),
  );
  const total = (byRole: Record<Role, number>) => ROLES.reduce((sum, role) => sum + byRole[role], 0);
  const cpuCell = (ours: number, floor: number, withRatio: boolean) =>
    `${(ours / 1000).toFixed(1)} / ${(floor / 1000).toFixed(1)}${withRatio ? ` = ${ratio(ours, floor)}` : ""}`;
  report(
    `2b. Where the time goes at N = ${breakdownN}: CPU seconds by process, PgBeam / trivial resource (medians; goal for the provider host ≤ 1.2)`,
    table(
      ["operation", ...ROLES, "total"],
      cpu
        .filter((c) => c.n === breakdownN)
        .map((c) => [
          c.operation,
          ...ROLES.map((role) => cpuCell(c.pgbeam[role], c.floor[role], role === "provider host")),
          `${(total(c.pgbeam) / 1000).toFixed(1)} / ${(total(c.floor) / 1000).toFixed(1)} = ${ratio(total(c.pgbeam), total(c.floor))}`,
        ]),
    ),
  );
  const hostCell = (ms: number | undefined, floorMs: number | undefined) =>
    ms === undefined || floorMs === undefined ? "—" : `${(ms / 1000).toFixed(2)} = ${ratio(ms, floorMs)}`;
  const rowOf = (label: string, kind: Kind) => [label, ...builtUp.map((b) => hostCell(b.hostCpuMs[kind], b.hostCpuMs.floor))];
  report(
    `2d. The provider host's CPU at N = ${breakdownN}, from the trivial resource up: each row gives it one more thing a PgBeam project's host does (CPU seconds, medians = ratio to the trivial resource); what the last step leaves is the engine's own work`,
    table(
      ["provider host of", ...builtUp.map((b) => b.operation)],
      [
        rowOf("the trivial resource", "floor"),
        ...BUILT_UP.map((b) => rowOf(b.adds, b.kind)),
        rowOf("PgBeam projects", "pgbeam"),
        ["PgBeam ÷ the row above", ...builtUp.map((b) => `${ratio(b.hostCpuMs.pgbeam!, b.hostCpuMs["floor+modules+state+calls"]!)}`)],
      ],
    ),
  );
  if (sizes.length > 1) {
    const sorted = [...sizes].sort((a, b) => a - b);
    const wall = (n: number, operation: string) => overhead.find((o) => o.n === n && o.operation === operation)!;
    const hostCpu = (n: number, operation: string) => cpu.find((c) => c.n === n && c.operation === operation)!.pgbeam["provider host"];
    report(
      "2c. Cost per resource as N grows: ms per resource at each N (wall, PgBeam / trivial resource), then the cost of each resource added since the size before (wall; provider host CPU)",
      table(
        ["operation", ...sorted.map((n) => `N = ${n}`), ...sorted.slice(1).map((n, i) => `added ${sorted[i]} → ${n}`)],
        OPERATIONS.map((operation) => [
          operation,
          ...sorted.map((n) => `${(wall(n, operation).pgbeamMs / n).toFixed(0)} / ${(wall(n, operation).floorMs / n).toFixed(0)}`),
          ...sorted.slice(1).map((n, i) => {
            const added = n - sorted[i];
            const perWall = (wall(n, operation).pgbeamMs - wall(sorted[i], operation).pgbeamMs) / added;
            const perCpu = (hostCpu(n, operation) - hostCpu(sorted[i], operation)) / added;
            return `${perWall.toFixed(0)} ms; ${perCpu.toFixed(1)} ms`;
          }),
        ]),
      ),
    );
  }
  report(
    "4. State bytes per resource in `pulumi stack export` (goal ≤ 1.2×)",
    table(
      ["N", "PgBeam project", "trivial resource", "ratio", "of which __provider (ours / trivial)"],
      state.map((s) => [s.n, s.pgbeam, s.floor, s.ratio, `${s.pgbeamProvider} / ${s.floorProvider}`]),
    ),
  );
  return { overhead, cpu, state, hostBuiltUp: builtUp };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Latency scaling
// ---------------------------------------------------------------------------------------------------------------

/** The bound counts the calls the API requires per project (part 1's minimum), so extra calls show as cost. */
async function latencyScaling(createCallsPerProject: number) {
  const shapes = [
    { shape: `${Math.max(...sizes)} independent`, count: Math.max(...sizes), chain: false, depth: 1 },
    { shape: `chain of ${chainLength}`, count: chainLength, chain: true, depth: chainLength },
  ];
  const results = [];
  for (const { shape, count, chain, depth } of shapes) {
    const emulator = await startEmulator({ plan: "enterprise" });
    const floorStack = await benchStack(emulator, "floor", count, chain);
    const floorMs = (await floorStack.up()).ms;
    await floorStack.cleanup();
    emulator.inject({ delayMs: latencyMs, times: Number.MAX_SAFE_INTEGER });
    const stack = await benchStack(emulator, "pgbeam", count, chain);
    const wallMs = (await stack.up()).ms;
    const requests = emulator.requests.length;
    await stack.cleanup();
    await emulator.stop();
    const boundMs = floorMs + depth * createCallsPerProject * latencyMs;
    results.push({ shape, count, depth, floorMs, wallMs, boundMs, requests, ratio: ratio(wallMs, boundMs) });
  }
  report(
    `3. Latency scaling: up with ${latencyMs} ms added to every request ÷ (floor + depth × ${createCallsPerProject} call × ${latencyMs} ms) (goal ≤ 1.5)`,
    table(
      ["program", "requests", "wall", "bound", "ratio"],
      results.map((r) => [
        r.shape,
        r.requests,
        seconds(r.wallMs),
        `${seconds(r.floorMs)} + ${r.depth} × ${createCallsPerProject} × ${latencyMs} ms = ${seconds(r.boundMs)}`,
        r.ratio,
      ]),
    ),
  );
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Giving up
// ---------------------------------------------------------------------------------------------------------------

async function givingUp() {
  const cases = [
    { api: "stays down (503 every time)", fault: { status: 503 } },
    { api: "throttles forever (429, Retry-After: 1)", fault: { status: 429, retryAfter: "1" } },
  ];
  const results = [];
  for (const { api, fault } of cases) {
    const emulator = await startEmulator();
    const stack = await benchStack(emulator, "pgbeam", 1);
    emulator.inject({ ...fault, times: Number.MAX_SAFE_INTEGER });
    const started = Date.now();
    const failed = await stack.up().then(
      () => false,
      () => true,
    );
    const ms = Date.now() - started;
    const attempts = emulator.requests.length;
    await stack.cleanup();
    await emulator.stop();
    if (!failed) throw new Error(`up against an API that ${api} succeeded`);
    results.push({ api, ms, attempts });
  }
  report(
    "5. Giving up: an up of 1 project against an API that never recovers (the client's retry policy: bounded by time, `pgbeam:callBudgetMs`)",
    table(
      ["API", "up failed after", "attempts"],
      results.map((r) => [r.api, seconds(r.ms), r.attempts]),
    ),
  );
  return results;
}

// ---------------------------------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  const pulumiVersion = execFileSync(path.join(bin, "pulumi"), ["version"], { encoding: "utf8" }).trim();
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model ?? "unknown"}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    pulumi: pulumiVersion,
  };
}

function compare(previousFile: string, previous: Record<string, unknown>, current: Record<string, unknown>) {
  const ratios = (results: { overhead?: { n: number; operation: string; ratio: number }[] }) =>
    new Map((results.overhead ?? []).map((o) => [`${o.operation} N=${o.n}`, o.ratio]));
  const before = ratios(previous);
  const after = ratios(current as { overhead?: { n: number; operation: string; ratio: number }[] });
  const rows = [...after].map(([key, value]) => [key, before.get(key) ?? "—", value]);
  // Printed only: docs/benchmarks.md keeps one run's figures.
  if (rows.length)
    console.log(`\nCompared with ${path.relative(repoRoot, previousFile)} (engine overhead ratios)\n${table(["", "before", "now"], rows)}`);
}

function updateBenchmarksDoc(machineInfo: ReturnType<typeof machine>, when: string) {
  const docPath = path.join(repoRoot, "docs/benchmarks.md");
  const doc = fs.readFileSync(docPath, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  if (!doc.includes(start) || !doc.includes(end)) throw new Error(`docs/benchmarks.md has no ${start} … ${end} markers`);
  const body = [
    `Measured by \`npm run bench -- --readme\` on ${when.slice(0, 10)}: ${machineInfo.cpu}, ${machineInfo.memoryGb} GB, load average ${machineInfo.loadAverage.join(" ")} at start (a machine shared with other jobs), Node ${machineInfo.node}, Pulumi CLI ${machineInfo.pulumi} built here. Ratios compare runs made in the same minutes on the same machine; absolute times are for scale only.`,
    "",
    ...printed,
  ].join("\n");
  fs.writeFileSync(docPath, doc.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${body}${end}`));
}

async function main() {
  // Read before this run overwrites it (the default output is also the usual thing to compare with).
  const previousFile = args.includes("--compare") ? path.resolve(option("compare", "")) : undefined;
  const previous = previousFile ? JSON.parse(fs.readFileSync(previousFile, "utf8")) : undefined;
  const when = new Date().toISOString();
  const machineInfo = machine();
  console.log(`machine: ${JSON.stringify(machineInfo)}`);
  const results: Record<string, unknown> = { when, machine: machineInfo, options: { sizes, repeat, chainLength, latencyMs } };
  if (parts.has(1)) results.apiCalls = await apiCalls();
  if (parts.has(2) || parts.has(4)) Object.assign(results, await overheadAndState());
  if (parts.has(3)) results.latency = await latencyScaling(minimumCalls("Project").create);
  if (parts.has(5)) results.givingUp = await givingUp();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
  if (previousFile) compare(previousFile, previous, results);
  if (args.includes("--readme")) updateBenchmarksDoc(machineInfo, when);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
