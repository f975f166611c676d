import { resourceClass } from "../engine/dynamic";
import { spendLimitSpec } from "../resources/spend-limit";
import type { SpendLimitInput, SpendLimitOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { SpendLimitOutputs };
export type SpendLimitArgs = ResourceArgs<SpendLimitInput>;
/** The organization's monthly spend limit. `spendCapped` tells whether agent access is paused by it. */
export const SpendLimit = resourceClass<SpendLimitArgs, SpendLimitOutputs, "orgId">(spendLimitSpec);
export type SpendLimit = InstanceType<typeof SpendLimit>;
