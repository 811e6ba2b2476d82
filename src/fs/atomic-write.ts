import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A random part of a file name, so that writers working in one folder at once never pick the same name. */
export function uniqueNamePart(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Replaces `path` with `content` so readers see the old file or the new one, never a torn write:
 * a temp file in the same folder (same filesystem, so the rename is atomic), flushed to disk, then renamed.
 * An existing file keeps its permissions; a new one is private to its owner.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${uniqueNamePart()}.tmp`);
  const mode = await stat(path).then(
    (existing) => existing.mode & 0o777,
    () => 0o600,
  );
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
