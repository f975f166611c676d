import { z } from "zod";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { fromApi } from "./from-api";

export const SpendLimitInputs = z.strictObject({
  orgId: z.string().min(1),
  spendLimit: z
    .number()
    .min(0)
    .describe('Monthly limit in dollars. 0 is a limit (agent access pauses at once); "no limit" is no SpendLimit resource.'),
});

const rest = fromApi("SpendLimit");
/** The organization's plan is where the spec reads the limit; the resource keeps only the limit's part of it. */
const limitOf = (plan: Props): Props => ({
  spend_limit: plan.spend_limit,
  spend_capped: plan.spend_capped,
  spend_capped_at: plan.spend_capped_at,
});

/** One per organization: the spec's PUT upsert, read from the plan, soft delete PUT null (no limit), which reads as gone. */
export const spendLimitSpec = defineSpec({
  ...rest,
  inputs: SpendLimitInputs,
  outputs: ["spendCapped", "spendCappedAt"],
  objectIn: limitOf,
  singletonBy: ["orgId"],
});
