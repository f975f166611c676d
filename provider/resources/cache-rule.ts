import { z } from "zod";
import * as api from "../api/schemas.generated";
import { isNotFound, type PgBeamApiError } from "../client/errors";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { fromApi } from "./from-api";

export const CacheRuleInputs = api.UpdateCacheRuleRequest.extend({
  projectId: z.string().min(1),
  databaseId: z.string().min(1),
  queryHash: z
    .string()
    .regex(/^[a-f0-9]{16}$/, "must be 16 lowercase hex digits (the xxhash64 PgBeam shows for the query shape)")
    .describe("The query shape: xxhash64 of its normalized SQL, as PgBeam's query insights show it (16 lowercase hex digits)."),
  cacheEnabled: api.UpdateCacheRuleRequest.shape.cacheEnabled.default(true),
});

const rest = fromApi("CacheRule");
const rules = rest.collectionPath!;

/** PgBeam only has rules for shapes its proxy has seen: say so, naming hash and database, instead of a bare 404. */
function explainUnseen(_verb: string, error: Error, { inputs }: { inputs: Props }): Error {
  if (!isNotFound(error)) return error;
  return new Error(
    `query shape ${String(inputs.queryHash)} has not been observed on database ${String(inputs.databaseId)} ` +
      `(project ${String(inputs.projectId)}): PgBeam creates a cache rule only for a query its proxy has seen. ` +
      `Run the query through PgBeam first, or check queryHash and databaseId. (PgBeam said: ${(error as PgBeamApiError).detail})`,
    { cause: error },
  );
}

/** The spec's PUT upsert keyed by the query hash, list read and soft delete (caching off), and what it cannot say. */
export const cacheRuleSpec = defineSpec({
  ...rest,
  inputs: CacheRuleInputs,
  mustExist: {
    field: "queryHash",
    list: rules,
    itemsKey: "entries",
    matches: (entry, inputs) => entry.query_hash === inputs.queryHash,
    why: "PgBeam creates a cache rule only for a query its proxy has seen. Run the query through PgBeam first, or check queryHash and databaseId.",
  },
  create: {
    ...rest.create,
    // Every observed shape has an entry; only one with caching on or its own TTL/SWR holds someone's setting.
    taken: (entry) => entry.cache_enabled === true || entry.cache_ttl_seconds != null || entry.cache_swr_seconds != null,
  },
  explainError: explainUnseen,
  planRules: [
    {
      what: "cached query shapes",
      limit: "max_query_shapes",
      zeroIsUnlimited: true,
      // The spec does not say over what the shapes are counted; the emulator counts per database.
      per: "databaseId",
      appliesTo: (inputs) => inputs.cacheEnabled === true,
      used: async (read, { inputs }) => (await read.list(rules(inputs), "entries")).filter((entry) => entry.cache_enabled === true).length,
    },
  ],
});
