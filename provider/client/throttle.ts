import { type Clock, SYSTEM_CLOCK } from "./retry";

/** Never slower than this when throttled: a rate the API would have to be nearly down to refuse. */
const MIN_RATE_PER_SECOND = 0.5;
/** Above this the learned rate no longer paces anything: pacing is switched off again. */
const UNPACED_RATE_PER_SECOND = 200;
/** On a 429 the rate drops to this share of what was being sent (multiplicative decrease). */
const DECREASE = 0.7;

/**
 * One per provider process, shared by every call of every resource: when the API throttles one call, all of them
 * wait out its Retry-After and then go on at a paced rate, instead of each retrying alone in lockstep.
 *
 * Pacing is additive-increase / multiplicative-decrease (as TCP does): unpaced until the first 429; then the rate
 * drops to 70 % of what was being sent in the last second, and grows by about one request per second for each
 * second without a 429, until pacing switches itself off. The rate is cut once per congestion episode: 429s with no
 * success between them (however many calls, however long the API keeps refusing) are one signal, already answered
 * by waiting out the Retry-After the API asked for. Cutting again for each of them would learn from our own pause
 * (hardly anything is sent while waiting) and drive the pace to the floor after a long throttled phase.
 */
export class SharedThrottle {
  private ratePerSecond = Number.POSITIVE_INFINITY;
  /** No request starts before this instant (the latest Retry-After anyone was told). */
  private pausedUntil = 0;
  /** Earliest start of the next request under the current pacing. */
  private nextStart = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  /** A request succeeded since the last cut: a new 429 is news about the pace, not the same episode again. */
  private succeededSinceDecrease = true;
  /** Start times of the requests of the last second, to learn the rate the API refused. */
  private recentStarts: number[] = [];

  constructor(private readonly clock: Clock = SYSTEM_CLOCK) {}

  /** The current pacing, in requests per second (Infinity: unpaced). */
  get rate(): number {
    return this.ratePerSecond;
  }

  /**
   * Waits for this request's turn. Resolves false, without waiting, when that turn would come after `deadline`.
   */
  async acquire(deadline: number): Promise<boolean> {
    for (;;) {
      const now = this.clock.now();
      const start = Math.max(now, this.pausedUntil, this.nextStart);
      if (start > deadline) return false;
      if (start <= now) {
        this.nextStart = now + (Number.isFinite(this.ratePerSecond) ? 1000 / this.ratePerSecond : 0);
        this.recentStarts.push(now);
        this.recentStarts = this.recentStarts.filter((t) => t > now - 1000);
        return true;
      }
      // Woken callers race for the slot; the losers wait again. Re-checked because a 429 may arrive meanwhile.
      await this.clock.sleep(start - now);
    }
  }

  /** The API answered 429: everyone waits `retryAfterMs`, and the pace slows. */
  throttled(retryAfterMs: number): void {
    const now = this.clock.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    if (now - this.lastDecrease < 1000 || !this.succeededSinceDecrease) return;
    this.lastDecrease = now;
    this.succeededSinceDecrease = false;
    const sent = this.recentStarts.filter((t) => t > now - 1000).length;
    const base = Math.min(this.ratePerSecond, Math.max(sent, 1));
    this.ratePerSecond = Math.max(MIN_RATE_PER_SECOND, base * DECREASE);
  }

  /** A request went through: the pace grows back by about one request per second per second. */
  succeeded(): void {
    this.succeededSinceDecrease = true;
    if (!Number.isFinite(this.ratePerSecond)) return;
    this.ratePerSecond += 1 / this.ratePerSecond;
    if (this.ratePerSecond > UNPACED_RATE_PER_SECOND) this.ratePerSecond = Number.POSITIVE_INFINITY;
  }
}

const PROCESS_KEY = Symbol.for("pulumi-pgbeam.sharedThrottle");

/**
 * The process-wide throttle. Kept on `globalThis` under a registered symbol, so two copies of this module in
 * one provider host (prior-art D13) still share one.
 */
export function processThrottle(): SharedThrottle {
  const holder = globalThis as { [PROCESS_KEY]?: SharedThrottle };
  return (holder[PROCESS_KEY] ??= new SharedThrottle());
}
