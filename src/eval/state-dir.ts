import { mkdir, stat } from 'node:fs/promises';
import { EvalSetupError } from './input-error.js';

/**
 * Makes the `--state-dir` folder before any work. A path that is a file, or under one, is said as such: the index
 * would otherwise fail later with mkdir's bare ENOTDIR on a folder inside it.
 */
export async function prepareStateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
    const isFile = (await stat(dir).catch(() => undefined)) !== undefined;
    throw new EvalSetupError(`--state-dir ${dir} ${isFile ? 'is not a folder' : 'is under a file, not a folder'}`);
  }
}
