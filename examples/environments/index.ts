// One program for every environment. What differs between dev, staging and prod lives in Pulumi.<stack>.yaml:
// sizing, who may connect, where data stays, and what AI agents may do. A new environment is a new stack file.
//
// Secrets never sit in those files in plain text; per stack, either
//   pulumi config set --secret pgbeam:apiKey pbo_...   --stack prod   (encrypted in Pulumi.prod.yaml), or
//   export PGBEAM_API_KEY=pbo_...                                     (a CI secret store, Pulumi ESC, ...)
//   pulumi config set --secret dbPassword ...           --stack prod
import * as pulumi from "@pulumi/pulumi";
import * as pgbeam from "pulumi-pgbeam";
import { z } from "zod";

// The stack file's objects, checked when the program starts: a misspelt key (`maxRow:`) or a wrong type fails the
// preview naming it, instead of being ignored. Ranges (pool sizes, row caps) are the provider's to check.
const Sizing = z.strictObject({
  pool: z.strictObject({
    poolSize: z.number().int(),
    minPoolSize: z.number().int(),
    maxActive: z.number().int(),
    poolMode: z.enum(["session", "transaction", "statement"]),
  }),
  cache: z.strictObject({ enabled: z.boolean(), ttlSeconds: z.number().int(), maxEntries: z.number().int() }),
});
/** What the environment's AI agents may do through the agent gateway. */
const AgentAccess = z.strictObject({
  accessMode: z.enum(["read_only", "read_write"]),
  /** Rows a query may return (0: no cap). */
  maxRows: z.number().int().optional(),
  maskingRules: z.array(z.strictObject({ table: z.string(), column: z.string(), kind: z.enum(["redact", "null", "hash"]) })).optional(),
});
const Database = z.strictObject({ host: z.string(), name: z.string(), username: z.string() });
const AllowedCidrs = z.array(z.strictObject({ cidr: z.string(), label: z.string().optional() }));

const stack = pulumi.getStack();
const config = new pulumi.Config();

/** The stack's config objects, checked together: every problem is named, as `<project>:<key>.<field>`, at once. */
function checkedConfig<Shape extends z.ZodRawShape>(shape: Shape): z.output<z.ZodObject<Shape>> {
  const values = Object.fromEntries(Object.keys(shape).map((key) => [key, config.requireObject<unknown>(key)]));
  const result = z.object(shape).safeParse(values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${config.name}:${issue.path.map(String).join(".")}: ${issue.message}`);
  throw new Error(`Pulumi.${stack}.yaml: ${problems.join("; ")}`);
}

const orgId = new pulumi.Config("pgbeam").require("orgId");
const { sizing, agents, database, allowedCidrs } = checkedConfig({
  sizing: Sizing,
  agents: AgentAccess,
  database: Database,
  allowedCidrs: AllowedCidrs,
});
const residency = config.require("residency", { allowedValues: ["any", "us", "eu"] as const });
const dbPassword = config.requireSecret("dbPassword");

const project = new pgbeam.Project("app", {
  orgId,
  name: `app-${stack}`,
  description: `app, ${stack} environment`,
  tags: ["app", stack],
  residency,
  allowedCidrs,
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
