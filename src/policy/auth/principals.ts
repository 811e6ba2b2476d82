import type { PrincipalConfig } from '../../config/policy.js';
import type { PrincipalDirectory, PrincipalRules } from '../scopes/principal-directory.js';
import { hashesEqual, hashToken } from './token.js';
import type { TokenStore } from '../../state/token-store.js';
import type { Credential, Principal } from './principal.js';

interface KnownHash {
  readonly hash: string;
  readonly principal: string;
  readonly mintedBy?: string;
  /** Which token it is, for the audit log: the token store's id, or where the config holds the hash. */
  readonly credential: Credential;
}

/**
 * Principals from the config and from the token store, and bearer-token resolution over both.
 * Config principals win a name clash: the admin's file is the authority.
 */
export class Principals implements PrincipalDirectory {
  private stateRules = new Map<string, PrincipalRules>();
  private stateRulesFrom: unknown;
  /** Built once: the scope policy caches compiled rules per rules object, so `get` must return the same one. */
  private readonly configRules: ReadonlyMap<string, PrincipalRules>;

  constructor(
    private readonly config: Readonly<Record<string, PrincipalConfig>>,
    private readonly store: TokenStore,
  ) {
    this.configRules = new Map(
      Object.entries(config).map(([name, p]) => [name, { allow: p.allow, deny: p.deny, admin: p.admin, approver: p.approver, relay: p.relay, source: `principals.${name}` }]),
    );
  }

  get hasPrincipals(): boolean {
    return Object.keys(this.config).length > 0 || Object.keys(this.store.current.principals).length > 0 || this.store.current.tokens.length > 0;
  }

  /** Every principal's name: the config's first, then those `token create --scopes` made. */
  names(): string[] {
    return [...new Set([...this.configRules.keys(), ...this.fromStore().keys()])];
  }

  get(name: string): PrincipalRules | undefined {
    return this.configRules.get(name) ?? this.fromStore().get(name);
  }

  /** Whether callers must authenticate: true once any principal exists (re-reads the token store first). */
  async enforced(): Promise<boolean> {
    await this.store.refresh();
    return this.hasPrincipals;
  }

  /**
   * The principal a bearer token belongs to, or undefined. Re-reads the token store when the CLI changed it (one
   * stat per call), so created and revoked tokens count at once. Checks every known hash, so timing does not tell
   * which one matched.
   */
  async authenticate(token: string): Promise<Principal | undefined> {
    await this.store.refresh();
    return this.match(hashToken(token));
  }

  private match(presented: string): Principal | undefined {
    let found: KnownHash | undefined;
    for (const known of this.knownHashes()) {
      if (hashesEqual(known.hash, presented) && found === undefined) found = known;
    }
    if (found === undefined || !this.get(found.principal)) return undefined;
    return { name: found.principal, ...(found.mintedBy && { mintedBy: found.mintedBy }), credential: found.credential };
  }

  /**
   * Why `authenticate` found nobody for a token: none matches it, or it belongs to a principal that no longer exists
   * (removed from the config while its token stayed in the token store). Asked only after a refusal.
   */
  refusalReason(token: string): string {
    const presented = hashToken(token);
    const orphaned = this.knownHashes().find((known) => hashesEqual(known.hash, presented))?.principal;
    if (orphaned === undefined) return 'unknown or revoked token';
    return `the token's principal "${orphaned}" no longer exists (removed from the config?); revoke it with \`toolscope token revoke\``;
  }

  private knownHashes(): KnownHash[] {
    const fromConfig = Object.entries(this.config).flatMap(([principal, p]) =>
      p.tokenHashes.map((hash, i): KnownHash => ({ hash, principal, credential: { kind: 'token', config: `principals.${principal}.tokenHashes[${i}]` } })),
    );
    const stored = this.store.current.tokens.map(
      (token): KnownHash => ({ hash: token.hash, principal: token.principal, ...(token.mintedBy && { mintedBy: token.mintedBy }), credential: { kind: 'token', id: token.id } }),
    );
    return [...fromConfig, ...stored];
  }

  private fromStore(): Map<string, PrincipalRules> {
    const current = this.store.current.principals;
    if (this.stateRulesFrom !== current) {
      this.stateRules = new Map(
        Object.entries(current).map(([name, rules]) => [
          name,
          { allow: rules.allow, deny: rules.deny, admin: false, approver: false, relay: [], source: `state tokens.json principals.${name}` },
        ]),
      );
      this.stateRulesFrom = current;
    }
    return this.stateRules;
  }
}
