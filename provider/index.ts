/** pulumi-pgbeam: PgBeam resources for Pulumi programs. */
export { Project, type ProjectArgs } from "./resources/project";
export { Database, type DatabaseArgs } from "./resources/database";
export { PolicyProfile, type PolicyProfileArgs } from "./resources/policy-profile";
export { AgentCredential, type AgentCredentialArgs } from "./resources/agent-credential";
export { WebhookEndpoint, type WebhookEndpointArgs } from "./resources/webhook-endpoint";
export { PgBeamApiError, isPgBeamApiError } from "./client/errors";
export * from "./lookups";
