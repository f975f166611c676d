// One program for every environment. What differs between dev, staging and prod lives in Pulumi.<stack>.yaml:
// sizing, who may connect, where data stays, and what AI agents may do. A new environment is a new stack file.
//
// Secrets never sit in those files in plain text; per stack, either
//   pulumi config set --secret pgbeam:apiKey pbo_...   --stack prod   (encrypted in Pulumi.prod.yaml), or
//   export PGBEAM_API_KEY=pbo_...                                     (a CI secret store, Pulumi ESC, ...)
//   pulumi config set --secret dbPassword ...           --stack prod
import * as pulumi from "@pulumi/pulumi";
import * as pgbeam from "pulumi-pgbeam";

/** The pooler and the query cache in front of the environment's database. */
interface Sizing {
  pool: { poolSize: number; minPoolSize: number; maxActive: number; poolMode: "session" | "transaction" | "statement" };
  cache: { enabled: boolean; ttlSeconds: number; maxEntries: number };
}

/** What the environment's AI agents may do through the agent gateway. */
interface AgentAccess {
  accessMode: "read_only" | "read_write";
  /** Rows a query may return (0: no cap). */
  maxRows?: number;
  maskingRules?: { table: string; column: string; kind: "redact" | "null" | "hash" }[];
}

const stack = pulumi.getStack();
const config = new pulumi.Config();
const orgId = new pulumi.Config("pgbeam").require("orgId");
const sizing = config.requireObject<Sizing>("sizing");
const agents = config.requireObject<AgentAccess>("agents");
const database = config.requireObject<{ host: string; name: string; username: string }>("database");
const dbPassword = config.requireSecret("dbPassword");

const project = new pgbeam.Project("app", {
  orgId,
  name: `app-${stack}`,
  description: `app, ${stack} environment`,
  tags: ["app", stack],
  residency: config.require("residency") as "any" | "us" | "eu",
  allowedCidrs: config.requireObject<{ cidr: string; label?: string }[]>("allowedCidrs"),
  database: {
    ...database,
    port: 5432,
    password: dbPassword,
    sslMode: "require",
    poolConfig: sizing.pool,
    cacheConfig: sizing.cache,
  },
});

const agentPolicy = new pgbeam.PolicyProfile("agents", {
  projectId: project.id,
  name: `agents-${stack}`,
  accessMode: agents.accessMode,
  maxRows: agents.maxRows,
  maskingRules: agents.maskingRules,
});

const agent = new pgbeam.AgentCredential("assistant", {
  projectId: project.id,
  policyProfileId: agentPolicy.id,
  name: `assistant-${stack}`,
});

// What apps and agents of this environment need (`pulumi stack output --show-secrets` for the secret ones).
export const proxyHost = project.proxyHost;
export const projectId = project.id;
export const connectionString = pulumi.secret(
  pulumi.interpolate`postgresql://${database.username}:${dbPassword}@${project.proxyHost}:5432/${database.name}?sslmode=require`,
);
export const agentConnectionString = agent.connectionString;
export const agentMcpUrl = agent.mcpUrl;
export const agentMcpToken = agent.mcpToken;
