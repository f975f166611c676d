/**
 * `npm run demo`: a real `pulumi up` of examples/quickstart against the bundled emulator, then `destroy`.
 * No PgBeam account needed. Builds the Pulumi CLI from the Go module proxy on first use (cached after).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../test/emulator";

const root = path.resolve(__dirname, "..");

async function main() {
  console.log("==> Pulumi CLI (built from the Go module proxy on first run, then cached)");
  const bin = execFileSync("bash", [path.join(root, "scripts/pulumi-cli.sh")], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;

  // The program imports "pulumi-pgbeam" and the provider host requires it from the program directory:
  // point that name at this checkout's build.
  const link = path.join(root, "node_modules", "pulumi-pgbeam");
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync("..", link, "dir");

  const emulator = await startEmulator();
  console.log(`==> PgBeam API emulator at ${emulator.url} (org ${emulator.orgId})`);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-demo-"));
  const configFile = path.join(scratch, "Pulumi.demo.yaml");
  const env = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: path.join(scratch, "home"),
    PULUMI_BACKEND_URL: `file://${scratch}`,
    PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const pulumi = (...args: string[]) => {
    console.log(`\n$ pulumi ${args.join(" ").replace(emulator.apiKey, "***")}`);
    const run = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: root, env, stdio: "inherit" });
    if (run.status !== 0) throw new Error(`pulumi ${args[0]} failed (exit ${run.status})`);
  };

  let failed = false;
  try {
    pulumi("stack", "init", "demo");
    pulumi("config", "set", "--config-file", configFile, "pgbeam:orgId", emulator.orgId);
    pulumi("config", "set", "--config-file", configFile, "pgbeam:baseUrl", emulator.url);
    pulumi("config", "set", "--config-file", configFile, "--secret", "pgbeam:apiKey", emulator.apiKey);
    pulumi("config", "set", "--config-file", configFile, "--secret", "dbPassword", "demo-db-password");
    pulumi("up", "--yes", "--config-file", configFile);
    pulumi("stack", "output");
    pulumi("destroy", "--yes", "--config-file", configFile);
    pulumi("stack", "rm", "--yes", "demo");
  } catch (error) {
    failed = true;
    console.error(String(error));
  } finally {
    await emulator.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (failed) process.exit(1);
  console.log("\n==> demo done: project created with its database, outputs shown (secrets as [secret]), destroyed");
}

void main();
