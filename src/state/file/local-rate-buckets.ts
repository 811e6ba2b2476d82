import type { Bucket } from '../../config/policy.js';
import type { BucketAnswer, BucketDraw, RateBuckets } from '../rate-buckets.js';
import { monotonicClock, TokenBucket, type Clock } from './token-bucket.js';

/** Token buckets in this process's memory: one toolscope, its own limits (the file backend's rate limits). */
export class LocalRateBuckets implements RateBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: Clock = monotonicClock) {}

  async draw(draws: readonly BucketDraw[]): Promise<BucketAnswer> {
    const buckets = draws.map(({ key, limit }) => this.bucket(key, limit));
    const waitSeconds = buckets.map((bucket) => bucket.waitSeconds());
    if (waitSeconds.some((seconds) => seconds > 0)) return { taken: false, waitSeconds };
    for (const bucket of buckets) bucket.take();
    return { taken: true };
  }

  private bucket(key: string, limit: Bucket): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.clock);
      this.buckets.set(key, bucket);
    } else if (!sameSize(bucket.limit, limit)) {
      // An edit of `rateLimits` while serving: the bucket keeps its level (as Redis buckets do), within the new size.
      bucket.resize(limit);
    }
    return bucket;
  }
}

const sameSize = (a: Bucket, b: Bucket) => a.capacity === b.capacity && a.refillPerSecond === b.refillPerSecond;
