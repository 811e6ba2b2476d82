import { join } from 'node:path';
import { z } from 'zod';
import type { UsageRecord } from '../../retrieval/usage-history.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

const usageFileSchema = z.object({
  records: z.array(z.object({ query: z.string(), tool: z.string(), at: z.string() })),
});

/** Learning from use, kept in the state folder of this toolscope (each replica learns from its own sessions). */
export class UsageHistoryFile {
  private readonly file: string;
  private writes: Promise<void> = Promise.resolve();

  constructor(stateDir: string) {
    this.file = join(stateDir, 'usage-history.json');
  }

  async load(): Promise<UsageRecord[]> {
    return (await readJsonFile(this.file, usageFileSchema))?.records ?? [];
  }

  /** Writes `records` after the writes queued before; the latest call wins. */
  save(records: readonly UsageRecord[]): Promise<void> {
    this.writes = this.writes.then(() => writeJsonFileAtomic(this.file, { records }));
    return this.writes;
  }
}
