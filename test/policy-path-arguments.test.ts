import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servers, tempDir, textOf, waitForTools } from './support/toolscope-cli.js';
import { httpClient, refusalOf, startHttpGateway } from './support/policy.js';
import { fixtureServer } from './support/serve-process.js';
import type { TempDir } from './support/temp-dir.js';

describe('path rules cover every path argument (real filesystem server and a fixture, behind a gateway)', () => {
  let dir: TempDir;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let client: Client;
  let allowed: string;
  let outside: string;
  let callLog: string;

  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
  const loggedCalls = async () =>
    (await readFile(callLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { tool: string });

  beforeAll(async () => {
    dir = await tempDir();
    allowed = join(dir.path, 'public');
    outside = join(dir.path, 'private');
    callLog = join(dir.path, 'calls.jsonl');
    await mkdir(allowed);
    await mkdir(outside);
    await writeFile(join(allowed, 'report.txt'), 'public report');
    await writeFile(join(outside, 'secret.txt'), 'private secret');
    await symlink(outside, join(allowed, 'shortcut'));
    gateway = await startHttpGateway(dir.path, {
      exposure: { mode: 'all' },
      approval: { required: [] },
      // The server itself may reach both folders: only the rule stands between the caller and the private one.
      servers: { files: servers.filesystem(dir.path), jobs: fixtureServer('path-args-server', { CALL_LOG: callLog }) },
      argumentRules: { 'files:*': { path: { pathUnder: allowed } }, 'jobs:*': { path: { pathUnder: allowed } } },
    });
    client = await httpClient(gateway.url);
    await waitForTools(client, ['files__move_file', 'files__read_multiple_files', 'jobs__copy_file']);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await dir?.remove();
  });

  it('a rule on `path` holds `source` and `destination` too: move_file out of the root is refused and nothing moves', async () => {
    const refused = await call('files__move_file', { source: join(allowed, 'report.txt'), destination: join(outside, 'stolen.txt') });
    expect(refusalOf(refused)).toMatchObject({ stage: 'validate', rule: 'argumentRules["files:*"].*.pathUnder' });
    expect(textOf(refused)).toMatch(/destination: .* outside /);
    expect(await readFile(join(allowed, 'report.txt'), 'utf8')).toBe('public report');
    const inward = await call('files__move_file', { source: join(outside, 'secret.txt'), destination: join(allowed, 'leaked.txt') });
    expect(textOf(inward)).toMatch(/source: .* outside /);
  });

  it('checks every element of path arrays: read_multiple_files cannot slip one private file in', async () => {
    const refused = await call('files__read_multiple_files', { paths: [join(allowed, 'report.txt'), join(outside, 'secret.txt')] });
    expect(refusalOf(refused)?.stage).toBe('validate');
    expect(textOf(refused)).not.toContain('private secret');
    expect(textOf(await call('files__read_multiple_files', { paths: [join(allowed, 'report.txt')] }))).toContain('public report');
  });

  it('finds paths by schema format, x- hints and nested keys', async () => {
    for (const [tool, args] of [
      ['jobs__copy_file', { from_file: join(outside, 'secret.txt'), to: join(allowed, 'copy.txt') }],
      ['jobs__copy_file', { from_file: join(allowed, 'report.txt'), to: join(outside, 'copy.txt') }],
      ['jobs__render', { template: 'x', job: { output_dir: join(allowed, '..', 'private') } }],
      ['jobs__bundle', { inputs: [join(allowed, 'report.txt'), '/etc/shadow'] }],
    ] as const) {
      expect(refusalOf(await call(tool, args)), `${tool} ${JSON.stringify(args)}`).toMatchObject({ stage: 'validate' });
    }
    expect(await loggedCalls()).toEqual([]);
    expect(textOf(await call('jobs__render', { template: 'x', job: { output_dir: `${allowed}/./out` } }))).toBe('ok');
    expect(await loggedCalls()).toEqual([{ tool: 'render', args: { template: 'x', job: { output_dir: join(allowed, 'out') } } }]);
  });

  it('resolves symlinks before the check for a server on this host: a link inside the root to a private folder is refused', async () => {
    const refused = await call('files__read_text_file', { path: join(allowed, 'shortcut', 'secret.txt') });
    expect(refusalOf(refused)).toMatchObject({ stage: 'validate' });
    expect(textOf(refused)).toMatch(/symlink/);
    expect(textOf(refused)).not.toContain('private secret');
  });
});
