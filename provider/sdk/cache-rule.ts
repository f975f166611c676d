import { resourceClass } from "../engine/dynamic";
import { cacheRuleSpec } from "../resources/cache-rule";
import type { CacheRuleInput, CacheRuleOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { CacheRuleOutputs };
export type CacheRuleArgs = ResourceArgs<CacheRuleInput>;
/** Caching of one query shape on a database; TTL/SWR left out (or null) use the project's defaults. */
export const CacheRule = resourceClass<CacheRuleArgs, CacheRuleOutputs, "projectId" | "databaseId">(cacheRuleSpec);
export type CacheRule = InstanceType<typeof CacheRule>;
