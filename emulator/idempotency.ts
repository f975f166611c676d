/**
 * `Idempotency-Key` handling for POST and PATCH, as the docs describe it (the spec does not): a repeat with the same
 * key, from the same API key to the same method and path, replays the stored response without touching state.
 * Choices where the docs are silent:
 * - the same key with a different body is refused with 422 INVALID_INPUT (the body is compared as canonical JSON,
 *   so key order does not matter);
 * - responses are kept for the emulator's lifetime (the real API keeps them 24 h);
 * - only responses of handled requests are stored: requests refused by auth or spec validation, injected faults and
 *   408/429/502/503/504 answers are not, so a retry after them runs for real.
 */

export interface StoredResponse {
  status: number;
  body: unknown;
}

type Lookup = { outcome: "miss" } | { outcome: "replay"; response: StoredResponse } | { outcome: "mismatch" };

/** Statuses the docs say are never cached: the client is expected to retry them. */
const TRANSIENT_STATUSES = new Set([408, 429, 502, 503, 504]);

export const IDEMPOTENT_METHODS = new Set(["POST", "PATCH"]);

/** JSON with object keys sorted, so two bodies that differ only in key order compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "";
}

export class IdempotencyCache {
  private readonly entries = new Map<string, { fingerprint: string; response: StoredResponse }>();

  static scope(apiKey: string, method: string, path: string, key: string): string {
    return JSON.stringify([apiKey, method, path, key]);
  }

  lookup(scope: string, body: unknown): Lookup {
    const entry = this.entries.get(scope);
    if (!entry) return { outcome: "miss" };
    return entry.fingerprint === canonicalJson(body) ? { outcome: "replay", response: entry.response } : { outcome: "mismatch" };
  }

  remember(scope: string, body: unknown, response: StoredResponse): void {
    if (TRANSIENT_STATUSES.has(response.status)) return;
    this.entries.set(scope, { fingerprint: canonicalJson(body), response: structuredClone(response) });
  }
}
