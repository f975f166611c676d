import { z } from "zod";
import * as api from "../api/schemas.generated";
import type { PgBeamClient } from "../client/client";
import { isPgBeamApiError } from "../client/errors";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { fromApi } from "./from-api";
import { projectPath } from "./paths";
import { Expectation, ImpactLimits, policyVerification } from "./policy/what-if";
import { checkNamesAgainstCatalog, PiiReview, withPiiReview } from "./policy/against-database";

export const PolicyProfileInputs = api.PolicyProfileInput.extend({
  projectId: z.string().min(1),
  expectations: z
    .array(Expectation)
    .optional()
    .describe("Statements with the decision the profile must reach; checked against PgBeam before any change, never sent."),
  impactLimits: ImpactLimits.optional().describe("Fail a change whose replay of recorded traffic goes beyond these counts; never sent."),
  piiReview: PiiReview.optional().describe(
    "Opt-in: list the likely-PII columns agents under this profile can read unmasked, and gate on them; never sent.",
  ),
});

/** On a 409 the API refuses to delete a profile that credentials use: name them, so the user knows what to fix. */
async function explainDeleteError(client: PgBeamClient, outputs: Props, id: string, error: Error): Promise<Error> {
  if (!isPgBeamApiError(error) || error.status !== 409) return error;
  const agents = await client
    .listAll<{ id: string; name: string; policy_profile_id: string; status: string }>(`${projectPath(outputs)}/agents`, "agents")
    .catch(() => []);
  const holders = agents.filter((a) => a.policy_profile_id === id && a.status !== "revoked");
  const names = holders.map((a) => `${a.name} (${a.id})`).join(", ");
  const detail = names ? `agent credentials still use it: ${names}` : error.detail;
  return new Error(`cannot delete policy profile ${id}: ${detail}. Nothing was deleted; remove or rebind those credentials first.`, {
    cause: error,
  });
}

const rest = fromApi("PolicyProfile");

/** The spec's update is a PUT of the full profile: a partial PUT would reset the omitted rules and loosen the policy. */
export const policyProfileSpec = defineSpec({
  ...rest,
  inputs: PolicyProfileInputs,
  fields: { ...rest.fields, projectId: ["path", "replace", "unique"], name: ["unique"] },
  review: {
    replaceInvalidates:
      "a new profile id: the agent credentials bound to the old one are replaced with it (new connection strings and MCP tokens)",
  },
  verification: withPiiReview(policyVerification),
  // Every relation and column the rules name, against the catalogs of the project's databases.
  predict: checkNamesAgainstCatalog,
  explainError: (verb, error, { client, inputs, id }) => (verb === "delete" ? explainDeleteError(client, inputs, id!, error) : error),
});
