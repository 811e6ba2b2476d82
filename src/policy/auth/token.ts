import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of toolscope bearer tokens: recognisable to people and to secret scanners. */
const TOKEN_PREFIX = 'tsk_';

/** A new bearer token: 256 random bits. Shown once; only its hash is kept. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** How tokens are stored: `sha256:<hex>`. */
export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** Compares two stored hashes in constant time (both are fixed-length hex after the prefix). */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
