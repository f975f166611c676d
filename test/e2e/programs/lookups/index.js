// Reads what exists (an organization by name, its plan, a project made outside Pulumi, regions and plans) and
// manages a policy profile in that existing project. Stack config `lookups`: { "orgName": "…", "projectName": "…" }.
const pulumi = require("@pulumi/pulumi");
const pgbeam = require("pulumi-pgbeam");

const { orgName, projectName } = new pulumi.Config().requireObject("lookups");

const org = pgbeam.getOrganizationOutput({ name: orgName });
const plan = pgbeam.getOrganizationPlanOutput({ orgId: org.id });
const project = pgbeam.getProjectOutput({ orgId: org.id, name: projectName });

const policy = new pgbeam.PolicyProfile("policy", { projectId: project.id, name: "from-lookup", accessMode: "read_only" });

module.exports = {
  orgId: org.id,
  plan: plan.plan,
  maxProjects: plan.limits.maxProjects,
  projectId: project.id,
  primaryDatabaseHost: project.primaryDatabase.apply((database) => database && database.host),
  policyProjectId: policy.projectId,
  availableRegions: pulumi.output(pgbeam.getRegions()).apply(({ regions }) => regions.filter((r) => r.available).map((r) => r.id)),
  planNames: pgbeam.getPlansOutput().plans.apply((plans) => plans.map((p) => p.name)),
};
