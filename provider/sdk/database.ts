import { resourceClass } from "../engine/dynamic";
import { databaseSpec } from "../resources/database";
import type { DatabaseInput, DatabaseOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { DatabaseOutputs };
export type DatabaseArgs = ResourceArgs<DatabaseInput>;
/** An upstream PostgreSQL database registered with a PgBeam project; its password is write-only (a secret in state). */
export const Database = resourceClass<DatabaseArgs, DatabaseOutputs, "projectId">(databaseSpec);
export type Database = InstanceType<typeof Database>;
