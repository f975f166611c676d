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
    /** The API's `error.message`, or a description of the transport failure, and why the client stopped. */
    readonly detail: string,
    readonly attempts: number,
    /** The API answered from its idempotency cache: this is the answer to an earlier call with the same key. */
    readonly replayed = false,
  ) {
    const what = status === 0 ? "failed" : `failed with ${status}${code ? ` ${code}` : ""}`;
    super(`PgBeam API ${method} ${path} ${what}: ${detail}`);
  }
}

export function isPgBeamApiError(error: unknown): error is PgBeamApiError {
  return error instanceof Error && error.name === "PgBeamApiError";
}

export function isNotFound(error: unknown): boolean {
  return isPgBeamApiError(error) && error.status === 404;
}

/** Where the API key came from, so a refusal names what the user actually configured. */
export type ApiKeyOrigin =
  { from: "stack config" } | { from: "provider"; provider: string } | { from: "environment"; variable: string; provider?: string };

/**
 * What a 401 means for a Pulumi user, for the key's origin. Pulumi stores a provider's configuration at `up`, so
 * after changing the key a plain refresh or destroy still sends the old one.
 */
export function rejectedKeyHint(origin: ApiKeyOrigin = { from: "stack config" }): string {
  const stored =
    "since the last `pulumi up`, `pulumi refresh` and `pulumi destroy` still send the key stored by that `up`: run " +
    "`pulumi up` (stores the new key), or `pulumi refresh --run-program` / `pulumi destroy --run-program` (use it " +
    "without an update).";
  switch (origin.from) {
    case "stack config":
      return `PgBeam refused the API key. If you changed pgbeam:apiKey ${stored} Otherwise set a valid key: \`pulumi config set --secret pgbeam:apiKey <key>\``;
    case "provider":
      return (
        `PgBeam refused the API key of pgbeam.Provider "${origin.provider}" (its \`apiKey\` argument). If you changed that argument ` +
        `${stored} Otherwise pass a valid key as that provider's \`apiKey\``
      );
    case "environment": {
      const who = origin.provider
        ? `pgbeam.Provider "${origin.provider}" (given no \`apiKey\` argument)`
        : "this stack (no pgbeam:apiKey in its config)";
      return `PgBeam refused the API key that ${who} took from ${origin.variable} where Pulumi runs: set a valid key there`;
    }
  }
}
