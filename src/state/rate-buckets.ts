import type { Bucket } from '../config/policy.js';

/** One token bucket a call or search draws on: its key (who and what it counts) and its size. */
export interface BucketDraw {
  readonly key: string;
  readonly limit: Bucket;
}

/** Taken: one token came out of every bucket. Refused: none did; the seconds each bucket needs for a token (0 if it has one). */
export type BucketAnswer = { readonly taken: true } | { readonly taken: false; readonly waitSeconds: readonly number[] };

/**
 * Token buckets, wherever they live: in this process (one toolscope) or in Redis (every replica draws on the same
 * buckets). A draw takes a token from every bucket named or from none, atomically, so a refused call uses nothing up.
 */
export interface RateBuckets {
  draw(draws: readonly BucketDraw[]): Promise<BucketAnswer>;
}
