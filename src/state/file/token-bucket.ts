import type { Bucket } from '../../config/policy.js';

/** Milliseconds from a monotonic clock; tests pass their own. */
export type Clock = () => number;
export const monotonicClock: Clock = () => performance.now();

/** A classic token bucket: `capacity` calls in a burst, refilled at `refillPerSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private size: Bucket,
    private readonly clock: Clock,
  ) {
    this.tokens = size.capacity;
    this.updatedAt = clock();
  }

  get limit(): Bucket {
    return this.size;
  }

  /**
   * Takes a new size (an edited `rateLimits` while serving) without forgetting what was used: tokens left over a
   * lowered capacity are dropped, a raised capacity is not filled at once but refills at the new rate.
   */
  resize(limit: Bucket): void {
    this.refill();
    this.size = limit;
    this.tokens = Math.min(limit.capacity, this.tokens);
  }

  /** Seconds until one token is available; 0 when one is available now. */
  waitSeconds(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.size.refillPerSecond;
  }

  take(): void {
    this.refill();
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.size.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.size.refillPerSecond);
    this.updatedAt = now;
  }
}
