/**
 * `pulumi up` killed (SIGKILL of the CLI's whole process group) while creating 20 resources, at several points;
 * then what a user does next: `pulumi up`, and what the CLI tells them to run. Every time the next `up` must
 * converge with no duplicate and no orphan, no one-time secret lost, and nothing secret in plain text.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expectNoLeaks, expectStateMatchesEmulator, liveIdsUnder, stateIds } from "./convergence";
import { scaleProgram } from "../../real-engine/scale-program";
import { type CliResult, realEngineSuite, resourcesIn, TestStack } from "./harness";

jest.setTimeout(30 * 60_000);

const PASSWORD = "pw-interrupted-Hq52";
const WEBHOOK_SECRET = "whsec-interrupted-Vb83";

const report: string[] = [];
const suite = realEngineSuite();
afterAll(() => {
  console.log(`interrupted runs:\n  ${report.join("\n  ")}`);
});

/** 20 resources: 4 projects (allowlist + kill switch set after create), each with a policy, agent, webhook, database. */
const program = (prefix: string) =>
  scaleProgram(4, suite.emulator.orgId, {
    namePrefix: prefix,
    projectArgs: { agentsDisabled: true, allowedCidrs: [{ cidr: "10.20.0.0/16", label: "vpc" }] },
    policyArgs: { accessMode: "read_only" },
  });

const until = async (condition: () => boolean, what: string, timeoutMs = 120_000) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/**
 * A file backend can be left with an empty `<stack>.json.attrs` when the CLI is killed while writing its
 * checkpoint (gocloud's fileblob writes that sidecar in place); the CLI then fails with "failed to load
 * checkpoint: EOF". The README tells users to delete the empty file; this does the same, and says it did.
 */
function repairTruncatedAttrs(stack: TestStack): boolean {
  const backend = (stack.stack.workspace as unknown as { envVars: Record<string, string> }).envVars.PULUMI_BACKEND_URL.replace(
    /^file:\/\//,
    "",
  );
  const attrs = path.join(backend, ".pulumi/stacks/pgbeam-e2e/e2e.json.attrs");
  if (!fs.existsSync(attrs) || fs.statSync(attrs).size > 0) return false;
  fs.rmSync(attrs);
  return true;
}

interface KillPoint {
  name: string;
  /** Faults set up before the run (e.g. holding a request so the kill lands while it is in flight). */
  arm?(): void;
  /** Kill as soon as this holds. */
  killWhen(): boolean;
  /** Checks on the suite.emulator right after the kill (what the interruption left behind). */
  afterKill?(prefix: string): void;
}

const posts = (suffix: RegExp) => suite.emulator.requests.filter((r) => r.method === "POST" && suffix.test(r.path));
const answered = (suffix: RegExp) => posts(suffix).filter((r) => r.status === 201).length;

const KILL_POINTS: KillPoint[] = [
  {
    name: "after the first two projects were answered",
    killWhen: () => answered(/^\/v1\/projects$/) >= 2,
  },
  {
    name: "while a webhook create is in flight (the server completes it after the kill)",
    arm: () => suite.emulator.inject({ method: "POST", path: /\/webhooks$/, delayMs: 3000 }),
    killWhen: () => posts(/\/webhooks$/).length >= 1,
  },
  {
    name: "during a project's configuring PATCH (the project is left with the API's open defaults)",
    arm: () => suite.emulator.inject({ method: "PATCH", path: /^\/v1\/projects\/[^/]+$/, delayMs: 2000, drop: "before" }),
    killWhen: () => suite.emulator.requests.some((r) => r.method === "PATCH"),
    afterKill: (prefix) => {
      const open = suite.emulator.objects("project").filter((o) => o.data.name.startsWith(prefix) && o.data.allowed_cidrs.length === 0);
      expect(open.length).toBeGreaterThan(0);
    },
  },
  {
    name: "after 12 creates were answered, agent credentials among them",
    killWhen: () => suite.emulator.requests.filter((r) => r.method === "POST" && r.status === 201).length >= 12,
  },
];

describe.each(KILL_POINTS.map((point, index) => [point.name, point, index] as const))("killed %s", (_name, point, index) => {
  it("the next `pulumi up` (after the `pulumi cancel` the CLI asks for) converges: no duplicate, no orphan, no lost secret", async () => {
    const prefix = `killed${index}`;
    const stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD, WEBHOOK_SECRET } });
    try {
      await stack.setResources(program(prefix) as never);
      suite.emulator.clearFaults();
      suite.emulator.clearRequests();
      point.arm?.();
      const run = stack.startCli(["up", "--yes", "--skip-preview"]);
      await until(point.killWhen, "the kill point");
      run.kill();
      const killed = await run.done;
      expect(killed.signal).toBe("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 3500)); // requests held by the suite.emulator finish
      suite.emulator.clearFaults();
      point.afterKill?.(prefix);
      const scenarioProjects = new Set(
        suite.emulator
          .objects("project")
          .filter((o) => o.data.name.startsWith(prefix))
          .map((o) => o.id),
      );
      const liveAfterKill = liveIdsUnder(suite.emulator, scenarioProjects).length;
      const inStateAfterKill = await stateIds(stack).then(
        (state) => String(state.ids.length),
        () => "unreadable",
      );

      // What the user runs next, and what the CLI tells them to run.
      const steps: string[] = [];
      let next: CliResult = await stack.cli(["up", "--yes", "--skip-preview"]);
      for (let round = 0; next.code !== 0 && round < 3; round++) {
        if (/stack is currently locked/.test(next.output)) {
          expect(next.output).toContain("`pulumi cancel`");
          steps.push("pulumi cancel");
          expect((await stack.cli(["cancel", "--yes"])).code).toBe(0);
        } else if (/failed to load checkpoint: EOF/.test(next.output) && repairTruncatedAttrs(stack)) {
          steps.push("rm <stack>.json.attrs (empty)");
        } else {
          throw new Error(`the next up failed:\n${next.output}`);
        }
        next = await stack.cli(["up", "--yes", "--skip-preview"]);
      }
      expect(next.code).toBe(0);
      steps.push("pulumi up");

      // One export serves every check of the state a run left, until a run writes it again (a preview does not).
      let exported = await stack.exportText();
      await expectStateMatchesEmulator(exported, suite.emulator, `${prefix}-`);
      const projects = suite.emulator.objects("project").filter((o) => o.data.name.startsWith(prefix));
      expect(projects).toHaveLength(4);
      for (const project of projects)
        expect(project.data).toMatchObject({ agents_disabled: true, allowed_cidrs: [{ cidr: "10.20.0.0/16", label: "vpc" }] });
      // One-time secrets: what the state holds is what the API's credential has now.
      const outputs = await stack.outputs();
      for (let i = 0; i < 4; i++) {
        const agent = outputs[`agent${i}`].value as { id: string; mcpToken: string; connectionString: string };
        const stored = suite.emulator.objects("agent").find((o) => o.id === agent.id)!;
        expect(agent.mcpToken).toBe(stored.secrets.mcp_token);
        expect(new URL(agent.connectionString).password).toBe(stored.secrets.password);
      }

      // The kill left pending creates in state. The CLI warns about them on every run and says `pulumi refresh`
      // "will need to be run interactively to clear" them; `--clear-pending-creates` is the non-interactive
      // form. Clearing is right here: the `up` above already created or took back every one of them.
      const pending = (JSON.parse(exported).deployment.pending_operations ?? []).length;
      if (pending > 0) {
        expect(next.output).toContain(`with ${pending} pending operations from previous deployment`);
        const cleared = await stack.cli(["refresh", "--yes", "--clear-pending-creates"]);
        expect(cleared.code).toBe(0);
        exported = await stack.exportText();
        expect(JSON.parse(exported).deployment.pending_operations ?? []).toEqual([]);
        steps.push("pulumi refresh --clear-pending-creates");
      }
      const preview = await stack.cli(["preview", "--diff"]);
      expect(preview.code).toBe(0);
      expect(preview.output).not.toMatch(/ to create| to update| to delete| to replace/);
      // The state is as exported above: the API must still hold exactly what it names (the preview created nothing).
      await expectStateMatchesEmulator(exported, suite.emulator, `${prefix}-`);
      await expectNoLeaks(stack, suite.emulator, { password: PASSWORD, "webhook secret": WEBHOOK_SECRET }, exported);

      const destroy = await stack.cli(["destroy", "--yes", "--skip-preview"]);
      expect(destroy.code).toBe(0);
      expect(suite.emulator.objects("project").filter((o) => o.data.name.startsWith(prefix))).toEqual([]);
      report.push(
        `${point.name}: ${liveAfterKill} objects in the API, ${inStateAfterKill} in state, ${pending} pending creates; then ${steps.join(" → ")}: converged`,
      );
    } finally {
      await stack.cleanup();
    }
  });
});

describe("the same program creating again", () => {
  it("after a destroy makes new objects; a targeted replace with unchanged inputs keeps the object and says so", async () => {
    const stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD, WEBHOOK_SECRET } });
    try {
      const resources = program("again");
      await stack.setResources({ p0: resources.p0, pol0: resources.pol0, agent0: resources.agent0, hook0: resources.hook0 } as never);
      expect((await stack.cli(["up", "--yes", "--skip-preview"])).code).toBe(0);
      const first = await stateIds(stack);
      expect((await stack.cli(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
      // Same URNs, same bodies, within the API's 24 h replay window: the keys are the same as the first time.
      expect((await stack.cli(["up", "--yes", "--skip-preview"])).code).toBe(0);
      let exported = await stack.exportText();
      const second = await stateIds(exported);
      expect(second.ids.filter((id) => first.ids.includes(id))).toEqual([]);
      await expectStateMatchesEmulator(exported, suite.emulator, "again-");

      // `--replace` of the webhook, inputs unchanged: the engine calls no diff for a targeted replace, so the
      // create's replay brings the same object back. It must then be kept (not deleted under the new entry), and
      // the user told why.
      const hook = resourcesIn(exported).find((r) => r.urn.endsWith("::hook0"))!;
      const replaced = await stack.cli(["up", "--yes", "--skip-preview", "--replace", hook.urn]);
      expect(replaced.code).toBe(0);
      expect(replaced.output).toContain(`WebhookEndpoint ${hook.id} was kept rather than replaced`);
      exported = await stack.exportText();
      expect((await stateIds(exported)).ids).toContain(hook.id);
      expect(suite.emulator.get("webhook", hook.id!)).toBeDefined();
      await expectStateMatchesEmulator(exported, suite.emulator, "again-");
      // Change an input and it is a new object.
      await stack.setResources({
        p0: resources.p0,
        pol0: resources.pol0,
        agent0: resources.agent0,
        hook0: { ...resources.hook0, args: { ...(resources.hook0.args as object), description: "v2" } },
      } as never);
      expect((await stack.cli(["up", "--yes", "--skip-preview", "--replace", hook.urn])).code).toBe(0);
      expect(suite.emulator.get("webhook", hook.id!)).toBeUndefined();
      exported = await stack.exportText();
      await expectStateMatchesEmulator(exported, suite.emulator, "again-");
      await expectNoLeaks(stack, suite.emulator, { password: PASSWORD, "webhook secret": WEBHOOK_SECRET }, exported);
      expect((await stack.cli(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
      report.push(
        "destroy then up (same bodies): new objects; up --replace with unchanged inputs: same object kept, said so; with a changed input: new object",
      );
    } finally {
      await stack.cleanup();
    }
  });
});
