// A PgBeam project in front of an existing PostgreSQL database.
//   pulumi config set pgbeam:orgId org_...            (your organization)
//   pulumi config set --secret pgbeam:apiKey pbo_...  (or export PGBEAM_API_KEY)
//   pulumi config set --secret dbPassword ...
import * as pulumi from "@pulumi/pulumi";
import * as pgbeam from "pulumi-pgbeam";

const config = new pulumi.Config();
const orgId = new pulumi.Config("pgbeam").require("orgId");

const project = new pgbeam.Project("app", {
  orgId,
  name: config.get("projectName") ?? "quickstart",
  description: "Managed by Pulumi",
  tags: ["pulumi", pulumi.getStack()],
  database: {
    host: config.get("dbHost") ?? "db.internal.example.com",
    port: 5432,
    name: "app",
    username: "app",
    password: config.requireSecret("dbPassword"),
    sslMode: "require",
    poolConfig: { poolSize: 20, minPoolSize: 2, poolMode: "transaction" },
  },
  allowedCidrs: [{ cidr: "10.0.0.0/8", label: "VPC" }],
});

export const projectId = project.id;
export const proxyHost = project.proxyHost;
export const primaryDatabaseId = project.primaryDatabaseId;
export const status = project.status;
/** The API's connection string has a placeholder password; this one is usable, hence secret. */
export const connectionString = pulumi.secret(
  pulumi.interpolate`postgresql://app:${config.requireSecret("dbPassword")}@${project.proxyHost}:5432/app`,
);
