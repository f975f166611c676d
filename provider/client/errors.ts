/**
 * The one error type the client raises. Identified by `name`, not `instanceof`, because the provider host may
 * load two copies of this module (prior-art D13).
 */
export class PgBeamApiError extends Error {
  override readonly name = "PgBeamApiError";
  constructor(
    readonly method: string,
    readonly path: string,
    /** HTTP status, or 0 when no response arrived (network error, timeout, budget exhausted). */
    readonly status: number,
    /** The API's `error.code` (e.g. CONFLICT), when the body carried one. */
    readonly code: string | undefined,
    /** The API's `error.message`, or a description of the transport failure. */
    readonly detail: string,
    readonly attempts: number,
  ) {
    const what = status === 0 ? "failed" : `failed with ${status}${code ? ` ${code}` : ""}`;
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    super(`PgBeam API ${method} ${path} ${what}: ${detail}${tries}`);
  }
}

export function isPgBeamApiError(error: unknown): error is PgBeamApiError {
  return error instanceof Error && error.name === "PgBeamApiError";
}

export function isNotFound(error: unknown): boolean {
  return isPgBeamApiError(error) && error.status === 404;
}
