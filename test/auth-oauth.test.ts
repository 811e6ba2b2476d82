import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { principalForClaims } from '../src/policy/auth/claim-mapping.js';
import { OAuthVerifier } from '../src/policy/auth/oauth-verifier.js';
import { servers, tempDir, writeConfig } from './support/toolscope-cli.js';
import type { TempDir } from './support/temp-dir.js';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { startIdentityProvider, type IdentityProvider, type MachineClient } from './support/identity-provider.js';
import { freeLoopbackPort, serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { refusalOf } from './support/policy.js';

const secret = (name: string) => `${name}-secret-0123456789abcdef0123456789`;
const opsClient: MachineClient = { clientId: 'ops-agent', clientSecret: secret('ops'), scope: 'mcp toolscope:ops' };
const readerClient: MachineClient = { clientId: 'reader-agent', clientSecret: secret('reader'), scope: 'mcp toolscope:read' };
/** Another client mapped to `reader` by the same rule: two callers sharing one principal. */
const secondReaderClient: MachineClient = { clientId: 'second-reader', clientSecret: secret('second'), scope: 'mcp toolscope:read' };
const strangerClient: MachineClient = { clientId: 'stranger', clientSecret: secret('stranger'), scope: 'mcp' };
const noMcpScopeClient: MachineClient = { clientId: 'no-mcp-scope', clientSecret: secret('nomcp'), scope: 'toolscope:read' };
const shortLivedClient: MachineClient = { clientId: 'short-lived', clientSecret: secret('short'), scope: 'mcp toolscope:read', accessTokenTtlSeconds: 1 };
const CLIENTS = [opsClient, readerClient, secondReaderClient, strangerClient, noMcpScopeClient, shortLivedClient];

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('toolscope serve --http as an OAuth resource server, against a real OpenID provider', () => {
  let dir: TempDir;
  let files: string;
  let idp: IdentityProvider;
  let otherIdp: IdentityProvider;
  let serve: HttpServeProcess;
  const staticToken = newBearerToken();
  const issuedTokens: string[] = [];
  const clients: Client[] = [];

  async function tokenFor(client: MachineClient, resource = serve.url, provider = idp): Promise<string> {
    const token = await provider.clientCredentialsToken(client, resource);
    issuedTokens.push(token);
    return token;
  }

  async function connectWithToken(token: string): Promise<Client> {
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  }

  /** An initialize with `token`; the refusal's status, JSON-RPC message and challenge. */
  async function refusalFor(token: string): Promise<{ status: number; message: string; challenge: string | null }> {
    const response = await fetch(serve.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify(INITIALIZE),
    });
    const body = (await response.json()) as { error: { message: string } };
    return { status: response.status, message: body.error.message, challenge: response.headers.get('www-authenticate') };
  }

  beforeAll(async () => {
    dir = await tempDir();
    files = join(dir.path, 'files');
    await mkdir(files);
    await writeFile(join(files, 'notes.txt'), 'shared notes\n');
    idp = await startIdentityProvider(CLIENTS);
    // Same signing key, another issuer: its tokens differ from the real one's only in `iss`.
    otherIdp = await startIdentityProvider(CLIENTS, idp.signingKey);
    const url = `http://127.0.0.1:${await freeLoopbackPort()}/mcp`;
    const config = await writeConfig(dir.path, {
      servers: { filesystem: servers.filesystem(files) },
      exposure: { mode: 'all' },
      approval: { required: [] },
      principals: {
        ops: { allow: ['filesystem:*'] },
        reader: { allow: ['read'] },
        script: { allow: ['read'], tokenHashes: [tokenHash(staticToken)] },
      },
      auth: {
        oauth: {
          issuer: idp.issuer,
          audience: url,
          requiredScopes: ['mcp'],
          clockToleranceSeconds: 0,
          principals: { 'ops-agent': 'ops' },
          rules: [{ claim: 'scope', value: 'toolscope:read', principal: 'reader' }],
        },
      },
    });
    serve = await serveHttpProcess(config, { listen: new URL(url).host, logLevel: 'debug' });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await serve?.stop();
    await idp?.close();
    await otherIdp?.close();
    await dir?.remove();
  });

  it('serves the protected-resource metadata and names it in the 401 challenge', async () => {
    const expected = { resource: serve.url, authorization_servers: [idp.issuer], bearer_methods_supported: ['header'], scopes_supported: ['mcp'] };
    const origin = new URL(serve.url).origin;
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject(expected);
    }
    const unauthenticated = await fetch(serve.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(INITIALIZE),
    });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp"`,
    );
  });

  it('lets an MCP client discover the issuer, get a token by client credentials and work as the mapped principal', async () => {
    // The SDK's own OAuth flow: 401 -> resource metadata -> issuer metadata -> token endpoint (with `resource`) -> retry.
    const authProvider = new ClientCredentialsProvider({ ...opsClient, expectedIssuer: idp.issuer });
    const client = new Client({ name: 'oauth-machine', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url), { authProvider }));
    clients.push(client);
    issuedTokens.push(authProvider.tokens()!.access_token);

    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('filesystem__write_file');
    const written = (await client.callTool({ name: 'filesystem__write_file', arguments: { path: join(files, 'by-ops.txt'), content: 'from ops' } })) as CallToolResult;
    expect(written.isError).toBeFalsy();
    expect(await readFile(join(files, 'by-ops.txt'), 'utf8')).toBe('from ops');
  });

  it('maps a token by its scope to a principal with fewer rights', async () => {
    const client = await connectWithToken(await tokenFor(readerClient));
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('filesystem__read_text_file');
    expect(names).not.toContain('filesystem__write_file');
    const read = (await client.callTool({ name: 'filesystem__read_text_file', arguments: { path: join(files, 'notes.txt') } })) as CallToolResult;
    expect(read.content).toEqual([{ type: 'text', text: 'shared notes\n' }]);
    const write = (await client.callTool({ name: 'filesystem__write_file', arguments: { path: join(files, 'by-reader.txt'), content: 'x' } })) as CallToolResult;
    expect(refusalOf(write)).toMatchObject({ stage: 'scope' });
    await expect(readFile(join(files, 'by-reader.txt'))).rejects.toThrow();
  });

  it('keeps static toolscope tokens working beside OAuth', async () => {
    const client = await connectWithToken(staticToken);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('filesystem__read_text_file');
    expect(names).not.toContain('filesystem__write_file');
  });

  it('tells apart in the audit log the OAuth subjects sharing a principal (sub and client id), and static tokens by where the config holds them', async () => {
    const read = async (client: Client) => {
      const result = (await client.callTool({ name: 'filesystem__read_text_file', arguments: { path: join(files, 'notes.txt') } })) as CallToolResult;
      expect(result.isError).toBeFalsy();
    };
    await read(await connectWithToken(await tokenFor(readerClient)));
    await read(await connectWithToken(await tokenFor(secondReaderClient)));
    await read(await connectWithToken(staticToken));
    const records = (await readFile(join(dir.path, '.toolscope', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { principal: string; tool: string; credential?: unknown })
      .filter((record) => record.tool === 'filesystem__read_text_file');
    const credentials = records.slice(-3).map((record) => [record.principal, record.credential]);
    expect(credentials).toEqual([
      ['reader', { kind: 'oauth', subject: 'reader-agent', clientId: 'reader-agent' }],
      ['reader', { kind: 'oauth', subject: 'second-reader', clientId: 'second-reader' }],
      ['script', { kind: 'token', config: 'principals.script.tokenHashes[0]' }],
    ]);
  });

  it('refuses a token issued for another resource', async () => {
    const refusal = await refusalFor(await tokenFor(opsClient, 'http://127.0.0.1:1/other-mcp'));
    expect(refusal.status).toBe(401);
    expect(refusal.message).toBe(`unauthorized: token audience "http://127.0.0.1:1/other-mcp" is not this resource (${serve.url})`);
    expect(refusal.challenge).toMatch(/^Bearer resource_metadata="[^"]+", scope="mcp", error="invalid_token", error_description="token audience/);
  });

  it('refuses an expired token', async () => {
    const token = await tokenFor(shortLivedClient);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await refusalFor(token)).toMatchObject({ status: 401, message: 'unauthorized: token expired' });
  });

  it('refuses a token of another issuer, even one signed with the same key', async () => {
    const refusal = await refusalFor(await tokenFor(opsClient, serve.url, otherIdp));
    expect(refusal).toMatchObject({ status: 401, message: `unauthorized: token issuer "${otherIdp.issuer}" is not the configured issuer ${idp.issuer}` });
  });

  it('refuses unsigned, re-signed and tampered tokens', async () => {
    const [header, payload] = (await tokenFor(opsClient)).split('.');
    const unsignedHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    expect(await refusalFor(`${unsignedHeader}.${payload}.`)).toMatchObject({ status: 401, message: expect.stringMatching(/^unauthorized: token algorithm is not accepted/) });

    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const escalated = Buffer.from(JSON.stringify({ ...claims, sub: 'ops-agent', scope: 'mcp toolscope:admin' })).toString('base64url');
    const readerSignature = (await tokenFor(readerClient)).split('.')[2];
    expect(await refusalFor(`${header}.${escalated}.${readerSignature}`)).toMatchObject({
      status: 401,
      message: "unauthorized: token signature does not verify against the issuer's keys",
    });

    // A symmetric token made with the issuer's public key as the secret (the old alg-confusion attack).
    const publicKey = { kty: idp.signingKey.kty, n: idp.signingKey.n, e: idp.signingKey.e };
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: idp.signingKey.kid }).sign(Buffer.from(JSON.stringify(publicKey)));
    expect(await refusalFor(confused)).toMatchObject({ status: 401, message: expect.stringMatching(/^unauthorized: token algorithm is not accepted/) });
  });

  it('refuses a valid token without the required scope or without a mapped principal (403)', async () => {
    const noScope = await refusalFor(await tokenFor(noMcpScopeClient));
    expect(noScope).toMatchObject({ status: 403, message: 'forbidden: token lacks the required scope mcp' });
    expect(noScope.challenge).toMatch(/error="insufficient_scope"/);
    const stranger = await refusalFor(await tokenFor(strangerClient));
    expect(stranger).toMatchObject({ status: 403, message: expect.stringMatching(/^forbidden: token of sub "stranger" maps to no principal/) });
  });

  it('never logs a token', () => {
    expect(issuedTokens.length).toBeGreaterThan(5);
    const logs = serve.stderr();
    expect(logs.length).toBeGreaterThan(0);
    for (const token of [...issuedTokens, staticToken]) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2] ?? token);
    }
  });
});

describe('auth.oauth in toolscope.json', () => {
  const valid = {
    principals: { ops: { allow: ['read'] } },
    auth: { oauth: { issuer: 'https://idp.example.com', audience: 'https://tools.example.com/mcp', principals: { 'agent-1': 'ops' } } },
  };
  const problems = (config: unknown) => {
    try {
      parseConfig(config, 'toolscope.json');
      return [];
    } catch (error) {
      return (error as { problems: string[] }).problems;
    }
  };

  it('accepts a complete section with its defaults', () => {
    expect(parseConfig(valid, 'toolscope.json').auth.oauth).toMatchObject({ principalClaim: 'sub', requiredScopes: [], clockToleranceSeconds: 30, rules: [] });
  });

  it('names each problem: unknown keys, insecure URLs, no mapping, unknown principals', () => {
    const oauth = valid.auth.oauth;
    expect(problems({ ...valid, auth: { oauth: { ...oauth, audiance: 'x' } } })).toEqual(['auth.oauth: unknown key "audiance" (did you mean "audience"?)']);
    expect(problems({ ...valid, auth: { oauth: { ...oauth, issuer: 'http://idp.example.com' } } })).toEqual([
      'auth.oauth.issuer: must be an https:// URL (http:// only on a loopback host)',
    ]);
    expect(problems({ ...valid, auth: { oauth: { issuer: oauth.issuer, audience: oauth.audience } } })).toEqual([
      'auth.oauth: maps no token to a principal: give "principals" (claim value -> principal) or "rules"',
    ]);
    expect(problems({ ...valid, auth: { oauth: { ...oauth, rules: [{ claim: 'groups', value: 'admins', principal: 'root' }] } } })).toEqual([
      'auth.oauth.rules.0.principal: names no principal in "principals" (add principals.root)',
    ]);
    expect(problems({ ...valid, auth: { oauth: { ...oauth, algorithms: ['HS256'] } } })).toEqual([expect.stringMatching(/^auth\.oauth\.algorithms\.0: /)]);
  });
});

describe('mapping claims to principals', () => {
  const mapping = {
    principalClaim: 'client_id',
    principals: { 'ci-bot': 'ci' },
    rules: [
      { claim: 'realm_access.roles', value: 'operator', principal: 'ops' },
      { claim: 'https://example.com/groups', value: 'readers', principal: 'reader' },
      { claim: 'scp', value: 'tools.read', principal: 'reader' },
      { claim: 'email_verified', value: 'true', principal: 'verified' },
    ],
  };

  it('looks up the principal claim first, then the rules in order', () => {
    expect(principalForClaims({ client_id: 'ci-bot', realm_access: { roles: ['operator'] } }, mapping)).toBe('ci');
    expect(principalForClaims({ client_id: 'other', realm_access: { roles: ['viewer', 'operator'] } }, mapping)).toBe('ops');
    expect(principalForClaims({ 'https://example.com/groups': ['readers'] }, mapping)).toBe('reader');
    expect(principalForClaims({ scp: ['tools.write', 'tools.read'] }, mapping)).toBe('reader');
    expect(principalForClaims({ email_verified: true }, mapping)).toBe('verified');
    expect(principalForClaims({ client_id: 'toString', realm_access: { roles: 'operator-2' } }, mapping)).toBeUndefined();
  });
});

describe('an issuer out of reach', () => {
  it('refuses with 503 naming the discovery URLs tried, and tries again on the next token', async () => {
    const port = await freeLoopbackPort();
    const config = parseConfig(
      { principals: { ops: {} }, auth: { oauth: { issuer: `http://127.0.0.1:${port}`, audience: 'http://127.0.0.1:1/mcp', principals: { a: 'ops' } } } },
      'toolscope.json',
    ).auth.oauth!;
    const verifier = new OAuthVerifier(config);
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(verifier.verify(token)).rejects.toMatchObject({
        status: 503,
        message: expect.stringContaining(`cannot find the signing keys of issuer http://127.0.0.1:${port} (set auth.oauth.jwksUri): http://127.0.0.1:${port}/.well-known/oauth-authorization-server:`),
      });
    }
  });
});
