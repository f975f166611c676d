import { resourceClass } from "../engine/dynamic";
import { projectSpec } from "../resources/project";
import type { ProjectInput, ProjectOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { ProjectOutputs };
export type ProjectArgs = ResourceArgs<ProjectInput>;
/**
 * A PgBeam project with its primary database. Changes to `database` update the primary database in place;
 * `orgId`, `cloud` and `selfHosted` replace the project. `proxyHost` is the hostname clients connect to.
 */
export const Project = resourceClass<ProjectArgs, ProjectOutputs>(projectSpec);
export type Project = InstanceType<typeof Project>;
