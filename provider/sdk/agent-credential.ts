import { resourceClass } from "../engine/dynamic";
import { agentCredentialSpec } from "../resources/agent-credential";
import type { AgentCredentialInput } from "./inputs.generated";
import type { ObjectTimestamps, ResourceArgs } from "./types";

export type AgentCredentialArgs = ResourceArgs<AgentCredentialInput>;

/** An agent credential as the program sees it once created. */
interface AgentCredentialOutputs extends ObjectTimestamps {
  projectId: string;
  policyProfileId: string;
  name: string;
  principalType: "agent" | "human";
  expiresAt: string | null | undefined;
  status: "active" | "disabled";
  rotationTrigger: string | number | undefined;
  /** Secret: postgresql://agent_…:<password>@<host>:5432/<db>. */
  connectionString: string;
  /** Secret: the bearer token for the MCP endpoint. */
  mcpToken: string;
  mcpUrl: string;
  pgUsername: string;
  authMethod: string;
  lastUsedAt: string | null | undefined;
}

/**
 * A scoped Postgres + MCP credential for an AI agent, bound to a policy profile. Its connection string and MCP
 * token are returned once by the API and kept in state as secrets; change `rotationTrigger` to rotate them.
 */
export const AgentCredential = resourceClass<AgentCredentialArgs, AgentCredentialOutputs, "projectId">(agentCredentialSpec);
export type AgentCredential = InstanceType<typeof AgentCredential>;
