/**
 * Token-bucket rate limiting per API key, as a throttling API does: each key's bucket holds `burst` tokens and
 * refills at `perSecond`; a request finding it empty gets 429 RATE_LIMITED with `Retry-After` in whole seconds
 * (the spec's TooManyRequests), and costs nothing.
 */
export interface RateLimit {
  perSecond: number;
  /** Bucket size; default `perSecond` (one second's worth). */
  burst?: number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private limit: Required<RateLimit> | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  set(limit: RateLimit | undefined): void {
    if (limit && !(limit.perSecond > 0 && (limit.burst ?? 1) >= 1)) {
      throw new Error(`rate limit needs perSecond > 0 and burst >= 1, got ${JSON.stringify(limit)}`);
    }
    this.limit = limit && { perSecond: limit.perSecond, burst: limit.burst ?? Math.max(1, Math.floor(limit.perSecond)) };
    this.buckets.clear();
  }

  /** Takes a token for this key; returns the seconds to wait (for Retry-After) when there is none. */
  take(key: string): number | undefined {
    if (!this.limit) return undefined;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, refilledAt: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.limit.perSecond);
    bucket.refilledAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
  }
}
