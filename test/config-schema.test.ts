import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from './support/toolscope-cli.js';

/** Every refusal: exit 1, one `toolscope:` message on stderr naming what is wrong, never a stack trace. */
function expectRefusal(result: CliResult, ...lines: string[]): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.startsWith('toolscope: ')).toBe(true);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  for (const line of lines) expect(result.stderr).toContain(line);
}

describe('config errors', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const file = async (name: string, text: string) => {
    const path = join(dir.path, name);
    await writeFile(path, text);
    return path;
  };

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('bad JSON', async () => {
    const path = await file('bad.json', '{"servers": {"fs": {"command": "node",}}}');
    expectRefusal(await runCli(['--config', path, 'list']), `${path} is not a valid toolscope config`, '(file): invalid JSON');
  });

  it('unknown transport', async () => {
    const path = await file('transport.json', JSON.stringify({ servers: { ws: { type: 'websocket', url: 'ws://x' } } }));
    expectRefusal(
      await runCli(['--config', path, 'list']),
      '  - servers.ws.type: unknown transport: `type` must be "stdio", "http" or "sse"',
    );
  });

  it('missing command', async () => {
    const path = await file('missing.json', JSON.stringify({ servers: { github: { args: ['--stdio'] } } }));
    expectRefusal(await runCli(['--config', path, 'list']), '  - servers.github.command: required');
  });

  it('shell metacharacters in command, listed together with every other problem', async () => {
    const path = await file(
      'meta.json',
      JSON.stringify({
        servers: {
          evil: { command: 'npx;curl', args: [] },
          spaced: { command: 'npx -y server', args: [] },
          fine: { command: 'node', timeoutMs: -1 },
        },
      }),
    );
    const message = 'must be a program name or absolute path with no whitespace or shell metacharacters';
    expectRefusal(
      await runCli(['--config', path, 'serve']),
      `  - servers.evil.command: ${message}`,
      `  - servers.spaced.command: ${message}`,
      '  - servers.fine.timeoutMs: ',
    );
  });

  it('a whole command line in "command", with how to split it; credentials in a server URL', async () => {
    const path = await file(
      'oneline.json',
      JSON.stringify({
        servers: {
          memory: { command: 'npx -y @modelcontextprotocol/server-memory' },
          remote: { url: 'https://bob:secretpw@mcp.example.com/mcp' },
        },
      }),
    );
    const refused = await runCli(['--config', path, 'list']);
    expectRefusal(
      refused,
      '  - servers.memory.command: must be a program name or absolute path with no whitespace or shell metacharacters: ' +
        'put its arguments in "args" ("command": "npx", "args": ["-y","@modelcontextprotocol/server-memory"])',
      '  - servers.remote.url: must not hold credentials (user:password@): send them in "headers", e.g. "Authorization": "Basic ${env:NAME}"',
    );
    // One problem per field: not also "must be a program name found on PATH".
    expect(refused.stderr.match(/servers\.memory\.command/g)).toHaveLength(1);
    expect(refused.stderr).not.toContain('secretpw');
  });

  it('a server URL that does not parse, or is not http(s), and an entry with both a command and a url, each with its path', async () => {
    const path = await file(
      'urls.json',
      JSON.stringify({
        servers: {
          bare: { url: 'not a url' },
          ftp: { url: 'ftp://files.example.com/mcp' },
          both: { command: 'node', url: 'https://mcp.example.com/mcp' },
          fine: { command: 'node', timeoutMs: -1 },
        },
      }),
    );
    const message = 'must be an http:// or https:// URL, e.g. "https://mcp.example.com/mcp"';
    expectRefusal(
      await runCli(['--config', path, 'list']),
      `  - servers.bare.url: ${message}`,
      `  - servers.ftp.url: ${message}`,
      '  - servers.both: has both "command" (a stdio server it starts) and "url" (a server it reaches over HTTP): keep one of them',
      '  - servers.fine.timeoutMs: ',
    );
  });

  it('a record key that breaks its rule, with that rule: an OTLP header name, a server name', async () => {
    const path = await file(
      'keys.json',
      JSON.stringify({
        servers: { 'my server': { command: 'node' } },
        tracing: { otlpEndpoint: 'http://collector:4318/v1/traces', otlpHeaders: { 'x-api key': '${env:OTLP_TOKEN}' } },
      }),
    );
    expectRefusal(
      await runCli(['--config', path, 'list']),
      "  - tracing.otlpHeaders.x-api key: must be an HTTP header name: letters, digits and !#$%&'*+-.^_`|~ only",
      '  - servers.my server: server names use letters, digits, "_" and "-"',
    );
  });

  it('a missing config file', async () => {
    const path = join(dir.path, 'absent.json');
    expectRefusal(await runCli(['--config', path, 'tools']), `${path} is not a valid toolscope config`, '(file): not found');
  });

  it('a non-loopback --http bind', async () => {
    const path = await file('empty.json', '{"servers": {}}');
    expectRefusal(
      await runCli(['--config', path, 'serve', '--http', '0.0.0.0:0']),
      'refusing to listen on 0.0.0.0',
    );
  });
});
