import { join } from 'node:path';
import { z } from 'zod';
import type { UsageRecord } from '../../retrieval/usage-history.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

const usageFileSchema = z.object({
  records: z.array(z.object({ query: z.string(), tool: z.string(), at: z.string() })),
});

/**
 * Learning from use, kept in the state folder of this toolscope (each replica learns from its own sessions). Every
 * call after a search adds a record, so writes are coalesced: asks that come while a write runs fold into one more
 * write, of the records as they are when it starts. A burst of calls costs two writes, not one per call.
 */
export class UsageHistoryFile {
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();
  /** The write that will start when the one under way ends; every ask until then shares it. */
  private queued: Promise<void> | undefined;

  /** `onWriteError` hears of each failed write once, however many asks it served. */
  constructor(
    stateDir: string,
    private readonly onWriteError: (error: unknown) => void,
  ) {
    this.file = join(stateDir, 'usage-history.json');
  }

  async load(): Promise<UsageRecord[]> {
    return (await readJsonFile(this.file, usageFileSchema))?.records ?? [];
  }

  /** Writes the records `snapshot` returns once the write under way (if any) has ended; settles when it has. */
  save(snapshot: () => readonly UsageRecord[]): Promise<void> {
    this.queued ??= this.writing.then(() => {
      this.queued = undefined;
      this.writing = writeJsonFileAtomic(this.file, { records: snapshot() }).catch(this.onWriteError);
      return this.writing;
    });
    return this.queued;
  }
}
