import { z } from "zod";
import { defineSpec } from "../engine/spec";
import { policyPath, projectPath } from "./paths";

export const ProjectDefaultPolicyInputs = z.strictObject({
  projectId: z.string().min(1),
  defaultPolicyProfileId: z.string().min(1).describe("Id of the policy profile for the project's agent credentials that name none."),
});

/**
 * The project's default policy as its own resource: the policy needs the project's id first, so setting it on the
 * Project itself would be a cycle. A setting of the project: PATCH to set it, PATCH null to clear it.
 */
export const projectDefaultPolicySpec = defineSpec({
  name: "ProjectDefaultPolicy",
  inputs: ProjectDefaultPolicyInputs,
  outputs: [],
  fields: { projectId: ["path", "replace"] },
  itemPath: projectPath,
  parents: { projectId: projectPath, defaultPolicyProfileId: policyPath("defaultPolicyProfileId") },
  objectIn: (project) => ({ default_policy_profile_id: project.default_policy_profile_id }),
  create: { method: "PATCH", id: (inputs) => String(inputs.projectId) },
  read: { isGone: (setting) => setting.default_policy_profile_id == null },
  update: { method: "PATCH" },
  delete: { method: "PATCH", body: { default_policy_profile_id: null } },
  singletonBy: ["projectId"],
});
