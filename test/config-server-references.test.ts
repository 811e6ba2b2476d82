import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { rulesNamingNoServer } from '../src/config/server-references.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { servers, tempDir } from './support/toolscope-cli.js';

const config = (extra: Record<string, unknown>) =>
  parseConfig({ servers: { fs: { command: 'node', args: ['server.js'] }, github: { url: 'https://api.example.com/mcp' } }, ...extra }, 'toolscope.json');

describe('rules that name no configured server', () => {
  it('are found wherever a rule names a server, with the server most likely meant', () => {
    const warnings = rulesNamingNoServer(
      config({
        principals: { ops: { allow: ['read', 'fs:*', 'fss:read_*'], deny: ['filesytem:*'], relay: ['sampling', 'gihtub:elicitation'] } },
        argumentRules: { 'fss:*': { path: { pathUnder: '/srv' } }, 'fs:write_file': { path: { pathUnder: '/srv' } } },
        approval: { required: ['destructive', 'gthub:delete_*'] },
        rateLimits: { tools: { 'nope:*': { capacity: 1, refillPerSecond: 1 } } },
        capabilities: { trustedServers: ['fs', 'memory'], servers: { githib: ['read'] }, tools: { 'fs:move_file': ['destructive'] } },
      }),
    );
    expect(warnings).toEqual([
      'principals.ops.allow[2]: "fss:read_*" names no server in "servers" (did you mean "fs"?); it applies to nothing until one is added',
      'principals.ops.deny[0]: "filesytem:*" names no server in "servers"; it applies to nothing until one is added',
      'principals.ops.relay[1]: "gihtub:elicitation" names no server in "servers" (did you mean "github"?); it applies to nothing until one is added',
      'approval.required[1]: "gthub:delete_*" names no server in "servers" (did you mean "github"?); it applies to nothing until one is added',
      'argumentRules["fss:*"]: "fss:*" names no server in "servers" (did you mean "fs"?); it applies to nothing until one is added',
      'rateLimits.tools["nope:*"]: "nope:*" names no server in "servers"; it applies to nothing until one is added',
      'capabilities.trustedServers[1]: "memory" names no server in "servers"; it applies to nothing until one is added',
      'capabilities.servers.githib: "githib" names no server in "servers" (did you mean "github"?); it applies to nothing until one is added',
    ]);
  });

  it('include pinned tool names whose prefix is the namespace of no server', () => {
    const pinned = ['fs__read_file', 'fss__read_file', 'filesystm__read_file', 'gh__create_issue', 'github__create_issue', 'read_file'];
    const namespaced = (github: Record<string, unknown>) =>
      parseConfig({ servers: { fs: { command: 'node' }, github: { url: 'https://api.example.com/mcp', ...github } }, exposure: { pinned } }, 'toolscope.json');
    expect(rulesNamingNoServer(namespaced({ namespace: 'gh' }))).toEqual([
      'exposure.pinned[1]: "fss__read_file" names no server in "servers" (did you mean "fs"?); it applies to nothing until one is added',
      'exposure.pinned[2]: "filesystm__read_file" names no server in "servers"; it applies to nothing until one is added',
      'exposure.pinned[4]: "github__create_issue" names no server in "servers" (server "github" exposes its tools as "gh__…"); it applies to nothing until one is added',
      'exposure.pinned[5]: "read_file" names no server in "servers"; it applies to nothing until one is added',
    ]);
    // A server exposing its tools under their own names may have a tool of any name.
    expect(rulesNamingNoServer(namespaced({ namespace: '' }))).toEqual([]);
  });

  it('leave globs that match a server, and classes, alone', () => {
    expect(rulesNamingNoServer(config({ principals: { ops: { allow: ['*:*', 'f*:read_*', 'git?ub:*', 'write'] } } }))).toEqual([]);
  });
});

describe('a serving gateway', () => {
  it('warns at start and at each reload, and its status lists them until the rule or the server is fixed', async () => {
    const dir = await tempDir();
    let gateway: Gateway | undefined;
    try {
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
      const loaded = (extra: Record<string, unknown>) => ({
        path: `${dir.path}/toolscope.json`,
        baseDir: dir.path,
        config: parseConfig({ servers: { everything: servers.everything() }, ...extra }, 'toolscope.json'),
      });
      gateway = createGateway(loaded({ principals: { ops: { allow: ['everything:*'], deny: ['everythng:echo'] } } }), { logger });
      await gateway.start();
      expect(gateway.status().ruleWarnings).toEqual([
        'principals.ops.deny[0]: "everythng:echo" names no server in "servers" (did you mean "everything"?); it applies to nothing until one is added',
      ]);
      expect(lines.join('')).toContain('a rule names no configured server');
      await gateway.applyConfig(loaded({ principals: { ops: { allow: ['everything:*'], deny: ['everything:echo'] } } }));
      expect(gateway.status().ruleWarnings).toBeUndefined();
    } finally {
      await gateway?.stop();
      await dir.remove();
    }
  });
});
