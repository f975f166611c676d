/**
 * examples/gitops: the workflow's steps (pgbeam-ci.sh) run here as CI runs them, under the real CLI against the
 * emulator. Pull requests change examples/environments' dev stack; each review text must say, per resource, what
 * changes from what to what (secret inputs named, never shown), what a replace or rotation invalidates and what uses
 * it, which deletes and replaces stand out, what the preview cost in API calls, and fit a comment; a failed preview
 * must read as failed; `up` after the merge must do what the review said. Samples: examples/gitops/README.md.
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

/** An edit to a file of the program, as a developer would make it; fails if the program no longer has `from`. */
function edit(workDir: string, file: string, from: string, to: string): void {
  const text = fs.readFileSync(path.join(workDir, file), "utf8");
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  fs.writeFileSync(path.join(workDir, file), text.replace(from, to));
}

/** The program's files as they are now, to put back after a pull request that is only previewed. */
function snapshot(workDir: string): () => void {
  const files = ["index.ts", "Pulumi.dev.yaml"].map((file) => [file, fs.readFileSync(path.join(workDir, file), "utf8")]);
  return () => files.forEach(([file, text]) => fs.writeFileSync(path.join(workDir, file), text));
}

/** The review, kept as a sample (examples/gitops/README.md) when PGBEAM_SAVE_REVIEWS names a directory. */
function readReview(file: string, sample: string): string {
  const text = fs.readFileSync(file, "utf8");
  if (process.env.PGBEAM_SAVE_REVIEWS) fs.copyFileSync(file, path.join(process.env.PGBEAM_SAVE_REVIEWS, `${sample}.md`));
  return text;
}

/** Many policy profiles: a stack whose review is over GitHub's comment limit. */
const MANY_PROFILES = `
const rules = ["email", "phone", "address", "birthday", "iban", "ssn"].map((column) => ({ table: "customers", column, kind: "redact" as const }));
for (let team = 0; team < 120; team++) {
  new pgbeam.PolicyProfile(\`team-\${team}\`, { projectId: project.id, name: \`team-\${team}-\${stack}\`, accessMode: "read_only", maxRows: 1000, maskingRules: rules });
}
`;

it("the workflows run the script's commands (the nightly one its drift check), with the CLI version the package is built for", () => {
  const workflow = fs.readFileSync(path.join(repoRoot, "examples/gitops/pgbeam.yml"), "utf8");
  expect(workflow).toContain("CI_SCRIPT: examples/gitops/pgbeam-ci.sh");
  expect(workflow).toMatch(/run: bash "\$GITHUB_WORKSPACE\/\$CI_SCRIPT" preview "\$\{\{ matrix\.stack \}\}" "\$RUNNER_TEMP\/review\.md"/);
  expect(workflow).toContain("path: ${{ runner.temp }}/review-full.md");
  expect(workflow).toMatch(/run: bash "\$GITHUB_WORKSPACE\/\$CI_SCRIPT" up "\$\{\{ matrix\.stack \}\}"/);
  expect(workflow).toMatch(/PGBEAM_API_KEY: \$\{\{ secrets\.PGBEAM_API_KEY \}\}/);
  const pinned = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).devDependencies["@pulumi/pulumi"];
  expect(workflow).toContain(`PULUMI_VERSION: ${pinned}`);
  const drift = fs.readFileSync(path.join(repoRoot, "examples/gitops/pgbeam-drift.yml"), "utf8");
  expect(drift).toMatch(/on:\n {2}schedule:\n {4}- cron: /);
  expect(drift).toMatch(/run: bash "\$GITHUB_WORKSPACE\/\$CI_SCRIPT" drift "\$\{\{ matrix\.stack \}\}" "\$RUNNER_TEMP\/drift\.md"/);
  expect(drift).toContain(`PULUMI_VERSION: ${pinned}`);
});

it("pull requests' reviews tell each change truthfully (secrets, replaces, rotations, cost, size); up does what they said", async () => {
  const stack = await suite.stack(path.resolve(repoRoot, "examples/environments"), { stackName: "dev" });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-review-"));
  const review = path.join(dir, "review.md");
  const NEW_PASSWORD = "gitops-db-pw-Zq81";
  try {
    await stack.stack.setAllConfig({ "pgbeam:apiKey": { value: DEV_KEY, secret: true }, dbPassword: { value: DB_PASSWORD, secret: true } });

    // A large first pull request: its review is summarised to fit a comment; the whole of it is attached.
    const original = snapshot(stack.workDir);
    fs.appendFileSync(path.join(stack.workDir, "index.ts"), MANY_PROFILES);
    expect((await ci(stack, ["preview", "dev", review])).code).toBe(0);
    const large = readReview(review, "large");
    const full = fs.readFileSync(path.join(dir, "review-full.md"), "utf8");
    expect(full.length).toBeGreaterThan(65536);
    expect(large.length).toBeLessThanOrEqual(60000);
    expect(large).toContain("### PgBeam preview of `dev`: 124 to create"); // Pulumi counts the stack itself
    expect(large).toContain(
      `The full review (${full.length} characters, over GitHub's comment limit) is attached to this workflow run: artifact \`pgbeam-review-dev\`.`,
    );
    expect(large).toMatch(/\| `agents` \(PolicyProfile\) \| create \| \d+ \| 0 \|\n\| `app` \(Project\) \| create \| \d+ \| 0 \|\n/);
    expect(large).toMatch(/\| `team-119` \(PolicyProfile\) \| create \| \d+ \| 0 \|/);
    expect(full).toContain("#### `team-119` (PolicyProfile): create");
    original();

    const merged = await ci(stack, ["up", "dev"]);
    expect(merged.code).toBe(0);
    const project = suite.emulator.objects("project")[0];
    const oldCredential = suite.emulator.objects("agent")[0];
    const tokens = (await stack.outputs()).agentMcpToken.value as string;

    // Someone edits the project in the console; a refresh records it.
    suite.emulator.patch("project", project.id, { description: "edited in the console" });
    await stack.refresh();
    // The pull request: a field left to the server, a credential renamed, a policy tightened, the database's
    // password rotated together with a visible change to it.
    edit(stack.workDir, "index.ts", '    sslMode: "require",\n', "");
    edit(stack.workDir, "index.ts", "name: `assistant-${stack}`", "name: `helper-${stack}`");
    edit(stack.workDir, "index.ts", "    port: 5432,\n", "    port: 6432,\n");
    edit(stack.workDir, "Pulumi.dev.yaml", "    accessMode: read_write\n", "    accessMode: read_only\n    maxRows: 100\n");
    await stack.stack.setConfig("dbPassword", { value: NEW_PASSWORD, secret: true });

    suite.emulator.clearRequests();
    const previewed = await ci(stack, ["preview", "dev", review]);
    expect(previewed.code).toBe(0);
    // One preview; it reads only what the policy's replay needs (its credentials, then the what-if call), and says so.
    expect(writesIn(suite.emulator.requests)).toEqual([]);
    expect(suite.emulator.requests.map((r) => r.operationId)).toEqual(["listAgentCredentials", "replayPolicy"]);
    const text = readReview(review, "pull-request");

    expect(text).toContain("### PgBeam preview of `dev`: 2 to update, 1 to replace, 1 unchanged"); // the stack itself
    expect(text).toContain(
      `Planning these changes made 2 PgBeam API calls, reads and what-if checks that change nothing: \`agents\` (PolicyProfile): 2 (\`GET /v1/projects/${project.id}/agents\`, \`POST /v1/projects/${project.id}/policy-replays\`).`,
    );
    // Drift found by refresh: refresh stored the server's value as the input, so it shows against the program's.
    expect(text).toContain("#### `app` (Project): update");
    expect(text).toContain('| `description` | `"edited in the console"` | `"app, dev environment"` |  |');
    expect(text).toContain("| `database.port` | `5432` | `6432` |  |");
    expect(text).toContain("**Secret input changing:** `database.password` (value not shown; `up` sends the new one).");
    // A field left to the server: not a removal.
    expect(text).toContain(
      '| `database.sslMode` | `"require"` | _(left to the server)_ | removed from the program: the server keeps `"require"`; `up` sends nothing |',
    );
    expect(text).toContain("#### `agents` (PolicyProfile): update");
    expect(text).toContain('| `accessMode` | `"read_write"` | `"read_only"` |  |');
    expect(text).toContain("| `maxRows` | `0` | `100` |  |");
    // The replay found no recorded query decided differently: no warning.
    expect(text).not.toContain("policy impact");
    expect(text).toContain("#### `assistant` (AgentCredential): **replace**");
    // Names are unique: a renamed credential is also deleted first (the default that lets `pulumi up --replace` work).
    expect(text).toContain("Replaced because `name` changes: the old one is deleted, then the new one created.");
    expect(text).toContain(
      "> - `assistant` (AgentCredential) is replaced **delete-first** (its `deleteBeforeReplace` option, on by default where names are unique; set it `false` to create first): from its delete until the new one is created, it does not exist.",
    );
    expect(text).toContain(
      "**Its replace invalidates** a new Postgres user, connection string and MCP token: every agent still using the old ones is refused.",
    );
    expect(text).toContain(
      "**Uses it in this stack:** stack outputs `agentMcpUrl` (its `mcpUrl`); possibly the secret stack outputs `agentConnectionString`, `agentMcpToken`, `connectionString` (masked: check which hold its values).",
    );
    expect(text).toContain('| `name` | `"assistant-dev"` | `"helper-dev"` | forces replacement |');
    expectNoPlaintext(
      { "review text": text },
      { "API key": DEV_KEY, "database password": DB_PASSWORD, "new password": NEW_PASSWORD, "MCP token": tokens },
    );

    // The merge: up does what the review said, and nothing else.
    const applied = await ci(stack, ["up", "dev"]);
    expect(applied.code).toBe(0);
    expect(suite.emulator.get("project", project.id)).toMatchObject({ description: "app, dev environment" });
    const database = suite.emulator.objects("database")[0];
    expect(database.data).toMatchObject({ ssl_mode: "require", port: 6432 });
    expect(database.secrets.password).toBe(NEW_PASSWORD);
    expect(suite.emulator.objects("policy")[0].data).toMatchObject({ access_mode: "read_only", max_rows: 100 });
    const credentials = suite.emulator.objects("agent");
    expect(credentials.find((o) => o.id === oldCredential.id)?.data.status).toBe("revoked");
    expect(credentials.filter((o) => o.data.status === "active").map((o) => o.data.name)).toEqual(["helper-dev"]);
    expectNoPlaintext(
      { "CLI output": `${merged.output}${applied.output}` },
      { "API key": DEV_KEY, "database password": DB_PASSWORD, "new password": NEW_PASSWORD },
    );

    // The nightly drift job (pgbeam-drift.yml): nothing drifted; then someone edits the project in the console.
    const report = path.join(dir, "drift.md");
    const clean = await ci(stack, ["drift", "dev", report]);
    expect(clean.code).toBe(0);
    expect(readReview(report, "drift-none")).toContain("### PgBeam drift check of `dev`: no drift");
    suite.emulator.patch("project", project.id, { description: "edited in the console again" });
    suite.emulator.clearRequests();
    const drifted = await ci(stack, ["drift", "dev", report]);
    expect(drifted.code).toBe(3);
    expect(writesIn(suite.emulator.requests)).toEqual([]);
    const drift = readReview(report, "drift");
    expect(drift).toContain("### ⚠️ PgBeam drift check of `dev`: 1 resource differs from the program");
    expect(drift).toContain("The refresh read each of the 3 PgBeam resources once. Planning these changes made no PgBeam API call.");
    expect(drift).toContain(
      '#### `app` (Project): update\n\n| Field | From | To | |\n|---|---|---|---|\n| `description` | `"edited in the console again"` | `"app, dev environment"` |  |\n\n',
    );

    // Pull requests only previewed. A rotation: same credential, new secrets. Its count (1 to update, not 2: `app`
    // would differ too) also shows that the drift check recorded nothing of the console edit.
    const merged2 = snapshot(stack.workDir);
    edit(stack.workDir, "index.ts", "name: `helper-${stack}`,\n", "name: `helper-${stack}`,\n  rotationTrigger: 1,\n");
    expect((await ci(stack, ["preview", "dev", review])).code).toBe(0);
    const rotation = readReview(review, "rotation");
    expect(rotation).toContain("### PgBeam preview of `dev`: 1 to update");
    expect(rotation).toContain(
      "#### `assistant` (AgentCredential): update\n**Its rotation (`rotationTrigger` changes) invalidates** a new password (connection string) and MCP token under the same id",
    );
    expect(rotation).toContain("Planning these changes made no PgBeam API call.");
    merged2();

    // A project moved to another cloud: replaced, and since its name stays (unique in the organization), delete-first.
    edit(stack.workDir, "index.ts", "  residency,\n", '  cloud: "gcp",\n  residency,\n');
    expect((await ci(stack, ["preview", "dev", review])).code).toBe(0);
    const replaced = readReview(review, "stateful-replace");
    expect(replaced).toContain("### PgBeam preview of `dev`: 3 to replace");
    expect(replaced).toContain("> [!CAUTION]\n> - `app` (Project) is **replaced**: a new project id and proxy host (`proxyHost`)");
    expect(replaced).toContain(
      "> - `app` (Project) is replaced **delete-first** (its `orgId`, `name` must stay unique): from its delete until the new one is created, it does not exist.",
    );
    expect(replaced).toContain("Replaced because `cloud` changes: the old one is deleted, then the new one created.");
    expect(replaced).toMatch(
      /\*\*Uses it in this stack:\*\* resources `agents` \(PolicyProfile\) through `projectId`; `assistant` \(AgentCredential\) through `projectId`; stack outputs `proxyHost` \(its `proxyHost`\)/,
    );
  } finally {
    await stack.cleanup();
  }
});

it("a preview that fails check() reads as failed at the top, the error with its resource, and exits failing", async () => {
  const stack = await suite.stack(path.resolve(repoRoot, "examples/environments"), { stackName: "dev" });
  const review = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-review-")), "review.md");
  try {
    await stack.stack.setConfig("dbPassword", { value: DB_PASSWORD, secret: true });
    edit(stack.workDir, "Pulumi.dev.yaml", "      poolSize: 5\n", "      poolSize: 0\n");
    suite.emulator.clearRequests();
    const previewed = await ci(stack, ["preview", "dev", review]);
    expect(previewed.code).not.toBe(0);
    const text = readReview(review, "failed");
    expect(text).toMatch(/^### ❌ PgBeam preview of `dev` failed \(exit \d+\)\n\nNothing is applied until the preview passes/);
    expect(text).toMatch(/\n- ❌ `app` \(Project\): .*database\.poolConfig\.poolSize/);
    expect(text).not.toContain("unchanged");
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});
