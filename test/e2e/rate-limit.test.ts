/**
 * Rate limits at scale, under the real engine: 200 resources against a token bucket of 10 requests/s per key
 * converge in one `up`, with zero failed resources and exactly one object each. The wall time against the
 * bucket's bound is reported by `npm run bench:throttled`, not asserted here.
 */
import * as path from "node:path";
import { expectNoLeaks, expectStateMatchesEmulator } from "./convergence";
import { FINAL_STATE_ONLY, realEngineSuite, type TestStack } from "./harness";
import { SCALE_SECRETS, scaleProgram } from "../../real-engine/scale-program";

jest.setTimeout(20 * 60_000);

const suite = realEngineSuite({ plan: "enterprise" });
let stack: TestStack;
beforeAll(async () => {
  stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { ...SCALE_SECRETS, ...FINAL_STATE_ONLY } });
});
afterAll(() => stack?.cleanup());

it("200 resources against a bucket of 10 req/s: one up, zero failed, one object each", async () => {
  await stack.setResources(scaleProgram(40, suite.emulator.orgId) as never);
  suite.emulator.setRateLimit({ perSecond: 10 });
  const up = await stack.up();
  const refused = suite.emulator.requests.filter((r) => r.rateLimited).length;
  const served = suite.emulator.requests.length - refused;
  console.log(
    `200 resources, bucket 10 req/s: ${served} requests served, ${refused} refused with 429, up took ${(up.ms / 1000).toFixed(1)} s`,
  );
  expect(up.summary.create).toBe(202); // and the stack itself, and its anchor
  expect(Object.values(up.ops).filter((op) => op === "create")).toHaveLength(200);
  suite.emulator.setRateLimit(undefined);
  const exported = await stack.exportText();
  await expectStateMatchesEmulator(exported, suite.emulator, "scale-");
  await expectNoLeaks(
    stack,
    suite.emulator,
    { password: SCALE_SECRETS.PASSWORD, "webhook secret": SCALE_SECRETS.WEBHOOK_SECRET },
    exported,
  );
});
