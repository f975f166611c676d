import { resourceClass } from "../engine/dynamic";
import { replicaSpec } from "../resources/replica";
import type { ReplicaInput, ReplicaInputValues } from "./inputs.generated";
import type { ObjectTimestamps, ResourceArgs } from "./types";

export type ReplicaArgs = ResourceArgs<ReplicaInput>;
/** A read replica of a PgBeam database (e.g. a project's `primaryDatabaseId`). Any change replaces it. */
export const Replica = resourceClass<ReplicaArgs, ReplicaInputValues & ObjectTimestamps, "databaseId">(replicaSpec);
export type Replica = InstanceType<typeof Replica>;
