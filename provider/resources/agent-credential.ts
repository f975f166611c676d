import { z } from "zod";
import * as api from "../api/schemas.generated";
import { type ApiAnswer, defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { policyPath, underProject } from "./paths";
import { projectsOf } from "./plan";

export const AgentCredentialInputs = api.CreateAgentCredentialRequest.extend({
  projectId: z.string().min(1),
  /** Omitted: whatever the credential's status is (no diff). */
  status: api.UpdateAgentCredentialStatusRequest.shape.status.optional(),
  /** Any value; changing it rotates the credential's secrets in place (same id, new password and MCP token). */
  rotationTrigger: z.union([z.string(), z.number()]).optional(),
});

/** Create and rotate are the only answers that carry the secrets: they are kept from then on. */
const withSecrets = (response: Props): ApiAnswer => ({
  object: response.credential as Props,
  once: {
    connectionString: response.connection_string,
    mcpToken: response.mcp_token,
    mcpUrl: response.mcp_url,
  },
});

const agents = underProject("agents");

export const agentCredentialSpec = defineSpec({
  name: "AgentCredential",
  inputs: AgentCredentialInputs,
  outputs: ["connectionString", "mcpToken", "mcpUrl", "pgUsername", "authMethod", "lastUsedAt"],
  fields: {
    projectId: ["path", "replace", "unique"],
    name: ["replace", "unique"],
    policyProfileId: ["replace"],
    principalType: ["replace"],
    expiresAt: ["replace"],
    status: ["serverDefault"],
    rotationTrigger: ["local"],
    connectionString: ["oneTime", "secret"],
    mcpToken: ["oneTime", "secret"],
    mcpUrl: ["oneTime"],
  },
  review: {
    replaceInvalidates: "a new Postgres user, connection string and MCP token: every agent still using the old ones is refused",
    rotationInvalidates: "a new password (connection string) and MCP token under the same id: every agent still using the old ones is refused",
  },
  ...agents,
  parents: { ...agents.parents, policyProfileId: policyPath("policyProfileId") },
  create: { patchAfter: ["status"], parse: withSecrets },
  update: { method: "PATCH", fields: ["status"] },
  read: { isGone: (object) => object.status === "revoked" },
  action: { trigger: "rotationTrigger", path: (outputs, id) => `${agents.itemPath(outputs, id)}/rotate`, parse: withSecrets },
  planRules: [
    {
      what: "agent credentials",
      limit: "max_agent_credentials",
      zeroIsUnlimited: true,
      per: "organization",
      // Revoked credentials no longer count; the quota spans every project of the organization.
      used: async (read, { orgId }) => {
        const perProject = await Promise.all(
          (await projectsOf(read, orgId)).map(async (project) => (await read.list(agents.collectionPath({ projectId: project.id }), "agents")).filter((a) => a.status !== "revoked").length),
        );
        return perProject.reduce((sum, n) => sum + n, 0);
      },
    },
  ],
});
