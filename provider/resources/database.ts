import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import * as api from "../api/schemas.generated";
import { PgBeamResource, typeToken } from "../engine/dynamic";
import { defineSpec } from "../engine/spec";
import type { ResourceArgs } from "../engine/types";
import { underProject } from "./paths";

/** Fields the server fills when omitted, without a default in the spec; also those of a project's primary database. */
export const nestedDatabaseFields = <const Key extends string>(key: Key) =>
  ({ [`${key}.sslMode`]: ["serverDefault"], [`${key}.poolConfig`]: ["serverDefault"] }) as Record<`${Key}.sslMode` | `${Key}.poolConfig`, ["serverDefault"]>;

export const DatabaseInputs = api.CreateDatabaseRequest.extend({ projectId: z.string().min(1) });

export const databaseSpec = defineSpec({
  name: "Database",
  inputs: DatabaseInputs,
  outputs: ["connectionString"],
  fields: { projectId: ["path", "replace"], sslMode: ["serverDefault"], poolConfig: ["serverDefault"], password: ["writeOnly"] },
  ...underProject("databases"),
  update: { method: "PATCH" },
});

export type DatabaseArgs = ResourceArgs<typeof DatabaseInputs>;

/** An upstream PostgreSQL database registered with a PgBeam project. */
export class Database extends PgBeamResource {
  /** What policy packs and `pulumi stack export` name this type by. */
  static readonly __pulumiType = typeToken("Database");
  /** Reads an existing object of the project into the program; Pulumi never changes or deletes it. */
  static get(name: string, id: pulumi.Input<string>, parents: { projectId: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions): Database {
    return new Database(name, parents as DatabaseArgs, { ...opts, id });
  }
  declare readonly projectId: pulumi.Output<string>;
  declare readonly host: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly name: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  /** Write-only: kept in state as a secret, never read back from the API. */
  declare readonly password: pulumi.Output<string>;
  declare readonly sslMode: pulumi.Output<z.infer<typeof api.SSLMode>>;
  declare readonly role: pulumi.Output<z.infer<typeof api.DatabaseRole>>;
  declare readonly poolRegion: pulumi.Output<string | undefined>;
  declare readonly queryTimeoutMs: pulumi.Output<number>;
  declare readonly autoReadRouting: pulumi.Output<boolean>;
  declare readonly cacheConfig: pulumi.Output<z.infer<typeof api.CacheConfig>>;
  declare readonly poolConfig: pulumi.Output<z.infer<typeof api.PoolConfig>>;
  /** Connection string through the PgBeam proxy; the API puts a placeholder where the password goes. */
  declare readonly connectionString: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    super(databaseSpec, name, args, opts);
  }
}
