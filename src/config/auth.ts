import { z } from 'zod';
import { configObject } from './strict-object.js';
import { isLoopbackHost } from '../server/loopback.js';
import { SERVER_NAME } from './servers.js';

/** Signing algorithms accepted by default: asymmetric only, so nobody holding a shared secret can mint tokens. */
export const OAUTH_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** An https URL, or http on a loopback host (a local identity provider, tests): OAuth 2.1 wants TLS elsewhere. */
const secureUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    } catch {
      return false;
    }
  },
  { message: 'must be an https:// URL (http:// only on a loopback host)' },
);

const principalName = z.string().regex(SERVER_NAME, 'principal names use letters, digits, "_" and "-"');

/** One mapping rule: a token whose `claim` equals `value` (or holds it: an array, or the space-separated `scope`) acts as `principal`. */
const claimRuleSchema = configObject({
  claim: z.string().min(1),
  value: z.string().min(1),
  principal: principalName,
});

/**
 * `auth.oauth`: toolscope as an OAuth 2.1 resource server (MCP authorization). Access tokens are JWTs from
 * `issuer`, checked against its JWKS, issued for `audience` (this endpoint); their claims name a config principal.
 */
export const oauthSchema = configObject({
    /** The authorization server's issuer identifier, exactly as its tokens' `iss` claim has it. */
    issuer: secureUrl,
    /** This MCP endpoint's public URL (e.g. `https://tools.example.com/mcp`): the resource tokens must be issued for (`aud`). */
    audience: secureUrl,
    /** Where the issuer's signing keys are; default: `jwks_uri` of its discovery document. */
    jwksUri: secureUrl.optional(),
    /** The authorization servers the protected-resource metadata names; default: `[issuer]`. */
    authorizationServers: z.array(secureUrl).min(1).optional(),
    /** Scopes every token must carry (in its `scope` claim); also advertised in the metadata. */
    requiredScopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be one OAuth scope (no spaces or quotes)')).default([]),
    algorithms: z.array(z.enum(OAUTH_ALGORITHMS)).min(1).default([...OAUTH_ALGORITHMS]),
    /** Leeway for `exp` and `nbf`, for clocks that disagree a little. */
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    /** The claim `principals` looks up. */
    principalClaim: z.string().min(1).default('sub'),
    /** Claim value (of `principalClaim`) -> config principal. Looked up before `rules`. */
    principals: z.record(z.string().min(1), principalName).default({}),
    /** Tried in order when `principals` has no entry; the first that matches decides. */
    rules: z.array(claimRuleSchema).default([]),
  })
  .refine((oauth) => Object.keys(oauth.principals).length > 0 || oauth.rules.length > 0, {
    message: 'maps no token to a principal: give "principals" (claim value -> principal) or "rules"',
  });

export const authSchema = configObject({
  oauth: oauthSchema.optional(),
});

/** The principals `auth` maps tokens to, each with where it is named (for "no such principal" errors). */
export function mappedPrincipals(auth: AuthConfig): { path: (string | number)[]; principal: string }[] {
  const oauth = auth.oauth;
  if (!oauth) return [];
  return [
    ...Object.entries(oauth.principals).map(([value, principal]) => ({ path: ['auth', 'oauth', 'principals', value], principal })),
    ...oauth.rules.map((rule, index) => ({ path: ['auth', 'oauth', 'rules', index, 'principal'], principal: rule.principal })),
  ];
}

export type AuthConfig = z.infer<typeof authSchema>;
export type OAuthConfig = z.infer<typeof oauthSchema>;
export type ClaimRule = z.infer<typeof claimRuleSchema>;
