/** The client's retry rules, kept apart from HTTP so they can be tested as plain functions. */

/** Statuses that mean "try again": the request was not (or not durably) processed. Never 500 or other 4xx. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/**
 * Retries are bounded by time, not by count: a call keeps retrying until `callBudgetMs` has passed since it
 * started, so an outage shorter than the budget is ridden out however many attempts it takes.
 */
export interface RetryPolicy {
  /** Backoff before retry n is baseDelayMs * 2^(n-1), capped at maxDelayMs, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 8_000 };

/** Time sources, injectable so tests run retries in virtual time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Parses Retry-After: delta-seconds or an HTTP-date. Returns milliseconds, or undefined when absent/invalid. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with jitter in [ceiling/2, ceiling]: spreads retrying clients. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Retry-After plus up to a quarter of it (at least 250 ms) on top: calls told the same Retry-After at the same
 * moment must not all come back in the same millisecond and be throttled again together.
 */
export function retryAfterDelay(retryAfterMs: number, random: () => number = Math.random): number {
  return retryAfterMs + Math.round(random() * Math.max(250, retryAfterMs / 4));
}
