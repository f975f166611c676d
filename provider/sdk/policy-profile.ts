import { resourceClass } from "../engine/dynamic";
import { policyProfileSpec } from "../resources/policy-profile";
import type { PolicyProfileInput, PolicyProfileInputValues } from "./inputs.generated";
import type { ObjectTimestamps, ResourceArgs } from "./types";

export type PolicyProfileArgs = ResourceArgs<PolicyProfileInput>;
type Policy = PolicyProfileInputValues;

/** A policy profile as the program sees it once created. */
interface PolicyProfileOutputs extends ObjectTimestamps {
  projectId: string;
  name: string;
  accessMode: Policy["accessMode"];
  statementRules: Policy["statementRules"];
  tableAllowlist: string[];
  tableDenylist: string[];
  maskingRules: NonNullable<Policy["maskingRules"]>;
  rowFilters: Policy["rowFilters"];
  budgetQueriesPerHour: number;
  budgetQueriesPerDay: number;
  maxRows: number;
  statementTimeoutMs: number;
  writeMode: Policy["writeMode"];
  approvalMode: Policy["approvalMode"];
  approvalAutoMaxRows: number;
  approvalTimeoutSeconds: number;
  migrationSafety: Policy["migrationSafety"];
  egressBytesPerDay: number;
  maxAffectedRows: number;
}

/** A named bundle of rules enforced on agent credentials (read-only mode, allowlists, masking, budgets, approvals). */
export const PolicyProfile = resourceClass<PolicyProfileArgs, PolicyProfileOutputs, "projectId">(policyProfileSpec);
export type PolicyProfile = InstanceType<typeof PolicyProfile>;
