import type { ClaimRule, OAuthConfig } from '../../config/auth.js';

type Claims = Readonly<Record<string, unknown>>;

/**
 * The config principal a token's claims name: `principals[claims[principalClaim]]` first, then the first of `rules`
 * that matches. Undefined when nothing does: a valid token of someone the admin did not map gets nothing.
 */
export function principalForClaims(claims: Claims, mapping: Pick<OAuthConfig, 'principalClaim' | 'principals' | 'rules'>): string | undefined {
  const key = claimValue(claims, mapping.principalClaim);
  if ((typeof key === 'string' || typeof key === 'number') && Object.hasOwn(mapping.principals, String(key))) {
    return mapping.principals[String(key)];
  }
  return mapping.rules.find((rule) => ruleMatches(claims, rule))?.principal;
}

/** The scopes a token grants: its `scope` claim (space-separated, RFC 9068) or `scp` (an array, as some providers send). */
export function grantedScopes(claims: Claims): string[] {
  const scope = claims.scope ?? claims.scp;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  return Array.isArray(scope) ? scope.filter((s): s is string => typeof s === 'string') : [];
}

function ruleMatches(claims: Claims, rule: ClaimRule): boolean {
  if (rule.claim === 'scope' || rule.claim === 'scp') return grantedScopes(claims).includes(rule.value);
  const value = claimValue(claims, rule.claim);
  if (Array.isArray(value)) return value.some((item) => String(item) === rule.value);
  return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && String(value) === rule.value;
}

/**
 * A claim by name, or by a dotted path into nested claims (`realm_access.roles`) when no claim has the whole name
 * (names such as `https://example.com/groups` hold dots of their own).
 */
function claimValue(claims: Claims, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Claims)[part];
  }
  return value;
}
