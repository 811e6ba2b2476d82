import { randomBytes } from 'node:crypto';
import { generateToken, hashToken } from '../../policy/auth/token.js';
import { storedTokenSchema, tokenFileSchema, type PrincipalScopes, type TokenFile, type TokenStore } from '../token-store.js';
import type { RedisConnection } from './redis-connection.js';

const CHANGED_CHANNEL = 'tokens:changed';

/**
 * Tokens shared by replicas: hash `tokens` (id -> stored token) and hash `tokens:principals` (name -> rules). Read
 * once and kept; a change on any replica (or the CLI) is published and every replica re-reads before its next
 * request, as it does after a lost connection. While Redis is down, `refresh` throws: requests are refused.
 */
export class RedisTokenStore implements TokenStore {
  private data: TokenFile = { principals: {}, tokens: [] };
  private stale = true;
  private following: Promise<unknown> | undefined;

  constructor(private readonly redis: RedisConnection) {
    redis.onReconnect(() => (this.stale = true));
  }

  get current(): TokenFile {
    return this.data;
  }

  async refresh(): Promise<boolean> {
    this.redis.ensureAvailable();
    await (this.following ??= this.redis.subscribe(CHANGED_CHANNEL, () => (this.stale = true)));
    if (!this.stale) return false;
    // Cleared before reading: a change published while this read runs marks it stale again.
    this.stale = false;
    try {
      const [tokens, principals] = await this.redis.run((commands) =>
        Promise.all([commands.hvals(this.redis.key('tokens')), commands.hgetall(this.redis.key('tokens:principals'))]),
      );
      this.data = tokenFileSchema.parse({
        principals: Object.fromEntries(Object.entries(principals).map(([name, rules]) => [name, JSON.parse(rules)])),
        tokens: tokens.map((token) => storedTokenSchema.parse(JSON.parse(token))).sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      });
    } catch (error) {
      this.stale = true;
      throw error;
    }
    return true;
  }

  async create(principal: string, scopes?: PrincipalScopes, mintedBy?: string): Promise<{ token: string; id: string }> {
    const token = generateToken();
    const id = randomBytes(4).toString('hex');
    const stored = { id, principal, hash: hashToken(token), createdAt: new Date().toISOString(), ...(mintedBy && { mintedBy }) };
    await this.redis.run((commands) => {
      const transaction = commands.multi().hset(this.redis.key('tokens'), id, JSON.stringify(stored));
      if (scopes) transaction.hset(this.redis.key('tokens:principals'), principal, JSON.stringify(scopes));
      return transaction.exec();
    });
    await this.changed();
    return { token, id };
  }

  async revoke(id: string): Promise<boolean> {
    const removed = await this.redis.run((commands) => commands.hdel(this.redis.key('tokens'), id));
    if (removed === 0) return false;
    await this.changed();
    return true;
  }

  private async changed(): Promise<void> {
    this.stale = true;
    await this.redis.publish(CHANGED_CHANNEL, '');
  }
}
