import type { OAuthConfig } from '../config/auth.js';
import type { Gateway } from '../gateway.js';
import type { HttpRoute } from './http.js';
import { sendJson } from './http-util.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * Where this resource's metadata is (RFC 9728 section 3.1): the well-known path with the resource's own path
 * appended, e.g. `https://tools.example.com/.well-known/oauth-protected-resource/mcp` for `…/mcp`.
 */
export function resourceMetadataUrl(oauth: OAuthConfig): string {
  const resource = new URL(oauth.audience);
  const path = resource.pathname === '/' ? '' : resource.pathname;
  return `${resource.origin}${WELL_KNOWN}${path}`;
}

/**
 * The protected-resource metadata (RFC 9728) MCP clients read after a 401 to learn which authorization server
 * issues tokens for this endpoint. Served at the path-suffixed URL and, for clients that only try the root, at the
 * bare well-known path. Public: it holds nothing secret, and browser-based clients fetch it across origins.
 */
export function protectedResourceRoutes(gateway: Gateway): HttpRoute[] {
  const oauth = gateway.loaded.config.auth.oauth;
  if (!oauth) return [];
  const metadata = {
    resource: oauth.audience,
    authorization_servers: oauth.authorizationServers ?? [oauth.issuer],
    bearer_methods_supported: ['header'],
    ...(oauth.requiredScopes.length > 0 && { scopes_supported: oauth.requiredScopes }),
    resource_name: 'toolscope',
  };
  const handle: HttpRoute['handle'] = async (_req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('cache-control', 'max-age=300');
    sendJson(res, 200, metadata);
  };
  const paths = new Set([new URL(resourceMetadataUrl(oauth)).pathname, WELL_KNOWN]);
  return [...paths].map((path) => ({ method: 'GET', path, handle }));
}
