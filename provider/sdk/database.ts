import { resourceClass } from "../engine/dynamic";
import { databaseSpec } from "../resources/database";
import type { DatabaseInput, DatabaseInputValues } from "./inputs.generated";
import type { ObjectTimestamps, ResourceArgs } from "./types";

export type DatabaseArgs = ResourceArgs<DatabaseInput>;

/** A database as the program sees it once registered. */
interface DatabaseOutputs extends ObjectTimestamps {
  projectId: string;
  host: string;
  port: number;
  name: string;
  username: string;
  /** Write-only: kept in state as a secret, never read back from the API. */
  password: string;
  sslMode: NonNullable<DatabaseInputValues["sslMode"]>;
  role: DatabaseInputValues["role"];
  poolRegion: string | undefined;
  queryTimeoutMs: number;
  autoReadRouting: boolean;
  cacheConfig: DatabaseInputValues["cacheConfig"];
  poolConfig: NonNullable<DatabaseInputValues["poolConfig"]>;
  /** Connection string through the PgBeam proxy; the API puts a placeholder where the password goes. */
  connectionString: string;
}

/** An upstream PostgreSQL database registered with a PgBeam project. */
export const Database = resourceClass<DatabaseArgs, DatabaseOutputs, "projectId">(databaseSpec);
export type Database = InstanceType<typeof Database>;
