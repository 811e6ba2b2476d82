import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import type { Principal } from '../policy/auth/principal.js';
import type { OAuthConfig } from '../config/auth.js';
import { BearerRefusal, looksLikeJwt } from '../policy/auth/oauth-verifier.js';
import { HttpError } from './http-util.js';
import { resourceMetadataUrl } from './protected-resource.js';

/**
 * Who is calling over HTTP. With principals configured, the `Authorization: Bearer <token>` header must name one
 * (else 401 with a JSON-RPC error body, and nothing else happens): a toolscope token, or with `auth.oauth` an OAuth
 * access token (a JWT) whose claims map to a principal. With none anywhere, toolscope runs open on loopback and
 * every caller is the gateway's local principal. The header is read here and goes nowhere else: downstream servers
 * get only the headers of their own config.
 */
export async function authenticateRequest(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<Principal> {
  const principals = gateway.policy.principals;
  if (!(await principals.enforced())) return gateway.principal;
  const oauth = gateway.policy.oauth;
  const token = bearerToken(req.headers.authorization);
  try {
    if (token === undefined) {
      throw new BearerRefusal(
        401,
        req.headers.authorization === undefined ? 'a bearer token is required' : 'the Authorization header must be "Bearer <token>"',
      );
    }
    if (oauth && looksLikeJwt(token)) {
      const identity = await oauth.verify(token);
      const credential = { kind: 'oauth', ...(identity.subject !== undefined && { subject: identity.subject }), ...(identity.clientId !== undefined && { clientId: identity.clientId }) } as const;
      return { name: identity.principal, credential };
    }
    const principal = await principals.authenticate(token);
    if (principal === undefined) throw new BearerRefusal(401, principals.refusalReason(token), 'invalid_token');
    return principal;
  } catch (error) {
    if (!(error instanceof BearerRefusal)) throw error;
    if (error.status !== 503) res.setHeader('www-authenticate', bearerChallenge(oauth?.config, error));
    throw new HttpError(error.status, -32001, `${error.status === 503 ? 'unavailable' : error.status === 403 ? 'forbidden' : 'unauthorized'}: ${error.message}`);
  }
}

/**
 * The `WWW-Authenticate` challenge (RFC 6750 section 3). With OAuth it names the protected-resource metadata
 * (RFC 9728 section 5.1), where MCP clients find the authorization server to get a token from.
 */
function bearerChallenge(oauth: OAuthConfig | undefined, refusal: BearerRefusal): string {
  const params = oauth
    ? [`resource_metadata="${resourceMetadataUrl(oauth)}"`, ...(oauth.requiredScopes.length > 0 ? [`scope="${oauth.requiredScopes.join(' ')}"`] : [])]
    : ['realm="toolscope"'];
  if (refusal.error) params.push(`error="${refusal.error}"`, `error_description="${refusal.message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'")}"`);
  return `Bearer ${params.join(', ')}`;
}

/** Like `authenticateRequest`, and the principal must be marked `admin` in the config. */
export async function authenticateAdmin(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<Principal> {
  if (!(await gateway.policy.principals.enforced())) {
    throw new HttpError(403, -32001, 'forbidden: admin endpoints need principals, one of them with "admin": true');
  }
  const principal = await authenticateRequest(gateway, req, res);
  if (!gateway.policy.principals.get(principal.name)?.admin) {
    throw new HttpError(403, -32001, `forbidden: principal ${principal.name} is not an admin`);
  }
  return principal;
}

/** Like `authenticateRequest`, and the principal must be marked `admin` or `approver` in the config. */
export async function authenticateApprover(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<Principal> {
  if (!(await gateway.policy.principals.enforced())) {
    throw new HttpError(403, -32001, 'forbidden: the approval endpoints need principals, one of them with "approver": true or "admin": true');
  }
  const principal = await authenticateRequest(gateway, req, res);
  const rules = gateway.policy.principals.get(principal.name);
  if (!rules?.admin && !rules?.approver) {
    throw new HttpError(403, -32001, `forbidden: principal ${principal.name} is neither an approver nor an admin`);
  }
  return principal;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
