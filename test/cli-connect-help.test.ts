import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_HEADER_VARIABLE, clientSnippets, connectHelp, examplePrincipal, type ClientAuth } from '../src/cli/connect-help.js';
import { Principals } from '../src/policy/auth/principals.js';
import { FileTokenStore } from '../src/state/file/file-token-store.js';
import { policyConfig } from './support/policy.js';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { ROOT, servers, tempDir, writeConfig } from './support/toolscope-cli.js';
import { startIdentityProvider, type IdentityProvider, type MachineClient } from './support/identity-provider.js';
import { freeLoopbackPort, serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import type { TempDir } from './support/temp-dir.js';

const MCP_REMOTE = createRequire(import.meta.url).resolve('mcp-remote/dist/proxy.js');
const agent: MachineClient = { clientId: 'desk-agent', clientSecret: 'desk-agent-secret-0123456789abcdef', scope: 'mcp' };

interface McpServerEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/**
 * Runs a client config entry as a desktop client would, with `npx -y mcp-remote` replaced by the installed bridge
 * (no network) and `env` on top of a minimal environment.
 */
async function connectEntry(entry: McpServerEntry, env: Record<string, string>, extraArgs: string[] = []): Promise<{ client: Client; stderr: () => string }> {
  const bridged = entry.command === 'npx' && entry.args[1] === 'mcp-remote';
  const transport = new StdioClientTransport({
    command: bridged ? process.execPath : entry.command,
    args: bridged ? [MCP_REMOTE, ...entry.args.slice(2), ...extraArgs] : entry.args,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...entry.env, ...env },
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'desktop-client', version: '1.0.0' });
  await client.connect(transport).catch((error: Error) => {
    throw new Error(`${error.message}\n${stderr}`);
  });
  return { client, stderr: () => stderr };
}

describe('the client snippets serve --http prints, run as real clients', () => {
  let dir: TempDir;
  let files: string;
  let configPath: string;
  let idp: IdentityProvider;
  let serve: HttpServeProcess;
  const token = newBearerToken();
  const clients: Client[] = [];
  const auth = (mode: 'token' | 'oauth'): ClientAuth => (mode === 'token' ? { mode, principal: 'desk' } : { mode, principal: 'desk', issuer: idp.issuer });

  async function readNotes(client: Client): Promise<string> {
    clients.push(client);
    const result = (await client.callTool({ name: 'filesystem__read_text_file', arguments: { path: join(files, 'notes.txt') } })) as CallToolResult;
    return (result.content[0] as { text: string }).text;
  }

  beforeAll(async () => {
    dir = await tempDir();
    files = join(dir.path, 'files');
    await mkdir(files);
    await writeFile(join(files, 'notes.txt'), 'desk notes\n');
    idp = await startIdentityProvider([agent]);
    const url = `http://127.0.0.1:${await freeLoopbackPort()}/mcp`;
    configPath = await writeConfig(dir.path, {
      servers: { filesystem: servers.filesystem(files) },
      exposure: { mode: 'all' },
      principals: { desk: { allow: ['read'], tokenHashes: [tokenHash(token)] } },
      auth: { oauth: { issuer: idp.issuer, audience: url, requiredScopes: ['mcp'], principals: { 'desk-agent': 'desk', alice: 'desk' } } },
    });
    serve = await serveHttpProcess(configPath, { listen: new URL(url).host });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await serve?.stop();
    await idp?.close();
    await dir?.remove();
  });

  it('prints the snippets of its mode: OAuth, with --as for stdio', async () => {
    const banner = serve.stdout();
    expect(banner).toContain(`clients authenticate with OAuth access tokens from ${idp.issuer}`);
    const snippets = clientSnippets(serve.url, configPath, auth('oauth'));
    expect(banner).toContain(connectHelp(serve.url, configPath, auth('oauth')).split('\nPress')[0]);
    expect(snippets.stdio).toMatchObject({ args: expect.arrayContaining(['--as', 'desk']) });
  });

  it('static token: the mcp-remote snippet sends the header from its env (no OAuth registration attempted)', async () => {
    const entry = clientSnippets(serve.url, configPath, auth('token')).mcpRemote as unknown as McpServerEntry;
    expect(entry.env).toEqual({ [AUTH_HEADER_VARIABLE]: 'Bearer <token of toolscope token create desk>' });
    const { client } = await connectEntry(entry, { [AUTH_HEADER_VARIABLE]: `Bearer ${token}`, MCP_REMOTE_CONFIG_DIR: join(dir.path, 'mcp-auth-token') });
    expect(await readNotes(client)).toBe('desk notes\n');
  });

  it('static token: the Cursor snippet (url and headers) connects over Streamable HTTP', async () => {
    const entry = clientSnippets(serve.url, configPath, auth('token')).direct as { url: string; headers: Record<string, string> };
    const client = new Client({ name: 'cursor-like', version: '1.0.0' });
    const headers = { Authorization: entry.headers.Authorization!.replace(/<[^>]+>/, token) };
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers } }));
    expect(await readNotes(client)).toBe('desk notes\n');
  });

  it('OAuth: mcp-remote finds the issuer through the resource metadata and signs in (client credentials)', async () => {
    const entry = clientSnippets(serve.url, configPath, auth('oauth')).mcpRemote as unknown as McpServerEntry;
    expect(entry.args).toEqual(['-y', 'mcp-remote', serve.url]);
    const clientInfo = JSON.stringify({ client_id: agent.clientId, client_secret: agent.clientSecret });
    const { client, stderr } = await connectEntry(entry, { MCP_REMOTE_CONFIG_DIR: join(dir.path, 'mcp-auth-oauth') }, ['--client-credentials', '--static-oauth-client-info', clientInfo]);
    expect(await readNotes(client)).toBe('desk notes\n');
    expect(stderr()).toMatch(/Signed in with the client_credentials grant/);
  });

  it('OAuth: the snippet as it is signs a user in through the browser (registration, authorization code with PKCE)', async () => {
    const entry = clientSnippets(serve.url, configPath, auth('oauth')).mcpRemote as unknown as McpServerEntry;
    const trail = join(dir.path, 'browser-trail.txt');
    const browser = { BROWSER: join(ROOT, 'test/fixtures/oauth-browser.mjs'), OAUTH_TEST_LOGIN: 'alice', OAUTH_TEST_TRAIL: trail, DISPLAY: '' };
    const { client, stderr } = await connectEntry(entry, { ...browser, MCP_REMOTE_CONFIG_DIR: join(dir.path, 'mcp-auth-browser') });
    expect(await readNotes(client), stderr()).toBe('desk notes\n');
    // The browser went through the provider's sign-in and consent pages and back to the bridge's redirect URI.
    const visited = await readFile(trail, 'utf8');
    expect(visited).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/interaction\/\S+/);
    expect(visited).toMatch(/GET http:\/\/(localhost|127\.0\.0\.1):\d+\/oauth\/callback\?code=/);
  });

  it('stdio: the snippet with --as works; without it the client is told why instead of "Connection closed"', async () => {
    const entry = clientSnippets(serve.url, configPath, auth('oauth')).stdio as unknown as McpServerEntry;
    const { client } = await connectEntry(entry, { TOOLSCOPE_LOG_LEVEL: 'warn' });
    expect(await readNotes(client)).toBe('desk notes\n');

    const withoutAs = { ...entry, args: entry.args.slice(0, entry.args.indexOf('--as')) };
    await expect(connectEntry(withoutAs, { TOOLSCOPE_LOG_LEVEL: 'warn' })).rejects.toThrow(
      'toolscope: principals are configured: choose who this stdio session acts as with --as NAME',
    );
  });
});

describe('connectHelp without principals', () => {
  it('offers plain snippets and a stdio entry without --as', () => {
    const help = connectHelp('http://127.0.0.1:7777/mcp', '/srv/toolscope.json', { mode: 'open' });
    expect(help).toContain('clients authenticate with nothing: no principals are configured (loopback only)');
    expect(help).toContain('"mcp-remote",\n          "http://127.0.0.1:7777/mcp"\n');
    expect(help).not.toContain('--as');
  });
});

describe('the principal the snippets name', () => {
  it('is one that is no admin, whatever order the config lists them in: an agent needs no admin rights', async () => {
    const dir = await tempDir();
    try {
      const store = new FileTokenStore(dir.path);
      await store.refresh();
      const named = (principals: Record<string, unknown>) => examplePrincipal(new Principals(policyConfig({ principals }).principals, store));
      expect(named({ root: { allow: ['*:*'], admin: true }, agent: { allow: ['read'] } })).toBe('agent');
      expect(named({ root: { allow: ['*:*'], admin: true } })).toBe('root');
    } finally {
      await dir.remove();
    }
  });
});
