import { createHash, randomBytes } from 'node:crypto';

/** A bearer token in toolscope's format, made by the test (the config holds only its hash). */
export function newBearerToken(): string {
  return `tsk_${randomBytes(32).toString('base64url')}`;
}

/** How a config's `tokenHashes` names a token. */
export function tokenHash(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}
