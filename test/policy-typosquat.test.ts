import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageFromArgv } from '../src/policy/supply-chain/package-from-argv.js';
import { isTyposquat, typosquatInArgv } from '../src/policy/supply-chain/typosquat.js';
import { runCli, tempDir } from './support/foundation.js';

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
