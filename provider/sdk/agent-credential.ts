import { resourceClass } from "../engine/dynamic";
import { agentCredentialSpec } from "../resources/agent-credential";
import type { AgentCredentialInput, AgentCredentialOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { AgentCredentialOutputs };
export type AgentCredentialArgs = ResourceArgs<AgentCredentialInput>;
/**
 * A scoped Postgres + MCP credential for an AI agent, bound to a policy profile. Its connection string and MCP
 * token are returned once by the API and kept in state as secrets; change `rotationTrigger` to rotate them.
 */
export const AgentCredential = resourceClass<AgentCredentialArgs, AgentCredentialOutputs, "projectId">(agentCredentialSpec);
export type AgentCredential = InstanceType<typeof AgentCredential>;
