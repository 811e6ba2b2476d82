import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathExists } from './path-exists.js';

/**
 * Builds a folder so that `target` is always either the previous folder whole or the new one whole, never a
 * half-written one that looks complete: `write` fills a fresh folder under `stagingRoot`, which must be on the
 * target's filesystem (renames there are atomic), and only a write that succeeded replaces `target`. Whatever
 * `write` left behind, and the previous folder, are removed.
 */
export async function replaceFolder<T>(target: string, stagingRoot: string, write: (folder: string) => Promise<T>): Promise<T> {
  await mkdir(stagingRoot, { recursive: true });
  const staging = await mkdtemp(join(stagingRoot, 'staging-'));
  try {
    const built = join(staging, 'new');
    const result = await write(built);
    await mkdir(dirname(target), { recursive: true });
    const previous = join(staging, 'previous');
    const hadPrevious = await pathExists(target);
    if (hadPrevious) await rename(target, previous);
    try {
      await rename(built, target);
    } catch (error) {
      if (hadPrevious) await rename(previous, target);
      throw error;
    }
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
