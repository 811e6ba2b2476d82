import { once } from 'node:events';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpClient } from './support/policy.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { runCli, servers, tempDir, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';

/**
 * A serve killed (kill -9) while a call waits for approval leaves its request in the state folder. Nothing can run that
 * call any more: the queue says so (orphaned, with the pid of the serve that is gone) rather than offering it to
 * approvers, an answer to it fails plainly and removes it, and the next serve clears what is left.
 */
describe('an approval request whose serve was killed', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  let files: string;
  const serves: HttpServeProcess[] = [];
  const clients: Client[] = [];

  beforeEach(async () => {
    dir = await tempDir();
    files = join(dir.path, 'files');
    await mkdir(files);
    configPath = await writeConfig(dir.path, { servers: { filesystem: servers.filesystem(files) }, exposure: { mode: 'all' }, approval: { timeoutSeconds: 300 } });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await Promise.all(serves.splice(0).map((serve) => serve.stop()));
    await dir?.remove();
  });

  const approvalsFolder = () => join(dir.path, '.toolscope', 'approvals');
  const cli = (...args: string[]) => runCli(['--config', configPath, ...args]);

  /** A serve with a call of write_file waiting for approval; then the serve is killed with SIGKILL. */
  async function orphanOne(name: string): Promise<{ id: string; pid: number }> {
    const serve = await serveHttpProcess(configPath, { logLevel: 'info' });
    serves.push(serve);
    const client = await httpClient(serve.url);
    clients.push(client);
    await waitForTools(client, ['filesystem__write_file']);
    client.callTool({ name: 'filesystem__write_file', arguments: { path: join(files, name), content: 'x' } }).catch(() => undefined);
    const id = await waitFor(() => /"approval":"([0-9a-f]{10})"/.exec(serve.stderr())?.[1], 'the call in the approval queue');
    const exited = once(serve.child, 'exit');
    serve.child.kill('SIGKILL');
    await exited;
    return { id, pid: serve.child.pid! };
  }

  it('is listed as orphaned, naming the gone pid; approving it fails saying nothing waits for it, and removes it', async () => {
    const { id, pid } = await orphanOne('orphan.txt');
    expect((await readdir(approvalsFolder())).some((name) => name.startsWith(id))).toBe(true);

    const listed = await cli('approvals', 'list');
    expect(listed.stdout).toMatch(/no calls are waiting for approval/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+orphaned: serve pid ${pid} is gone\\s+local\\s+filesystem__write_file`));
    const json = JSON.parse((await cli('approvals', 'list', '--json')).stdout) as Array<{ id: string; orphaned?: boolean; waiter?: { pid: number } }>;
    expect(json).toMatchObject([{ id, orphaned: true, waiter: { pid } }]);
    const status = await cli('status');
    expect(status.stdout).toMatch(/approvals orphaned: 1 call whose serve is gone; nothing will run it/);
    expect(status.stdout).toMatch(new RegExp(`${id}\\s+${pid}\\s+local\\s+filesystem__write_file`));

    const approved = await cli('approvals', 'approve', id);
    expect(approved.code).not.toBe(0);
    expect(approved.stdout).not.toContain(`approved ${id}`);
    expect(approved.stderr).toContain(`nothing is waiting for it: the serve that asked (pid ${pid}) is gone`);
    expect(await readdir(approvalsFolder())).toEqual([]);
    expect((await cli('approvals', 'deny', id)).stderr).toMatch(new RegExp(`no waiting call with id ${id}`));
    await expect(readFile(join(files, 'orphan.txt'))).rejects.toThrow();
  }, 120_000);

  it('is cleared by the next serve on the same state folder, which logs it', async () => {
    const { id, pid } = await orphanOne('left.txt');
    const next = await serveHttpProcess(configPath, { logLevel: 'info' });
    serves.push(next);
    expect(next.stderr()).toContain(`removed approval request ${id} (filesystem__write_file by local): the serve that asked (pid ${pid}) is gone`);
    expect(await readdir(approvalsFolder())).toEqual([]);
    expect((await cli('approvals', 'list')).stdout.trim()).toBe('no calls are waiting for approval');
  }, 120_000);
});
