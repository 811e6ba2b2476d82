import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageFromArgv } from '../src/policy/supply-chain/package-from-argv.js';
import { isTyposquat, typosquatInArgv } from '../src/policy/supply-chain/typosquat.js';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { runCli, tempDir } from './support/toolscope-cli.js';

describe('package names from launcher command lines', () => {
  it.each([
    ['npx', ['-y', '@modelcontextprotocol/server-filesystem@2025.1.0', '/srv'], '@modelcontextprotocol/server-filesystem'],
    ['npx', ['--yes', 'mcp-server-postgres', 'postgres://x'], 'mcp-server-postgres'],
    ['/usr/bin/npx', ['--package=@scope/tool@1', 'tool-bin'], '@scope/tool'],
    ['npx', ['-p', 'firecrawl-mcp', 'firecrawl'], 'firecrawl-mcp'],
    ['pnpm', ['dlx', 'tavily-mcp@latest'], 'tavily-mcp'],
    ['uvx', ['mcp-server-fetch'], 'mcp-server-fetch'],
    ['uvx', ['--python', '3.12', 'mcp-server-git==0.6.2', '--repository', '.'], 'mcp-server-git'],
    ['uvx', ['--from', 'mcp-server-time[extra]>=1', 'mcp-server-time'], 'mcp-server-time'],
  ])('%s %j runs %s', (command, args, name) => {
    expect(packageFromArgv(command, args)?.name).toBe(name);
  });

  it('is undefined for commands that are not package runners', () => {
    expect(packageFromArgv('node', ['server.js'])).toBeUndefined();
    expect(packageFromArgv('npx', ['-y'])).toBeUndefined();
    expect(packageFromArgv('pnpm', ['install'])).toBeUndefined();
  });
});

describe('typosquat check', () => {
  it('flags names one or two edits from a known MCP server package', () => {
    expect(isTyposquat('mcp-server-postgress')).toEqual({ package: 'mcp-server-postgress', similarTo: 'mcp-server-postgres', edits: 1 });
    expect(isTyposquat('@modelcontextprotocol/server-filesytem')).toMatchObject({ similarTo: '@modelcontextprotocol/server-filesystem' });
    expect(isTyposquat('@modelcontextprotocoI/server-memory')).toMatchObject({ similarTo: '@modelcontextprotocol/server-memory' });
    expect(isTyposquat('mcp_server_fetc')).toMatchObject({ similarTo: 'mcp-server-fetch', edits: 1 });
  });

  it('passes known names, including PyPI spelling variants, and unrelated names', () => {
    expect(isTyposquat('mcp-server-postgres')).toBeUndefined();
    expect(isTyposquat('@modelcontextprotocol/server-everything')).toBeUndefined();
    expect(isTyposquat('mcp_server_fetch')).toBeUndefined();
    expect(isTyposquat('my-own-weather-server')).toBeUndefined();
  });

  it('checks what a command line would run', () => {
    expect(typosquatInArgv('npx', ['-y', 'mcp-server-postgress@1.0.0', 'postgres://db'])).toMatchObject({ similarTo: 'mcp-server-postgres' });
    expect(typosquatInArgv('npx', ['-y', '@modelcontextprotocol/server-filesystem', '/srv'])).toBeUndefined();
    expect(typosquatInArgv('node', ['mcp-server-postgress.js'])).toBeUndefined();
  });
});

describe('registration refuses typosquats', () => {
  it('`toolscope add` refuses mcp-server-postgress unless --allow-similar-name, and `import` reports it', async () => {
    const dir = await tempDir();
    try {
      const config = join(dir.path, 'toolscope.json');
      const refused = await runCli(['--config', config, 'add', 'db', '--', 'npx', '-y', 'mcp-server-postgress', 'postgres://x']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/package "mcp-server-postgress" is one edit away from the known MCP server package "mcp-server-postgres"/);
      await expect(readFile(config, 'utf8')).rejects.toThrow(/ENOENT/);

      const allowed = await runCli(['--config', config, 'add', 'db', '--allow-similar-name', '--', 'npx', '-y', 'mcp-server-postgress']);
      expect(allowed.code).toBe(0);
      expect(JSON.parse(await readFile(config, 'utf8')).servers.db.args).toEqual(['-y', 'mcp-server-postgress']);

      const desktop = join(dir.path, 'claude_desktop_config.json');
      await writeFile(desktop, JSON.stringify({
        mcpServers: {
          fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
          fetch: { command: 'uvx', args: ['mcp-server-fetc'] },
        },
      }));
      const imported = await runCli(['--config', config, 'import', desktop]);
      expect(imported.stdout).toContain('imported "fs"');
      expect(imported.stdout).toMatch(/refused "fetch":\n {2}- mcpServers.fetch: package "mcp-server-fetc" is one edit away from .*"mcp-server-fetch"/);
    } finally {
      await dir.remove();
    }
  });
});

describe('every package-runner form and wrapper is checked', () => {
  it.each([
    ['npm', ['exec', '-y', 'mcp-server-postgress']],
    ['npm', ['--yes', 'exec', '--', 'mcp-server-postgress', 'postgres://x']],
    ['npm', ['x', 'mcp-server-postgress']],
    ['npm', ['exec', '--package=mcp-server-postgress', '--', 'serve']],
    ['pnpm', ['--silent', 'dlx', 'mcp-server-postgress']],
    ['pnpm', ['exec', 'mcp-server-postgress']],
    ['yarn', ['dlx', 'mcp-server-postgress@1.0.0']],
    ['bun', ['x', 'mcp-server-postgress']],
    ['bunx', ['mcp-server-postgress']],
    ['npx', ['--package=mcp-server-postgress', 'serve']],
    ['/usr/local/bin/NPX.cmd', ['-y', 'mcp-server-postgress']],
    ['env', ['npx', '-y', 'mcp-server-postgress']],
    ['env', ['-i', 'PATH=/usr/bin', 'NODE_ENV=production', 'npx', 'mcp-server-postgress']],
    ['env', ['-S', 'npx -y mcp-server-postgress']],
    ['nice', ['-n', '5', 'timeout', '60', 'npx', '-y', 'mcp-server-postgress']],
    ['uv', ['tool', 'run', 'mcp-server-fetc']],
    ['uv', ['tool', 'run', '--from', 'mcp-server-fetc==1.0', 'mcp-server-fetch']],
    ['uvx', ['--python', '3.12', 'mcp-server-fetc']],
    ['pipx', ['run', 'mcp-server-fetc']],
  ])('%s %j is refused as a typosquat', (command, args) => {
    expect(typosquatInArgv(command, args)).toMatchObject({ similarTo: expect.stringMatching(/^mcp-server-(postgres|fetch)$/) });
  });

  it('`toolscope add` refuses a typosquat behind `env` and `npm exec`', async () => {
    const dir = await tempDir();
    try {
      const config = join(dir.path, 'toolscope.json');
      for (const command of [['env', 'npx', '-y', 'mcp-server-postgress'], ['npm', 'exec', '-y', 'mcp-server-postgress']]) {
        const refused = await runCli(['--config', config, 'add', 'db', '--', ...command]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/package "mcp-server-postgress" is one edit away from the known MCP server package "mcp-server-postgres"/);
      }
      await expect(readFile(config, 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      await dir.remove();
    }
  });
});

describe('shells as a server command', () => {
  const configWith = (command: string, args: string[], extra: Record<string, unknown> = {}) => ({
    servers: { tools: { command, args, ...extra } },
  });

  it.each([
    ['sh', ['-c', 'npx -y mcp-server-postgres']],
    ['bash', ['-lc', 'node server.js']],
    ['/bin/zsh', ['server.zsh']],
    ['dash', []],
    ['busybox', ['sh', '-c', 'node server.js']],
    ['cmd.exe', ['/c', 'node server.js']],
    ['powershell', ['-Command', 'node server.js']],
    ['pwsh', ['-c', 'node server.js']],
    ['env', ['sh', '-c', 'node server.js']],
    ['env', ['-S', 'bash -c node']],
    ['nohup', ['bash', 'run.sh']],
    // env's -S glued to its string or inside a cluster of options, as env itself reads it
    ['env', ["-Ssh -c 'node server.js'"]],
    ['env', ['-vSsh -c node']],
    ['env', ['--split-string=sh -c node']],
    // programs that hand their text to a shell
    ['script', ['-qc', 'node server.js', '/dev/null']],
    ['su', ['-c', 'node server.js']],
    ['su', ['mcp']],
    ['runuser', ['-u', 'mcp', '-c', 'node server.js']],
    ['flock', ['/tmp/lock', '-c', 'node server.js']],
    ['sudo', ['-s']],
    ['sudo', ['-i', 'node', 'server.js']],
    ['doas', ['-s']],
    ['watch', ['node server.js']],
    ['tmux', ['new-session', 'node server.js']],
  ])('%s %j is refused when the config is loaded, naming the server and the way out', (command, args) => {
    let error: unknown;
    try {
      parseConfig(configWith(command, args), 'toolscope.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/servers\.tools\.command: runs a shell \("[a-z.]+( -[a-z]+)?"\).*"allowShell": true/);
  });

  it('accepts a shell the admin allows explicitly, and ordinary programs', () => {
    expect(parseConfig(configWith('sh', ['-c', 'node server.js'], { allowShell: true }), 'toolscope.json').servers.tools).toMatchObject({ command: 'sh' });
    expect(parseConfig(configWith('node', ['server.js']), 'toolscope.json').servers.tools).toMatchObject({ command: 'node' });
    expect(parseConfig(configWith('env', ['node', 'sh.js']), 'toolscope.json').servers.tools).toMatchObject({ command: 'env' });
    for (const [command, args] of [
      ['flock', ['/tmp/lock', 'node', 'server.js']],
      ['sudo', ['-u', 'mcp', 'node', 'server.js', '-s']],
      ['runuser', ['-u', 'mcp', '--', 'node', 'server.js']],
      ['watch', ['-x', 'node', 'server.js']],
      ['nice', ['-n5', 'node', 'server.js']],
    ] as const) {
      expect(parseConfig(configWith(command, [...args]), 'toolscope.json').servers.tools).toMatchObject({ command });
    }
  });

  it('`toolscope add` and `import` refuse a shell command line', async () => {
    const dir = await tempDir();
    try {
      const config = join(dir.path, 'toolscope.json');
      const refused = await runCli(['--config', config, 'add', 'wrapped', '--', 'sh', '-c', 'npx -y mcp-server-postgres']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/runs a shell \("sh"\)/);
      const desktop = join(dir.path, 'claude_desktop_config.json');
      await writeFile(desktop, JSON.stringify({ mcpServers: { wrapped: { command: 'bash', args: ['-c', 'npx -y x'] } } }));
      const imported = await runCli(['--config', config, 'import', desktop]);
      expect(imported.stdout).toMatch(/refused "wrapped":\n {2}- mcpServers\.wrapped\.command: runs a shell \("bash"\)/);
    } finally {
      await dir.remove();
    }
  });
});
