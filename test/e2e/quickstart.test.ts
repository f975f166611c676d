/**
 * The README's quick start, as written: its shell block runs under the real CLI in an empty folder beside a
 * "clone" holding the packed tarball and examples/quickstart, against the emulator with the README's key and org.
 * The one substitution is the emulator's URL (a free port instead of 8787). `pulumi login --local` would use the
 * real user's ~/.pulumi (the CLI resolves `~` from the account, not $HOME), so the backend and the CLI's home are
 * this test's own, through the environment variables that take precedence over a login.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../emulator";
import { leftovers, pulumiBinDir } from "./harness";

jest.setTimeout(20 * 60_000);

const repoRoot = path.resolve(__dirname, "../..");

/** The quick start's shell block that makes and runs the project (the one starting with `mkdir`). */
function quickStartBlock(): string {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Quick start"));
  const block = [...(section ?? "").matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]).find((text) => text.startsWith("mkdir "));
  if (!block) throw new Error('README.md\'s "Quick start" has no ```sh block starting with `mkdir`');
  return block;
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronous: the emulator answers from this process's event loop while the CLI runs.
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

it("the README's quick start runs as written: install from the tarball, up, outputs, destroy", async () => {
  const emulator = await startEmulator({ apiKey: "pbu_quickstart" });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-quickstart-"));
  try {
    const clone = path.join(scratch, "pulumi-pgbeam");
    const backend = path.join(scratch, "backend");
    fs.mkdirSync(backend);
    fs.mkdirSync(path.join(clone, "examples"), { recursive: true });
    fs.cpSync(path.join(repoRoot, "examples/quickstart"), path.join(clone, "examples/quickstart"), {
      recursive: true,
      filter: (source) => path.basename(source) !== "node_modules",
    });
    // `npm test` built dist/ already; the README's `npm pack` runs the same build first.
    const packed = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", clone], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    const block = quickStartBlock();
    // The program the README shows is the one the block copies.
    const program = fs.readFileSync(path.join(repoRoot, "examples/quickstart/index.ts"), "utf8");
    expect(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")).toContain("```ts\n" + program + "```");
    expect(block).toContain(`../pulumi-pgbeam/${packed}`);
    expect(block).toContain(`pgbeam:orgId ${emulator.orgId}`);

    const { code, output } = await runBash(block.replaceAll("http://localhost:8787", emulator.url), scratch, {
      PATH: `${pulumiBinDir()}${path.delimiter}${process.env.PATH}`,
      HOME: path.join(scratch, "home"),
      PULUMI_HOME: path.join(scratch, "home/.pulumi"),
      PULUMI_BACKEND_URL: `file://${backend}`,
      npm_config_cache: path.join(os.homedir(), ".npm"),
      npm_config_prefer_offline: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    });
    if (code !== 0) throw new Error(`the quick start failed (exit ${code}):\n${output}`);
    const created = emulator.requests.filter((r) => r.operationId === "createProject");
    expect(created).toHaveLength(1);
    expect(output).toMatch(/connectionString\s+\[secret\]/);
    expect(output).toContain("postgresql://app:s3cret-db-password@");
    expect(emulator.validationFailures).toEqual([]);
    expect(leftovers(emulator)).toEqual([]);
  } finally {
    await emulator.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
