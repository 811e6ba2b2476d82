import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/config/load.js';
import { Bubblewrap } from '../src/downstream/sandbox.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { ROOT, runCli, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';
import { serveStdio, type ServedToolscope } from './support/stdio-gateway.js';

const TSX = import.meta.resolve('tsx');
const RUNS_AS_ROOT = process.getuid?.() === 0;
/** Debian's nobody, whom sandboxed servers run as when toolscope is root. */
const NOBODY = 65534;
const PROBE = join(ROOT, 'test/fixtures/sandbox-probe-server.ts');
/** The probe fixture; `marker` is an extra argument (ignored by the probe) to find its processes by. */
const probeServer = (extra: Record<string, unknown> = {}, marker = 'probe') => ({
  command: process.execPath,
  args: ['--import', TSX, PROBE, marker],
  ...extra,
});

/** Host pids whose command line holds `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(marker)) found.push(Number(pid));
  }
  return found;
}

/** A TCP listener on 127.0.0.1 that counts the connections it gets. */
async function listen(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('bubblewrap on this machine', () => {
  it('works (CI installs the bubblewrap package; the tests below need it)', async () => {
    const support = await new Bubblewrap('bwrap', createLogger('silent')).check();
    expect(support).toMatchObject({ available: true, version: expect.stringMatching(/^bubblewrap \d+\.\d+/) });
  });
});

describe('sandboxed stdio servers (bubblewrap, real children behind toolscope serve)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let elsewhere: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  let home: string;
  let work: string;
  let served: ServedToolscope;
  let listener: Awaited<ReturnType<typeof listen>>;
  const marker = `sandbox-test-${randomUUID()}`;

  const call = async (name: string, args: Record<string, unknown> = {}) =>
    textOf((await served.client.callTool({ name, arguments: args })) as CallToolResult);

  beforeAll(async () => {
    dir = await tempDir();
    elsewhere = await tempDir();
    work = join(dir.path, 'work');
    home = join(dir.path, 'home');
    await mkdir(work);
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY');
    await writeFile(join(home, 'notes.txt'), 'home notes');
    await writeFile(join(dir.path, 'readme.txt'), 'working directory notes');
    if (RUNS_AS_ROOT) {
      // The sandboxed servers run as nobody: their working directory must be open to them, their writable folder too.
      await chmod(dir.path, 0o755);
      await chmod(work, 0o777);
    }
    configPath = await writeConfig(dir.path, {
      exposure: { mode: 'all' },
      servers: {
        boxed: probeServer({ env: { DECLARED: 'yes' }, sandbox: { mode: 'required', writable: ['${configDir}/work'] } }, marker),
        netted: probeServer({ sandbox: { mode: 'required', network: true } }),
        // The same probe unsandboxed: proves each check below would see the leak it guards against.
        open: probeServer(),
      },
    });
    listener = await listen();
    served = await serveStdio(configPath, { env: { HOME: home, TOOLSCOPE_TEST_SECRET: 'hunter2' } });
    await waitForTools(served.client, ['boxed__connect', 'netted__connect', 'open__connect']).catch((error: Error) => {
      throw new Error(`${error.message}\ntoolscope logged:\n${served.logTail()}`);
    });
  });

  afterAll(async () => {
    await served?.close();
    await listener?.close();
    await dir?.remove();
    await elsewhere?.remove();
  });

  it('`toolscope status` reports the sandbox as available and the servers that run in it', async () => {
    const status = await waitFor(async () => {
      const result = await runCli(['--config', configPath, 'status']);
      return /boxed\s+ready/.test(result.stdout) && /netted\s+ready/.test(result.stdout) ? result.stdout : undefined;
    }, 'both sandboxed servers to be ready in the status');
    expect(status).toMatch(/^sandbox: available \(bubblewrap \d+\.\d+\.\d+\)$/m);
    expect(status).toMatch(/^boxed .*; sandboxed$/m);
    expect(status).toMatch(/^netted .*; sandboxed$/m);
    expect(status).not.toMatch(/^open .*sandboxed/m);
  });

  it('has no network unless the config allows it: a connection to 127.0.0.1 fails inside and reaches nothing', async () => {
    expect(await call('boxed__connect', { port: listener.port })).toMatch(/^failed: (ECONNREFUSED|ENETUNREACH)$/);
    expect(listener.connections()).toBe(0);
    expect(await call('netted__connect', { port: listener.port })).toBe('connected');
    await waitFor(() => listener.connections() === 1, 'the allowed connection to arrive');
    expect(await call('open__connect', { port: listener.port })).toBe('connected');
  });

  it('writes only inside its writable folders; the rest of the system is read-only or hidden', async () => {
    expect(await call('boxed__write', { path: join(work, 'inside.txt'), text: 'allowed' })).toBe('written');
    expect(await readFile(join(work, 'inside.txt'), 'utf8')).toBe('allowed');
    // Its working directory (the config folder) is readable, not writable.
    expect(await call('boxed__read', { path: join(dir.path, 'readme.txt') })).toBe('working directory notes');
    expect(await call('boxed__write', { path: join(dir.path, 'outside.txt'), text: 'no' })).toBe('failed: EROFS');
    expect(existsSync(join(dir.path, 'outside.txt'))).toBe(false);
    // Another folder under the host's /tmp does not even exist inside.
    expect(await call('boxed__write', { path: join(elsewhere.path, 'outside.txt'), text: 'no' })).toBe('failed: ENOENT');
    expect(existsSync(join(elsewhere.path, 'outside.txt'))).toBe(false);
    expect(await call('boxed__write', { path: join(ROOT, 'package.json'), text: 'no' })).toBe('failed: EROFS');
    expect(await call('open__write', { path: join(elsewhere.path, 'control.txt'), text: 'yes' })).toBe('written');
  });

  it("cannot read toolscope's config, audit log or state folder, and runs as an unprivileged user", async () => {
    const stateDir = join(dir.path, '.toolscope');
    await waitFor(() => existsSync(join(stateDir, 'audit.jsonl')), 'the audit log to exist');
    expect(await call('open__read', { path: configPath })).toContain('"servers"');
    expect(await call('boxed__read', { path: configPath })).not.toContain('"servers"');
    expect(await call('open__read', { path: join(stateDir, 'audit.jsonl') })).toContain('"callId"');
    expect(await call('boxed__read', { path: join(stateDir, 'audit.jsonl') })).toBe('failed: ENOENT');
    expect(await call('boxed__write', { path: join(stateDir, 'planted.json'), text: '{}' })).toMatch(/^(written|failed: \w+)$/);
    expect(existsSync(join(stateDir, 'planted.json'))).toBe(false);
    const boxed = JSON.parse(await call('boxed__whoami')) as { uid: number; gid: number };
    if (RUNS_AS_ROOT) expect(boxed).toEqual({ uid: NOBODY, gid: NOBODY });
    else expect(boxed.uid).toBe(process.getuid!());
    expect(JSON.parse(await call('open__whoami'))).toEqual({ uid: process.getuid!(), gid: process.getgid!() });
  });

  it('has a private /tmp: what it writes there never appears in the host /tmp', async () => {
    const path = `/tmp/toolscope-sandbox-${randomUUID()}.txt`;
    expect(await call('boxed__write', { path, text: 'private' })).toBe('written');
    expect(await call('boxed__read', { path })).toBe('private');
    expect(existsSync(path)).toBe(false);
  });

  it('cannot read the home folder (SSH keys and the like), even below its readable working directory', async () => {
    expect(await call('boxed__read', { path: join(home, '.ssh', 'id_rsa') })).toBe('failed: ENOENT');
    expect(await call('boxed__read', { path: join(home, 'notes.txt') })).toBe('failed: ENOENT');
    expect(await call('open__read', { path: join(home, '.ssh', 'id_rsa') })).toBe('PRIVATE KEY');
  });

  it('gets only the environment toolscope built (baseline and declared variables)', async () => {
    const env = JSON.parse(await call('boxed__env')) as Record<string, string>;
    expect(env.DECLARED).toBe('yes');
    expect(env.HOME).toBe(home);
    expect(env.TOOLSCOPE_TEST_SECRET).toBeUndefined();
    // bwrap adds PWD for the working directory it enters; nothing else.
    expect(Object.keys(env).sort()).toEqual(['DECLARED', 'HOME', 'LANG', 'PATH', 'PWD'].filter((key) => key in env));
    expect(env.PWD).toBe(dir.path);
  });

  it('dies with toolscope, even when toolscope is killed with SIGKILL', async () => {
    // bwrap, its init and the server itself.
    expect((await processesWith(marker)).length).toBeGreaterThanOrEqual(2);
    process.kill(served.pid, 'SIGKILL');
    await waitFor(async () => (await processesWith(marker)).length === 0, 'the sandboxed processes to end', 10_000);
  });
});

describe('sandbox.mode when bubblewrap cannot run', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Gateway;
  let listener: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    dir = await tempDir();
    listener = await listen();
    const loaded = await loadConfig(
      await writeConfig(dir.path, {
        sandbox: { bwrap: '/nonexistent/bwrap' },
        servers: {
          strict: probeServer({ sandbox: { mode: 'required' } }),
          lenient: probeServer({ sandbox: { mode: 'auto' } }),
        },
      }),
    );
    gateway = createGateway(loaded, { logger: createLogger('silent') });
    await gateway.start();
    await gateway.downstream.settled(30_000);
  });

  afterAll(async () => {
    await gateway?.stop();
    await listener?.close();
    await dir?.remove();
  });

  const server = (name: string) => gateway.status().servers.find((status) => status.name === name)!;

  it('reports the sandbox as unavailable, with the reason', async () => {
    expect(gateway.status().sandbox).toEqual({ available: false, reason: 'cannot run /nonexistent/bwrap (not found)' });
    const status = await runCli(['--config', join(dir.path, 'toolscope.json'), 'status']);
    expect(status.stdout).toMatch(/^sandbox: unavailable: cannot run \/nonexistent\/bwrap \(not found\)$/m);
  });

  it('`required`: the server refuses to start, with a clear error in its state, and is not retried', () => {
    expect(server('strict')).toMatchObject({
      state: 'failed',
      restarts: 0,
      tools: 0,
      lastError: 'sandbox.mode is "required" but the sandbox is unavailable: cannot run /nonexistent/bwrap (not found)',
    });
  });

  it('`auto`: the server runs without the sandbox (it reaches the network) and says so', async () => {
    expect(server('lenient')).toMatchObject({ state: 'ready', sandboxed: false });
    const result = await gateway.downstream.callTool('lenient', 'connect', { port: listener.port }, new AbortController().signal);
    expect(textOf(result)).toBe('connected');
  });
});

describe('sandbox configuration', () => {
  const problems = (servers: unknown): string[] => {
    try {
      parseConfig({ servers }, 'toolscope.json');
      return [];
    } catch (error) {
      return (error as ConfigError).problems as string[];
    }
  };

  it('refuses unknown modes and keys, and sandboxes on HTTP servers, naming the path', () => {
    expect(problems({ a: { command: 'node', sandbox: { mode: 'sometimes' } } })).toEqual([
      expect.stringMatching(/^servers\.a\.sandbox\.mode: .*"off".*"auto".*"required"/),
    ]);
    expect(problems({ a: { command: 'node', sandbox: { writeable: ['/srv'] } } })).toEqual([
      expect.stringMatching(/^servers\.a\.sandbox: .*writeable/),
    ]);
    expect(problems({ a: { url: 'http://127.0.0.1:1/mcp', sandbox: { mode: 'required' } } })).toEqual([
      'servers.a.sandbox: only stdio servers run in a sandbox',
    ]);
  });

  it('defaults to no sandbox, no network, no writable folders', () => {
    const config = parseConfig({ servers: { a: { command: 'node' } } }, 'toolscope.json');
    expect(config.servers.a).toMatchObject({ sandbox: { mode: 'off', network: false, writable: [], readable: [] } });
    expect(config.sandbox).toEqual({ bwrap: 'bwrap' });
  });
});

describe('sandboxed servers whose programs live under /tmp (a clone under /tmp, an unpacked package)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Gateway;

  beforeAll(async () => {
    // tempDir() is under the OS temp folder, /tmp here: the folder the sandbox replaces with a private one.
    dir = await tempDir();
    const program = join(dir.path, 'program');
    await mkdir(program);
    // Sandboxed servers run as nobody when the tests run as root: the program's folder must be open to them.
    if (RUNS_AS_ROOT) await chmod(dir.path, 0o755);
    await writeFile(join(program, 'server.mts'), `import ${JSON.stringify(PROBE)};\n`);
    await writeFile(join(program, 'crash.mjs'), "throw new Error('sandbox-start-marker: cannot open the database');\n");
    const loaded = await loadConfig(
      await writeConfig(dir.path, {
        exposure: { mode: 'all' },
        servers: {
          // Its working directory elsewhere: only the program's own path can make its folder visible.
          fromtmp: { command: process.execPath, args: ['--import', TSX, join(program, 'server.mts')], cwd: ROOT, sandbox: { mode: 'required' } },
          crashing: { command: process.execPath, args: [join(program, 'crash.mjs')], sandbox: { mode: 'required' } },
        },
      }),
    );
    gateway = createGateway(loaded, { logger: createLogger('silent') });
    await gateway.start();
  });

  afterAll(async () => {
    await gateway?.stop();
    await dir?.remove();
  });

  it('starts a program under /tmp inside the sandbox (its folder stays visible, read-only)', async () => {
    await waitFor(() => gateway.catalog.get('fromtmp__read'), 'the /tmp program to come up sandboxed', 20_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(gateway.status().servers)}`);
    });
    const status = gateway.status().servers.find((server) => server.name === 'fromtmp');
    expect(status).toMatchObject({ state: 'ready', sandboxed: true });
  });

  it("puts the server's own error in its status, not only the runtime's last line", async () => {
    const lastError = await waitFor(
      () => gateway.status().servers.find((server) => server.name === 'crashing')?.lastError,
      'the crashing server to report its error',
      20_000,
    );
    expect(lastError).toMatch(/exited with code 1 \(stderr: .*sandbox-start-marker: cannot open the database/);
  });
});
