import type { Props } from "../engine/values";

/** Path segments are ids we were given or got back; encode them so a bad value cannot change the route. */
export const segment = (value: unknown): string => {
  if (typeof value !== "string" || value === "") throw new Error(`missing id in request path (got ${String(value)})`);
  return encodeURIComponent(value);
};

export const projectPath = (outputs: Props) => `/v1/projects/${segment(outputs.projectId)}`;

/** What every object under a project shares: its URLs, and `projectId` named in them rather than in bodies. */
export function underProject(collection: string) {
  return {
    collectionPath: (inputs: Props) => `${projectPath(inputs)}/${collection}`,
    itemPath: (outputs: Props, id: string) => `${projectPath(outputs)}/${collection}/${segment(id)}`,
  };
}
