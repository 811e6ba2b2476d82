import type { Pin, PinStore, QuarantineEntry, ReviewedQuarantineEntry } from './pin-store.js';

/**
 * A pin store seen without changing it: reads go to `store`, the writes of `ToolPinning` are dropped. For commands
 * that only look (`toolscope tools`): the pinning decides on each tool as a serve would, in memory, and the pins,
 * quarantine and approvals a running serve relies on stay as they are.
 */
export class ReadOnlyPinStore implements PinStore {
  constructor(private readonly store: PinStore) {}

  serverPins(): Promise<Pin[]> {
    return this.store.serverPins();
  }
  approvedPins(): Promise<Pin[]> {
    return this.store.approvedPins();
  }
  quarantined(): Promise<QuarantineEntry[]> {
    return this.store.quarantined();
  }
  quarantineEntry(tool: string): Promise<QuarantineEntry | undefined> {
    return this.store.quarantineEntry(tool);
  }
  reviewedQuarantine(): Promise<ReviewedQuarantineEntry[]> {
    return this.store.reviewedQuarantine();
  }

  async saveServerPins(): Promise<void> {}
  async removeApproved(): Promise<void> {}
  async saveQuarantine(): Promise<void> {}
  async removeQuarantine(): Promise<void> {}
  async onChange(): Promise<boolean> {
    return false;
  }

  approve(tool: string): Promise<QuarantineEntry | undefined> {
    return Promise.reject(new Error(`cannot approve "${tool}": this pin store is read-only`));
  }
  reject(tool: string): Promise<QuarantineEntry | undefined> {
    return Promise.reject(new Error(`cannot reject "${tool}": this pin store is read-only`));
  }
}
