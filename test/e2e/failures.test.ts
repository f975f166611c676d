/**
 * Found defects, under the real engine: a post-create configuring step that fails must not leave a project
 * serving with the API's open defaults; a rotated API key must tell the user exactly what to run; an unreachable
 * base URL fails in seconds naming its setting; retries and a missing key are shown while they matter.
 */
import { once } from "node:events";
import * as net from "node:net";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
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
    expect(failed.output).toContain(
      "It was deleted again rather than left running with the API's defaults for allowedCidrs, agentsDisabled",
    );
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
    expect(refresh.output).toContain(
      "run `pulumi up` (stores the new key), or `pulumi refresh --run-program` / `pulumi destroy --run-program`",
    );

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

it("an up riding out an outage shows its retries on the resource as they happen, a few times, not at every retry", async () => {
  const stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD } });
  try {
    await stack.setResources({ patient: project("outage-1") } as never);
    // A key of its own: an earlier test revokes the suite's.
    const key = "pbu_outage_key_for_e2e_Hq4Zt8Rb2Nc6";
    suite.emulator.addApiKey(key);
    await stack.stack.setConfig("pgbeam:apiKey", { value: key, secret: true });
    suite.emulator.inject({ method: "POST", path: "/v1/projects", status: 503, forMs: 45_000 });
    const shown: { at: number; message: string }[] = [];
    let createdAt = 0;
    const onEvent = (event: EngineEvent) => {
      const diagnostic = event.diagnosticEvent;
      if (diagnostic?.urn?.endsWith("::patient") && diagnostic.message.includes("retrying"))
        shown.push({ at: Date.now(), message: diagnostic.message.trim() });
      if (event.resOutputsEvent?.metadata.urn.endsWith("::patient")) createdAt = Date.now();
    };
    await stack.stack.up({ onEvent });
    const retries = suite.emulator.requests.filter((r) => r.method === "POST" && r.path === "/v1/projects" && r.status === 503).length;
    process.stdout.write(`outage of 45 s under the real engine: ${retries} retries, ${shown.length} messages on the resource\n`);
    expect(shown[0].message).toMatch(
      /^PgBeam API POST \/v1\/projects: the API answered 503 \w+ \(injected fault: HTTP 503\); retrying in \d+(\.\d)? s \(attempt 2, \d+(\.\d)? s of the 110 s retry budget spent; pgbeam:callBudgetMs sets it\)$/,
    );
    // The first arrived while the outage went on, not with the result.
    expect(createdAt - shown[0].at).toBeGreaterThan(30_000);
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown.length).toBeLessThan(retries);
    expect((await stack.cli(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
  } finally {
    suite.emulator.clearFaults();
    await stack.cleanup();
  }
});

it("an unreachable base URL fails the up within 15 s of trying, naming the URL and pgbeam:baseUrl, not the retry budget", async () => {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
  const stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD } });
  try {
    await stack.setResources({ nowhere: project("unreachable-1") } as never);
    await stack.stack.setConfig("pgbeam:baseUrl", { value: url });
    const started = Date.now();
    const failed = await stack.cli(["up", "--yes", "--skip-preview"]);
    const seconds = /\(\d+ attempts in (\d+\.\d) s; gave up: no connection could be made\)/.exec(failed.output)?.[1];
    process.stdout.write(
      `unreachable base URL under the real engine: gave up after ${seconds} s of trying, up took ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain(`could not connect to ${url}: connection refused`);
    expect(failed.output).toContain(`Check the API URL ${url}: it is set by \`pgbeam:baseUrl\``);
    expect(failed.output).not.toContain("callBudgetMs");
    expect(Number(seconds)).toBeLessThan(15);
  } finally {
    await stack.cleanup();
  }
});

it("without an API key, a preview that needs no API call passes and says so on the Stack before anything is changed", async () => {
  const stack = await suite.stack(path.join(__dirname, "programs/resources"), { env: { PASSWORD } });
  try {
    await stack.setResources({ keyless: project("keyless-1") } as never);
    await stack.stack.removeConfig("pgbeam:apiKey");
    suite.emulator.clearRequests();
    const preview = await stack.preview();
    expect(preview.ops.keyless).toBe("create");
    const told = preview.diagnostics.filter((d) => d.message.includes("API key is not configured"));
    expect(told).toEqual([
      {
        resource: undefined,
        severity: "warning",
        message: expect.stringMatching(
          /^pulumi-pgbeam: PgBeam API key is not configured: run `pulumi config set --secret pgbeam:apiKey <key>`.* fails until then\.$/,
        ),
      },
    ]);
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});
