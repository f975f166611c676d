/**
 * `npm run demo`: a real `pulumi up` of examples/quickstart against the bundled emulator, then `destroy`.
 * No PgBeam account needed. Builds the Pulumi CLI from the Go module proxy on first use (cached after).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { pulumiBinDir } from "../real-engine/pulumi-bin";

const root = path.resolve(__dirname, "..");

async function main() {
  console.log("==> Pulumi CLI (built from the Go module proxy on first run, then cached)");
  const bin = pulumiBinDir();

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
  // Asynchronous on purpose: the emulator answers from this process's event loop while pulumi runs.
  const pulumi = (...args: string[]) =>
    new Promise<void>((resolve, reject) => {
      console.log(`\n$ pulumi ${args.join(" ").replace(emulator.apiKey, "***")}`);
      const child = spawn(path.join(bin, "pulumi"), [...args, "--non-interactive"], { cwd: root, env, stdio: "inherit" });
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`pulumi ${args[0]} failed (exit ${code})`))));
    });

  let failed = false;
  try {
    await pulumi("stack", "init", "demo");
    await pulumi("config", "set", "--config-file", configFile, "pgbeam:orgId", emulator.orgId);
    await pulumi("config", "set", "--config-file", configFile, "pgbeam:baseUrl", emulator.url);
    await pulumi("config", "set", "--config-file", configFile, "--secret", "pgbeam:apiKey", emulator.apiKey);
    await pulumi("config", "set", "--config-file", configFile, "--secret", "dbPassword", "demo-db-password");
    await pulumi("up", "--yes", "--config-file", configFile);
    const projects = emulator.objects("project");
    const databases = emulator.objects("database");
    if (projects.length !== 1 || databases.length !== 1) {
      throw new Error(`expected 1 project and 1 database in the emulator, found ${projects.length} and ${databases.length}`);
    }
    console.log(`\n==> the emulator now holds project ${projects[0].id} and its database ${databases[0].id}`);
    await pulumi("stack", "output");
    await pulumi("destroy", "--yes", "--config-file", configFile);
    if (emulator.objects("project").length !== 0) throw new Error("destroy left the project behind");
    await pulumi("stack", "rm", "--yes", "demo");
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
