import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import { fromApi } from "./from-api";

/** Fields the server fills when omitted, without a default in the spec; also those of a project's primary database. */
export const nestedDatabaseFields = <const Key extends string>(key: Key) =>
  ({ [`${key}.sslMode`]: ["serverDefault"], [`${key}.poolConfig`]: ["serverDefault"] }) as Record<
    `${Key}.sslMode` | `${Key}.poolConfig`,
    ["serverDefault"]
  >;

export const DatabaseInputs = api.CreateDatabaseRequest.extend({ projectId: z.string().min(1) });

const rest = fromApi("Database");

export const databaseSpec = defineSpec({
  ...rest,
  inputs: DatabaseInputs,
  fields: { ...rest.fields, sslMode: ["serverDefault"], poolConfig: ["serverDefault"], password: ["writeOnly"] },
  review: {
    replaceInvalidates: "a new database id: routing, cache rules and replicas of the old one go with it",
    stateful: true,
  },
  planRules: [
    {
      what: "databases",
      limit: "max_databases",
      zeroIsUnlimited: false,
      per: "projectId",
      used: async (read, { inputs }) => (await read.list(rest.collectionPath!(inputs), "databases")).length,
    },
  ],
});
