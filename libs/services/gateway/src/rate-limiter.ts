export type RateDecision = { kind: 'allowed' } | { kind: 'limited'; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per project: it holds up to one minute's allowance and refills continuously.
 *
 * The state is in memory, per gateway instance: with N instances behind a load balancer a
 * project may send up to N times its limit. That is acceptable for abuse protection at the
 * edge; an exact global limit would need shared state (e.g. Redis) on every request.
 * Buckets exist only for authenticated projects, so their number is bounded by the project count.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    /** Reports per minute per project; 0 turns the limit off. */
    private readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** A cheap early check (is any allowance left?), made before a body is decompressed or parsed. */
  peek(key: string): RateDecision {
    if (this.perMinute === 0) return { kind: 'allowed' };
    const bucket = this.refill(key);
    return bucket.tokens >= 1 ? { kind: 'allowed' } : this.limited(1 - bucket.tokens);
  }

  /**
   * Takes `cost` tokens, or none when not enough are left (a request is accepted or refused
   * whole). A cost above the bucket size is charged as a full bucket, so a large request can
   * pass once the bucket is full instead of never.
   */
  take(key: string, cost: number): RateDecision {
    if (this.perMinute === 0) return { kind: 'allowed' };
    const charge = Math.min(Math.max(cost, 1), this.perMinute);
    const bucket = this.refill(key);
    if (bucket.tokens < charge) return this.limited(charge - bucket.tokens);
    bucket.tokens -= charge;
    return { kind: 'allowed' };
  }

  private refill(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.perMinute, updatedAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    return bucket;
  }

  private limited(missing: number): RateDecision {
    return { kind: 'limited', retryAfterSeconds: Math.max(1, Math.ceil(missing / this.perMs / 1000)) };
  }
}
