import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { OAuthConfig } from '../../config/auth.js';
import { grantedScopes, principalForClaims } from './claim-mapping.js';

/** Why a bearer token is not accepted, in the terms of RFC 6750 (`error`) and HTTP (`status`). */
export class BearerRefusal extends Error {
  override readonly name = 'BearerRefusal';
  constructor(
    /** 401: no usable token; 403: a valid token that may not do this; 503: the issuer's keys cannot be fetched. */
    readonly status: 401 | 403 | 503,
    message: string,
    readonly error?: 'invalid_token' | 'insufficient_scope',
  ) {
    super(message);
  }
}

export interface OAuthIdentity {
  /** The config principal the token's claims map to. */
  readonly principal: string;
  readonly subject: string | undefined;
  /** The client the token was issued to: its `client_id` claim (RFC 9068), else `azp` (OpenID Connect). */
  readonly clientId: string | undefined;
  readonly scopes: readonly string[];
}

const DISCOVERY_TIMEOUT_MS = 5_000;

/**
 * Checks OAuth access tokens (JWTs) for `auth.oauth`: signature against the issuer's JWKS (fetched once, refetched
 * when a token names a key it does not have), `iss`, `aud` (this resource), `exp`/`nbf`, the required scopes; then
 * maps the claims to a config principal. Never keeps or logs the token.
 */
export class OAuthVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(readonly config: OAuthConfig) {}

  async verify(token: string): Promise<OAuthIdentity> {
    const { config } = this;
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, await this.keySet(), {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw error instanceof BearerRefusal ? error : this.refusal(error);
    }
    const scopes = grantedScopes(claims);
    const missing = config.requiredScopes.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) throw new BearerRefusal(403, `token lacks the required scope ${missing.join(' ')}`, 'insufficient_scope');
    const principal = principalForClaims(claims, config);
    if (principal === undefined) {
      throw new BearerRefusal(403, `token of ${config.principalClaim} "${String(claims[config.principalClaim] ?? '')}" maps to no principal (auth.oauth.principals, auth.oauth.rules)`);
    }
    const client = claims.client_id ?? claims.azp;
    return { principal, subject: claims.sub, clientId: typeof client === 'string' ? client : undefined, scopes };
  }

  /** The issuer's key set: `jwksUri`, or the one its discovery document names. A failed discovery is retried on the next token. */
  private keySet(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      const keys = this.discoverJwksUri().then((uri) => createRemoteJWKSet(new URL(uri), { timeoutDuration: DISCOVERY_TIMEOUT_MS }));
      keys.catch(() => {
        if (this.keys === keys) this.keys = undefined;
      });
      this.keys = keys;
    }
    return this.keys;
  }

  private async discoverJwksUri(): Promise<string> {
    if (this.config.jwksUri) return this.config.jwksUri;
    const { issuer } = this.config;
    const failures: string[] = [];
    for (const url of discoveryUrls(issuer)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), headers: { accept: 'application/json' } });
        if (!response.ok) {
          failures.push(`${url}: HTTP ${response.status}`);
          continue;
        }
        const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
        // RFC 8414 section 3.3: metadata naming another issuer must not be used.
        if (metadata.issuer !== issuer) throw new Error(`${url} names issuer "${String(metadata.issuer)}", not "${issuer}"`);
        if (typeof metadata.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
        return metadata.jwks_uri;
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
      }
    }
    throw new BearerRefusal(503, `cannot find the signing keys of issuer ${issuer} (set auth.oauth.jwksUri): ${failures.join('; ')}`);
  }

  /** A jose failure as a reason the client and the admin can act on. */
  private refusal(error: unknown): BearerRefusal {
    const invalid = (reason: string) => new BearerRefusal(401, reason, 'invalid_token');
    const { config } = this;
    if (error instanceof errors.JWTExpired) return invalid('token expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      const payload = error.payload;
      switch (error.claim) {
        case 'iss':
          return invalid(`token issuer "${String(payload.iss)}" is not the configured issuer ${config.issuer}`);
        case 'aud':
          return invalid(`token audience ${JSON.stringify(payload.aud ?? null)} is not this resource (${config.audience})`);
        case 'nbf':
          return invalid('token is not valid yet (nbf)');
        case 'exp':
          return invalid('token has no expiry (exp)');
        default:
          return invalid(`token claim ${error.claim}: ${error.reason}`);
      }
    }
    if (error instanceof errors.JOSEAlgNotAllowed) return invalid(`token algorithm is not accepted (unsigned, or not in auth.oauth.algorithms: ${config.algorithms.join(', ')})`);
    if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("token signature does not verify against the issuer's keys");
    if (error instanceof errors.JWKSNoMatchingKey) return invalid("token is signed by a key the issuer's JWKS does not hold");
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
      return invalid(`malformed token: ${error.message}`);
    }
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof TypeError) {
      return new BearerRefusal(503, `cannot fetch the signing keys of issuer ${config.issuer}: ${(error as Error).message}`);
    }
    return invalid(`token refused: ${(error as Error).message}`);
  }
}

/** Where an issuer's metadata may be (RFC 8414 path insertion, then OpenID Connect Discovery). */
function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

/** A compact JWS (three base64url parts) rather than a toolscope token (`tsk_…`) or another opaque one. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]*\.[\w-]*$/.test(token);
}
