import { resourceClass } from "../engine/dynamic";
import { projectSpec } from "../resources/project";
import type { ProjectInput, ProjectInputValues } from "./inputs.generated";
import type { ObjectTimestamps, ResourceArgs } from "./types";

export type ProjectArgs = ResourceArgs<ProjectInput>;
type DatabaseSettings = Omit<ProjectInputValues["database"], "password"> & {
  password: string;
  connectionString: string;
};

/** A project as the program sees it once created. */
interface ProjectOutputs extends ObjectTimestamps {
  orgId: string;
  name: string;
  description: string | undefined;
  tags: string[] | undefined;
  cloud: ProjectInputValues["cloud"];
  selfHosted: boolean;
  /** The primary database's settings as the API reports them; `password` is a secret. */
  database: DatabaseSettings;
  primaryDatabaseId: string;
  /** Hostname clients connect to (e.g. myproject.proxy.pgbeam.app). */
  proxyHost: string;
  allowedCidrs: { cidr: string; label?: string }[] | undefined;
  defaultPolicyProfileId: string | undefined;
  residency: ProjectInputValues["residency"];
  agentsDisabled: boolean;
  status: NonNullable<ProjectInputValues["status"]>;
  queriesPerSecond: number;
  burstSize: number;
  maxConnections: number;
}

/**
 * A PgBeam project with its primary database. Changes to `database` update the primary database in place;
 * `orgId`, `cloud` and `selfHosted` replace the project.
 */
export const Project = resourceClass<ProjectArgs, ProjectOutputs>(projectSpec);
export type Project = InstanceType<typeof Project>;
