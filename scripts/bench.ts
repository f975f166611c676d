/**
 * `npm run bench`: prints the provider's performance and scale figures (never asserted in tests).
 *   1. client round trip against the emulator (GET, POST with validation)
 *   2. engine check + diff cost per resource (what every preview pays)
 *   3. how long a call rides out an outage, and gives up when the API stays down (default policy, real sleeps)
 *   4. real `pulumi up` / unchanged `preview` / `destroy` of N projects, and state bytes per resource
 * Options: --sizes 1,10,25 (real-engine stack sizes), --skip-engine (parts 1–3 only).
 */
import * as path from "node:path";
import { PgBeamClient } from "../provider/client/client";
import * as host from "../provider/host";
import { startEmulator } from "../test/emulator";
import { consumerProject, pulumiBinDir, TestStack } from "../test/e2e/harness";

const args = process.argv.slice(2);
const sizes = (args.includes("--sizes") ? args[args.indexOf("--sizes") + 1] : "1,10,25").split(",").map(Number);

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

async function timed<T>(run: () => Promise<T>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main() {
  const emulator = await startEmulator();
  const client = new PgBeamClient({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  const body = (i: number) => ({
    name: `bench-${i}`,
    org_id: emulator.orgId,
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
  });

  console.log("== 1. client round trip (in-process emulator, includes its spec validation)");
  const gets: number[] = [];
  const posts: number[] = [];
  for (let i = 0; i < 200; i++) gets.push(await timed(() => client.get("/v1/organizations")));
  for (let i = 0; i < 200; i++) posts.push(await timed(() => client.post("/v1/projects", body(i))));
  console.log(`GET  p50 ${fmt(percentile(gets, 50))}  p95 ${fmt(percentile(gets, 95))}  (n=200)`);
  console.log(`POST p50 ${fmt(percentile(posts, 50))}  p95 ${fmt(percentile(posts, 95))}  (n=200, project + database)`);

  console.log("\n== 2. engine check + diff per resource (no API call)");
  host.configure({ get: (key) => ({ "pgbeam:apiKey": emulator.apiKey, "pgbeam:baseUrl": emulator.url })[key] });
  const project = host.lifecycle("Project");
  const policy = host.lifecycle("PolicyProfile");
  const projectInputs = {
    name: "bench",
    orgId: emulator.orgId,
    tags: ["a", "b"],
    allowedCidrs: [{ cidr: "10.0.0.0/8" }],
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
  };
  const checked = (await project.check({}, projectInputs)).inputs!;
  const policyInputs = { projectId: "prj_x", name: "p", maxRows: 1000, maskingRules: [{ table: "users", column: "email", kind: "redact" }] };
  const checkedPolicy = (await policy.check({}, policyInputs)).inputs!;
  for (const [name, lifecycle, inputs, outputs] of [
    ["Project", project, projectInputs, checked],
    ["PolicyProfile", policy, policyInputs, checkedPolicy],
  ] as const) {
    const rounds = 2000;
    const ms = await timed(async () => {
      for (let i = 0; i < rounds; i++) {
        const result = await lifecycle.check({}, inputs);
        await lifecycle.diff("id", outputs, result.inputs!);
      }
    });
    console.log(`${name.padEnd(14)} ${fmt(ms / rounds)} per check+diff  (${Math.round((rounds / ms) * 1000)}/s)`);
  }

  console.log("\n== 3. outages (default policy: retries by time, backoff 0.5–8 s, budget 110 s; real sleeps)");
  for (const [label, fault] of [
    ["503 for 70 s", { path: "/v1/organizations", status: 503, forMs: 70_000 }],
    ["503 for good", { path: "/v1/organizations", status: 503, forMs: 3_600_000 }],
    ["429 Retry-After: 1 for good", { path: "/v1/organizations", status: 429, retryAfter: "1", forMs: 3_600_000 }],
    ["500 (never retried)", { path: "/v1/organizations", status: 500 }],
  ] as const) {
    emulator.clearFaults();
    emulator.inject(fault);
    emulator.clearRequests();
    let outcome = "succeeded";
    const ms = await timed(() => client.get("/v1/organizations").catch(() => void (outcome = "gave up")));
    console.log(`${label.padEnd(28)} ${outcome} after ${fmt(ms)}, ${emulator.requests.length} attempts`);
  }
  emulator.clearFaults();
  await emulator.stop();

  if (args.includes("--skip-engine")) return;
  console.log("\n== 4. real Pulumi engine (CLI built from source, local file backend)");
  const bin = pulumiBinDir();
  const consumer = consumerProject();
  console.log("resources | up (create) | preview (unchanged) | destroy | state bytes/resource");
  for (const size of sizes) {
    const api = await startEmulator();
    const stack = await TestStack.create({ program: path.resolve(__dirname, "../test/e2e/programs/resources"), consumer, bin, emulator: api, env: { PW: "bench-pw" } });
    const resources = Object.fromEntries(
      Array.from({ length: size }, (_, i) => [
        `p${i}`,
        { type: "Project", args: { name: `bench-${i}`, orgId: api.orgId, database: { host: "db", port: 5432, name: "app", username: "app", password: "env:PW" } } },
      ]),
    );
    await stack.setResources(resources);
    const up = await stack.up();
    const preview = await stack.preview();
    const state = await stack.resources();
    const bytes = JSON.stringify(state).length;
    const destroy = await stack.destroy();
    console.log(`${String(size).padStart(9)} | ${fmt(up.ms).padStart(11)} | ${fmt(preview.ms).padStart(19)} | ${fmt(destroy.ms).padStart(7)} | ${Math.round(bytes / size)}`);
    await stack.cleanup();
    await api.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
