import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../eval/bench/redis-server.js';
import { ROOT, runCli, servers, tempDir, waitFor, writeConfig } from './support/toolscope-cli.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';

interface Readiness {
  status: string;
  reason?: string;
  state: { backend: string; available: boolean };
  servers: Array<{ name: string; state: string; tools: number; restarts: number }>;
}

const readiness = async (base: string) => {
  const res = await fetch(`${base}/readyz`);
  return { code: res.status, body: (await res.json()) as Readiness };
};

describe('/healthz and /readyz', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let redis: RedisServer;
  const running: HttpServeProcess[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(running.map((serve) => serve.stop()));
    await redis?.stop();
    await dir?.remove();
  });

  it('answer without a token; ready lists every server’s state but none of its errors', async () => {
    const configPath = await writeConfig(dir.path, {
      retrieval: { retriever: 'bm25' },
      servers: { everything: servers.everything(), missing: { command: join(dir.path, 'no-such-program') } },
    });
    const serve = await serveHttpProcess(configPath);
    running.push(serve);
    const base = serve.url.replace(/\/mcp$/, '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    await waitFor(async () => (await readiness(base)).body.servers.find((server) => server.name === 'everything')?.state === 'ready', 'everything ready');
    const { code, body } = await readiness(base);
    expect(code).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.state).toEqual({ backend: 'file', available: true });
    expect(body.servers.map((server) => server.name).sort()).toEqual(['everything', 'missing']);
    expect(body.servers.find((server) => server.name === 'missing')?.state).not.toBe('ready');
    expect(JSON.stringify(body)).not.toContain('no-such-program');
    // The DNS-rebinding guard holds for the probes too.
    const foreign = await fetch(`${base}/healthz`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
  });

  it('is not ready while the shared state backend is out of reach, and ready again when it is back', async () => {
    const configPath = await writeConfig(
      dir.path,
      { retrieval: { retriever: 'bm25' }, servers: {}, state: { backend: 'redis', url: redis.url, keyPrefix: 'readyz:' } },
      'redis.json',
    );
    const serve = await serveHttpProcess(configPath);
    running.push(serve);
    const base = serve.url.replace(/\/mcp$/, '');
    expect((await readiness(base)).code).toBe(200);
    await redis.kill();
    await waitFor(async () => (await readiness(base)).code === 503, 'readyz to answer 503');
    const down = await readiness(base);
    expect(down.body.status).toBe('not ready');
    expect(down.body.reason).toMatch(/^the state backend cannot be reached \(redis redis:\/\/127\.0\.0\.1:\d+\): calls are refused meanwhile$/);
    expect(down.body.state).toEqual({ backend: 'redis', available: false });
    // Alive all along: a supervisor must not restart it for what a restart cannot fix.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await redis.start();
    await waitFor(async () => (await readiness(base)).code === 200, 'readyz to answer 200 again', 30_000);
  });
});

describe('the version, from package.json alone', () => {
  it('toolscope --version prints it, and initialize reports it as serverInfo', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const printed = await runCli(['--version']);
    expect(printed.code).toBe(0);
    expect(printed.stdout.trim()).toBe(version);

    const dir = await tempDir();
    const serve = await serveHttpProcess(await writeConfig(dir.path, { retrieval: { retriever: 'bm25' }, servers: {} }));
    const client = new Client({ name: 'version-test', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
      expect(client.getServerVersion()).toMatchObject({ name: 'toolscope', version });
    } finally {
      await client.close();
      await serve.stop();
      await dir.remove();
    }
  });
});
