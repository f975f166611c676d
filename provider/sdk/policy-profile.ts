import { resourceClass } from "../engine/dynamic";
import { policyProfileSpec } from "../resources/policy-profile";
import type { PolicyProfileInput, PolicyProfileOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { PolicyProfileOutputs };
export type PolicyProfileArgs = ResourceArgs<PolicyProfileInput>;
/** A named bundle of rules enforced on agent credentials (read-only mode, allowlists, masking, budgets, approvals). */
export const PolicyProfile = resourceClass<PolicyProfileArgs, PolicyProfileOutputs, "projectId">(policyProfileSpec);
export type PolicyProfile = InstanceType<typeof PolicyProfile>;
