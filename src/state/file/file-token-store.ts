import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken, hashToken } from '../../policy/auth/token.js';
import { tokenFileSchema, type PrincipalScopes, type TokenFile, type TokenStore } from '../token-store.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

export const TOKEN_FILE = 'tokens.json';

/** `<stateDir>/tokens.json`: token hashes (never tokens) and the principals `token create --scopes` defined. */
export class FileTokenStore implements TokenStore {
  readonly path: string;
  private data: TokenFile = { principals: {}, tokens: [] };
  /** Identity of the file last read: every save is a rename, so a new inode means new content. */
  private loadedVersion = '';

  constructor(stateDir: string) {
    this.path = join(stateDir, TOKEN_FILE);
  }

  get current(): TokenFile {
    return this.data;
  }

  /** Re-reads the file when another process (the CLI) changed it since the last load. Returns whether it did. */
  async refresh(): Promise<boolean> {
    const version = this.version();
    if (version === this.loadedVersion) return false;
    this.data = (await readJsonFile(this.path, tokenFileSchema)) ?? { principals: {}, tokens: [] };
    this.loadedVersion = version;
    return true;
  }

  /** Adds a token for `principal` and returns it: the only time the token itself exists outside the caller. */
  async create(principal: string, scopes?: PrincipalScopes, mintedBy?: string): Promise<{ token: string; id: string }> {
    await this.refresh();
    const token = generateToken();
    const id = randomBytes(4).toString('hex');
    const principals = scopes ? { ...this.data.principals, [principal]: scopes } : this.data.principals;
    const tokens = [...this.data.tokens, { id, principal, hash: hashToken(token), createdAt: new Date().toISOString(), ...(mintedBy && { mintedBy }) }];
    await this.save({ principals, tokens });
    return { token, id };
  }

  /** Removes a token by id; false when there is none. */
  async revoke(id: string): Promise<boolean> {
    await this.refresh();
    const tokens = this.data.tokens.filter((t) => t.id !== id);
    if (tokens.length === this.data.tokens.length) return false;
    await this.save({ ...this.data, tokens });
    return true;
  }

  private async save(data: TokenFile): Promise<void> {
    await writeJsonFileAtomic(this.path, data);
    this.data = data;
    this.loadedVersion = this.version();
  }

  /**
   * Synchronous on purpose: it runs on every authenticated request, and the async stat's thread-pool round trip (plus
   * an error object when the file is absent) cost several times the stat itself (~0.15 ms of CPU per request).
   */
  private version(): string {
    const found = statSync(this.path, { throwIfNoEntry: false });
    return found ? `${found.ino}:${found.mtimeMs}:${found.size}` : 'absent';
  }
}
