import { fileURLToPath } from 'node:url';
import type { Gateway } from '../gateway.js';
import type { PrincipalDirectory } from '../policy/scopes/principal-directory.js';

const TOOLSCOPE_BIN = fileURLToPath(new URL('../../bin/toolscope.js', import.meta.url));

/** How HTTP clients authenticate to a running `serve --http`. */
export type ClientAuth =
  | { readonly mode: 'open' }
  /** Static bearer tokens (`toolscope token create`); `principal` is one to name in the examples. */
  | { readonly mode: 'token'; readonly principal: string }
  /** OAuth access tokens from `issuer` (static tokens work beside them). */
  | { readonly mode: 'oauth'; readonly principal: string; readonly issuer: string };

/** The environment variable the mcp-remote snippet reads the bearer header from (keeps the token out of `args`). */
export const AUTH_HEADER_VARIABLE = 'TOOLSCOPE_AUTH';

type McpServerEntry = Record<string, unknown>;

export interface ClientSnippets {
  /** Claude Desktop (or any stdio-only client) through the `mcp-remote` bridge to this server. */
  readonly mcpRemote: McpServerEntry;
  /** Cursor (`~/.cursor/mcp.json`) and other clients that speak Streamable HTTP themselves. */
  readonly direct: McpServerEntry;
  /** A client that starts its own toolscope over stdio. */
  readonly stdio: McpServerEntry;
}

/**
 * The `mcpServers.toolscope` entries that work for `auth`. With static tokens the bridge sends the header itself
 * (without it, mcp-remote answers a 401 by trying OAuth dynamic client registration, which toolscope does not offer);
 * with OAuth it finds the authorization server through the protected-resource metadata. A stdio session has no
 * token: once principals exist it must name one with `--as`, or toolscope refuses to start.
 */
export function clientSnippets(url: string, configFile: string, auth: ClientAuth): ClientSnippets {
  const stdioArgs = [TOOLSCOPE_BIN, 'serve', '--config', configFile, ...(auth.mode === 'open' ? [] : ['--as', auth.principal])];
  const stdio = { command: 'node', args: stdioArgs };
  if (auth.mode === 'token') {
    const bearer = `Bearer <token of toolscope token create ${auth.principal}>`;
    return {
      // "Name:${VAR}" without a space: some clients split arguments at spaces (mcp-remote expands the variable itself).
      mcpRemote: { command: 'npx', args: ['-y', 'mcp-remote', url, '--header', `Authorization:\${${AUTH_HEADER_VARIABLE}}`], env: { [AUTH_HEADER_VARIABLE]: bearer } },
      direct: { url, headers: { Authorization: bearer } },
      stdio,
    };
  }
  return { mcpRemote: { command: 'npx', args: ['-y', 'mcp-remote', url] }, direct: { url }, stdio };
}

/** What `serve --http` prints: where it listens, where its web console is, and client configs that work with its auth. */
export function connectHelp(url: string, configFile: string, auth: ClientAuth): string {
  const snippets = clientSnippets(url, configFile, auth);
  const entry = (server: McpServerEntry) => indent(JSON.stringify({ mcpServers: { toolscope: server } }, null, 2));
  return [
    `toolscope: serving MCP (Streamable HTTP) at ${url}`,
    `web console: ${url.replace(/\/mcp$/, '/console/')}`,
    `clients authenticate with ${authentication(auth, configFile)}`,
    '',
    'MCP Inspector:',
    `  npx @modelcontextprotocol/inspector   then choose "Streamable HTTP" and enter ${url}`,
    '',
    'Claude Desktop (claude_desktop_config.json), through the mcp-remote bridge to this server:',
    entry(snippets.mcpRemote),
    '',
    'Cursor (~/.cursor/mcp.json) and other clients that speak Streamable HTTP:',
    entry(snippets.direct),
    '',
    `or let the client start its own toolscope over stdio${auth.mode === 'open' ? '' : ` (acting as principal ${auth.principal})`}:`,
    entry(snippets.stdio),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

function authentication(auth: ClientAuth, configFile: string): string {
  switch (auth.mode) {
    case 'open':
      return 'nothing: no principals are configured (loopback only)';
    case 'token':
      return `bearer tokens: create one with  toolscope --config ${configFile} token create ${auth.principal}`;
    case 'oauth':
      return `OAuth access tokens from ${auth.issuer} (clients find it at /.well-known/oauth-protected-resource), or toolscope tokens`;
  }
}

/** The mode `serve` is in, naming its first principal in the examples. */
export async function clientAuthOf(gateway: Gateway): Promise<ClientAuth> {
  const { principals } = gateway.policy;
  if (!(await principals.enforced())) return { mode: 'open' };
  const principal = examplePrincipal(principals);
  const oauth = gateway.loaded.config.auth.oauth;
  return oauth ? { mode: 'oauth', principal, issuer: oauth.issuer } : { mode: 'token', principal };
}

/** Whom the snippets name: a principal that is no admin where there is one, an agent having no need of admin rights. */
export function examplePrincipal(principals: Pick<PrincipalDirectory, 'get'> & { names(): string[] }): string {
  const names = principals.names();
  return names.find((name) => principals.get(name)?.admin === false) ?? names[0] ?? 'NAME';
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
