import type { Logger } from '../log.js';
import type { StateConfig } from './config.js';
import type { ApprovalQueue } from './approval-queue.js';
import { FileState } from './file/file-state.js';
import type { PinStore } from './pin-store.js';
import type { RateBuckets } from './rate-buckets.js';
import type { RecentSearchStore } from './recent-search-store.js';
import { RedisState } from './redis/redis-state.js';
import type { SessionStore } from './session-store.js';
import type { TokenStore } from './token-store.js';
import type { EmbedderIdentity, VectorStore } from './vector-store.js';

/** What `status` and health checks show of the state backend. */
export interface StateStatus {
  readonly backend: 'file' | 'redis';
  /** The backend as people may read it (credentials masked). */
  readonly description: string;
  /** False while a shared backend cannot be reached: calls are refused meanwhile. */
  readonly available: boolean;
  /** This process among the replicas: on every audit record. */
  readonly replica: string;
}

/**
 * Everything several toolscope replicas must agree on, behind one seam: one small interface per kind of state, a
 * file implementation (the state folder and this process's memory: one toolscope) and a Redis one (shared).
 */
export interface StateBackend {
  readonly kind: StateStatus['backend'];
  readonly description: string;
  readonly replica: string;
  readonly rateBuckets: RateBuckets;
  /** Pins, quarantine and admins' decisions on them. */
  readonly pins: PinStore;
  /** Token hashes and the principals `token create --scopes` made. */
  readonly tokens: TokenStore;
  /** Calls waiting for a human: answerable from the CLI, or the approval endpoint and console of any replica. */
  readonly approvals: ApprovalQueue;
  /** HTTP sessions every replica can serve; undefined: a session lives in the process that opened it. */
  readonly sessions: SessionStore | undefined;
  /** Where an embedder's vectors are shared with other replicas; undefined: each keeps its own in the state folder. */
  readonly sharedVectors: ((embedder: EmbedderIdentity) => VectorStore) | undefined;
  /** The searches the retrieval hijack check replays, kept across restarts (with Redis: those of every replica). */
  readonly recentSearches: RecentSearchStore;
  /** Connects (a shared backend; again is a no-op); fails with the reason if it cannot be reached. */
  open(): Promise<void>;
  close(): Promise<void>;
  status(): StateStatus;
}

/** The configured backend; `stateDir` (absolute) is where the file backend keeps its files. */
export function createStateBackend(config: StateConfig, stateDir: string, logger: Logger): StateBackend {
  return config.backend === 'redis' ? new RedisState(config, logger) : new FileState(stateDir);
}
