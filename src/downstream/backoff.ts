/** Restart policy for a crashed or unreachable server: exponential delays, capped, and a point to give up. */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Consecutive failed starts after which the server is marked `failed` and left alone. */
  readonly maxConsecutiveFailures: number;
  /** A server that stayed up this long before crashing starts its backoff afresh. */
  readonly stableAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxConsecutiveFailures: 8,
  stableAfterMs: 60_000,
};

/** Delay before restart attempt `failures` (1 for the first retry): initial, 2x, 4x, ... up to the cap. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1));
}
