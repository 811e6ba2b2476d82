import { z } from 'zod';
import { scopeRuleSchema } from '../config/policy.js';

export const storedTokenSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{8}$/),
  principal: z.string().min(1),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  createdAt: z.string(),
  /**
   * The principal whose console session minted it (that principal's own minter, if its token was minted so in turn);
   * absent for `toolscope token create`, an operator at the shell. Such a token answers for that principal's calls
   * too: it may not approve them.
   */
  mintedBy: z.string().min(1).optional(),
});

export const tokenFileSchema = z.object({
  /** Principals made by `token create NAME --scopes ...` (names not in the config). */
  principals: z.record(z.string(), z.object({ allow: z.array(scopeRuleSchema), deny: z.array(scopeRuleSchema).default([]) })).default({}),
  tokens: z.array(storedTokenSchema).default([]),
});

export type StoredToken = z.infer<typeof storedTokenSchema>;
export type TokenFile = z.infer<typeof tokenFileSchema>;

/** The rules of a principal that `token create --scopes` defined. */
export interface PrincipalScopes {
  readonly allow: string[];
  readonly deny: string[];
}

/**
 * Token hashes (never tokens) and the principals `token create --scopes` defined, where every process of a
 * deployment sees them: `<stateDir>/tokens.json` (`FileTokenStore`) or Redis (`RedisTokenStore`, shared by
 * replicas: a token created or revoked on one holds on all at their next request).
 */
export interface TokenStore {
  /** What was read last: synchronous, since it is consulted on every authenticated request. */
  readonly current: TokenFile;
  /**
   * Re-reads when another process changed the tokens since the last read; returns whether it did. A shared store
   * that cannot be reached throws `StateUnavailableError`: nobody is authenticated against tokens that may be revoked.
   */
  refresh(): Promise<boolean>;
  /** Adds a token for `principal` and returns it: the only time the token itself exists outside the caller. */
  create(principal: string, scopes?: PrincipalScopes, mintedBy?: string): Promise<{ token: string; id: string }>;
  /** Removes a token by id; false when there is none. */
  revoke(id: string): Promise<boolean>;
}
