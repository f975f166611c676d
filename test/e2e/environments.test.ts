/**
 * examples/environments as a team runs it: one program in one directory, one stack per environment whose
 * Pulumi.<stack>.yaml holds what differs, dev and prod in separate organizations with separate keys (dev's in
 * secret config, prod's in the environment as a CI secret store supplies it), under the real engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expectNoPlaintext, leftovers, realEngineSuite } from "./harness";

jest.setTimeout(20 * 60_000);

const DEV_ORG = "org_acme_dev";
const PROD_ORG = "org_acme_prod";
const DEV_KEY = "pbo_dev_key_3f9a1c0d7e5b";
const PROD_KEY = "pbo_prod_key_8b2e6d4a1f0c";
const DEV_DB_PASSWORD = "dev-db-pw-Ka81";
const PROD_DB_PASSWORD = "prod-db-pw-Wq27";

const suite = realEngineSuite({ orgId: DEV_ORG }, (emulator) => {
  emulator.addOrganization(PROD_ORG, { plan: "scale" });
  emulator.addApiKey(DEV_KEY, { orgId: DEV_ORG });
  emulator.addApiKey(PROD_KEY, { orgId: PROD_ORG });
});

/** The live objects of one organization's project, as the API holds them. */
function environment(orgId: string) {
  const project = suite.emulator.objects("project").find((o) => o.data.org_id === orgId)!;
  const inProject = (kind: string) => suite.emulator.objects(kind).filter((o) => o.data.project_id === project.id);
  return {
    project: project.data,
    database: inProject("database")[0].data,
    policy: inProject("policy")[0].data,
    agent: inProject("agent")[0].data,
  };
}

it("dev and prod converge independently; a change to prod's stack file changes prod only; outputs serve apps", async () => {
  const program = path.resolve(__dirname, "../../examples/environments");
  const dev = await suite.stack(program, { stackName: "dev" });
  const prod = await dev.sibling("prod", suite.emulator);
  try {
    await dev.stack.setConfig("pgbeam:apiKey", { value: DEV_KEY, secret: true });
    await dev.stack.setConfig("dbPassword", { value: DEV_DB_PASSWORD, secret: true });
    // prod's key comes from the environment only, as a CI secret store or Pulumi ESC would supply it.
    await prod.stack.removeConfig("pgbeam:apiKey");
    await prod.setEnv({ PGBEAM_API_KEY: PROD_KEY });
    await prod.stack.setConfig("dbPassword", { value: PROD_DB_PASSWORD, secret: true });

    const devUp = await dev.up();
    expect(devUp.ops).toEqual({ app: "create", agents: "create", assistant: "create" });
    expect((await dev.preview()).ops).toEqual({ app: "same", agents: "same", assistant: "same" });
    expect(suite.emulator.objects("project").map((o) => o.data.org_id)).toEqual([DEV_ORG]);

    const prodUp = await prod.up();
    expect(prodUp.ops).toEqual({ app: "create", agents: "create", assistant: "create" });
    expect((await prod.preview()).ops).toEqual({ app: "same", agents: "same", assistant: "same" });
    expect((await dev.preview()).ops).toEqual({ app: "same", agents: "same", assistant: "same" });

    // Each environment got its own file's settings, in its own organization.
    const devEnv = environment(DEV_ORG);
    const prodEnv = environment(PROD_ORG);
    expect(devEnv.project).toMatchObject({
      name: "app-dev",
      residency: "any",
      allowed_cidrs: [{ cidr: "10.0.0.0/8", label: "office VPN" }],
    });
    expect(prodEnv.project).toMatchObject({
      name: "app-prod",
      residency: "eu",
      allowed_cidrs: [
        { cidr: "10.20.0.0/16", label: "prod VPC" },
        { cidr: "192.0.2.10/32", label: "bastion" },
      ],
    });
    expect(devEnv.database).toMatchObject({ pool_config: { pool_size: 5, max_active: 50 }, cache_config: { enabled: false } });
    expect(prodEnv.database).toMatchObject({
      pool_config: { pool_size: 80, max_active: 800 },
      cache_config: { enabled: true, max_entries: 100000 },
    });
    expect(devEnv.policy).toMatchObject({ name: "agents-dev", access_mode: "read_write", max_rows: 0 });
    expect(prodEnv.policy).toMatchObject({
      name: "agents-prod",
      access_mode: "read_only",
      max_rows: 500,
      masking_rules: [
        { table: "users", column: "email", kind: "hash" },
        { table: "payments", column: "card_last4", kind: "redact" },
      ],
    });

    // What an app of each environment reads from its stack.
    const devOut = await dev.outputs();
    const prodOut = await prod.outputs();
    expect(prodOut.proxyHost).toEqual({ value: prodEnv.project.proxy_host, secret: false });
    for (const name of ["connectionString", "agentConnectionString", "agentMcpToken"]) {
      expect(prodOut[name].secret).toBe(true);
      expect(devOut[name].secret).toBe(true);
    }
    const prodUrl = new URL(prodOut.connectionString.value as string);
    expect([prodUrl.hostname, prodUrl.username, prodUrl.password, prodUrl.pathname]).toEqual([
      prodEnv.project.proxy_host,
      "app",
      PROD_DB_PASSWORD,
      "/app",
    ]);
    expect(new URL(devOut.connectionString.value as string).hostname).toBe(devEnv.project.proxy_host);

    // A pull request that touches prod's file only: prod's policy is updated, nothing else anywhere.
    const prodFile = path.join(prod.workDir, "Pulumi.prod.yaml");
    const before = fs.readFileSync(prodFile, "utf8");
    fs.writeFileSync(prodFile, before.replace("    maxRows: 500\n", "    maxRows: 200\n"));
    expect(fs.readFileSync(prodFile, "utf8")).not.toBe(before);
    expect((await dev.preview()).ops).toEqual({ app: "same", agents: "same", assistant: "same" });
    const prodPreview = await prod.preview();
    expect(prodPreview.ops).toEqual({ app: "same", agents: "update", assistant: "same" });
    expect(prodPreview.output).toMatch(/~ maxRows\s*: 500 => 200/);
    const devObjects = () =>
      suite.emulator
        .objects()
        .filter((o) => o.id === devEnv.project.id || o.data.project_id === devEnv.project.id)
        .map((o) => o.data);
    const devBefore = devObjects();
    const prodUpdate = await prod.up();
    expect(prodUpdate.ops).toEqual({ agents: "update", app: "same", assistant: "same" });
    expect(environment(PROD_ORG).policy).toMatchObject({ max_rows: 200, access_mode: "read_only" });
    expect(devObjects()).toEqual(devBefore);
    expect((await prod.preview()).ops).toEqual({ app: "same", agents: "same", assistant: "same" });
    expect(suite.emulator.validationFailures).toEqual([]);

    const secrets = {
      "dev API key": DEV_KEY,
      "prod API key": PROD_KEY,
      "dev database password": DEV_DB_PASSWORD,
      "prod database password": PROD_DB_PASSWORD,
      "prod agent MCP token": prodOut.agentMcpToken.value as string,
      "dev agent MCP token": devOut.agentMcpToken.value as string,
    };
    expectNoPlaintext(
      {
        "dev stack export": await dev.exportText(),
        "prod stack export": await prod.exportText(),
        "Pulumi.dev.yaml": fs.readFileSync(path.join(dev.workDir, "Pulumi.dev.yaml"), "utf8"),
        "Pulumi.prod.yaml": fs.readFileSync(prodFile, "utf8"),
        "CLI output": [devUp, prodUp, prodPreview, prodUpdate].map((step) => step.output).join("\n"),
      },
      secrets,
    );

    await prod.destroy();
    expect(suite.emulator.objects("project").map((o) => o.data.org_id)).toEqual([DEV_ORG]);
    await dev.destroy();
    expect(leftovers(suite.emulator)).toEqual([]);
  } finally {
    await prod.cleanup();
    await dev.cleanup();
  }
});

it("staging's stack file is valid as committed: its preview plans the same three objects", async () => {
  // The one run of this example that ts-node type-checks (as `pulumi up` does for users): against the packed package.
  const staging = await suite.stack(path.resolve(__dirname, "../../examples/environments"), { stackName: "staging", typeCheck: true });
  try {
    await staging.stack.setConfig("dbPassword", { value: "staging-db-pw-Lm55", secret: true });
    suite.emulator.clearRequests();
    const preview = await staging.preview();
    expect(preview.ops).toEqual({ app: "create", agents: "create", assistant: "create" });
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await staging.cleanup();
  }
});

it("a typo or a wrong type in a stack file fails the preview naming it, before any API call", async () => {
  const staging = await suite.stack(path.resolve(__dirname, "../../examples/environments"), { stackName: "staging" });
  try {
    await staging.stack.setConfig("dbPassword", { value: "staging-db-pw-Lm55", secret: true });
    const stackFile = path.join(staging.workDir, "Pulumi.staging.yaml");
    const committed = fs.readFileSync(stackFile, "utf8");
    fs.writeFileSync(stackFile, committed.replace("    maxRows: 5000", "    maxRow: 5000").replace("poolSize: 20", 'poolSize: "20"'));
    suite.emulator.clearRequests();
    const failure = await staging.preview().then(
      () => "preview succeeded",
      (error: Error) => error.message,
    );
    expect(failure).toContain('pgbeam-environments:agents: Unrecognized key: "maxRow"');
    expect(failure).toMatch(/pgbeam-environments:sizing\.pool\.poolSize: Invalid input: expected number, received string/);
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await staging.cleanup();
  }
});
