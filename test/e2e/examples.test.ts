/**
 * The shipped examples run as users run them: TypeScript programs importing the packed package, under the real
 * engine, against the emulator.
 */
import * as path from "node:path";
import { expectNoPlaintext, leftovers, realEngineSuite } from "./harness";

jest.setTimeout(20 * 60_000);

const suite = realEngineSuite();

const DB_PASSWORD = "warehouse-pw-Zx71";
// The example generates its signing secret with @pulumi/random unless `webhookSecret` is set. The random provider
// plugin cannot be built on this machine (the Go module proxy answers 403 for pulumi-random/provider at every
// version; see scripts/pulumi-cli.sh), so the test brings its own secret and the RandomPassword branch is not run.
const WEBHOOK_SECRET = "whsec-example-Qe44";

it("examples/agent-gateway: up, unchanged preview, rotation, destroy; no secret in plain text", async () => {
  // Type-checked by ts-node on each run, as `pulumi up` does for users, against the packed package's types.
  const stack = await suite.stack(path.resolve(__dirname, "../../examples/agent-gateway"), { typeCheck: true });
  try {
    await stack.stack.setConfig("pgbeam:orgId", { value: suite.emulator.orgId });
    await stack.stack.setConfig("dbPassword", { value: DB_PASSWORD, secret: true });
    await stack.stack.setConfig("webhookSecret", { value: WEBHOOK_SECRET, secret: true });

    const up = await stack.up();
    expect(Object.values(up.ops)).toEqual(["create", "create", "create", "create"]);
    expect(suite.emulator.objects("webhook")[0].secrets).toMatchObject({ secret: WEBHOOK_SECRET });
    const outputs = await stack.outputs();
    for (const name of ["connectionString", "mcpToken", "webhookSigningSecret"]) expect(outputs[name].secret).toBe(true);
    expect(outputs.mcpUrl.secret).toBe(false);
    const policy = suite.emulator.get("policy", outputs.policyProfileId.value as string);
    expect(policy).toMatchObject({ name: "analytics-readonly", access_mode: "read_only", max_rows: 1000 });
    // Its expectations were checked before it was created (in the update phase: the project did not exist in preview),
    // both at once, so in either order.
    const evaluated = suite.emulator.requests.filter((r) => r.operationId === "dryEvalPolicy").map((r) => (r.body as { sql: string }).sql);
    expect([...evaluated].sort()).toEqual(["DELETE FROM orders WHERE id = 1", "SELECT id, total FROM orders"]);
    const hook = suite.emulator.get("webhook", outputs.webhookId.value as string);
    expect(hook.event_types).toEqual(["approval.requested", "anomaly.detected"]);
    expect(suite.emulator.validationFailures).toEqual([]);

    const mcpToken = outputs.mcpToken.value as string;
    const secrets = {
      "API key": suite.emulator.apiKey,
      "database password": DB_PASSWORD,
      "MCP token": mcpToken,
      "agent password": new URL(outputs.connectionString.value as string).password,
      "webhook secret": outputs.webhookSigningSecret.value as string,
    };
    expectNoPlaintext({ "stack export": await stack.exportText(), "CLI output": up.output }, secrets);

    const preview = await stack.preview();
    expect(Object.values(preview.ops)).toEqual(["same", "same", "same", "same"]);

    await stack.stack.setConfig("agentRotation", { value: "2026-12" });
    const rotate = await stack.up();
    expect(rotate.ops["claude-analytics"]).toBe("update");
    const rotated = await stack.outputs();
    expect(rotated.agentCredentialId.value).toBe(outputs.agentCredentialId.value);
    expect(rotated.mcpToken.value).not.toBe(mcpToken);
    expectNoPlaintext(
      { "stack export": await stack.exportText(), "CLI output": rotate.output },
      {
        ...secrets,
        "rotated MCP token": rotated.mcpToken.value as string,
      },
    );

    await stack.destroy();
    expect(leftovers(suite.emulator)).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});

it("bad input fails preview in check(), naming the field, before any API call", async () => {
  const stack = await suite.stack(path.join(__dirname, "programs/resources"));
  try {
    await stack.setResources({
      project: {
        type: "Project",
        args: {
          name: "bad-input",
          orgId: suite.emulator.orgId,
          residency: "mars",
          database: { host: "db", port: 70000, name: "app", username: "app", password: "x" },
        },
      },
    });
    suite.emulator.clearRequests();
    const failure = await stack.preview().then(
      () => new Error("preview succeeded"),
      (error: Error) => error,
    );
    const text = `${failure.message}`;
    // A nested field is named in the reason, as written; a top-level one is a property the engine prints with its value.
    expect(text).toMatch(/resource 'project' has a problem: database\.port: Too big: expected number to be <=65535/);
    expect(text).toMatch(
      /resource 'project': property residency value \{mars\} has a problem: Invalid option: expected one of "any"\|"us"\|"eu"/,
    );
    expect(text).not.toContain("<nil>");
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});
