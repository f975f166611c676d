/** pulumi-pgbeam: PgBeam resources for Pulumi programs. */
export { Project, type ProjectArgs, type ProjectOutputs } from "./sdk/project";
export { Database, type DatabaseArgs, type DatabaseOutputs } from "./sdk/database";
export { PolicyProfile, type PolicyProfileArgs, type PolicyProfileOutputs } from "./sdk/policy-profile";
export { AgentCredential, type AgentCredentialArgs, type AgentCredentialOutputs } from "./sdk/agent-credential";
export { WebhookEndpoint, type WebhookEndpointArgs, type WebhookEndpointOutputs } from "./sdk/webhook-endpoint";
export { Replica, type ReplicaArgs, type ReplicaOutputs } from "./sdk/replica";
export { CustomDomain, type CustomDomainArgs, type CustomDomainOutputs } from "./sdk/custom-domain";
export { CacheRule, type CacheRuleArgs, type CacheRuleOutputs } from "./sdk/cache-rule";
export { SpendLimit, type SpendLimitArgs, type SpendLimitOutputs } from "./sdk/spend-limit";
export { SelfHostEnrollment, type SelfHostEnrollmentArgs, type SelfHostEnrollmentOutputs } from "./sdk/self-host-enrollment";
export { ProjectDefaultPolicy, type ProjectDefaultPolicyArgs, type ProjectDefaultPolicyOutputs } from "./sdk/project-default-policy";
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
