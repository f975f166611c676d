import { resourceClass } from "../engine/dynamic";
import { replicaSpec } from "../resources/replica";
import type { ReplicaInput, ReplicaOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { ReplicaOutputs };
export type ReplicaArgs = ResourceArgs<ReplicaInput>;
/** A read replica of a PgBeam database (e.g. a project's `primaryDatabaseId`). Any change replaces it. */
export const Replica = resourceClass<ReplicaArgs, ReplicaOutputs, "databaseId">(replicaSpec);
export type Replica = InstanceType<typeof Replica>;
