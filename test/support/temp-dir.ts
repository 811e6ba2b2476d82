import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  readonly remove: () => Promise<void>;
}

/**
 * A fresh folder under the OS temp dir. Removal retries: a child process that is still shutting down
 * (a server flushing its state file) can add an entry while the folder is being deleted.
 */
export async function tempDir(prefix = 'toolscope-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}
