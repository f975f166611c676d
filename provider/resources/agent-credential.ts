import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import { fromApi, rotation } from "./from-api";
import { policyPath } from "./paths";
import { projectsOf } from "./plan";

const rest = fromApi("AgentCredential");
const rotates = rotation(rest, "the credential's secrets (same id, new password and MCP token)");

export const AgentCredentialInputs = api.CreateAgentCredentialRequest.extend({
  projectId: z.string().min(1),
  status: api.UpdateAgentCredentialStatusRequest.shape.status
    .optional()
    .describe("Omitted: whatever the credential's status is (no diff)."),
  ...rotates.input,
});

export const agentCredentialSpec = defineSpec({
  ...rest,
  inputs: AgentCredentialInputs,
  fields: {
    ...rest.fields,
    projectId: ["path", "replace", "unique"],
    name: ["replace", "unique"],
    policyProfileId: ["replace"],
    principalType: ["replace"],
    expiresAt: ["replace"],
    status: ["serverDefault"],
    ...rotates.fields,
  },
  review: {
    replaceInvalidates: "a new Postgres user, connection string and MCP token: every agent still using the old ones is refused",
    rotationInvalidates:
      "a new password (connection string) and MCP token under the same id: every agent still using the old ones is refused",
  },
  // A body field naming another resource: the spec does not say which, so its check is written here.
  parents: { ...rest.parents, policyProfileId: policyPath("policyProfileId") },
  action: rotates.action,
  planRules: [
    {
      what: "agent credentials",
      limit: "max_agent_credentials",
      zeroIsUnlimited: true,
      per: "organization",
      // Revoked credentials no longer count; the quota spans every project of the organization.
      used: async (read, { orgId }) => {
        const perProject = await Promise.all(
          (await projectsOf(read, orgId)).map(
            async (project) =>
              (await read.list(rest.collectionPath!({ projectId: project.id }), "agents")).filter((a) => a.status !== "revoked").length,
          ),
        );
        return perProject.reduce((sum, n) => sum + n, 0);
      },
    },
  ],
});
