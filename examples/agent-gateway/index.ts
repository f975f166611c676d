// The agent-gateway quickstart as code: a read-only policy capped at 1000 rows, an agent credential bound to
// it, and a signed webhook for approval requests and anomalies.
//   pulumi config set pgbeam:orgId org_...
//   pulumi config set --secret pgbeam:apiKey pbo_...
//   pulumi config set --secret dbPassword ...
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as pgbeam from "pulumi-pgbeam";

const config = new pulumi.Config();

const project = new pgbeam.Project("analytics", {
  orgId: new pulumi.Config("pgbeam").require("orgId"),
  name: config.get("projectName") ?? "analytics",
  database: {
    host: config.get("dbHost") ?? "warehouse.internal.example.com",
    port: 5432,
    name: "warehouse",
    username: "pgbeam",
    password: config.requireSecret("dbPassword"),
  },
});

// 1. A read-only policy profile capped at 1000 rows per query. Its expectations are checked against PgBeam before
//    any change to it: an edit that breaks one fails `pulumi preview`.
const readOnly = new pgbeam.PolicyProfile("analytics-readonly", {
  projectId: project.id,
  name: "analytics-readonly",
  accessMode: "read_only",
  maxRows: 1000,
  expectations: [
    { sql: "DELETE FROM orders WHERE id = 1", decision: "block" },
    { sql: "SELECT id, total FROM orders", decision: "allow" },
  ],
});

// 2. An agent credential enforced against that profile. Change rotationTrigger to rotate its secrets.
const agent = new pgbeam.AgentCredential("claude-analytics", {
  projectId: project.id,
  policyProfileId: readOnly.id,
  name: "claude-analytics",
  principalType: "agent",
  rotationTrigger: config.get("agentRotation") ?? "initial",
});

// 3. Where approval requests and anomaly alerts go, signed with a generated secret (or your own:
//    `pulumi config set --secret webhookSecret ...`, which also avoids needing the random provider plugin).
const signingSecret =
  config.getSecret("webhookSecret") ?? new random.RandomPassword("webhook-signing-secret", { length: 48, special: false }).result;
const events = new pgbeam.WebhookEndpoint("gateway-events", {
  projectId: project.id,
  url: config.get("webhookUrl") ?? "https://example.com/pgbeam/events",
  secret: signingSecret,
  eventTypes: ["approval.requested", "anomaly.detected"],
});

export const projectId = project.id;
export const policyProfileId = readOnly.id;
export const agentCredentialId = agent.id;
export const mcpUrl = agent.mcpUrl;
// Returned once by PgBeam and kept in state as secrets: `pulumi stack output --show-secrets` hands them over.
export const connectionString = agent.connectionString;
export const mcpToken = agent.mcpToken;
export const webhookId = events.id;
export const webhookSigningSecret = signingSecret;
