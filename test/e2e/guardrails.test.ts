/**
 * The CrossGuard pack in policy-pack/ run by the real CLI (`pulumi preview --policy-pack`), through the legacy
 * analyzer route this CLI build needs (see TestStack.policyPack and the README's "Guardrails").
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { realEngineSuite, type TestStack } from "./harness";

jest.setTimeout(10 * 60_000);

const suite = realEngineSuite();
let stack: TestStack;
let pack: string;
/** Pack config that makes this test's stack (named "e2e") a production stack. */
let productionConfig: string;
const timings: string[] = [];

function program(compliant: boolean) {
  return {
    project: {
      type: "Project",
      args: {
        name: "guarded",
        orgId: suite.emulator.orgId,
        database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PRIMARY_PASSWORD" },
        ...(compliant ? { allowedCidrs: [{ cidr: "10.0.0.0/8", label: "VPC" }], residency: "eu" } : {}),
      },
    },
    policy: {
      type: "PolicyProfile",
      args: {
        projectId: "ref:project.id",
        name: "agents",
        accessMode: compliant ? "read_only" : "read_write",
        ...(compliant ? { expectations: [{ sql: "DELETE FROM users", decision: "block" }] } : {}),
      },
    },
    agent: {
      type: "AgentCredential",
      args: { projectId: "ref:project.id", policyProfileId: "ref:policy.id", name: "analyst-bot" },
    },
    webhook: {
      type: "WebhookEndpoint",
      args: {
        projectId: "ref:project.id",
        url: "https://hooks.example.com/pgbeam",
        ...(compliant ? { secret: "env:WEBHOOK_SECRET" } : {}),
      },
    },
  };
}

async function guardedPreview(name: string, configs: string[]) {
  const started = Date.now();
  const result = await stack.preview({ policyPacks: [pack], policyPackConfigs: configs }).then(
    (step) => ({ step, error: undefined }),
    (error: Error) => ({ step: undefined, error: String(error) }),
  );
  timings.push(`${name}: ${Date.now() - started} ms`);
  return result;
}

beforeAll(async () => {
  stack = await suite.stack(path.join(__dirname, "programs/resources"), {
    env: { PRIMARY_PASSWORD: "pw-guarded", WEBHOOK_SECRET: "whsec-guarded-4f2a" },
  });
  pack = await stack.policyPack(path.join(__dirname, "../../policy-pack"));
  productionConfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-pack-config-")), "production.json");
  const production = { productionStacks: "^e2e$" };
  fs.writeFileSync(
    productionConfig,
    JSON.stringify({ "pgbeam-prod-project-network": production, "pgbeam-prod-agent-read-only": production }),
  );
});

afterAll(async () => {
  console.log(`real-engine timings (wall):\n  ${timings.join("\n  ")}`);
  await stack?.cleanup();
});

it("blocks a non-compliant production stack, naming every violation, before any API call", async () => {
  await stack.setResources(program(false));
  const { error } = await guardedPreview("preview (non-compliant prod)", [productionConfig]);
  expect(error).toContain("mandatory");
  const violations = [
    ["pgbeam-prod-project-network", 'Project "project" sets no allowedCidrs'],
    ["pgbeam-prod-project-network", 'Project "project" has residency "any"'],
    ["pgbeam-prod-agent-read-only", 'AgentCredential "agent" uses PolicyProfile "policy" with accessMode "read_write"'],
    ["pgbeam-webhook-signed", 'WebhookEndpoint "webhook" sets no signing secret'],
    ["pgbeam-policy-expectations", 'PolicyProfile "policy" declares no expectations'],
  ];
  for (const [policy, message] of violations) {
    expect(error).toContain(policy);
    expect(error).toContain(message);
  }
  expect(suite.emulator.requests).toEqual([]);
});

it("outside production only the rules for every stack apply", async () => {
  const { error } = await guardedPreview("preview (non-compliant, not prod)", []);
  expect(error).toContain("pgbeam-webhook-signed");
  expect(error).toContain("pgbeam-policy-expectations");
  expect(error).not.toContain("pgbeam-prod-project-network");
  expect(error).not.toContain("pgbeam-prod-agent-read-only");
});

it("lets a compliant production stack through", async () => {
  await stack.setResources(program(true));
  const { step, error } = await guardedPreview("preview (compliant prod)", [productionConfig]);
  expect(error).toBeUndefined();
  expect(step!.policyViolations).toEqual([]);
  expect(step!.ops).toEqual({ project: "create", policy: "create", agent: "create", webhook: "create" });
});
