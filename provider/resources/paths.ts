import type { Props } from "../engine/values";

/** Path segments are ids we were given or got back; encode them so a bad value cannot change the route. */
export const segment = (value: unknown): string => {
  if (typeof value !== "string" || value === "") throw new Error(`missing id in request path (got ${String(value)})`);
  return encodeURIComponent(value);
};

export const projectPath = (outputs: Props) => `/v1/projects/${segment(outputs.projectId)}`;

/** A policy profile of the candidate's project, named by one of its inputs. */
export const policyPath = (field: string) => (inputs: Props) => `${projectPath(inputs)}/policies/${segment(inputs[field])}`;
