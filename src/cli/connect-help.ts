import { fileURLToPath } from 'node:url';

const TOOLSCOPE_BIN = fileURLToPath(new URL('../../bin/toolscope.js', import.meta.url));

/** What `serve --http` prints: where it listens, where its web console is, and how to point Claude Desktop and the MCP Inspector at it. */
export function connectHelp(url: string, configFile: string): string {
  const viaBridge = { mcpServers: { toolscope: { command: 'npx', args: ['-y', 'mcp-remote', url] } } };
  const viaStdio = {
    mcpServers: { toolscope: { command: 'node', args: [TOOLSCOPE_BIN, 'serve', '--config', configFile] } },
  };
  return [
    `toolscope: serving MCP (Streamable HTTP) at ${url}`,
    `web console: ${url.replace(/\/mcp$/, '/console/')}`,
    '',
    'MCP Inspector:',
    `  npx @modelcontextprotocol/inspector   then choose "Streamable HTTP" and enter ${url}`,
    '',
    'Claude Desktop (claude_desktop_config.json), through the mcp-remote bridge to this server:',
    indent(JSON.stringify(viaBridge, null, 2)),
    '',
    'or let Claude Desktop start its own toolscope over stdio:',
    indent(JSON.stringify(viaStdio, null, 2)),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
