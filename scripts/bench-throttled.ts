/**
 * `npm run bench:throttled`: a real `pulumi up` of 200 resources against the emulator's token bucket of 10
 * requests/s per key, and its wall time against the least the bucket allows (requests served ÷ rate).
 * Options: --projects 40 (5 resources each), --rate 10.
 */
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { pulumiBinDir } from "../real-engine/pulumi-bin";
import { SCALE_SECRETS, scaleProgram } from "../real-engine/scale-program";
import { consumerProject, TestStack } from "../real-engine/stack";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);

async function main() {
  const projects = option("--projects", 40);
  const rate = option("--rate", 10);
  const emulator = await startEmulator({ plan: "enterprise" });
  const stack = await TestStack.create({
    program: path.resolve(__dirname, "../test/e2e/programs/resources"),
    consumer: consumerProject(),
    bin: pulumiBinDir(),
    emulator,
    env: SCALE_SECRETS,
  });
  try {
    await stack.setResources(scaleProgram(projects, emulator.orgId) as never);
    emulator.setRateLimit({ perSecond: rate });
    const up = await stack.up();
    const refused = emulator.requests.filter((r) => r.rateLimited).length;
    const served = emulator.requests.length - refused;
    const bound = (served / rate) * 1000;
    const created = Object.values(up.ops).filter((op) => op === "create").length;
    console.log(
      `resources ${projects * 5} | created ${created} | failed ${projects * 5 - created} | requests served ${served} | refused (429) ${refused}`,
    );
    console.log(
      `wall ${(up.ms / 1000).toFixed(1)} s | bound (served ÷ ${rate}/s) ${(bound / 1000).toFixed(1)} s | wall ÷ bound ${(up.ms / bound).toFixed(2)}`,
    );
  } finally {
    await stack.cleanup();
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
