import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { readRunRecords } from '../src/server/run-record.js';
import { runCli, servers, tempDir, textOf, waitFor, writeConfig } from './support/toolscope-cli.js';
import { serveHttpProcess } from './support/serve-process.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('live configuration: serve follows edits of its config file', () => {
  it('starts, stops and restarts only the servers an edit touches, keeps client sessions, and refuses an invalid edit', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const stateDir = join(dir.path, 'state');
    const configPath = await writeConfig(dir.path, { stateDir: 'state', exposure: { mode: 'all' }, servers: { memory: servers.memory() } });
    const secret = 'live-secret-7c1f09e2b4';
    const serve = await serveHttpProcess(configPath, { logLevel: 'info', env: { ...process.env, LIVE_SECRET: secret } });
    cleanups.push(() => serve.stop());

    const client = new Client({ name: 'live-config-test', version: '1.0.0' });
    let listChanged = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    cleanups.push(() => client.close());
    const listed = async () => (await client.listTools()).tools.map((tool) => tool.name);
    const status = async () => (await readRunRecords(stateDir))[0]?.status;
    const server = async (name: string) => (await status())?.servers.find((entry) => entry.name === name);
    const cli = async (...args: string[]) => {
      const result = await runCli(['--config', configPath, ...args]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    };

    await waitFor(async () => (await listed()).includes('memory__read_graph'), 'memory tools');
    // The run record is rewritten shortly after each change.
    const pidOf = (name: string) => waitFor(async () => (await server(name))?.pid, `${name} running`);
    const memoryPid = await pidOf('memory');
    const restartedPid = (name: string, old: number | undefined) =>
      waitFor(async () => ((await server(name))?.pid ?? old) !== old || undefined, `${name} running as a new process`);

    // Added by the CLI while serving: it starts alone, the session sees its tools and is told so.
    const everything = servers.everything();
    await cli('add', 'everything', '--env', 'TOKEN=${env:LIVE_SECRET}', '--', everything.command, ...everything.args);
    await waitFor(async () => (await listed()).includes('everything__echo'), 'everything tools after `add`');
    expect(listChanged).toBeGreaterThan(0);
    expect((await server('memory'))!.pid).toBe(memoryPid);
    const echo = await client.callTool({ name: 'everything__echo', arguments: { message: `live ${secret}` } });
    expect(textOf(echo)).toContain('live');
    // The new server's ${env:…} secret is masked in the audit log like those of servers there at start.
    const audit = await waitFor(async () => {
      const text = await readFile(join(stateDir, 'audit.jsonl'), 'utf8').catch(() => '');
      return text.includes('everything__echo') || text.includes('"echo"') ? text : undefined;
    }, 'the echo call audited');
    expect(audit).not.toContain(secret);
    expect(audit).toContain('live [redacted]');
    const everythingPid = await pidOf('everything');
    expect((await status())!.reload).toMatchObject({ outcome: 'applied', added: ['everything'], applied: ['servers'], needsRestart: [] });

    // Disabled: its tools leave, the other server keeps running; enabled again: back with a new process.
    await cli('disable', 'memory');
    await waitFor(async () => !(await listed()).includes('memory__read_graph') || undefined, 'memory tools gone after `disable`');
    await waitFor(async () => (await server('memory'))?.state === 'disabled' || undefined, 'memory disabled');
    expect((await server('everything'))!.pid).toBe(everythingPid);
    await cli('enable', 'memory');
    await waitFor(async () => (await listed()).includes('memory__read_graph'), 'memory tools back after `enable`');
    await restartedPid('memory', memoryPid);
    expect((await server('everything'))!.pid).toBe(everythingPid);

    // An invalid edit by hand is refused with the reason; the running config keeps serving.
    const valid = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(configPath, JSON.stringify({ ...valid, servrs: {} }, null, 2));
    await waitFor(async () => (await status())?.reload?.outcome === 'refused' || undefined, 'the invalid edit refused');
    expect((await status())!.reload!.error).toContain('(root): unknown key "servrs" (did you mean "servers"?)');
    // The console's status says so too.
    const consoleStatus = await fetch(new URL('/console/api/servers', serve.url), { headers: { 'x-toolscope-console': '1' } });
    expect(consoleStatus.status).toBe(200);
    expect(((await consoleStatus.json()) as { reload?: { outcome: string; error: string } }).reload).toMatchObject({
      outcome: 'refused',
      error: expect.stringContaining('did you mean "servers"?'),
    });
    const shown = await runCli(['--config', configPath, 'status']);
    expect(shown.code).toBe(1); // the config file itself is invalid now, which status reports too
    expect(shown.stdout).toMatch(/config: the edit at \S+ was refused, still running the previous config\n[\s\S]*unknown key "servrs"/);
    expect(shown.stdout).toMatch(/everything\s+ready\s+stdio/);
    expect(shown.stderr).toContain('(root): unknown key "servrs" (did you mean "servers"?)');
    expect(serve.stderr()).toContain('config edit refused; still running the previous config');
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'still here' } }))).toContain('still here');

    // A changed server restarts alone; a section that cannot change live is reported as needing a restart.
    const changed = structuredClone(valid) as { servers: Record<string, Record<string, unknown>>; retrieval?: Record<string, unknown> };
    changed.servers.everything!.timeoutMs = 20_000;
    changed.retrieval = { retriever: 'bm25' };
    await writeFile(configPath, JSON.stringify(changed, null, 2));
    await waitFor(async () => (await status())?.reload?.outcome === 'applied' || undefined, 'the valid edit applied');
    await waitFor(async () => (await status())?.reload?.restarted?.length || undefined, 'the edit applied');
    expect((await status())!.reload).toMatchObject({ applied: ['servers'], restarted: ['everything'], needsRestart: ['retrieval.retriever'] });
    const statusText = await runCli(['--config', configPath, 'status']);
    expect(statusText.stdout).toMatch(/config: reloaded at \S+ \(applied servers; restarted everything\); needs restart: retrieval\.retriever changed/);
    await restartedPid('everything', everythingPid);

    // Switched off and on: said so, not "restarted".
    await cli('disable', 'everything');
    await waitFor(async () => (await status())?.reload?.disabled?.length || undefined, 'the disable applied');
    expect((await runCli(['--config', configPath, 'status'])).stdout).toMatch(/config: reloaded at \S+ \(applied servers; disabled everything\)/);
    await cli('enable', 'everything');
    await waitFor(async () => (await status())?.reload?.enabled?.length || undefined, 'the enable applied');
    await waitFor(async () => (await listed()).includes('everything__echo') || undefined, 'everything tools back after `enable`');

    // Removed: its tools leave, the session carries on with the rest.
    await cli('remove', 'everything');
    await waitFor(async () => !(await listed()).includes('everything__echo') || undefined, 'everything tools gone after `remove`');
    await waitFor(async () => (await server('everything')) === undefined || undefined, 'everything gone from status');
    expect((await listed())).toContain('memory__read_graph');
    expect(serve.alive()).toBe(true);
  });

  it('applies an edited logLevel and policy at once (logLevel unless TOOLSCOPE_LOG_LEVEL fixed it), and lists the sections that need a restart', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const path = join(dir.path, 'toolscope.json');
    const loadedWith = (raw: object) => ({ path, baseDir: dir.path, config: parseConfig(raw, path) });
    const start = { logLevel: 'warn', servers: {} };
    const edited = { logLevel: 'debug', servers: {}, retrieval: { retriever: 'bm25', rerank: true }, approval: { timeoutSeconds: 30 } };

    const gateway = createGateway(loadedWith(start), { logger: createLogger('warn') });
    const reload = await gateway.applyConfig(loadedWith(edited));
    expect(gateway.logger.level).toBe('debug');
    expect(reload).toMatchObject({ outcome: 'applied', added: [], removed: [], restarted: [], applied: ['logLevel', 'retrieval.rerank', 'approval'], needsRestart: ['retrieval.retriever'] });
    // The config in effect: what applied, and what waits as started.
    expect(gateway.loaded.config.approval.timeoutSeconds).toBe(30);
    expect(gateway.loaded.config.retrieval).toMatchObject({ rerank: true, retriever: 'hybrid' });
    expect(gateway.status().reload).toEqual(reload);

    const fixed = createGateway(loadedWith(start), { logger: createLogger('warn'), logLevelFixed: true });
    await fixed.applyConfig(loadedWith(edited));
    expect(fixed.logger.level).toBe('warn');
  });

  it('refuses to start with rate limits or approvers naming a principal that exists nowhere', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const path = join(dir.path, 'toolscope.json');
    const config = parseConfig(
      {
        stateDir: 'state',
        principals: { ops: { allow: ['read'] } },
        rateLimits: { principals: { opps: { principal: { capacity: 1, refillPerSecond: 1 } } } },
        approval: { humanApprovers: ['ops', 'alice'] },
      },
      path,
    );
    const gateway = createGateway({ path, baseDir: dir.path, config }, { logger: createLogger('silent') });
    cleanups.push(() => gateway.stop());
    const started = gateway.start();
    await expect(started).rejects.toThrow('rateLimits.principals.opps: names no principal (did you mean "ops"?)');
    await expect(started).rejects.toThrow('approval.humanApprovers.1: "alice" names no principal (add principals.alice');
  });
});
