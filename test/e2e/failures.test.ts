/**
 * Found defects, under the real engine: a post-create configuring step that fails must not leave a project
 * serving with the API's open defaults; a rotated API key must tell the user exactly what to run.
 */
import * as path from "node:path";
import { expectNoLeaks, expectStateMatchesEmulator } from "./convergence";
import { realEngineSuite } from "./harness";

jest.setTimeout(20 * 60_000);

const PASSWORD = "pw-failures-Tc19";
const suite = realEngineSuite();

const project = (name: string) => ({
  type: "Project",
  args: {
    name,
    orgId: suite.emulator.orgId,
    agentsDisabled: true,
    allowedCidrs: [{ cidr: "10.30.0.0/16" }],
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PASSWORD" },
  },
});

it("a refused configuring PATCH fails the up closed: the project is deleted again, the error says so, the next up converges", async () => {
  const stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD } });
  try {
    await stack.setResources({ locked: project("failclosed-1") } as never);
    suite.emulator.inject({ method: "PATCH", path: /^\/v1\/projects\/[^/]+$/, status: 400, code: "INVALID_INPUT" });
    const failed = await stack.cli(["up", "--yes", "--skip-preview"]);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/created Project prj_\w+, but setting allowedCidrs, agentsDisabled on it failed: .*400 INVALID_INPUT/);
    expect(failed.output).toContain("It was deleted again rather than left running with the API's defaults for allowedCidrs, agentsDisabled");
    expect(suite.emulator.objects("project").filter((o) => o.data.name === "failclosed-1")).toEqual([]);
    expect(await stack.resources()).toEqual([]);

    const next = await stack.cli(["up", "--yes", "--skip-preview"]);
    expect(next.code).toBe(0);
    const [live] = suite.emulator.objects("project").filter((o) => o.data.name === "failclosed-1");
    expect(live.data).toMatchObject({ agents_disabled: true, allowed_cidrs: [{ cidr: "10.30.0.0/16" }] });
    await expectStateMatchesEmulator(stack, suite.emulator, "failclosed-");
    await expectNoLeaks(stack, suite.emulator, { password: PASSWORD });
    expect((await stack.cli(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
  } finally {
    await stack.cleanup();
  }
});

it("after the API key is rotated in config and the old one revoked, refresh fails saying what to run, and that works", async () => {
  const stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD } });
  const newKey = "pbu_rotated_key_for_e2e_Wq7Lm2Xc9Vb4";
  try {
    await stack.setResources({ keyed: project("rotated-1") } as never);
    expect((await stack.cli(["up", "--yes", "--skip-preview"])).code).toBe(0);

    suite.emulator.addApiKey(newKey);
    await stack.stack.setConfig("pgbeam:apiKey", { value: newKey, secret: true });
    suite.emulator.revokeApiKey(suite.emulator.apiKey);

    const refresh = await stack.cli(["refresh", "--yes"]);
    expect(refresh.code).not.toBe(0);
    expect(refresh.output).toContain("failed with 401 UNAUTHORIZED");
    expect(refresh.output).toContain("run `pulumi up` (stores the new key), or `pulumi refresh --run-program` / `pulumi destroy --run-program`");

    const told = await stack.cli(["refresh", "--yes", "--run-program"]);
    expect(told.code).toBe(0);
    const destroy = await stack.cli(["destroy", "--yes", "--skip-preview", "--run-program"]);
    expect(destroy.code).toBe(0);
    expect(suite.emulator.objects("project").filter((o) => o.data.name === "rotated-1")).toEqual([]);
    await expectNoLeaks(stack, suite.emulator, { password: PASSWORD, "new API key": newKey });
  } finally {
    await stack.cleanup();
  }
});
