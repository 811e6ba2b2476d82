import type { Bucket } from '../../config/policy.js';

/** Milliseconds from a monotonic clock; tests pass their own. */
export type Clock = () => number;
export const monotonicClock: Clock = () => performance.now();

/** A classic token bucket: `capacity` calls in a burst, refilled at `refillPerSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly limit: Bucket,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.capacity;
    this.updatedAt = clock();
  }

  /** Seconds until one token is available; 0 when one is available now. */
  waitSeconds(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.limit.refillPerSecond;
  }

  take(): void {
    this.refill();
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.limit.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.limit.refillPerSecond);
    this.updatedAt = now;
  }
}
