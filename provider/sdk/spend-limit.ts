import { resourceClass } from "../engine/dynamic";
import { spendLimitSpec } from "../resources/spend-limit";
import type { SpendLimitInput, SpendLimitInputValues } from "./inputs.generated";
import type { ResourceArgs } from "./types";

export type SpendLimitArgs = ResourceArgs<SpendLimitInput>;
/** The organization's monthly spend limit. `spendCapped` tells whether agent access is paused by it. */
export const SpendLimit = resourceClass<
  SpendLimitArgs,
  SpendLimitInputValues & { spendCapped: boolean; spendCappedAt: string | null },
  "orgId"
>(spendLimitSpec);
export type SpendLimit = InstanceType<typeof SpendLimit>;
