import { isPgBeamApiError } from "../client/errors";

/** A 403 on a plan-gated create (custom domains, self-hosting) as the plan error it is, not a stack trace. */
export function planGate(feature: string) {
  return (verb: string, error: Error): Error =>
    verb === "create" && isPgBeamApiError(error) && error.status === 403
      ? new Error(`PgBeam refused to create this: ${feature} need the Scale or Enterprise plan (PgBeam said: ${error.detail}). Upgrade the organization's plan, or remove this resource.`, { cause: error })
      : error;
}
