import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import { fromApi } from "./from-api";
import { policyPath, projectPath } from "./paths";
import { projectsOf } from "./plan";

export const AgentCredentialInputs = api.CreateAgentCredentialRequest.extend({
  projectId: z.string().min(1),
  status: api.UpdateAgentCredentialStatusRequest.shape.status
    .optional()
    .describe("Omitted: whatever the credential's status is (no diff)."),
  rotationTrigger: z
    .union([z.string(), z.number()])
    .optional()
    .describe("Any value; changing it rotates the credential's secrets in place (same id, new password and MCP token)."),
});

const rest = fromApi("AgentCredential");
/** Create and rotate are the only answers that carry the secrets (the spec's one-time outputs): kept from then on. */
const withSecrets = rest.create.parse!;

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
    rotationTrigger: ["local"],
  },
  review: {
    replaceInvalidates: "a new Postgres user, connection string and MCP token: every agent still using the old ones is refused",
    rotationInvalidates:
      "a new password (connection string) and MCP token under the same id: every agent still using the old ones is refused",
  },
  parents: { projectId: projectPath, policyProfileId: policyPath("policyProfileId") },
  create: { ...rest.create, patchAfter: ["status"] },
  update: { method: "PATCH", fields: ["status"] },
  read: { isGone: (object) => object.status === "revoked" },
  // Rotation answers like create: the object and its new secrets (the spec leaves rotation out of band).
  action: { trigger: "rotationTrigger", path: (outputs, id) => `${rest.itemPath(outputs, id)}/rotate`, parse: withSecrets },
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
