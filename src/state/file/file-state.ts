import { join } from 'node:path';
import { replicaId } from '../replica.js';
import type { StateBackend, StateStatus } from '../state-backend.js';
import { FileApprovalQueue } from './file-approval-queue.js';
import { FilePinStore } from './file-pin-store.js';
import { FileRecentSearchStore } from './file-recent-search-store.js';
import { FileTokenStore } from './file-token-store.js';
import { LocalRateBuckets } from './local-rate-buckets.js';

/** One toolscope's state: the state folder, and rate buckets in this process's memory. */
export class FileState implements StateBackend {
  readonly kind = 'file';
  readonly description = 'file (the state folder)';
  readonly replica = replicaId();
  readonly rateBuckets = new LocalRateBuckets();
  readonly approvals: FileApprovalQueue;
  readonly pins: FilePinStore;
  readonly tokens: FileTokenStore;
  readonly sessions = undefined;
  readonly sharedVectors = undefined;
  readonly recentSearches: FileRecentSearchStore;

  constructor(stateDir: string) {
    this.approvals = new FileApprovalQueue(join(stateDir, 'approvals'));
    this.pins = new FilePinStore(stateDir);
    this.tokens = new FileTokenStore(stateDir);
    this.recentSearches = new FileRecentSearchStore(stateDir);
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  status(): StateStatus {
    return { backend: this.kind, description: this.description, available: true, replica: this.replica };
  }
}
