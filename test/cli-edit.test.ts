import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editConfig, rawServers } from '../src/config/edit.js';
import { runCli, tempDir, writeConfig } from './support/toolscope-cli.js';

describe('config editing from the CLI', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  const read = async () => JSON.parse(await readFile(configPath, 'utf8')) as Record<string, any>;
  const cli = (...args: string[]) => runCli(['--config', configPath, ...args]);

  beforeEach(async () => {
    dir = await tempDir();
    configPath = await writeConfig(dir.path, {
      stateDir: 'state',
      servers: {
        existing: { command: 'node', args: ['server.js'], startup: 'lazy' },
      },
    });
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('add (stdio and url), disable, enable and remove keep the rest of the file as written', async () => {
    const added = await cli(
      'add', 'fs', '--env', 'TOKEN=${env:FS_TOKEN}', '--env', 'MODE=ro', '--cwd', 'work', '--lazy',
      '--', 'npx', '-y', '@modelcontextprotocol/server-filesystem', '/srv/data', '&&', 'echo',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect((await read()).servers.fs).toEqual({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv/data', '&&', 'echo'],
      env: { TOKEN: '${env:FS_TOKEN}', MODE: 'ro' },
      cwd: 'work',
      startup: 'lazy',
    });

    expect((await cli('add', 'remote', '--url', 'https://mcp.example.com/mcp', '--header', 'Authorization=Bearer ${env:REMOTE}', '--timeout-ms', '5000')).code).toBe(0);
    expect((await read()).servers.remote).toEqual({
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer ${env:REMOTE}' },
      timeoutMs: 5000,
    });

    expect((await cli('disable', 'existing')).code).toBe(0);
    expect((await read()).servers.existing.enabled).toBe(false);
    expect((await cli('enable', 'existing')).code).toBe(0);
    expect((await read()).servers.existing.enabled).toBe(true);

    expect((await cli('remove', 'fs')).code).toBe(0);
    const final = await read();
    expect(Object.keys(final.servers)).toEqual(['existing', 'remote']);
    expect(final.stateDir).toBe('state');
    expect(final.servers.existing).toEqual({ command: 'node', args: ['server.js'], startup: 'lazy', enabled: true });
    // Atomic writes leave no temp files behind.
    expect(await readdir(dir.path)).toEqual(['toolscope.json']);
  });

  it('enable of an enabled server, or disable of a disabled one, says so and leaves the file as it is', async () => {
    const before = await readFile(configPath, 'utf8');
    // No `enabled` in the entry: enabled.
    const enabled = await cli('enable', 'existing');
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toBe(
      `server "existing" is already enabled in ${configPath}; a running serve retries a failing server by itself (\`toolscope status\` shows when)\n`,
    );
    expect(await readFile(configPath, 'utf8')).toBe(before);

    expect((await cli('disable', 'existing')).stdout).toBe(`disabled server "existing" in ${configPath}\n`);
    const disabled = await readFile(configPath, 'utf8');
    const again = await cli('disable', 'existing');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`server "existing" is already disabled in ${configPath}\n`);
    expect(await readFile(configPath, 'utf8')).toBe(disabled);

    const missing = await cli('enable', 'ghost');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('toolscope: no server named "ghost"');
  });

  it('add warns, as import does, of a program not on PATH, a working folder not there and a secret written into the file', async () => {
    const added = await cli('add', 'later', '--env', 'GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', '--cwd', 'no-such-folder', '--', 'toolscope-not-installed-yet');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/warning: servers\.later\.cwd: \S+\/no-such-folder does not exist or is not a folder; the server will not start until it is one/);
    expect(added.stdout).toContain('warning: servers.later.command: "toolscope-not-installed-yet" not found on PATH; the server will not start until it is installed');
    expect(added.stdout).toContain('warning: servers.later.env.GITHUB_TOKEN holds a literal secret');
    expect(added.stdout).not.toContain('ghp_0123456789');
    expect((await read()).servers.later).toMatchObject({ command: 'toolscope-not-installed-yet' });
  });

  it('refuses an edit that would make the config invalid, leaving the file untouched', async () => {
    const before = await readFile(configPath, 'utf8');

    const shell = await cli('add', 'evil', '--', 'npx;curl', 'x.invalid');
    expect(shell.code).toBe(1);
    // The file was valid: the change is what is wrong, and the message says so rather than blaming the file.
    expect(shell.stderr).toContain(`toolscope: ${configPath} was left as it was: the change would make it invalid:\n`);
    expect(shell.stderr).toContain('servers.evil.command: must be a program name or absolute path');

    for (const url of ['example.com/mcp', 'http//missing-colon', 'ftp://files.example.com/mcp']) {
      const badUrl = await cli('add', 'web', '--url', url);
      expect(badUrl.code).toBe(1);
      expect(badUrl.stderr).toContain('  - servers.web.url: must be an http:// or https:// URL, e.g. "https://mcp.example.com/mcp"');
    }

    const duplicate = await cli('add', 'existing', '--', 'node');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('toolscope: a server named "existing" already exists (remove it first)\n');

    const missing = await cli('remove', 'ghost');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('toolscope: no server named "ghost"');

    const neither = await cli('add', 'empty');
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('missing the server to run');

    expect(await readFile(configPath, 'utf8')).toBe(before);
  });

  it('lets concurrent edits take turns, so none is lost, and takes over a lock a killed editor left behind', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
    await Promise.all(
      names.map((name) => editConfig(configPath, (raw) => void (rawServers(raw, configPath)[name] = { command: 'node', args: [`${name}.js`] }))),
    );
    expect(Object.keys((await read()).servers).sort()).toEqual(['existing', ...names].sort());

    // A lock folder whose holder died long ago (no mtime refresh for a minute) does not block edits for good.
    const lockDir = `${configPath}.lock`;
    await mkdir(lockDir);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lockDir, longAgo, longAgo);
    expect((await cli('disable', 's3')).code).toBe(0);
    expect((await read()).servers.s3.enabled).toBe(false);
    expect(await readdir(dir.path)).not.toContain('toolscope.json.lock');
  });

  it('creates the config on the first add', async () => {
    configPath = join(dir.path, 'new.json');
    expect((await cli('add', 'mem', '--', 'npx', '-y', '@modelcontextprotocol/server-memory')).code).toBe(0);
    expect(await read()).toEqual({
      servers: { mem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] } },
    });
  });

  it('imports a Claude Desktop / Cursor file, reporting each refused entry and why', async () => {
    const source = join(dir.path, 'claude_desktop_config.json');
    await writeFile(
      source,
      JSON.stringify({
        mcpServers: {
          filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me'] },
          github: { command: 'docker', args: ['run', '-i', 'ghcr.io/github/github-mcp-server'], env: { GITHUB_TOKEN: 'x' }, alwaysAllow: ['a'] },
          remote: { url: 'https://mcp.example.com/sse', type: 'sse', headers: { 'X-Key': 'k' } },
          oneliner: { command: 'npx -y @acme/mcp-server && curl http://x.invalid' },
          'bad.name': { command: 'node' },
          existing: { command: 'node' },
          nothing: { args: ['x'] },
        },
      }),
    );
    const result = await cli('import', source);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('imported "filesystem"');
    expect(result.stdout).toContain('imported "github"');
    expect(result.stdout).toContain('imported "remote"');
    expect(result.stdout).toContain(
      'refused "oneliner":\n  - mcpServers.oneliner.command: must be a program name or absolute path with no whitespace or shell metacharacters',
    );
    expect(result.stdout).toContain('refused "bad.name":\n  - mcpServers.bad.name: the name must use letters');
    expect(result.stdout).toContain('refused "existing":\n  - mcpServers.existing: a server with this name is already in the config');
    expect(result.stdout).toContain('refused "nothing":\n  - mcpServers.nothing: must be an object with "command" or "url"');
    expect(result.stdout).toContain('3 imported, 4 refused');

    const config = await read();
    expect(config.servers.github).toEqual({
      command: 'docker',
      args: ['run', '-i', 'ghcr.io/github/github-mcp-server'],
      env: { GITHUB_TOKEN: 'x' },
    });
    expect(config.servers.remote).toEqual({ type: 'sse', url: 'https://mcp.example.com/sse', headers: { 'X-Key': 'k' } });
    expect(config.servers.existing).toEqual({ command: 'node', args: ['server.js'], startup: 'lazy' });
  });
});
