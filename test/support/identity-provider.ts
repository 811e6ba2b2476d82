import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

/** A client of the test identity provider allowed the client-credentials grant. */
export interface MachineClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The scopes it may ask for, space-separated. */
  readonly scope: string;
  /** Lifetime of its access tokens; default 300 s. */
  readonly accessTokenTtlSeconds?: number;
}

/** A real OAuth 2.1 / OpenID Connect server (npm `oidc-provider`) on a loopback port, issuing JWT access tokens. */
export interface IdentityProvider {
  readonly issuer: string;
  /** Its signing key with the private part, for tests that must forge what it would never sign. */
  readonly signingKey: JWK;
  /** A real access token from its token endpoint (client-credentials grant, RFC 8707 `resource`). */
  clientCredentialsToken(client: MachineClient, resource: string, scope?: string): Promise<string>;
  close(): Promise<void>;
}

export const IDENTITY_SCOPES = ['mcp', 'toolscope:read', 'toolscope:ops', 'toolscope:admin'];

/** Starts the provider; `signingKey` lets two providers share keys (a token of the other one then differs only in `iss`). */
export async function startIdentityProvider(clients: readonly MachineClient[], signingKey?: JWK): Promise<IdentityProvider> {
  const key = signingKey ?? { ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), kid: `test-${Date.now()}`, alg: 'RS256', use: 'sig' };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ttl = new Map(clients.map((client) => [client.clientId, client.accessTokenTtlSeconds ?? 300]));
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: client.scope,
    })),
    jwks: { keys: [key] },
    // offline_access turns on the refresh_token grant, which MCP clients register for.
    scopes: [...IDENTITY_SCOPES, 'offline_access'],
    ttl: { ClientCredentials: (_ctx, _token, client) => ttl.get(client.clientId) ?? 300 },
    features: {
      // Sign-in and consent pages that accept any login (a user signing in through a client: test/fixtures/oauth-browser.mjs).
      devInteractions: { enabled: true },
      // Dynamic client registration, as MCP clients such as mcp-remote do before the authorization-code flow.
      registration: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? undefined,
        getResourceServerInfo: (_ctx, resource, client) => ({
          audience: resource,
          scope: IDENTITY_SCOPES.join(' '),
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl.get(client.clientId) ?? 300,
        }),
        useGrantedResource: () => true,
      },
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    signingKey: key,
    async clientCredentialsToken(client, resource, scope = client.scope) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token endpoint: ${response.status} ${body.error}: ${body.error_description}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
