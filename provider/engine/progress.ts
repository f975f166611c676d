/**
 * Feedback during long waits (a call riding out an outage or throttling, a bounded wait such as a domain's
 * verification), attached to the resource as it happens through its diagnostics: otherwise the CLI shows nothing for
 * up to two minutes and then an error.
 */
import { type RetryEvent, type RetryListener, UNREACHABLE_BUDGET_MS } from "../client/client";
import type { Diagnostics } from "./diagnostics";

/** At most one progress message per resource operation in this time: a long outage says so a few times, not at every retry. */
export const PROGRESS_INTERVAL_MS = 20_000;

/** A reporter that shows its first message at once and then at most one per `PROGRESS_INTERVAL_MS` (`at`: the reporter's clock). */
export function throttledProgress(diagnostics: Diagnostics): (message: string, at: number) => void {
  let lastShown = Number.NEGATIVE_INFINITY;
  return (message, at) => {
    if (at - lastShown < PROGRESS_INTERVAL_MS) return;
    lastShown = at;
    // Not awaited: a message must never hold up the wait it describes.
    void diagnostics.info(message);
  };
}

/** Retries of the API calls of one resource operation, shown on that resource. */
export function retryProgress(diagnostics: Diagnostics): RetryListener {
  const report = throttledProgress(diagnostics);
  return (event) => report(describeRetry(event), event.at);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function describeRetry(event: RetryEvent): string {
  const outcome =
    event.status === 429
      ? "the API is throttling (429)"
      : event.status > 0
        ? `the API answered ${event.status}${event.code ? ` ${event.code}` : ""} (${event.detail})`
        : event.detail;
  const standing =
    event.unreachableForMs === undefined
      ? `${seconds(event.elapsedMs)} of the ${seconds(event.budgetMs)} retry budget spent; pgbeam:callBudgetMs sets it`
      : `a host that cannot be reached is tried for ${seconds(UNREACHABLE_BUDGET_MS)}, ${seconds(event.unreachableForMs)} so far`;
  return `PgBeam API ${event.method} ${event.path}: ${outcome}; retrying in ${seconds(event.waitMs)} (attempt ${event.attempt + 1}, ${standing})`;
}
