import { z } from "zod";
import * as api from "../api/schemas.generated";
import { type ObjectTimestamps, resourceClass } from "../engine/dynamic";
import { defineSpec } from "../engine/spec";
import type { ResourceArgs } from "../engine/types";
import { underProject } from "./paths";

/** Fields the server fills when omitted, without a default in the spec; also those of a project's primary database. */
export const nestedDatabaseFields = <const Key extends string>(key: Key) =>
  ({ [`${key}.sslMode`]: ["serverDefault"], [`${key}.poolConfig`]: ["serverDefault"] }) as Record<`${Key}.sslMode` | `${Key}.poolConfig`, ["serverDefault"]>;

export const DatabaseInputs = api.CreateDatabaseRequest.extend({ projectId: z.string().min(1) });

const databases = underProject("databases");

export const databaseSpec = defineSpec({
  name: "Database",
  inputs: DatabaseInputs,
  outputs: ["connectionString"],
  fields: { projectId: ["path", "replace"], sslMode: ["serverDefault"], poolConfig: ["serverDefault"], password: ["writeOnly"] },
  review: {
    replaceInvalidates: "a new database id: routing, cache rules and replicas of the old one go with it",
    stateful: true,
  },
  ...databases,
  update: { method: "PATCH" },
  planRules: [
    {
      what: "databases",
      limit: "max_databases",
      zeroIsUnlimited: false,
      per: "projectId",
      used: async (read, { inputs }) => (await read.list(databases.collectionPath(inputs), "databases")).length,
    },
  ],
});

export type DatabaseArgs = ResourceArgs<typeof DatabaseInputs>;

/** A database as the program sees it once registered. */
interface DatabaseOutputs extends ObjectTimestamps {
  projectId: string;
  host: string;
  port: number;
  name: string;
  username: string;
  /** Write-only: kept in state as a secret, never read back from the API. */
  password: string;
  sslMode: z.infer<typeof api.SSLMode>;
  role: z.infer<typeof api.DatabaseRole>;
  poolRegion: string | undefined;
  queryTimeoutMs: number;
  autoReadRouting: boolean;
  cacheConfig: z.infer<typeof api.CacheConfig>;
  poolConfig: z.infer<typeof api.PoolConfig>;
  /** Connection string through the PgBeam proxy; the API puts a placeholder where the password goes. */
  connectionString: string;
}

/** An upstream PostgreSQL database registered with a PgBeam project. */
export const Database = resourceClass<DatabaseArgs, DatabaseOutputs, "projectId">(databaseSpec);
export type Database = InstanceType<typeof Database>;
