import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The key file beside the audit log. */
export const AUDIT_KEY_FILE = 'audit.key';

/**
 * The secret the audit log's argument digests are keyed with (`argumentsHmac`), from `folder`/audit.key, made (mode
 * 0600) on first use. Keyed, a digest still proves what was asked to whoever holds the key and the arguments, but a
 * reader of the log cannot test guesses of a short masked secret (`"password": "hunter2"`) against a bare hash.
 */
export async function auditKey(folder: string): Promise<Buffer> {
  const path = join(folder, AUDIT_KEY_FILE);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Made already (by an earlier start, or another process of this state folder just now).
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const hex = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} is not an audit key (64 hex digits); move it away and toolscope makes a new one`);
  return Buffer.from(hex, 'hex');
}
