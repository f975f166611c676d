import type { ResourceSpec } from "../engine/spec";

/**
 * Each resource's module, by the name its serialized provider carries. Required on first use: the provider host
 * serves one program's types, and building every resource's schemas at start cost each `pulumi` command's host
 * that much CPU again (the key must equal the spec's `name`, which test/unit/registry.test.ts pins).
 */
const LOADERS: Readonly<Record<string, () => ResourceSpec>> = {
  Project: () => (require("./project") as typeof import("./project")).projectSpec,
  Database: () => (require("./database") as typeof import("./database")).databaseSpec,
  PolicyProfile: () => (require("./policy-profile") as typeof import("./policy-profile")).policyProfileSpec,
  AgentCredential: () => (require("./agent-credential") as typeof import("./agent-credential")).agentCredentialSpec,
  WebhookEndpoint: () => (require("./webhook-endpoint") as typeof import("./webhook-endpoint")).webhookEndpointSpec,
  Replica: () => (require("./replica") as typeof import("./replica")).replicaSpec,
  CustomDomain: () => (require("./custom-domain") as typeof import("./custom-domain")).customDomainSpec,
  CacheRule: () => (require("./cache-rule") as typeof import("./cache-rule")).cacheRuleSpec,
  SpendLimit: () => (require("./spend-limit") as typeof import("./spend-limit")).spendLimitSpec,
  SelfHostEnrollment: () => (require("./self-host-enrollment") as typeof import("./self-host-enrollment")).selfHostEnrollmentSpec,
  ProjectDefaultPolicy: () => (require("./project-default-policy") as typeof import("./project-default-policy")).projectDefaultPolicySpec,
};

/** Every resource the provider host can serve, by the name its serialized provider carries; each loads when read. */
export const RESOURCE_SPECS: Readonly<Record<string, ResourceSpec>> = Object.defineProperties(
  {},
  Object.fromEntries(Object.entries(LOADERS).map(([name, load]) => [name, { enumerable: true, get: load }])),
);
