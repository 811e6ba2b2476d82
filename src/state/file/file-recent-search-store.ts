import { join } from 'node:path';
import { z } from 'zod';
import type { RecentSearch } from '../../retrieval/recent-searches.js';
import { recentSearchSchema, type RecentSearchStore } from '../recent-search-store.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

const recentSearchFileSchema = z.object({ searches: z.array(recentSearchSchema) });

/** The recent searches in the state folder's `recent-searches.json` (0600, replaced atomically at each append). */
export class FileRecentSearchStore implements RecentSearchStore {
  private readonly file: string;
  /**
   * What the file held when read, and this process's searches since: an append does not read it again. Several
   * processes sharing the state folder (stdio serves) each write their own view, the last one's kept: it is a
   * bounded sample of recent requests for the hijack check, not a record.
   */
  private kept: readonly RecentSearch[] = [];

  constructor(stateDir: string) {
    this.file = join(stateDir, 'recent-searches.json');
  }

  async load(): Promise<RecentSearch[]> {
    this.kept = (await readJsonFile(this.file, recentSearchFileSchema))?.searches ?? [];
    return [...this.kept];
  }

  async append(searches: readonly RecentSearch[], keep: number): Promise<void> {
    this.kept = [...this.kept, ...searches].slice(-keep);
    await writeJsonFileAtomic(this.file, { searches: this.kept });
  }
}
