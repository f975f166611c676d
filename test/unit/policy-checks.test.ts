import { failedField } from "../bad-input/failed-field";
import * as host from "../../provider/engine/host";
import { UNKNOWN, type Props } from "../../provider/engine/values";
import { type Emulator, startEmulator } from "../../emulator";

let emulator: Emulator;
let projectId: string;
/** What the provider would attach to the resource: without an engine address it goes to stderr. */
let messages: string[];

beforeAll(async () => {
  emulator = await startEmulator();
  host.configure({
    get: (key) => ({ "pgbeam:apiKey": emulator.apiKey, "pgbeam:baseUrl": emulator.url, "pgbeam:predictRefusals": "false" })[key],
  });
});
afterAll(async () => {
  expect(emulator.validationFailures).toEqual([]);
  expect(emulator.responseValidationFailures).toEqual([]);
  await emulator.stop();
});
beforeEach(async () => {
  const project = host.lifecycle("Project");
  const checked = await project.check(
    {},
    {
      name: `pc-${Math.random().toString(36).slice(2, 8)}`,
      orgId: emulator.orgId,
      database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
    },
  );
  projectId = (await project.create(checked.inputs!)).id;
  emulator.clearRequests();
  messages = [];
  jest.spyOn(console, "error").mockImplementation((line: string) => void messages.push(line));
});
afterEach(() => jest.restoreAllMocks());

const policy = host.lifecycle("PolicyProfile");
const URN = "urn:pulumi:dev::app::pulumi-nodejs:dynamic/pgbeam:PolicyProfile::readonly";
const EXPECTATIONS = [
  { sql: "DELETE FROM users WHERE id = 1", decision: "block" },
  { sql: "SELECT email FROM users", decision: "mask" },
  { sql: "SELECT id FROM orders", decision: "allow" },
];
const readOnly = (fields: Props = {}): Props => ({
  projectId,
  name: "analytics-readonly",
  accessMode: "read_only",
  maskingRules: [{ table: "users", column: "email", kind: "redact" }],
  expectations: EXPECTATIONS,
  __urn: URN,
  ...fields,
});
/** The note of what planning cost: one per check() or diff() that called the API (see review-notes.ts). */
const planningCalls = (...calls: string[]) =>
  `info: PgBeam API calls made to plan this change (reads and what-if checks, nothing changed): ${calls.join(", ")}`;
/** The verification's own messages, without that note. */
const verdicts = () => messages.filter((message) => !message.startsWith("info: PgBeam API calls made to plan"));
const calls = (operationId?: string) => emulator.requests.filter((r) => operationId === undefined || r.operationId === operationId);

async function created(news: Props) {
  const checked = await policy.check({}, news);
  expect(checked.failures ?? []).toEqual([]);
  const { id, outs } = await policy.create(checked.inputs!);
  emulator.clearRequests();
  messages = [];
  return { id, inputs: checked.inputs!, outs: outs as Props };
}

describe("expectations", () => {
  it("dry-evaluates each statement against the candidate before a create, and says they hold", async () => {
    const result = await policy.check({}, readOnly());
    expect(result.failures).toBeUndefined();
    expect(calls().map((r) => r.operationId)).toEqual(["dryEvalPolicy", "dryEvalPolicy", "dryEvalPolicy"]);
    expect(calls()[0].body).toMatchObject({ sql: EXPECTATIONS[0].sql, policy: { name: "analytics-readonly", access_mode: "read_only" } });
    expect(calls()[0].body).not.toHaveProperty("policy.expectations");
    expect(result.inputs!.__urn).toBe(URN);
    expect(messages).toEqual([
      `info: policy expectations: PolicyProfile "readonly" (name "analytics-readonly"): all 3 hold against the candidate profile`,
      planningCalls(...EXPECTATIONS.map(() => `POST /v1/projects/${projectId}/policy-evaluations`)),
    ]);
  });

  it("fails naming the statement, the expected and actual decision and the rule, with nothing written", async () => {
    const { inputs } = await created(readOnly());
    const result = await policy.check(inputs, readOnly({ accessMode: "read_write", maskingRules: [] }));
    expect(result.failures).toEqual([
      {
        property: "",
        reason:
          'policy expectation failed: expectations[0] "DELETE FROM users WHERE id = 1" expected block, got allow (rule ok: delete permitted)',
      },
      {
        property: "",
        reason: 'policy expectation failed: expectations[1] "SELECT email FROM users" expected mask, got allow (rule ok: select permitted)',
      },
    ]);
    expect(calls().every((r) => r.operationId === "dryEvalPolicy")).toBe(true);
  });

  it("costs nothing when neither the profile nor its expectations changed", async () => {
    const { inputs } = await created(readOnly());
    expect(await policy.check(inputs, readOnly())).not.toHaveProperty("failures");
    expect(calls()).toEqual([]);
  });

  it("are not verified while the project or a rule is unknown, and say so on the resource", async () => {
    for (const unknown of [{ projectId: UNKNOWN }, { tableDenylist: UNKNOWN }, { expectations: UNKNOWN, name: UNKNOWN }]) {
      messages = [];
      expect(await policy.check({}, readOnly(unknown))).not.toHaveProperty("failures");
      expect(messages).toEqual([
        expect.stringMatching(
          /^warning: policy expectations: PolicyProfile "readonly"(?: \(name "analytics-readonly"\))?: not verified in this preview because (projectId|tableDenylist|name, expectations) (is|are) not known yet/,
        ),
      ]);
    }
    expect(calls()).toEqual([]);
  });

  it("are validated before any call, and are never sent nor a diff of their own", async () => {
    const bad = await policy.check({}, readOnly({ expectations: [{ sql: "", decision: "maybe" }] }));
    expect(bad.failures!.map(failedField).sort()).toEqual(["expectations[0].decision", "expectations[0].sql"]);
    expect(calls()).toEqual([]);
    const checked = await policy.check({}, readOnly({ impactLimits: { newlyAllowedWrites: 0 } }));
    const { id, outs } = await policy.create(checked.inputs!);
    const create = emulator.requests.find((r) => r.operationId === "createPolicyProfile")!;
    expect(Object.keys(create.body as Props)).toEqual(expect.not.arrayContaining(["expectations", "impact_limits", "__urn"]));
    expect(Object.keys(outs!)).toEqual(expect.not.arrayContaining(["expectations", "impactLimits", "__urn"]));
    const fewer = await policy.check(outs!, readOnly({ expectations: EXPECTATIONS.slice(0, 1) }));
    expect(await policy.diff(id, outs!, fewer.inputs!)).toMatchObject({ changes: false });
  });
});

describe("impact of an in-place update", () => {
  async function boundPolicy(fields: Props = {}) {
    const profile = await created(readOnly(fields));
    const agent = host.lifecycle("AgentCredential");
    const agentInputs = await agent.check({}, { projectId, policyProfileId: profile.id, name: "analyst-bot" });
    const { id: credentialId } = await agent.create(agentInputs.inputs!);
    emulator.recordAgentTraffic(projectId, [
      { sql: "SELECT email FROM users WHERE id = 7", event: "masked", credentialId, occurrences: 120 },
      { sql: "SELECT id, total FROM orders WHERE id = 3", event: "query", credentialId, occurrences: 40 },
      { sql: "DELETE FROM users WHERE id = 9", event: "blocked", rule: "read_only", credentialId, occurrences: 3 },
      { sql: "SELECT * FROM payroll", event: "query", occurrences: 8 }, // another credential's traffic
    ]);
    emulator.clearRequests();
    messages = [];
    return profile;
  }

  it("attaches a self-contained `policy impact:` summary of the replay to the resource", async () => {
    const { id, outs } = await boundPolicy();
    const widened = await policy.check(outs, readOnly({ accessMode: "read_write", expectations: [] }));
    messages = [];
    emulator.clearRequests();
    expect(await policy.diff(id, outs, widened.inputs!)).toMatchObject({ changes: true, replaces: [] });
    expect(calls().map((r) => r.operationId)).toEqual(["listAgentCredentials", "replayPolicy"]);
    expect(messages).toEqual([
      `warning: policy impact: PolicyProfile "readonly" (name "analytics-readonly", ${id}) in project ${projectId}, replayed ` +
        "3 recorded query shapes (163 executions, last 7 days) of the 1 agent credential using it: 0 newly blocked, " +
        "1 newly allowed (1 write), 1 masked, 0 row-filtered. newly allowed: DELETE FROM users WHERE id = $1 (3×, was blocked by read_only). " +
        "masked: SELECT email FROM users WHERE id = $1 (email).",
      planningCalls(`GET /v1/projects/${projectId}/agents`, `POST /v1/projects/${projectId}/policy-replays`),
    ]);
  });

  it("fails the change when it goes beyond its impactLimits", async () => {
    const { id, outs } = await boundPolicy({ impactLimits: { newlyAllowedWrites: 0 } });
    const widened = await policy.check(
      outs,
      readOnly({ accessMode: "read_write", expectations: [], impactLimits: { newlyAllowedWrites: 0 } }),
    );
    await expect(policy.diff(id, outs, widened.inputs!)).rejects.toThrow(
      `policy impact over its limits (impactLimits.newlyAllowedWrites is 0, the change has 1): PolicyProfile "readonly" (name "analytics-readonly", ${id}) was not changed`,
    );
    const narrowed = await policy.check(
      outs,
      readOnly({ tableDenylist: ["orders"], expectations: [], impactLimits: { newlyAllowedWrites: 0 } }),
    );
    expect(await policy.diff(id, outs, narrowed.inputs!)).toMatchObject({ changes: true });
    expect(verdicts().pop()).toMatch(
      /1 newly blocked, 0 newly allowed, 1 masked, 0 row-filtered\. newly blocked: SELECT id, total FROM orders WHERE id = \$1 \(40×, by table_denied\)/,
    );
  });

  it("a diff check() never saw (pulumi refresh) reports a breach as a warning; update() enforces it before the PUT", async () => {
    const limits = { impactLimits: { newlyAllowedWrites: 0 } };
    const { id, outs } = await boundPolicy(limits);
    // Refresh: the console loosened the profile; the engine diffs the refreshed state against inputs, without check().
    const refreshUrn = `${URN}-refreshed`;
    const loosened = { ...readOnly({ accessMode: "read_write", ...limits }), __urn: refreshUrn };
    expect(await policy.diff(id, outs, loosened)).toMatchObject({ changes: true, replaces: [] });
    expect(verdicts().pop()).toBe(
      `warning: policy impact over its limits (impactLimits.newlyAllowedWrites is 0, the change has 1): PolicyProfile "readonly-refreshed" ` +
        `(name "analytics-readonly", ${id}): reported only, since refresh changes nothing in PgBeam; \`pulumi up\` enforces the limits before changing the profile`,
    );
    // Up: update() checks again and refuses before anything is written, whatever diff() did; in the same run it
    // reuses diff()'s replay of this candidate rather than calling again.
    emulator.clearRequests();
    messages = [];
    await expect(policy.update(id, outs, loosened)).rejects.toThrow(
      `policy impact over its limits (impactLimits.newlyAllowedWrites is 0, the change has 1): PolicyProfile "readonly-refreshed" (name "analytics-readonly", ${id}) was not changed`,
    );
    expect(calls()).toEqual([]);
    expect(messages).toEqual([]);
    expect(emulator.get("policy", id)).toMatchObject({ access_mode: "read_only" });
    // Without limits there is no gate: update() replays nothing (diff() already reported the impact).
    emulator.clearRequests();
    await policy.update(id, outs, { ...readOnly({ maxRows: 10 }), __urn: refreshUrn });
    expect(calls().map((r) => r.operationId)).toEqual(["updatePolicyProfile"]);
  });

  it("says when no credential uses the profile, and replays nothing when nothing changed", async () => {
    const { id, outs } = await created(readOnly());
    const changed = await policy.check(outs, readOnly({ maxRows: 10 }));
    messages = [];
    await policy.diff(id, outs, changed.inputs!);
    expect(verdicts()).toEqual([
      `info: policy impact: PolicyProfile "readonly" (name "analytics-readonly", ${id}): no agent credential uses this profile, so there is no recorded traffic to replay`,
    ]);
    emulator.clearRequests();
    await policy.diff(id, outs, (await policy.check(outs, readOnly())).inputs!);
    expect(calls("replayPolicy")).toEqual([]);
  });

  it("is no warning when the replay decides every recorded query as before", async () => {
    const { id, outs } = await boundPolicy();
    const capped = await policy.check(outs, readOnly({ maxRows: 10, expectations: [] }));
    messages = [];
    await policy.diff(id, outs, capped.inputs!);
    expect(verdicts()).toEqual([
      expect.stringMatching(/^info: policy impact: .*: 0 newly blocked, 0 newly allowed, 1 masked, 0 row-filtered\./),
    ]);
  });
});

describe("without an API key", () => {
  it("a preview that verifies expectations fails saying how to set the key; one needing no call is warned at configure, once", async () => {
    const keyVariables = ["PGBEAM_API_KEY", "PGBEAM_TOKEN", "PGBEAM_API_TOKEN"];
    const saved = keyVariables.map((name) => process.env[name]);
    keyVariables.forEach((name) => delete process.env[name]);
    try {
      const noKey = { get: (key: string) => ({ "pgbeam:baseUrl": emulator.url })[key] };
      // Each resource type's provider calls configure: the warning is given once.
      host.configure(noKey);
      host.configure(noKey);
      expect(messages).toEqual([
        expect.stringMatching(
          /^warning: pulumi-pgbeam: PgBeam API key is not configured: run `pulumi config set --secret pgbeam:apiKey <key>` or set PGBEAM_API_KEY .*\. Every PgBeam API call \(create, update, refresh, delete\) fails until then\.$/,
        ),
      ]);
      await expect(policy.check({}, readOnly())).rejects.toThrow(
        /^PgBeam API key is not configured: run `pulumi config set --secret pgbeam:apiKey <key>`/,
      );
      expect((await policy.check({}, readOnly({ expectations: undefined }))).failures).toBeUndefined();
      expect(calls()).toEqual([]);
    } finally {
      keyVariables.forEach((name, i) => (saved[i] === undefined ? delete process.env[name] : (process.env[name] = saved[i])));
      host.configure({ get: (key) => ({ "pgbeam:apiKey": emulator.apiKey, "pgbeam:baseUrl": emulator.url })[key] });
    }
  });
});
