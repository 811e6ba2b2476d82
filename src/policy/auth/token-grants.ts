import type { PrincipalConfig } from '../../config/policy.js';
import { scopeRuleSchema } from '../../config/policy.js';
import type { ToolscopeConfig } from '../../config/schema.js';
import { toolRulesNamingNoServer } from '../../config/server-references.js';
import type { PrincipalScopes, TokenStore } from '../../state/token-store.js';

/** A request for a new token: a config principal, or a new principal with its own rules. */
export interface TokenGrant {
  readonly principal: string;
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  /** The principal minting it in the web console (see `StoredToken.mintedBy`); absent on the CLI. */
  readonly mintedBy?: string;
}

/** How the caller names the allow and deny rules in its messages: `--scopes`/`--deny` on the CLI. */
export interface GrantFieldNames {
  readonly allow: string;
  readonly deny: string;
}

export interface TokenListing {
  readonly id: string;
  readonly principal: string;
  readonly createdAt: string;
  /** The principal's rules (`!` before deny rules), or where they come from. */
  readonly scopes: string;
}

/** A grant that cannot be issued as asked; the message says what to change. */
export class TokenGrantError extends Error {
  override readonly name = 'TokenGrantError';
}

const PRINCIPAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * Checks `grant` and stores a new token for it; returns the token (the only time it exists outside the caller).
 * The one path for `toolscope token create` and the console: a config principal keeps the config's rules, any other
 * name needs rules of its own. A principal made by an earlier grant keeps its rules: a new token for it needs none,
 * and other rules are refused while it holds tokens, since they would change what every one of them may do.
 */
export async function issueToken(
  store: TokenStore,
  grant: TokenGrant,
  config: { readonly path: string; readonly principals: Readonly<Record<string, PrincipalConfig>>; readonly servers: ToolscopeConfig['servers'] },
  fields: GrantFieldNames,
): Promise<IssuedToken> {
  const created = await createToken(store, grant, config, fields);
  // As the config's own rules are checked: a server name mistyped makes a rule reach nothing (or deny nothing).
  const warnings = [
    ...toolRulesNamingNoServer(config.servers, fields.allow, grant.allow ?? []),
    ...toolRulesNamingNoServer(config.servers, fields.deny, grant.deny ?? []),
  ];
  return { ...created, warnings };
}

/** A new token, and what its grant's rules may not do as meant (rules naming no configured server). */
export interface IssuedToken {
  readonly token: string;
  readonly id: string;
  readonly warnings: readonly string[];
}

async function createToken(
  store: TokenStore,
  grant: TokenGrant,
  config: { readonly path: string; readonly principals: Readonly<Record<string, PrincipalConfig>> },
  fields: GrantFieldNames,
): Promise<{ token: string; id: string }> {
  const { principal, allow, deny, mintedBy } = grant;
  const inConfig = principal in config.principals;
  if (inConfig && (allow || deny)) {
    throw new TokenGrantError(`${principal}'s scopes are set in ${config.path} (principals.${principal}); leave out ${fields.allow}/${fields.deny}`);
  }
  await store.refresh();
  const stored = inConfig ? undefined : store.current.principals[principal];
  if (!inConfig && !stored && !allow) {
    throw new TokenGrantError(`"${principal}" is not a principal in ${config.path}; give its scopes with ${fields.allow} (e.g. ${fields.allow} read)`);
  }
  if (!PRINCIPAL_NAME.test(principal)) throw new TokenGrantError('principal names use letters, digits, "_" and "-"');
  if (!allow && !deny) return store.create(principal, undefined, mintedBy);
  const scopes = { allow: checkRules(allow ?? stored?.allow ?? [], fields.allow), deny: checkRules(deny ?? [], fields.deny) };
  const holding = store.current.tokens.filter((token) => token.principal === principal).length;
  if (stored && holding > 0 && !sameRules(stored, scopes)) {
    throw new TokenGrantError(
      `"${principal}" holds ${holding} token(s) with the scopes ${describeRules(stored)}; ${fields.allow}/${fields.deny} would change ` +
        `what every one of them may do: leave them out to add a token with the same scopes, or revoke its tokens first`,
    );
  }
  return store.create(principal, scopes, mintedBy);
}

/** Every stored token with its principal's rules; the tokens themselves are not stored. */
export async function listTokens(store: TokenStore, configPrincipals: Readonly<Record<string, PrincipalConfig>>): Promise<TokenListing[]> {
  await store.refresh();
  const { tokens, principals } = store.current;
  // Config principals win a name clash (`Principals`), so the listing says which rules apply.
  const scopesOf = (name: string) => {
    const own = principals[name];
    if (name in configPrincipals) return own ? `(config principals.${name}; the token store's "${describeRules(own)}" is not used)` : `(config principals.${name})`;
    return own ? describeRules(own) : '(principal no longer exists)';
  };
  return tokens.map((t) => ({ id: t.id, principal: t.principal, createdAt: t.createdAt, scopes: scopesOf(t.principal) }));
}

/** Rules as the CLI takes them: allow rules, then deny rules with `!`. */
function describeRules(rules: PrincipalScopes): string {
  return [...rules.allow, ...rules.deny.map((rule) => `!${rule}`)].join(' ');
}

function sameRules(a: PrincipalScopes, b: PrincipalScopes): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((rule) => y.includes(rule));
  return same(a.allow, b.allow) && same(a.deny, b.deny);
}

function checkRules(rules: readonly string[], field: string): string[] {
  for (const rule of rules) {
    if (!scopeRuleSchema.safeParse(rule).success) {
      throw new TokenGrantError(`${field} ${rule}: must be a capability class (read, write, destructive, open-world) or a server:tool glob`);
    }
  }
  return [...rules];
}
