/**
 * Restart policy for a crashed or unreachable server: exponential delays up to a cap, then retries at the cap for as
 * long as it keeps failing (as Kubernetes' CrashLoopBackOff), so a server that comes back is picked up by itself.
 */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  /** The longest delay, and how often a `failed` server is retried. */
  readonly maxDelayMs: number;
  /** Consecutive failures after which the server shows `failed` (its tools leave the catalog); it is still retried. */
  readonly maxConsecutiveFailures: number;
  /** A server that stayed up this long before crashing starts its backoff afresh. */
  readonly stableAfterMs: number;
}

/**
 * 0.5 s doubling to 60 s: about a minute of quick retries, then one a minute. A minute is short enough for an operator
 * who fixed a server not to wait long, long enough that a server needing seconds and network to start (`npx`,
 * `docker run`) costs little while it stays broken.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 60_000,
  maxConsecutiveFailures: 8,
  stableAfterMs: 60_000,
};

/** Delay before restart attempt `failures` (1 for the first retry): initial, 2x, 4x, ... up to the cap. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1));
}
