import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readRunRecords } from '../../src/server/run-record.js';
import type { ServerStatus } from '../../src/downstream/supervisor.js';
import { CLI, ROOT, waitFor } from './toolscope-cli.js';

/** A toolscope served over stdio in tests: the faulty fixture server, a served toolscope's pid, status and memory. */

const TSX = import.meta.resolve('tsx');
export const FAULTY = join(ROOT, 'test/fixtures/faulty-server.ts');

/** A config entry for the faulty fixture over stdio, run by this node binary. */
export function faultyServer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: process.execPath, args: ['--import', TSX, FAULTY], ...extra };
}

export interface ServedToolscope {
  readonly client: Client;
  /** The `toolscope serve` process. */
  readonly pid: number;
  /** The end of what it logged (stderr), for failure messages. */
  logTail(): string;
  close(): Promise<void>;
}

const LOG_TAIL_CHARS = 16_000;

/** `toolscope serve` over stdio as a child process (`nodeArgs` go to its node), with an SDK client connected to it. */
export async function serveStdio(
  configPath: string,
  options: { env?: Record<string, string>; nodeArgs?: readonly string[] } = {},
): Promise<ServedToolscope> {
  const { env = {}, nodeArgs = [] } = options;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...nodeArgs, '--import', 'tsx', CLI, '--config', configPath, 'serve'],
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), TOOLSCOPE_LOG_LEVEL: 'warn', ...env },
    stderr: 'pipe',
  });
  // Drained, or a full pipe would block toolscope's synchronous log writes.
  let log = '';
  transport.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-LOG_TAIL_CHARS)));
  const client = new Client({ name: 'toolscope-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, pid: transport.pid!, logTail: () => log, close: () => client.close() };
}

/** One server's status as the running toolscope of `stateDir` last published it. */
export async function publishedStatus(stateDir: string, server: string): Promise<ServerStatus | undefined> {
  const records = await readRunRecords(stateDir);
  return records[0]?.status.servers.find((status) => status.name === server);
}

/** Waits until `server` is ready and `accept` holds for its status. */
export function waitForReady(
  stateDir: string,
  server: string,
  accept: (status: ServerStatus) => boolean = () => true,
  timeoutMs?: number,
): Promise<ServerStatus> {
  return waitFor(
    async () => {
      const status = await publishedStatus(stateDir, server);
      return status?.state === 'ready' && accept(status) ? status : undefined;
    },
    `${server} to be ready`,
    timeoutMs,
  );
}

/** Resident set size of a process, in bytes (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kib) * 1024;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
