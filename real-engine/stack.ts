/**
 * The real Pulumi engine driven against this package: the CLI built by scripts/pulumi-cli.sh, a local file backend,
 * passphrase secrets, and pulumi-pgbeam installed from `npm pack` into a separate project, the way users get it.
 * Used by the real-engine tests (through test/e2e/harness.ts) and the benchmarks (scripts/bench*.ts).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { type EngineEvent, LocalWorkspace, type OpType, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { Emulator } from "../emulator";

const repoRoot = path.resolve(__dirname, "..");
const rootPackage = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

/**
 * A project that depends on the packed tarball, installed with npm. Reused across test files while the
 * tarball's content is the same.
 */
export function consumerProject(): string {
  // `npm test` built dist/ already; packing without scripts keeps parallel test files from rebuilding it under
  // each other (test/package/tarball.test.ts proves the release pack, scripts included, from a clean copy).
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-pack-"));
  execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", packDir], { cwd: repoRoot, stdio: "ignore" });
  const tarball = path.join(
    packDir,
    fs.readdirSync(packDir).find((f) => f.endsWith(".tgz"))!,
  );
  const dev = rootPackage.devDependencies as Record<string, string>;
  const manifest = {
    name: "pgbeam-consumer",
    private: true,
    dependencies: {
      "pulumi-pgbeam": `file:${tarball}`,
      "@pulumi/pulumi": dev["@pulumi/pulumi"],
      "@pulumi/random": dev["@pulumi/random"],
      "@pulumi/policy": dev["@pulumi/policy"],
      typescript: dev.typescript,
      "ts-node": "^10.9.2",
      "@types/node": dev["@types/node"],
    },
  };
  // Reused while the tarball and the other dependencies are the same (the tarball's own path differs every pack).
  const others = { ...manifest.dependencies, "pulumi-pgbeam": undefined };
  const digest = createHash("sha256").update(fs.readFileSync(tarball)).update(JSON.stringify(others)).digest("hex").slice(0, 16);
  const dir = path.join(os.tmpdir(), `pgbeam-consumer-${digest}`);
  if (fs.existsSync(path.join(dir, ".installed"))) return dir;
  // Installed aside and renamed into place, so test files running in parallel never share a half-done install.
  const staging = fs.mkdtempSync(`${dir}.staging-`);
  fs.writeFileSync(path.join(staging, "package.json"), JSON.stringify(manifest, null, 2));
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: staging,
    stdio: ["ignore", "ignore", "inherit"],
  });
  fs.writeFileSync(path.join(staging, ".installed"), tarball);
  // A directory without the marker is what an interrupted install left: never in use.
  if (fs.existsSync(dir) && !fs.existsSync(path.join(dir, ".installed"))) fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(staging, dir);
  } catch (error) {
    // Another test file got there first: use its install.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, ".installed"))) throw error;
  }
  return dir;
}

export interface StepResult {
  /**
   * What happened to each pgbeam resource, by name: create, same, update, replace, delete, refresh. A replace
   * emits several events (create-replacement, replace, delete-replaced); it is reported as "replace".
   */
  ops: Record<string, OpType>;
  /** Every step's start, in the order the engine began them: [resource name, op] (a delete-before-replace deletes first). */
  steps: [string, OpType][];
  /** The run's own summary (counts by operation), from the CLI. */
  summary: Record<string, number>;
  /** Everything the CLI printed. */
  output: string;
  /** Diagnostics the engine reported (warnings, errors, provider messages), with the resource they belong to. */
  diagnostics: { resource?: string; severity: string; message: string }[];
  /** Violations reported by policy packs. */
  policyViolations: { policy: string; resource?: string; level: string; message: string }[];
  ms: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export interface RunningCli {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** SIGKILL of the CLI and every process under it. */
  kill(): void;
}

/** A stack of one program, against one emulator, in its own temp backend and PULUMI_HOME. */
export class TestStack {
  private constructor(
    readonly stack: Stack,
    readonly workDir: string,
    readonly log: string[],
  ) {}

  static async create(options: {
    program: string;
    consumer: string;
    bin: string;
    emulator: Emulator;
    env?: Record<string, string>;
    /** The stack's name (default "e2e"): a program's Pulumi.<name>.yaml, copied with it, is that stack's config. */
    stackName?: string;
    /**
     * `pgbeam:predictRefusals`, off unless asked: suites count their own API calls (test/e2e/refusals.test.ts proves
     * the predictions and their cost).
     */
    predictRefusals?: boolean;
    /**
     * Whether ts-node type-checks a TypeScript program on every run, as `pulumi up` does for users (default: no,
     * transpile only). The check costs about 5 s of CPU per run and finds the same thing every time: suites ask
     * for it once per example (test/e2e/examples.test.ts, environments.test.ts); `npm run typecheck` checks the
     * examples against the source and test/package/tarball.test.ts every export of the packed package.
     */
    typeCheck?: boolean;
  }): Promise<TestStack> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-stack-"));
    // The program must sit inside the consumer project so `pulumi-pgbeam` resolves from its node_modules.
    const workDir = path.join(options.consumer, "programs", path.basename(scratch));
    // An example installed where it stands has its own node_modules: the test uses the consumer's packed package.
    fs.cpSync(options.program, workDir, { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
    fs.mkdirSync(path.join(scratch, "backend"));
    const envVars: Record<string, string> = {
      PATH: `${options.bin}${path.delimiter}${process.env.PATH}`,
      PULUMI_HOME: path.join(scratch, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(scratch, "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_NODEJS_TRANSPILE_ONLY: options.typeCheck ? "false" : "true",
      // The key must come from stack config only: nothing in the environment may supply it.
      PGBEAM_API_KEY: "",
      PGBEAM_TOKEN: "",
      PGBEAM_API_TOKEN: "",
      PGBEAM_API_URL: "",
      ...options.env,
    };
    const pulumiCommand = await pulumiCommandIn(options.bin);
    const workspace = await LocalWorkspace.create({ workDir, envVars, pulumiCommand });
    const stack = await Stack.create(options.stackName ?? "e2e", workspace);
    await stack.setAllConfig(providerConfig(options.emulator, options.predictRefusals ?? false));
    return new TestStack(stack, workDir, []);
  }

  /** Another stack of the same program, in the same directory, backend and environment (one repo, two stacks). */
  async sibling(stackName: string, emulator: Emulator): Promise<TestStack> {
    const stack = await Stack.create(stackName, this.stack.workspace);
    await stack.setAllConfig(providerConfig(emulator, false));
    return new TestStack(stack, this.workDir, []);
  }

  /** `pulumi stack rename`: this stack under its new name (every URN in it changes), in the same directory and backend. */
  async rename(newName: string): Promise<TestStack> {
    const renamed = await this.cli(["stack", "rename", newName]);
    if (renamed.code !== 0) throw new Error(`pulumi stack rename ${newName} failed:\n${renamed.output}`);
    return new TestStack(await Stack.select(newName, this.stack.workspace), this.workDir, this.log);
  }

  async setResources(resources: Record<string, { type: string; args?: unknown; opts?: unknown; get?: string }>): Promise<void> {
    // A file, not stack config: a command line cannot carry the full fault matrix's program (E2BIG).
    fs.writeFileSync(path.join(this.workDir, `resources.${this.stack.name}.json`), JSON.stringify(resources));
  }

  async setEnv(env: Record<string, string>): Promise<void> {
    const workspace = this.stack.workspace as LocalWorkspace;
    Object.assign(workspace.envVars, env);
  }

  /**
   * One engine run through the Automation API (`Stack.up()`, `preview()`, `refresh()`, `destroy()`), its events
   * collected as they come. Fails, with everything the CLI printed, when the CLI does.
   */
  private async run(
    action: (hooks: { onOutput: (s: string) => void; onEvent: (e: EngineEvent) => void }) => Promise<unknown>,
  ): Promise<StepResult> {
    const seen: Record<string, OpType[]> = {};
    const steps: [string, OpType][] = [];
    const diagnostics: StepResult["diagnostics"] = [];
    const policyViolations: StepResult["policyViolations"] = [];
    let output = "";
    let summary: Record<string, number> | undefined;
    const started = Date.now();
    const onEvent = (event: EngineEvent) => {
      if (event.summaryEvent) summary = event.summaryEvent.resourceChanges as Record<string, number>;
      const metadata = event.resourcePreEvent?.metadata;
      if (metadata && metadata.type.startsWith("pulumi-nodejs:dynamic/pgbeam:")) {
        (seen[metadata.urn.split("::").pop()!] ??= []).push(metadata.op);
        steps.push([metadata.urn.split("::").pop()!, metadata.op]);
      }
      const diagnostic = event.diagnosticEvent;
      if (diagnostic) {
        const resource = diagnostic.urn ? diagnostic.urn.split("::").pop() : undefined;
        diagnostics.push({ resource, severity: diagnostic.severity, message: diagnostic.message.trim() });
      }
      const violation = event.policyEvent;
      if (violation) {
        const resource = violation.resourceUrn ? violation.resourceUrn.split("::").pop() : undefined;
        policyViolations.push({
          policy: violation.policyName,
          resource,
          level: violation.enforcementLevel,
          message: violation.message.trim(),
        });
      }
    };
    const answered = answerReadBacksFromEvents(this.stack);
    try {
      await action({ onOutput: (s) => void (output += s), onEvent });
    } finally {
      answered.restore();
      this.log.push(output);
    }
    const ops = Object.fromEntries(
      Object.entries(seen).map(([name, list]) => [name, list.includes("replace") ? "replace" : list[list.length - 1]]),
    ) as Record<string, OpType>;
    return { ops, steps, summary: summary ?? {}, output, diagnostics, policyViolations, ms: Date.now() - started };
  }

  up() {
    return this.run((hooks) => this.stack.up({ ...hooks }));
  }
  preview(options: { policyPacks?: string[]; policyPackConfigs?: string[] } = {}) {
    return this.run((hooks) => this.stack.preview({ ...hooks, diff: true, ...options }));
  }
  refresh() {
    return this.run((hooks) => this.stack.refresh({ ...hooks }));
  }
  destroy() {
    return this.run((hooks) => this.stack.destroy({ ...hooks }));
  }

  /**
   * Runs the CLI itself, not through the Automation API: `kill()` SIGKILLs the CLI and every process under it
   * (language host, provider hosts) at once, as a CI runner killing the job does.
   */
  startCli(args: string[]): RunningCli {
    const workspace = this.stack.workspace as LocalWorkspace;
    // Plugin commands and `state move` (--source, --dest) take no stack; stack commands run on this one unless told otherwise.
    const takesNoStack = args[0] === "plugin" || (args[0] === "state" && args[1] === "move");
    const stackArgs = takesNoStack || args.includes("--stack") ? [] : ["--stack", this.stack.name];
    const child = spawn(workspace.pulumiCommand.command, [...args, ...stackArgs, "--non-interactive"], {
      cwd: this.workDir,
      env: { ...process.env, ...workspace.envVars },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    const done = new Promise<CliResult>((resolve) => {
      child.on("close", (code, signal) => {
        this.log.push(output);
        resolve({ code, signal, output });
      });
    });
    return { child, done, kill: () => killTree(child.pid!) };
  }

  /** Runs the CLI to the end: exit code and everything it printed. */
  cli(args: string[]): Promise<CliResult> {
    return this.startCli(args).done;
  }

  /** Whether a resource's output (a dotted path) is stored encrypted in the exported state. */
  async isSecretInState(resourceName: string, output: string): Promise<boolean> {
    const entry = (await this.resources()).find((r) => r.urn.endsWith(`::${resourceName}`));
    const value = output.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], entry?.outputs) as
      Record<string, unknown> | undefined;
    return isSecretValue(value) && "ciphertext" in value!;
  }

  /**
   * The stack's outputs, secret ones marked, as the Automation API's `outputs()` gives them, from one
   * `pulumi stack export --show-secrets` (that API runs `pulumi stack output` twice, masked and shown).
   */
  async outputs(): Promise<Record<string, { value: unknown; secret: boolean }>> {
    const deployment = (await this.stack.exportStack()).deployment as { resources?: { type: string; outputs?: Record<string, unknown> }[] };
    const root = (deployment.resources ?? []).find((r) => r.type === "pulumi:pulumi:Stack");
    return Object.fromEntries(
      Object.entries(root?.outputs ?? {}).map(([name, value]) => [name, { value: revealed(value), secret: isSecretValue(value) }]),
    );
  }

  /**
   * `pulumi stack export` as text: what anyone with the state can read. (The Automation API's exportStack()
   * passes --show-secrets, so it cannot be used to look for leaks.)
   */
  async exportText(): Promise<string> {
    const workspace = this.stack.workspace as LocalWorkspace;
    return execFileSync(workspace.pulumiCommand.command, ["stack", "export", "--stack", this.stack.name, "--non-interactive"], {
      cwd: this.workDir,
      env: { ...process.env, ...workspace.envVars },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  /**
   * A copy of a policy pack that this CLI can run: beside the program (so it resolves @pulumi/policy from the
   * consumer's node_modules), its runtime switched to `nodejsshim` and the shim installed as an analyzer plugin in
   * this stack's PULUMI_HOME. The CLI built here has no Node language host that runs packs (README, "Guardrails").
   */
  async policyPack(source: string): Promise<string> {
    const dir = path.join(path.dirname(this.workDir), `pack-${path.basename(this.workDir)}`);
    fs.cpSync(source, dir, { recursive: true, filter: (file) => !file.includes("node_modules") });
    const manifest = path.join(dir, "PulumiPolicy.yaml");
    fs.writeFileSync(manifest, fs.readFileSync(manifest, "utf8").replace(/^runtime: nodejs$/m, "runtime: nodejsshim"));
    const shim = path.join(repoRoot, "scripts", "pulumi-analyzer-policy-nodejsshim");
    const installed = await this.cli(["plugin", "install", "analyzer", "policy-nodejsshim", "0.0.1", "--file", shim]);
    if (installed.code !== 0) throw new Error(`installing the policy-pack shim failed:\n${installed.output}`);
    return dir;
  }

  /**
   * The state entries of our resources (secrets encrypted), from the checkpoint the local backend stores: the
   * deployment `pulumi stack export` prints, read without a CLI run (each costs ~0.3 s of CPU, and suites read the
   * state after most steps). Leak scans still go through the CLI (`exportText`).
   */
  async resources(): Promise<StateEntry[]> {
    const workspace = this.stack.workspace as LocalWorkspace;
    const backend = fileURLToPath(workspace.envVars.PULUMI_BACKEND_URL);
    const project = (await workspace.projectSettings()).name;
    const checkpoint = path.join(backend, ".pulumi", "stacks", project, `${this.stack.name.split("/").pop()}.json`);
    const stored = JSON.parse(fs.readFileSync(checkpoint, "utf8")) as { checkpoint: { latest?: { resources?: StateEntry[] } } };
    return pgbeamEntries(stored.checkpoint.latest?.resources);
  }

  async cleanup(): Promise<void> {
    await this.stack.workspace.removeStack(this.stack.name, { force: true }).catch(() => undefined);
    fs.rmSync(this.workDir, { recursive: true, force: true });
    fs.rmSync(path.join(path.dirname(this.workDir), `pack-${path.basename(this.workDir)}`), { recursive: true, force: true });
  }
}

/** A resource's entry in the state (secrets encrypted). */
export interface StateEntry {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** Our resources' entries in the text of a `pulumi stack export`: what `resources()` reads, for a caller that has it already. */
export function resourcesIn(exported: string): StateEntry[] {
  return pgbeamEntries(JSON.parse(exported).deployment.resources);
}

const pgbeamEntries = (resources: StateEntry[] = []) => resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/pgbeam:"));

/**
 * The CLI in a bin directory, for the Automation API. PulumiCommand.get runs `pulumi version` each time; a test
 * file makes several stacks on one CLI, so each directory's is made once per process.
 */
const pulumiCommands = new Map<string, Promise<PulumiCommand>>();
/**
 * The Automation API follows each up with `pulumi stack output` twice and `pulumi stack history`, and each refresh and
 * destroy with the history, only to fill its result's `outputs` and `summary`: about 1 s of CPU per up, a third of the
 * suite's CLI runs. A run here takes its change counts from the engine's summary event (what the history records)
 * and the suites read outputs from the state (`outputs()`), so during a run those reads answer nothing. The engine
 * runs themselves stay the Automation API's.
 */
function answerReadBacksFromEvents(stack: Stack): { restore(): void } {
  Object.assign(stack, { outputs: async () => ({}), info: async () => undefined });
  const restore = () => {
    Reflect.deleteProperty(stack, "outputs");
    Reflect.deleteProperty(stack, "info");
  };
  return { restore };
}

function pulumiCommandIn(bin: string): Promise<PulumiCommand> {
  if (!pulumiCommands.has(bin)) pulumiCommands.set(bin, PulumiCommand.get({ root: path.dirname(bin), skipVersionCheck: true }));
  return pulumiCommands.get(bin)!;
}

/** The provider's stack config for an emulator, set in one `pulumi config set-all` (each CLI run costs ~0.25 s of CPU). */
function providerConfig(emulator: Emulator, predictRefusals: boolean) {
  return {
    "pgbeam:apiKey": { value: emulator.apiKey, secret: true },
    "pgbeam:baseUrl": { value: emulator.url },
    "pgbeam:predictRefusals": { value: String(predictRefusals) },
  };
}

/** The state's marker of a secret value: with --show-secrets the envelope holds the value as JSON in `plaintext`. */
const SECRET_SIGNATURE = ["4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"] as const;
export const isSecretValue = (value: unknown) => (value as Record<string, unknown> | null)?.[SECRET_SIGNATURE[0]] === SECRET_SIGNATURE[1];

/** A value of exported state with every secret envelope in it opened (exported with --show-secrets). */
function revealed(value: unknown): unknown {
  if (isSecretValue(value)) return revealed(JSON.parse((value as { plaintext: string }).plaintext));
  if (Array.isArray(value)) return value.map(revealed);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, revealed(item)]));
  return value;
}

/**
 * SIGKILL of a process and all its descendants. The CLI starts plugins in process groups of their own, so
 * killing its group alone would leave the provider host running (and finishing its calls).
 */
function killTree(pid: number): void {
  const all: number[] = [];
  const walk = (parent: number) => {
    all.push(parent);
    let children = "";
    try {
      children = execFileSync("pgrep", ["-P", String(parent)], { encoding: "utf8" });
    } catch {
      // pgrep exits 1 when there are none
    }
    for (const child of children.split("\n").filter(Boolean)) walk(Number(child));
  };
  walk(pid);
  for (const target of all) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
