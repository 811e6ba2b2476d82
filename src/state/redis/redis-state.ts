import type { Logger } from '../../log.js';
import type { RedisStateConfig } from '../config.js';
import { replicaId } from '../replica.js';
import type { StateBackend, StateStatus } from '../state-backend.js';
import type { EmbedderIdentity, VectorStore } from '../vector-store.js';
import { RedisApprovalQueue } from './redis-approval-queue.js';
import { RedisConnection } from './redis-connection.js';
import { RedisPinStore } from './redis-pin-store.js';
import { RedisRateBuckets } from './redis-rate-buckets.js';
import { RedisRecentSearchStore } from './redis-recent-search-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import { RedisTokenStore } from './redis-token-store.js';
import { RedisVectorStore } from './redis-vector-store.js';

/** State shared by replicas in one Redis (`state.backend: "redis"`). */
export class RedisState implements StateBackend {
  readonly kind = 'redis';
  readonly description: string;
  readonly replica = replicaId();
  readonly rateBuckets: RedisRateBuckets;
  readonly sessions: RedisSessionStore;
  readonly approvals: RedisApprovalQueue;
  readonly pins: RedisPinStore;
  readonly tokens: RedisTokenStore;
  readonly sharedVectors: ((embedder: EmbedderIdentity) => VectorStore) | undefined;
  readonly recentSearches: RedisRecentSearchStore;
  private readonly redis: RedisConnection;

  constructor(config: RedisStateConfig, logger: Logger) {
    this.redis = new RedisConnection(config, logger);
    this.description = this.redis.description;
    this.rateBuckets = new RedisRateBuckets(this.redis);
    this.sessions = new RedisSessionStore(this.redis);
    this.approvals = new RedisApprovalQueue(this.redis);
    this.pins = new RedisPinStore(this.redis);
    this.tokens = new RedisTokenStore(this.redis);
    this.recentSearches = new RedisRecentSearchStore(this.redis, logger);
    this.sharedVectors = config.embeddings === 'shared' ? (embedder) => new RedisVectorStore(this.redis, embedder, logger) : undefined;
  }

  open(): Promise<void> {
    return this.redis.connect();
  }

  close(): Promise<void> {
    return this.redis.close();
  }

  status(): StateStatus {
    return { backend: this.kind, description: this.description, available: this.redis.available, replica: this.replica };
  }
}
