import { z } from "zod";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { segment } from "./paths";

export const SpendLimitInputs = z.strictObject({
  orgId: z.string().min(1),
  /** Monthly limit in dollars. 0 is a limit (agent access pauses at once); "no limit" is no SpendLimit resource. */
  spendLimit: z.number().min(0),
});

const organization = (outputs: Props) => `/v1/organizations/${segment(outputs.orgId)}`;
/** The organization's plan is where the limit lives; the resource keeps only the limit's part of it. */
const limitOf = (plan: Props): Props => ({ spend_limit: plan.spend_limit, spend_capped: plan.spend_capped, spend_capped_at: plan.spend_capped_at });

/** One per organization: PUT upsert, read from the plan, "delete" = PUT null (no limit), which also reads as gone. */
export const spendLimitSpec = defineSpec({
  name: "SpendLimit",
  inputs: SpendLimitInputs,
  outputs: ["spendCapped", "spendCappedAt"],
  fields: { orgId: ["path", "replace"] },
  itemPath: (outputs) => `${organization(outputs)}/spend-limit`,
  objectIn: limitOf,
  create: { method: "PUT", id: (inputs) => String(inputs.orgId) },
  read: { path: (outputs) => `${organization(outputs)}/plan`, isGone: (limit) => limit.spend_limit === null },
  update: { method: "PUT" },
  delete: { method: "PUT", body: { spend_limit: null } },
  singletonBy: ["orgId"],
});
