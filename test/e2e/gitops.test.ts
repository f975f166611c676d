/**
 * examples/gitops: the workflow's steps (pgbeam-ci.sh) run here as CI runs them, under the real CLI against the
 * emulator. A pull request changes examples/environments' dev stack; its review text must say, per resource, what
 * changes from what to what, what is replaced and why, the warnings attached, with secrets masked and the known
 * display gaps told truthfully; `up` after the merge must do what the review said.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { expectNoPlaintext, realEngineSuite, TestStack, writesIn } from "./harness";

jest.setTimeout(20 * 60_000);

const repoRoot = path.resolve(__dirname, "../..");
const CI_SCRIPT = path.join(repoRoot, "examples/gitops/pgbeam-ci.sh");
const DEV_KEY = "pbo_gitops_dev_key_7d3c9a1e";
const DB_PASSWORD = "gitops-db-pw-Hn40";

const suite = realEngineSuite({ orgId: "org_acme_dev" }, (emulator) => {
  emulator.addApiKey(DEV_KEY, { orgId: "org_acme_dev" });
});

/** Runs the CI script in the stack's directory with the stack's environment; asynchronous, so the suite.emulator answers. */
function ci(stack: TestStack, args: string[]): Promise<{ code: number; output: string }> {
  const env = { ...process.env, ...(stack.stack.workspace as LocalWorkspace).envVars };
  return new Promise((resolve) => {
    execFile("bash", [CI_SCRIPT, ...args], { cwd: stack.workDir, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** The pull request: edits to the program and to the dev stack's file, as a developer would make them. */
function changeProgram(workDir: string): void {
  const edit = (file: string, from: string, to: string) => {
    const text = fs.readFileSync(path.join(workDir, file), "utf8");
    if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
    fs.writeFileSync(path.join(workDir, file), text.replace(from, to));
  };
  edit("index.ts", '    sslMode: "require",\n', ""); // left to the server from now on
  edit("index.ts", "name: `assistant-${stack}`", "name: `helper-${stack}`"); // a credential's name: replaced
  edit("Pulumi.dev.yaml", "    accessMode: read_write\n", "    accessMode: read_only\n    maxRows: 100\n");
}

it("the workflow runs the script's two commands, with the CLI version the package is built for", () => {
  const workflow = fs.readFileSync(path.join(repoRoot, "examples/gitops/pgbeam.yml"), "utf8");
  expect(workflow).toContain("CI_SCRIPT: examples/gitops/pgbeam-ci.sh");
  expect(workflow).toMatch(/run: bash "\$GITHUB_WORKSPACE\/\$CI_SCRIPT" preview "\$\{\{ matrix\.stack \}\}" "\$RUNNER_TEMP\/review\.md"/);
  expect(workflow).toMatch(/run: bash "\$GITHUB_WORKSPACE\/\$CI_SCRIPT" up "\$\{\{ matrix\.stack \}\}"/);
  expect(workflow).toMatch(/PGBEAM_API_KEY: \$\{\{ secrets\.PGBEAM_API_KEY \}\}/);
  const pinned = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).devDependencies["@pulumi/pulumi"];
  expect(workflow).toContain(`PULUMI_VERSION: ${pinned}`);
});

it("a pull request's review text tells each change truthfully; up after the merge does what it said", async () => {
  const stack = await suite.stack(path.resolve(repoRoot, "examples/environments"), { stackName: "dev" });
  const review = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-review-")), "review.md");
  try {
    await stack.stack.setConfig("pgbeam:apiKey", { value: DEV_KEY, secret: true });
    await stack.stack.setConfig("dbPassword", { value: DB_PASSWORD, secret: true });
    const merged = await ci(stack, ["up", "dev"]);
    expect(merged.code).toBe(0);
    const project = suite.emulator.objects("project")[0];
    const oldCredential = suite.emulator.objects("agent")[0];
    const tokens = (await stack.outputs()).agentMcpToken.value as string;

    // Someone edits the project in the console; a refresh records it.
    suite.emulator.patch("project", project.id, { description: "edited in the console" });
    await stack.refresh();
    changeProgram(stack.workDir);

    suite.emulator.clearRequests();
    const previewed = await ci(stack, ["preview", "dev", review]);
    expect(previewed.code).toBe(0);
    // A preview writes nothing: it reads only what the policy's replay needs (its credentials, then the what-if
    // call), once per preview the script runs (the JSON one and the --diff one).
    expect(writesIn(suite.emulator.requests)).toEqual([]);
    expect(new Set(suite.emulator.requests.map((r) => r.operationId))).toEqual(new Set(["listAgentCredentials", "replayPolicy"]));
    const text = fs.readFileSync(review, "utf8");
    if (process.env.PGBEAM_SAVE_REVIEW) fs.copyFileSync(review, process.env.PGBEAM_SAVE_REVIEW);

    expect(text).toContain("### PgBeam preview of `dev`: 2 to update, 1 to replace");
    // Drift found by refresh: refresh stored the server's value as the input, so it shows against the program's.
    expect(text).toContain("#### `app` (Project): update");
    expect(text).toContain('| `description` | `"edited in the console"` | `"app, dev environment"` |  |');
    // A field left to the server: not a removal.
    expect(text).toContain('| `database.sslMode` | `"require"` | _(left to the server)_ | removed from the program: the server keeps `"require"`; `up` sends nothing |');
    expect(text).toContain("#### `agents` (PolicyProfile): update");
    expect(text).toContain('| `accessMode` | `"read_write"` | `"read_only"` |  |');
    expect(text).toContain("| `maxRows` | `0` | `100` |  |");
    expect(text).toMatch(/> ⚠️ warning: \*\*policy impact: PolicyProfile "agents" .*\*\*/);
    expect(text).toContain("#### `assistant` (AgentCredential): **replace**");
    expect(text).toContain("Replaced because `name` changes");
    expect(text).toContain('| `name` | `"assistant-dev"` | `"helper-dev"` | forces replacement |');
    // The raw --diff shows the gaps the tables correct.
    expect(text).toContain("<summary><code>pulumi preview --diff</code></summary>");
    expect(text).toMatch(/- sslMode\s*: "require"/);
    expect(text).toContain("a removal that `up` never performs");
    expectNoPlaintext({ "review text": text }, { "API key": DEV_KEY, "database password": DB_PASSWORD, "MCP token": tokens });

    // The merge: up does what the review said, and nothing else.
    const applied = await ci(stack, ["up", "dev"]);
    expect(applied.code).toBe(0);
    expect(suite.emulator.get("project", project.id)).toMatchObject({ description: "app, dev environment" });
    expect(suite.emulator.objects("database")[0].data.ssl_mode).toBe("require");
    expect(suite.emulator.objects("policy")[0].data).toMatchObject({ access_mode: "read_only", max_rows: 100 });
    const credentials = suite.emulator.objects("agent");
    expect(credentials.find((o) => o.id === oldCredential.id)?.data.status).toBe("revoked");
    expect(credentials.filter((o) => o.data.status === "active").map((o) => o.data.name)).toEqual(["helper-dev"]);

    const again = await ci(stack, ["preview", "dev", review]);
    expect(again.code).toBe(0);
    const after = fs.readFileSync(review, "utf8");
    expect(after).toContain("### PgBeam preview of `dev`: 4 unchanged"); // Pulumi counts the stack itself
    expectNoPlaintext({ "CLI output": `${merged.output}${applied.output}` }, { "API key": DEV_KEY, "database password": DB_PASSWORD });

    await stack.destroy();
  } finally {
    await stack.cleanup();
  }
});

it("a preview that fails check() yields a review saying so, naming the field, and a failing exit", async () => {
  const stack = await suite.stack(path.resolve(repoRoot, "examples/environments"), { stackName: "dev" });
  const review = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-review-")), "review.md");
  try {
    await stack.stack.setConfig("dbPassword", { value: DB_PASSWORD, secret: true });
    const file = path.join(stack.workDir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("      poolSize: 5\n", "      poolSize: 0\n"));
    suite.emulator.clearRequests();
    const previewed = await ci(stack, ["preview", "dev", review]);
    expect(previewed.code).not.toBe(0);
    const text = fs.readFileSync(review, "utf8");
    expect(text).toContain("**The preview failed (exit");
    expect(text).toMatch(/❌ error: .*database\.poolConfig\.poolSize/);
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});
