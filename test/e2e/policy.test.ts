/**
 * A policy change judged before it merges, under the real engine: expectations checked against the candidate in
 * preview (and again before the update phase changes anything), the replay impact of a widening edit attached to
 * the resource, impact limits as a gate, and the profile judged against the database's catalog and PII scan.
 */
import * as path from "node:path";
import { realEngineSuite, type StepResult, type TestStack, writesIn } from "./harness";

jest.setTimeout(10 * 60_000);

const suite = realEngineSuite();
let stack: TestStack;
const timings: string[] = [];

const EXPECTATIONS = [
  { sql: "DELETE FROM users WHERE id = 1", decision: "block" },
  { sql: "SELECT email FROM users", decision: "mask" },
];

function program(policy: object = {}) {
  return {
    project: {
      type: "Project",
      args: {
        name: "policy-e2e",
        orgId: suite.emulator.orgId,
        database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PRIMARY_PASSWORD" },
      },
    },
    policy: {
      type: "PolicyProfile",
      args: {
        projectId: "ref:project.id",
        name: "analytics-readonly",
        accessMode: "read_only",
        maskingRules: [{ table: "users", column: "email", kind: "redact" }],
        expectations: EXPECTATIONS,
        ...policy,
      },
    },
    agent: {
      type: "AgentCredential",
      args: { projectId: "ref:project.id", policyProfileId: "ref:policy.id", name: "analyst-bot" },
    },
  };
}

async function step(name: string, run: () => Promise<StepResult>): Promise<StepResult> {
  const result = await run();
  timings.push(`${name}: ${result.ms} ms`);
  return result;
}

/** A step the engine must refuse: the error's text (what the CLI printed). */
async function failedStep(name: string, run: () => Promise<StepResult>): Promise<string> {
  const started = Date.now();
  const failure = await run().then(
    () => undefined,
    (error: Error) => error,
  );
  timings.push(`${name} (fails): ${Date.now() - started} ms`);
  if (!failure) throw new Error(`${name} was expected to fail`);
  return String(failure);
}

const policyMessages = (result: StepResult, prefix: string) =>
  result.diagnostics.filter((d) => d.resource === "policy" && d.message.startsWith(prefix));

beforeAll(async () => {
  stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PRIMARY_PASSWORD: "pw-policy-e2e" } });
});

afterAll(async () => {
  console.log(`real-engine timings (wall):\n  ${timings.join("\n  ")}`);
  await stack?.cleanup();
});

it("a fresh preview cannot verify expectations before the project exists, and says so on the policy", async () => {
  await stack.setResources(program());
  const preview = await step("preview (fresh)", () => stack.preview());
  expect(preview.ops.policy).toBe("create");
  expect(policyMessages(preview, "policy expectations:")).toEqual([
    {
      resource: "policy",
      severity: "warning",
      message:
        'policy expectations: PolicyProfile "policy" (name "analytics-readonly"): not verified in this preview because projectId ' +
        "is not known yet; they are verified in the update phase of `pulumi up`, before the profile is created or changed",
    },
  ]);
  expect(suite.emulator.requests).toEqual([]);
});

it("up verifies the expectations before creating the policy", async () => {
  const up = await step("up (create)", () => stack.up());
  expect(up.ops).toEqual({ project: "create", policy: "create", agent: "create" });
  const operations = suite.emulator.requests.map((r) => r.operationId);
  expect(operations.filter((id) => id === "dryEvalPolicy")).toHaveLength(2);
  expect(operations.lastIndexOf("dryEvalPolicy")).toBeLessThan(operations.indexOf("createPolicyProfile"));
  expect(policyMessages(up, "policy expectations:").map((d) => d.message)).toContain(
    'policy expectations: PolicyProfile "policy" (name "analytics-readonly"): all 2 hold against the candidate profile',
  );
  expect(suite.emulator.validationFailures).toEqual([]);
});

it("a preview of an edit that breaks an expectation fails naming it, with zero writes", async () => {
  const { agent } = (await stack.outputs()) as Record<string, { value: { id: string } }>;
  suite.emulator.recordAgentTraffic(suite.emulator.objects("project")[0].id, [
    { sql: "SELECT email FROM users WHERE id = 7", event: "masked", credentialId: agent.value.id, occurrences: 120 },
    { sql: "SELECT id, total FROM orders WHERE id = 3", event: "query", credentialId: agent.value.id, occurrences: 40 },
    { sql: "DELETE FROM users WHERE id = 9", event: "blocked", rule: "read_only", credentialId: agent.value.id, occurrences: 3 },
  ]);
  await stack.setResources(program({ accessMode: "read_write" }));
  suite.emulator.clearRequests();
  const failure = await failedStep("preview (broken expectation)", () => stack.preview());
  expect(failure).toContain(
    "resource 'policy' has a problem: policy expectation failed: expectations[0] \"DELETE FROM users WHERE id = 1\" expected block, got allow (rule ok: delete permitted)",
  );
  expect(writesIn(suite.emulator.requests)).toEqual([]);
  expect(suite.emulator.requests.map((r) => r.operationId)).toEqual(["dryEvalPolicy", "dryEvalPolicy"]);

  const upFailure = await failedStep("up (broken expectation)", () => stack.up());
  expect(upFailure).toContain('policy expectation failed: expectations[0] "DELETE FROM users WHERE id = 1" expected block, got allow');
  expect(writesIn(suite.emulator.requests)).toEqual([]);
  const [policy] = suite.emulator.objects("policy");
  expect(policy.data.access_mode).toBe("read_only");
});

it("a preview of a widening edit shows its replay impact on the policy", async () => {
  const widened = {
    accessMode: "read_write",
    expectations: [EXPECTATIONS[1], { sql: "DELETE FROM users WHERE id = 1", decision: "allow" }],
  };
  await stack.setResources(program(widened));
  suite.emulator.clearRequests();
  const preview = await step("preview (widening)", () => stack.preview());
  expect(preview.ops.policy).toBe("update");
  const [projectId, policyId] = [suite.emulator.objects("project")[0].id, suite.emulator.objects("policy")[0].id];
  expect(policyMessages(preview, "policy impact:")).toEqual([
    {
      resource: "policy",
      severity: "warning",
      message:
        `policy impact: PolicyProfile "policy" (name "analytics-readonly", ${policyId}) in project ${projectId}, replayed 3 recorded ` +
        "query shapes (163 executions, last 7 days) of the 1 agent credential using it: 0 newly blocked, 1 newly allowed (1 write), " +
        "1 masked, 0 row-filtered. newly allowed: DELETE FROM users WHERE id = $1 (3×, was blocked by read_only). " +
        "masked: SELECT email FROM users WHERE id = $1 (email).",
    },
  ]);
  // What a reviewer reads (and review tooling greps): the CLI's own text, the warning under the policy's row.
  const { code, output } = await stack.cli(["preview"]);
  expect(code).toBe(0);
  expect(output).toMatch(
    /\nDiagnostics:\n {2}pulumi-nodejs:dynamic\/pgbeam:PolicyProfile \(policy\):\n(?: {4}.*\n)*? {4}warning: policy impact: PolicyProfile "policy" .*1 newly allowed \(1 write\)/,
  );
  expect(writesIn(suite.emulator.requests)).toEqual([]);
});

it("impactLimits turn the replay into a gate: newly allowed writes stop the preview", async () => {
  const gated = {
    accessMode: "read_write",
    expectations: [EXPECTATIONS[1]],
    impactLimits: { newlyAllowedWrites: 0 },
  };
  await stack.setResources(program(gated));
  suite.emulator.clearRequests();
  const failure = await failedStep("preview (over impact limits)", () => stack.preview());
  expect(failure).toContain("policy impact over its limits (impactLimits.newlyAllowedWrites is 0, the change has 1)");
  expect(writesIn(suite.emulator.requests)).toEqual([]);
});

it("impactLimits stop `up` too, and a refresh after a console-side loosening still succeeds", async () => {
  // The gated widening of the previous test, now applied.
  suite.emulator.clearRequests();
  const upFailure = await failedStep("up (over impact limits)", () => stack.up());
  expect(upFailure).toContain("policy impact over its limits (impactLimits.newlyAllowedWrites is 0, the change has 1)");
  expect(writesIn(suite.emulator.requests)).toEqual([]);
  const [policy] = suite.emulator.objects("policy");
  expect(policy.data.access_mode).toBe("read_only");

  // The program keeps the profile as it is, gated both ways; then someone loosens it in the console and the agent
  // writes. Refresh replays what the console made, against limits it cannot enforce: it reports, never fails.
  await stack.setResources(program({ expectations: [EXPECTATIONS[1]], impactLimits: { newlyAllowedWrites: 0, newlyBlocked: 0 } }));
  await step("up (gated, profile unchanged)", () => stack.up());
  const { agent } = (await stack.outputs()) as Record<string, { value: { id: string } }>;
  suite.emulator.patch("policy", policy.id, { access_mode: "read_write" });
  suite.emulator.recordAgentTraffic(suite.emulator.objects("project")[0].id, [
    { sql: "UPDATE orders SET total = 0 WHERE id = 4", event: "query", credentialId: agent.value.id, occurrences: 5 },
  ]);
  suite.emulator.clearRequests();
  const refresh = await step("refresh (console loosened)", () => stack.refresh());
  expect(refresh.summary.update).toBe(1);
  const overLimits = policyMessages(refresh, "policy impact over its limits");
  expect(overLimits.length).toBeGreaterThan(0);
  for (const { severity, message } of overLimits) {
    expect(severity).toBe("warning");
    expect(message).toMatch(
      /^policy impact over its limits \(impactLimits\.newlyBlocked is 0, the change has 1\): .*: reported only, since refresh changes nothing in PgBeam/,
    );
  }
  expect(writesIn(suite.emulator.requests)).toEqual([]);
  const state = await stack.resources();
  expect(state.find((r) => r.urn.endsWith("::policy"))?.outputs?.accessMode).toBe("read_write");
});

it("judged against the database: a typo'd table and unmasked likely PII fail the preview, one catalog read and one scan per database", async () => {
  await stack.stack.setConfig("pgbeam:predictRefusals", { value: "true" });
  try {
    const [database] = suite.emulator.objects("database");
    await stack.setResources(program({ tableDenylist: ["usrs"] }));
    suite.emulator.clearRequests();
    const typo = await failedStep("preview (typo'd table)", () => stack.preview());
    expect(typo.replace(/\s+/g, " ")).toContain(
      `policy schema: tableDenylist[0]: relation "usrs" is not in the catalog of database ${database.id} (app); did you mean "users"? As written, this denylist rule does nothing.`,
    );
    const operations = suite.emulator.requests.map((r) => r.operationId).sort();
    expect(operations).toEqual(["dryEvalPolicy", "dryEvalPolicy", "getSchemaCatalog", "listDatabases"]);

    await stack.setResources(program({ piiReview: { enabled: true, failAbove: 0.9 } }));
    suite.emulator.clearRequests();
    const gate = await failedStep("preview (PII gate)", () => stack.preview());
    expect(gate.replace(/\s+/g, " ")).toMatch(
      /piiReview\.failAbove: agents under this profile could read 9 likely-PII columns above confidence 0\.9 unmasked: .*users\.phone \(phone 0\.96, suggested mask redact\) in database db_\w+ \(app\).* Mask each \(maskingRules: \[/,
    );
    expect(suite.emulator.requests.filter((r) => r.operationId === "scanDatabaseForPii")).toHaveLength(1);
    expect(writesIn(suite.emulator.requests)).toEqual([]);
  } finally {
    await stack.stack.setConfig("pgbeam:predictRefusals", { value: "false" });
  }
});

it("destroy", async () => {
  await stack.setResources(program());
  await step("destroy", () => stack.destroy());
  expect(suite.emulator.objects("policy")).toEqual([]);
});
