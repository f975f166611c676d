/**
 * Real-engine test set-up, shared by every e2e file: one emulator per file and the stack driver of real-engine/
 * (the CLI, this checkout packed and installed aside), plus the checks the suites share.
 */
import { type Emulator, type EmulatorOptions, type RecordedRequest, startEmulator } from "../../emulator";
import { pulumiBinDir } from "../../real-engine/pulumi-bin";
import { consumerProject, TestStack } from "../../real-engine/stack";

export { pulumiBinDir };
export * from "../../real-engine/stack";

/**
 * What a real-engine suite sets up once: the CLI, this checkout packed and installed aside, and one emulator for
 * the file (stopped after it); `prepare` adds organizations and keys. Fields are set once its beforeAll has run.
 */
export function realEngineSuite(options: EmulatorOptions = {}, prepare?: (emulator: Emulator) => void) {
  const suite = {
    emulator: undefined as unknown as Emulator,
    bin: "",
    consumer: "",
    /** A stack of `program` on this suite's CLI, package and emulator. */
    stack: (
      program: string,
      more: { env?: Record<string, string>; stackName?: string; predictRefusals?: boolean; typeCheck?: boolean } = {},
    ) => TestStack.create({ program, consumer: suite.consumer, bin: suite.bin, emulator: suite.emulator, ...more }),
  };
  beforeAll(async () => {
    suite.bin = pulumiBinDir();
    suite.consumer = consumerProject();
    suite.emulator = await startEmulator(options);
    prepare?.(suite.emulator);
  });
  afterAll(() => suite.emulator?.stop());
  return suite;
}

/**
 * Environment for a suite whose runs are never killed: the CLI saves the state once, at the end of each run, instead
 * of after every step (PULUMI_SKIP_CHECKPOINTS). Each checkpoint rewrites the whole state, so a run of n steps costs
 * O(n²): 27–59 % of an `up`'s CPU on program-patterns' 275 resources. The state a run ends with is the same; what
 * checkpoints add, state left by a run killed midway, is test/e2e/interrupted.test.ts's, which keeps them.
 */
export const FINAL_STATE_ONLY = { PULUMI_SKIP_CHECKPOINTS: "true" };

/** PgBeam's what-if calls: POSTs that persist nothing (policy dry-evaluations and replays, PII scans). */
const WHAT_IF_OPERATIONS = new Set(["dryEvalPolicy", "replayPolicy", "scanDatabaseForPii"]);

/** Requests that could change something in PgBeam. */
export function writesIn(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter((r) => r.method !== "GET" && !WHAT_IF_OPERATIONS.has(r.operationId ?? ""));
}

/** Throws naming the first secret found in plain text, and where. */
export function expectNoPlaintext(haystacks: Record<string, string>, secrets: Record<string, string>): void {
  for (const [where, text] of Object.entries(haystacks)) {
    for (const [what, secret] of Object.entries(secrets)) {
      if (secret && text.includes(secret)) throw new Error(`${what} appears in plain text in ${where}`);
    }
  }
}

/**
 * Objects a stack could have made that still exist in the emulator. Revoked agent credentials do not count:
 * the API keeps listing them with status "revoked".
 */
export function leftovers(emulator: Emulator): string[] {
  const kinds = ["project", "database", "policy", "agent", "webhook", "replica", "domain", "enrollment"];
  return emulator
    .objects()
    .filter((o) => kinds.includes(o.kind) && !(o.kind === "agent" && o.data.status === "revoked"))
    .map((o) => `${o.kind} ${o.id}`);
}
