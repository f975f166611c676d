import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import * as api from "../api/schemas.generated";
import { PgBeamResource, typeToken } from "../engine/dynamic";
import { type ApiAnswer, defineSpec } from "../engine/spec";
import type { ResourceArgs } from "../engine/types";
import type { Props } from "../engine/values";
import { underProject } from "./paths";

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
  ...agents,
  create: { patchAfter: ["status"], parse: withSecrets },
  update: { method: "PATCH", fields: ["status"] },
  read: { isGone: (object) => object.status === "revoked" },
  action: { trigger: "rotationTrigger", path: (outputs, id) => `${agents.itemPath(outputs, id)}/rotate`, parse: withSecrets },
});

export type AgentCredentialArgs = ResourceArgs<typeof AgentCredentialInputs>;

/**
 * A scoped Postgres + MCP credential for an AI agent, bound to a policy profile. Its connection string and MCP
 * token are returned once by the API and kept in state as secrets; change `rotationTrigger` to rotate them.
 */
export class AgentCredential extends PgBeamResource {
  /** What policy packs and `pulumi stack export` name this type by. */
  static readonly __pulumiType = typeToken("AgentCredential");
  /** Reads an existing object of the project into the program; Pulumi never changes or deletes it. */
  static get(name: string, id: pulumi.Input<string>, parents: { projectId: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions): AgentCredential {
    return new AgentCredential(name, parents as AgentCredentialArgs, { ...opts, id });
  }
  declare readonly projectId: pulumi.Output<string>;
  declare readonly policyProfileId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly principalType: pulumi.Output<"agent" | "human">;
  declare readonly expiresAt: pulumi.Output<string | null | undefined>;
  declare readonly status: pulumi.Output<"active" | "disabled">;
  declare readonly rotationTrigger: pulumi.Output<string | number | undefined>;
  /** Secret: postgresql://agent_…:<password>@<host>:5432/<db>. */
  declare readonly connectionString: pulumi.Output<string>;
  /** Secret: the bearer token for the MCP endpoint. */
  declare readonly mcpToken: pulumi.Output<string>;
  declare readonly mcpUrl: pulumi.Output<string>;
  declare readonly pgUsername: pulumi.Output<string>;
  declare readonly authMethod: pulumi.Output<string>;
  declare readonly lastUsedAt: pulumi.Output<string | null | undefined>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;

  constructor(name: string, args: AgentCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(agentCredentialSpec, name, args, opts);
  }
}
