import type { ResourceSpec } from "../engine/spec";
import { agentCredentialSpec } from "./agent-credential";
import { cacheRuleSpec } from "./cache-rule";
import { customDomainSpec } from "./custom-domain";
import { databaseSpec } from "./database";
import { policyProfileSpec } from "./policy-profile";
import { projectDefaultPolicySpec } from "./project-default-policy";
import { projectSpec } from "./project";
import { replicaSpec } from "./replica";
import { selfHostEnrollmentSpec } from "./self-host-enrollment";
import { spendLimitSpec } from "./spend-limit";
import { webhookEndpointSpec } from "./webhook-endpoint";

/** Every resource the provider host can serve, by the name its serialized provider carries. */
export const RESOURCE_SPECS: Readonly<Record<string, ResourceSpec>> = Object.fromEntries(
  [
    projectSpec,
    databaseSpec,
    policyProfileSpec,
    agentCredentialSpec,
    webhookEndpointSpec,
    replicaSpec,
    customDomainSpec,
    cacheRuleSpec,
    spendLimitSpec,
    selfHostEnrollmentSpec,
    projectDefaultPolicySpec,
  ].map((spec) => [spec.name, spec]),
);
