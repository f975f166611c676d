import type { ResourceSpec } from "../engine/spec";
import { agentCredentialSpec } from "./agent-credential";
import { databaseSpec } from "./database";
import { policyProfileSpec } from "./policy-profile";
import { projectSpec } from "./project";
import { webhookEndpointSpec } from "./webhook-endpoint";

/** Every resource the provider host can serve, by the name its serialized provider carries. */
export const RESOURCE_SPECS: Readonly<Record<string, ResourceSpec>> = Object.fromEntries(
  [projectSpec, databaseSpec, policyProfileSpec, agentCredentialSpec, webhookEndpointSpec].map((spec) => [spec.name, spec]),
);
