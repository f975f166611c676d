/** pulumi-pgbeam: PgBeam resources for Pulumi programs. */
export { Project, type ProjectArgs } from "./resources/project";
export { Database, type DatabaseArgs } from "./resources/database";
export { PolicyProfile, type PolicyProfileArgs } from "./resources/policy-profile";
export { AgentCredential, type AgentCredentialArgs } from "./resources/agent-credential";
export { WebhookEndpoint, type WebhookEndpointArgs } from "./resources/webhook-endpoint";
export { Replica, type ReplicaArgs } from "./resources/replica";
export { CustomDomain, type CustomDomainArgs } from "./resources/custom-domain";
export { CacheRule, type CacheRuleArgs } from "./resources/cache-rule";
export { SpendLimit, type SpendLimitArgs } from "./resources/spend-limit";
export { SelfHostEnrollment, type SelfHostEnrollmentArgs } from "./resources/self-host-enrollment";
export { ProjectDefaultPolicy, type ProjectDefaultPolicyArgs } from "./resources/project-default-policy";
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
