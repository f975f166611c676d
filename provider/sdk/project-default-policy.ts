import { resourceClass } from "../engine/dynamic";
import { projectDefaultPolicySpec } from "../resources/project-default-policy";
import type { ProjectDefaultPolicyInput, ProjectDefaultPolicyOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { ProjectDefaultPolicyOutputs };
export type ProjectDefaultPolicyArgs = ResourceArgs<ProjectDefaultPolicyInput>;
/** The policy profile applied to a project's agent credentials that name none. */
export const ProjectDefaultPolicy = resourceClass<ProjectDefaultPolicyArgs, ProjectDefaultPolicyOutputs, "projectId">(
  projectDefaultPolicySpec,
);
export type ProjectDefaultPolicy = InstanceType<typeof ProjectDefaultPolicy>;
