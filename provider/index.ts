/** pulumi-pgbeam: PgBeam resources for Pulumi programs. */
export { Project, type ProjectArgs } from "./sdk/project";
export { Database, type DatabaseArgs } from "./sdk/database";
export { PolicyProfile, type PolicyProfileArgs } from "./sdk/policy-profile";
export { AgentCredential, type AgentCredentialArgs } from "./sdk/agent-credential";
export { WebhookEndpoint, type WebhookEndpointArgs } from "./sdk/webhook-endpoint";
export { Replica, type ReplicaArgs } from "./sdk/replica";
export { CustomDomain, type CustomDomainArgs } from "./sdk/custom-domain";
export { CacheRule, type CacheRuleArgs } from "./sdk/cache-rule";
export { SpendLimit, type SpendLimitArgs } from "./sdk/spend-limit";
export { SelfHostEnrollment, type SelfHostEnrollmentArgs } from "./sdk/self-host-enrollment";
export { ProjectDefaultPolicy, type ProjectDefaultPolicyArgs } from "./sdk/project-default-policy";
export { PgBeamApiError, isPgBeamApiError } from "./client/errors";
export { Provider, type ProviderArgs } from "./provider";
export { fieldsKeptByServer, planningCallsIn, reviewFacts, secretChangesIn } from "./review";
export type { ReviewFactsOfType } from "./review";
export {
  type LookupOptions,
  getOrganization,
  getOrganizationOutput,
  getOrganizationPlan,
  getOrganizationPlanOutput,
  getOrganizations,
  getOrganizationsOutput,
  getPlans,
  getPlansOutput,
  getProject,
  getProjectOutput,
  getRegions,
  getRegionsOutput,
  type DatabaseInfo,
  type GetOrganizationArgs,
  type GetOrganizationPlanArgs,
  type GetOrganizationsResult,
  type GetPlansResult,
  type GetProjectArgs,
  type GetProjectResult,
  type GetRegionsResult,
  type Organization,
  type OrganizationPlan,
  type Plan,
  type PlanLimits,
  type Region,
} from "./lookups";
