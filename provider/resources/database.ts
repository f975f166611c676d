import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
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
