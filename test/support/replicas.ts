import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeConfig } from './toolscope-cli.js';
import { serveHttpProcess, type HttpServeProcess } from './serve-process.js';

/** Several `toolscope serve --http` processes sharing one config (and one Redis), each with its own state folder. */
export interface Replicas {
  readonly replicas: readonly Replica[];
  /** A round-robin load balancer in front of them: every HTTP request goes to the next replica in turn. */
  readonly balancerUrl: string;
  stop(): Promise<void>;
}

export interface Replica {
  /** `replica-1`, …: its `TOOLSCOPE_REPLICA_ID`, on each of its audit records. */
  readonly id: string;
  readonly process: HttpServeProcess;
  /** Its own MCP endpoint, bypassing the balancer. */
  readonly url: string;
  /** Its state folder (audit log, local caches). */
  readonly stateDir: string;
  readonly configPath: string;
}

/** Starts `count` replicas of `config` under `folder` (one sub-folder each) and a round-robin balancer. */
export async function startReplicas(folder: string, config: Record<string, unknown>, count = 3): Promise<Replicas> {
  const replicas = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `replica-${i + 1}`;
      const home = join(folder, id);
      await mkdir(home, { recursive: true });
      const configPath = await writeConfig(home, { stateDir: 'state', ...config });
      const serve = await serveHttpProcess(configPath, { env: { ...process.env, TOOLSCOPE_REPLICA_ID: id } });
      return { id, process: serve, url: serve.url, stateDir: join(home, 'state'), configPath };
    }),
  );
  const balancer = await roundRobinBalancer(replicas.map((replica) => new URL(replica.url)));
  return {
    replicas,
    balancerUrl: balancer.url,
    async stop() {
      await balancer.close();
      await Promise.all(replicas.map((replica) => replica.process.stop()));
    },
  };
}

/**
 * The simplest load balancer there is: no affinity, each request (POST, GET stream, DELETE) to the next upstream,
 * its body and its answer streamed through as they come.
 */
async function roundRobinBalancer(upstreams: readonly URL[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const upstream = upstreams[next++ % upstreams.length]!;
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
