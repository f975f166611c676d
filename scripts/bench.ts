/**
 * `npm run bench`: every figure is a ratio against a floor measured in the same run, so it means something on any
 * machine (never asserted in tests). All parts drive the real Pulumi CLI against the in-process emulator.
 *   1. API calls per operation and resource, from the emulator's request log, ÷ the minimum the API requires
 *   2. engine overhead: up / unchanged preview / refresh / destroy of N projects ÷ the same program with a
 *      trivial dynamic resource that calls nothing (the floor)
 *   3. latency scaling: up with 100 ms added to every request ÷ (floor + depth × calls per resource × latency)
 *      (and, for up, the CPU each process spent: where the difference goes)
 *   4. state bytes per resource ÷ the trivial resource's
 *   5. giving up: how long an up takes to fail against an API that stays down, or throttles forever
 * Prints a table, writes bench/results.json (compare runs with `--compare <old.json>`), and with --readme
 * rewrites the figures between the bench markers of docs/benchmarks.md.
 * Options: --sizes 1,10,100  --repeat 3 (cycles per size; medians)  --chain 20 (dependency chain
 * length)  --latency 100 (ms)  --only 1,3 (parts)  --out <file>  --compare <old.json>  --readme.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../emulator";
import { configuredSpecPath } from "../emulator/spec";
import { pulumiBinDir } from "../real-engine/pulumi-bin";
import { consumerProject, type StepResult, TestStack } from "../real-engine/stack";

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

const COLLECTIONS: Record<string, string> = {
  projects: "Project",
  databases: "Database",
  policies: "PolicyProfile",
  agents: "AgentCredential",
  webhooks: "WebhookEndpoint",
};

/** The program of part 1: one of each resource; each type in `changed` has one field changed. */
function allResources(orgId: string, changed: ReadonlySet<string> = new Set()) {
  const updated = (type: string) => changed.has(type);
  return {
    project: { type: "Project", args: { name: "bench", orgId, description: updated("Project") ? "changed" : "bench", database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PW" } } },
    database: { type: "Database", args: { projectId: "ref:project.id", host: updated("Database") ? "replica2.internal" : "replica.internal", port: 5432, name: "app", username: "reader", password: "env:PW", role: "replica" } },
    policy: { type: "PolicyProfile", args: { projectId: "ref:project.id", name: "read-only", accessMode: "read_only", maxRows: updated("PolicyProfile") ? 2000 : 1000 } },
    agent: { type: "AgentCredential", args: { projectId: "ref:project.id", policyProfileId: "ref:policy.id", name: "bot", ...(updated("AgentCredential") ? { status: "disabled" } : {}) } },
    webhook: { type: "WebhookEndpoint", args: { projectId: "ref:project.id", url: updated("WebhookEndpoint") ? "https://hooks.example.com/v2" : "https://hooks.example.com/v1", secret: "env:PW", eventTypes: ["anomaly.detected"] } },
  };
}
const TYPES = ["Project", "Database", "PolicyProfile", "AgentCredential", "WebhookEndpoint"];

/**
 * The fewest calls the API allows, per operation, derived from the OpenAPI spec: objects touched × calls each.
 * A project is two objects on read: GET /v1/projects/{id} answers a `Project`, whose schema holds no database
 * settings, so its primary database needs its own GET; createProject makes both in one call, and deleting the
 * project deletes its database.
 */
function minimumCalls(): { table: Record<string, Record<string, number>>; why: Record<string, string> } {
  const spec = JSON.parse(fs.readFileSync(configuredSpecPath(), "utf8"));
  const projectCarriesDatabase = "database" in spec.components.schemas.Project.properties;
  const createCarriesDatabase = "database" in spec.components.schemas.CreateProjectRequest.properties;
  const perType = (value: number, project = value) => Object.fromEntries(TYPES.map((t) => [t, t === "Project" ? project : value]));
  return {
    table: {
      create: perType(1, createCarriesDatabase ? 1 : 2),
      "up (unchanged)": perType(0),
      preview: perType(0),
      "update 1 field": perType(1),
      refresh: perType(1, projectCarriesDatabase ? 1 : 2),
      destroy: perType(1),
    },
    why: {
      create: `one POST per object${createCarriesDatabase ? "; createProject takes the primary database in the same call" : ""}`,
      "up (unchanged)": "nothing changed: the diff needs only the program and state",
      preview: "a preview changes nothing: check and diff need only the program and state",
      "update 1 field":
        "one PATCH or PUT of the object whose field changed; a policy profile's change also lists the credentials bound to it and replays their recorded traffic against it (the impact its review shows)",
      refresh: `one GET per object${projectCarriesDatabase ? "" : "; a Project is two (the Project schema holds no database settings)"}`,
      destroy: "one DELETE per object (a project's DELETE takes its primary database with it)",
    },
  };
}

/** Which resource of part 1's program a request was about: the innermost id in its path, else the collection. */
function attribute(requestPath: string, owners: Map<string, string>): string {
  const segments = requestPath.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
  for (let i = segments.length - 1; i >= 0; i--) {
    const owner = owners.get(segments[i]);
    if (owner) return owner;
  }
  return COLLECTIONS[segments[segments.length - 1]] ?? `other (${requestPath})`;
}

async function apiCalls() {
  const emulator = await startEmulator();
  const stack = await TestStack.create({ program: path.join(repoRoot, "test/e2e/programs/resources"), consumer, bin, emulator, env: { PW: PASSWORD } });
  const owners = new Map<string, string>();
  const counts: Record<string, Record<string, number>> = {};
  const measure = async (operation: string, run: () => Promise<StepResult>) => {
    emulator.clearRequests();
    await run();
    const perType = Object.fromEntries(TYPES.map((t) => [t, 0]));
    for (const request of emulator.requests) {
      const owner = attribute(request.path, owners);
      perType[owner] = (perType[owner] ?? 0) + 1;
    }
    counts[operation] = perType;
  };
  try {
    await stack.setResources(allResources(emulator.orgId));
    await measure("create", () => stack.up());
    const outputs = await stack.outputs();
    for (const [name, type] of [["project", "Project"], ["database", "Database"], ["policy", "PolicyProfile"], ["agent", "AgentCredential"], ["webhook", "WebhookEndpoint"]]) {
      const value = outputs[name].value as { id: string; primaryDatabaseId?: string };
      owners.set(value.id, type);
      if (value.primaryDatabaseId) owners.set(value.primaryDatabaseId, type);
    }
    await measure("up (unchanged)", () => stack.up());
    await measure("preview", () => stack.preview());
    // One up per type, so every call of it is that type's (a policy profile's also include its impact review).
    const changed = new Set<string>();
    counts["update 1 field"] = {};
    for (const type of TYPES) {
      changed.add(type);
      await stack.setResources(allResources(emulator.orgId, changed));
      emulator.clearRequests();
      await stack.up();
      counts["update 1 field"][type] = emulator.requests.length;
    }
    await measure("refresh", () => stack.refresh());
    await measure("destroy", () => stack.destroy());
  } finally {
    await stack.cleanup();
    await emulator.stop();
  }
  const minimum = minimumCalls();
  const rows = Object.entries(counts).map(([operation, perType]) => [
    operation,
    ...TYPES.map((t) => {
      const floor = minimum.table[operation][t];
      return floor === 0 ? `${perType[t]} (goal 0)` : `${perType[t]}/${floor} = ${ratio(perType[t], floor)}`;
    }),
    minimum.why[operation],
  ]);
  const unattributed = Object.values(counts).flatMap((perType) => Object.keys(perType).filter((key) => !TYPES.includes(key)));
  report(
    "1. API calls per operation: actual/minimum (from the emulator's request log)",
    table(["operation", ...TYPES, "minimum, from the spec"], rows) + (unattributed.length ? `\nunattributed: ${unattributed.join(", ")}` : ""),
  );
  return { actual: counts, minimum: minimum.table, why: minimum.why };
}

// ---------------------------------------------------------------------------------------------------------------
// 2 + 4. Engine overhead and state size, against a trivial dynamic resource
// ---------------------------------------------------------------------------------------------------------------

type Kind = "pgbeam" | "floor" | "floor-reads";

async function benchStack(emulator: Emulator, kind: Kind, count: number, chain = false): Promise<TestStack> {
  const env = { PW: PASSWORD, BENCH_API_URL: emulator.url, BENCH_API_KEY: emulator.apiKey };
  const stack = await TestStack.create({ program: path.join(repoRoot, "scripts/bench-program"), consumer, bin, emulator, env });
  await stack.stack.setConfig("bench", { value: JSON.stringify({ kind, count, chain, orgId: emulator.orgId }) });
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
/** Refresh against a floor whose read makes the two GETs a project's refresh needs: the provider's own cost. */
const REFRESH_WITH_READS = "refresh ÷ a floor making its GETs";

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
        const role: Role = command.includes("dynamic-provider") ? "provider host" : command.includes("@pulumi/pulumi/cmd/run") ? "program" : "CLI";
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
  for (const n of sizes) {
    // Enterprise: room for N projects (max_projects), whatever the sizes asked for.
    const emulator = await startEmulator({ plan: "enterprise" });
    const timings: Record<Kind, Record<string, number[]>> = { pgbeam: {}, floor: {}, "floor-reads": {} };
    const cpuByOperation: Record<Kind, Record<string, Record<Role, number>[]>> = { pgbeam: {}, floor: {}, "floor-reads": {} };
    const bytes: Partial<Record<Kind, { perResource: number; providerPerResource: number }>> = {};
    // Floor and ours alternate, cycle by cycle, so a burst of load on the shared machine hits both.
    for (let cycle = 0; cycle < repeat; cycle++) {
      for (const kind of ["floor", "pgbeam", "floor-reads"] as Kind[]) {
        const stack = await benchStack(emulator, kind, n);
        const time = async (operation: string, run: () => Promise<StepResult>) => {
          const { result, cpuMs } = await cpuDuring(stack.workDir, run);
          (timings[kind][operation] ??= []).push(result.ms);
          (cpuByOperation[kind][operation] ??= []).push(cpuMs);
        };
        try {
          await time("up", () => stack.up());
          bytes[kind] = await stateBytes(stack);
          // The floor that makes a refresh's GETs matters to refresh only.
          if (kind !== "floor-reads") await time("preview", () => stack.preview());
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
    const [refreshMs, withReadsMs] = [median(timings.pgbeam.refresh), median(timings["floor-reads"].refresh)];
    overhead.push({ n, operation: REFRESH_WITH_READS, pgbeamMs: refreshMs, floorMs: withReadsMs, ratio: ratio(refreshMs, withReadsMs) });
    const cpuMedian = (kind: Kind, operation: string) =>
      Object.fromEntries(ROLES.map((role) => [role, median(cpuByOperation[kind][operation].map((c) => c[role]))])) as Record<Role, number>;
    for (const operation of OPERATIONS) cpu.push({ n, operation, pgbeam: cpuMedian("pgbeam", operation), floor: cpuMedian("floor", operation) });
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
      ["N", ...OPERATIONS, REFRESH_WITH_READS],
      sizes.map((n) => [
        n,
        ...[...OPERATIONS, REFRESH_WITH_READS].map((operation) => {
          const row = overhead.find((o) => o.n === n && o.operation === operation)!;
          return `${seconds(row.pgbeamMs)} / ${seconds(row.floorMs)} = ${row.ratio}`;
        }),
      ]),
    ),
  );
  const total = (byRole: Record<Role, number>) => ROLES.reduce((sum, role) => sum + byRole[role], 0);
  report(
    `2b. Where the time goes at N = ${Math.max(...sizes)}: CPU seconds by process, PgBeam / trivial resource (medians)`,
    table(
      ["operation", ...ROLES, "total"],
      cpu
        .filter((c) => c.n === Math.max(...sizes))
        .map((c) => [
          c.operation,
          ...ROLES.map((role) => `${(c.pgbeam[role] / 1000).toFixed(1)} / ${(c.floor[role] / 1000).toFixed(1)}`),
          `${(total(c.pgbeam) / 1000).toFixed(1)} / ${(total(c.floor) / 1000).toFixed(1)} = ${ratio(total(c.pgbeam), total(c.floor))}`,
        ]),
    ),
  );
  report(
    "4. State bytes per resource in `pulumi stack export` (goal ≤ 1.2×)",
    table(
      ["N", "PgBeam project", "trivial resource", "ratio", "of which __provider (ours / trivial)"],
      state.map((s) => [s.n, s.pgbeam, s.floor, s.ratio, `${s.pgbeamProvider} / ${s.floorProvider}`]),
    ),
  );
  return { overhead, cpu, state };
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
      results.map((r) => [r.shape, r.requests, seconds(r.wallMs), `${seconds(r.floorMs)} + ${r.depth} × ${createCallsPerProject} × ${latencyMs} ms = ${seconds(r.boundMs)}`, r.ratio]),
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
    table(["API", "up failed after", "attempts"], results.map((r) => [r.api, seconds(r.ms), r.attempts])),
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
  if (rows.length) console.log(`\nCompared with ${path.relative(repoRoot, previousFile)} (engine overhead ratios)\n${table(["", "before", "now"], rows)}`);
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
  if (parts.has(3)) results.latency = await latencyScaling(minimumCalls().table.create.Project);
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
