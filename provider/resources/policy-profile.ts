import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import * as api from "../api/schemas.generated";
import type { PgBeamClient } from "../client/client";
import { isPgBeamApiError } from "../client/errors";
import { PgBeamResource, typeToken } from "../engine/dynamic";
import { defineSpec } from "../engine/spec";
import type { ResourceArgs } from "../engine/types";
import type { Props } from "../engine/values";
import { projectPath, underProject } from "./paths";

export const PolicyProfileInputs = api.PolicyProfileInput.extend({ projectId: z.string().min(1) });

/** On a 409 the API refuses to delete a profile that credentials use: name them, so the user knows what to fix. */
async function explainDeleteError(client: PgBeamClient, outputs: Props, id: string, error: Error): Promise<Error> {
  if (!isPgBeamApiError(error) || error.status !== 409) return error;
  const agents = await client
    .listAll<{ id: string; name: string; policy_profile_id: string; status: string }>(`${projectPath(outputs)}/agents`, "agents")
    .catch(() => []);
  const holders = agents.filter((a) => a.policy_profile_id === id && a.status !== "revoked");
  const names = holders.map((a) => `${a.name} (${a.id})`).join(", ");
  const detail = names ? `agent credentials still use it: ${names}` : error.detail;
  return new Error(
    `cannot delete policy profile ${id}: ${detail}. Nothing was deleted; remove or rebind those credentials first.`,
  );
}

export const policyProfileSpec = defineSpec({
  name: "PolicyProfile",
  inputs: PolicyProfileInputs,
  outputs: [],
  fields: { projectId: ["path", "replace", "unique"], name: ["unique"] },
  ...underProject("policies"),
  // Always the full profile: a partial PUT would reset the omitted rules and silently loosen the policy.
  update: { method: "PUT" },
  explainError: (verb, error, { client, inputs, id }) => (verb === "delete" ? explainDeleteError(client, inputs, id!, error) : error),
});

export type PolicyProfileArgs = ResourceArgs<typeof PolicyProfileInputs>;
type Policy = z.output<typeof api.PolicyProfileInput>;

/** A named bundle of rules enforced on agent credentials (read-only mode, allowlists, masking, budgets, approvals). */
export class PolicyProfile extends PgBeamResource {
  /** What policy packs and `pulumi stack export` name this type by. */
  static readonly __pulumiType = typeToken("PolicyProfile");
  /** Reads an existing object of the project into the program; Pulumi never changes or deletes it. */
  static get(name: string, id: pulumi.Input<string>, parents: { projectId: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions): PolicyProfile {
    return new PolicyProfile(name, parents as PolicyProfileArgs, { ...opts, id });
  }
  declare readonly projectId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly accessMode: pulumi.Output<Policy["accessMode"]>;
  declare readonly statementRules: pulumi.Output<Policy["statementRules"]>;
  declare readonly tableAllowlist: pulumi.Output<string[]>;
  declare readonly tableDenylist: pulumi.Output<string[]>;
  declare readonly maskingRules: pulumi.Output<NonNullable<Policy["maskingRules"]>>;
  declare readonly rowFilters: pulumi.Output<Policy["rowFilters"]>;
  declare readonly budgetQueriesPerHour: pulumi.Output<number>;
  declare readonly budgetQueriesPerDay: pulumi.Output<number>;
  declare readonly maxRows: pulumi.Output<number>;
  declare readonly statementTimeoutMs: pulumi.Output<number>;
  declare readonly writeMode: pulumi.Output<Policy["writeMode"]>;
  declare readonly approvalMode: pulumi.Output<Policy["approvalMode"]>;
  declare readonly approvalAutoMaxRows: pulumi.Output<number>;
  declare readonly approvalTimeoutSeconds: pulumi.Output<number>;
  declare readonly migrationSafety: pulumi.Output<Policy["migrationSafety"]>;
  declare readonly egressBytesPerDay: pulumi.Output<number>;
  declare readonly maxAffectedRows: pulumi.Output<number>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;

  constructor(name: string, args: PolicyProfileArgs, opts?: pulumi.CustomResourceOptions) {
    super(policyProfileSpec, name, args, opts);
  }
}
