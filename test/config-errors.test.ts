import { once } from 'node:events';
import { access, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigForState, parseConfig } from '../src/config/load.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { runCli, servers, tempDir, waitFor, writeConfig, type CliResult } from './support/toolscope-cli.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function freshDir(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  return dir.path;
}

const exists = (path: string) => access(path).then(() => true, () => false);

describe('config and start-up errors users can act on', () => {
  it('refuses unknown keys anywhere in the config, suggesting the key meant, and exits non-zero', async () => {
    const dir = await freshDir();
    // The classic typo: "server" instead of "servers" used to serve nothing with exit code 0.
    const typo = await writeConfig(dir, { server: { everything: servers.everything() } });
    for (const command of [['list'], ['serve']]) {
      const result = await runCli(['--config', typo, ...command]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('(root): unknown key "server" (did you mean "servers"?)');
    }

    const nested = await writeConfig(dir, {
      servers: { fs: { comand: 'node' }, web: { url: 'https://example.com/mcp', header: { a: 'b' } } },
      principals: { ci: { allow: ['read'], tokenHash: [] } },
      rateLimits: { principals: { ci: { serch: 'off' } } },
      argumentRules: { 'fs:read_file': { path: { pathUndr: '/srv' } } },
      pinning: { scan: true },
    }, 'nested.json');
    const result = await runCli(['--config', nested, 'list']);
    expect(result.code).toBe(1);
    for (const line of [
      'servers.fs: unknown key "comand" (did you mean "command"?)',
      'servers.web: unknown key "header" (did you mean "headers"?)',
      'principals.ci: unknown key "tokenHash" (did you mean "tokenHashes"?)',
      'rateLimits.principals.ci: unknown key "serch" (did you mean "search"?)',
      'argumentRules.fs:read_file.path: unknown key "pathUndr" (did you mean "pathUnder"?)',
      // Nothing close: the known keys are listed instead.
      'pinning: unknown key "scan" (known keys: mode, scanDescriptions)',
    ]) {
      expect(result.stderr).toContain(line);
    }
  });

  it('names the line and column of a JSON syntax error', async () => {
    const dir = await freshDir();
    const path = join(dir, 'toolscope.json');
    await writeFile(path, '{\n  "servers": {\n    "a": { "command": "node" },\n  }\n}\n');
    const result = await runCli(['--config', path, 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(file): invalid JSON at line 4, column 3: property name expected');

    await writeFile(path, '{\n  "servers": {}\n  "stateDir": "x"\n}\n');
    expect((await runCli(['--config', path, 'list'])).stderr).toContain('invalid JSON at line 3, column 3: comma expected');
  });

  it('fails a stdio server whose program or working folder is not there at once, without quick retries, while the others serve', async () => {
    const dir = await freshDir();
    const config = parseConfig(
      {
        servers: {
          missing: { command: 'mcp-server-that-is-not-installed' },
          gone: { command: '/nonexistent/bin/server' },
          // node is on PATH: spawn would say "spawn node ENOENT" and blame it.
          nowhere: { command: 'node', args: ['server.js'], cwd: 'no-such-folder' },
          everything: servers.everything(),
        },
      },
      'test',
    );
    const gateway = createGateway({ path: join(dir, 'toolscope.json'), baseDir: dir, config }, { logger: createLogger('silent') });
    cleanups.push(() => gateway.stop());
    await gateway.start();
    const status = await waitFor(() => {
      const all = gateway.status().servers;
      return all.every((server) => server.state === 'ready' || server.state === 'failed') ? all : undefined;
    }, 'every server ready or failed');
    const byName = Object.fromEntries(status.map((server) => [server.name, server]));
    expect(byName.missing).toMatchObject({ state: 'failed', restarts: 0 });
    expect(byName.missing!.lastError).toMatch(/^servers\.missing\.command: "mcp-server-that-is-not-installed" not found on PATH \(/);
    expect(byName.gone).toMatchObject({ state: 'failed', restarts: 0, lastError: 'servers.gone.command: "/nonexistent/bin/server" does not exist or is not executable' });
    expect(byName.nowhere).toMatchObject({ state: 'failed', restarts: 0, lastError: `servers.nowhere.cwd: ${join(dir, 'no-such-folder')} does not exist or is not a folder` });
    expect(byName.everything!.state).toBe('ready');
    // No quick retries: the next attempt is at the backoff cap (a minute), for a program installed meanwhile.
    expect(Date.parse(byName.missing!.retryAt!) - Date.now()).toBeGreaterThan(30_000);
  });

  it('claims the HTTP address before starting any server: a port in use fails at once with a clear error', async () => {
    const dir = await freshDir();
    const occupier = createServer();
    occupier.listen(0, '127.0.0.1');
    await once(occupier, 'listening');
    cleanups.push(() => new Promise((resolve) => occupier.close(resolve)));
    const { port } = occupier.address() as AddressInfo;
    const marker = join(dir, 'spawned');
    // A server that leaves a file behind the moment it is started.
    const config = await writeConfig(dir, {
      // Code on node's command line is refused unless allowed: this one is the test's own.
      servers: { witness: { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], allowShell: true } },
    });
    const result: CliResult = await runCli(['--config', config, 'serve', '--http', `127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
    expect(await exists(marker)).toBe(false);
  });

  it('import warns about literal secrets and programs not on PATH, never repeating the secret', async () => {
    const dir = await freshDir();
    const githubToken = `ghp_${'a1B2'.repeat(9)}`;
    const source = join(dir, 'claude_desktop_config.json');
    await writeFile(
      source,
      JSON.stringify({
        mcpServers: {
          github: { command: process.execPath, args: ['server.js'], env: { GITHUB_TOKEN: githubToken, LOG: 'debug' } },
          search: { command: process.execPath, args: ['--api-key', 'sk-live0123456789abcdefghijkl'] },
          remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer abcdef0123456789' } },
          clean: { command: process.execPath, args: ['server.js'], env: { GITHUB_TOKEN: '${env:GITHUB_TOKEN}' } },
          uninstalled: { command: 'uvx-not-installed-here', args: ['mcp-server-time'] },
        },
      }),
    );
    const config = join(dir, 'toolscope.json');
    const result = await runCli(['--config', config, 'import', source]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('5 imported, 0 refused');
    expect(result.stdout).toContain(
      'warning: mcpServers.github.env.GITHUB_TOKEN holds a literal secret, now written into the config: set it in toolscope\'s environment as GITHUB_TOKEN and write "${env:GITHUB_TOKEN}" instead',
    );
    expect(result.stdout).not.toContain('mcpServers.github.env.LOG');
    expect(result.stdout).toContain('warning: mcpServers.search.args[1] looks like a literal secret');
    // The header's scheme stays in the config; only the credential moves to the environment.
    expect(result.stdout).toContain(
      'warning: mcpServers.remote.headers.Authorization holds a literal secret, now written into the config: set it in toolscope\'s environment as AUTHORIZATION and write "Bearer ${env:AUTHORIZATION}" instead',
    );
    expect(result.stdout).not.toContain('abcdef0123456789');
    expect(result.stdout).not.toMatch(/mcpServers\.clean\./);
    expect(result.stdout).toContain('warning: mcpServers.uninstalled.command: "uvx-not-installed-here" not found on PATH');
    expect(result.stdout).not.toContain(githubToken);
    expect(result.stdout).not.toContain('sk-live');
  });

  it('import writes a client\'s ${NAME} as ${env:NAME}, refuses variables toolscope would pass on as text, and names what it drops', async () => {
    const dir = await freshDir();
    const source = join(dir, '.mcp.json');
    await writeFile(
      source,
      JSON.stringify({
        mcpServers: {
          claudeCode: { command: process.execPath, args: ['server.js'], env: { API_KEY: '${API_KEY}', MODE: 'x-${MODE}-y' } },
          remote: { type: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } },
          defaulted: { command: process.execPath, args: ['server.js'], env: { LEVEL: '${LEVEL:-info}' } },
          workspace: { command: process.execPath, args: ['${workspaceFolder}/server.js'] },
          baseUrl: { url: '${BASE_URL}/mcp' },
          cursor: { command: process.execPath, args: ['server.js'], envFile: '.env' },
          absolute: { command: join(dir, 'bin', 'no-such-server') },
        },
      }),
    );
    const config = join(dir, 'toolscope.json');
    const result = await runCli(['--config', config, 'import', source]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('4 imported, 3 refused');
    const written = JSON.parse(await readFile(config, 'utf8')) as { servers: Record<string, { env?: unknown; headers?: unknown }> };
    expect(written.servers.claudeCode!.env).toEqual({ API_KEY: '${env:API_KEY}', MODE: 'x-${env:MODE}-y' });
    expect(written.servers.remote!.headers).toEqual({ Authorization: 'Bearer ${env:TOKEN}' });
    expect(result.stdout).not.toMatch(/mcpServers\.(claudeCode|remote)\.\w+\.\w+ holds a literal secret/);
    expect(result.stdout).toContain('refused "defaulted":\n  - mcpServers.defaulted.env.LEVEL: "${LEVEL:-info}" is a client\'s variable that toolscope does not expand');
    expect(result.stdout).toContain('refused "workspace":\n  - mcpServers.workspace.args[0]: "${workspaceFolder}" would reach the server as written');
    expect(result.stdout).toContain('refused "baseUrl":\n  - mcpServers.baseUrl.url: "${BASE_URL}" would reach the server as written');
    expect(result.stdout).toContain('imported "cursor"\n  warning: mcpServers.cursor.envFile is not read by toolscope');
    expect(result.stdout).toContain(`warning: mcpServers.absolute.command: "${join(dir, 'bin', 'no-such-server')}" does not exist or is not executable`);
  });

  it('import names the file it could not read as a client config, not as a toolscope config', async () => {
    const dir = await freshDir();
    const missing = join(dir, 'claude_desktop_config.json');
    const result = await runCli(['--config', join(dir, 'toolscope.json'), 'import', missing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`toolscope: ${missing} is not a valid Claude Desktop / Cursor config:\n  - (file): not found`);
    const wrongShape = join(dir, 'cursor.json');
    await writeFile(wrongShape, JSON.stringify({ servers: {} }));
    const refused = await runCli(['--config', join(dir, 'toolscope.json'), 'import', wrongShape]);
    expect(refused.stderr).toContain(`toolscope: ${wrongShape} is not a valid Claude Desktop / Cursor config:\n  - mcpServers: required`);
  });
});

describe('the state of a config file that is not even JSON', () => {
  it('gives state commands the stateDir, state and audit sections written in full before the first syntax error', async () => {
    const dir = await freshDir();
    const path = join(dir, 'toolscope.json');
    const sections = { stateDir: 'kept-state', audit: { durability: 'write' } };
    // A half-saved file: cut inside servers, after the state sections.
    await writeFile(path, `${JSON.stringify({ ...sections, servers: { everything: servers.everything() } }, null, 2).slice(0, -40)}`);
    const halfSaved = await loadConfigForState(path);
    expect(halfSaved.loaded.config.stateDir).toBe('kept-state');
    expect(halfSaved.loaded.config.audit.durability).toBe('write');
    expect(halfSaved.problems).toEqual([expect.stringMatching(/^\(file\): invalid JSON at line \d+, column \d+: /)]);

    // A stray comma before the stateDir: that section is past the error, so the default stands.
    await writeFile(path, '{ "servers": {}, , "stateDir": "after-the-error" }');
    expect((await loadConfigForState(path)).loaded.config.stateDir).toBe('.toolscope');

    // A state command says which state it goes on with.
    await writeFile(path, '{ "stateDir": "kept-state", "servers": { ,');
    const listed = await runCli(['--config', path, 'approvals', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain(`going on with its stateDir, state and audit sections: the state in ${join(dir, 'kept-state')}`);
  });
});
