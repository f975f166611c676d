import { resourceClass } from "../engine/dynamic";
import { cacheRuleSpec } from "../resources/cache-rule";
import type { CacheRuleInput, CacheRuleInputValues } from "./inputs.generated";
import type { ResourceArgs } from "./types";

export type CacheRuleArgs = ResourceArgs<CacheRuleInput>;
/** Caching of one query shape on a database; TTL/SWR left out (or null) use the project's defaults. */
export const CacheRule = resourceClass<
  CacheRuleArgs,
  CacheRuleInputValues & {
    normalizedSql: string;
    queryType: "read" | "write" | "other";
    recommendation: "great" | "good" | "fair" | "poor";
    callCount: number;
    avgLatencyMs: number;
    p95LatencyMs: number;
    firstSeenAt: string;
    lastSeenAt: string;
  },
  "projectId" | "databaseId"
>(cacheRuleSpec);
export type CacheRule = InstanceType<typeof CacheRule>;
