import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, ROOT } from './toolscope-cli.js';

/** `toolscope serve` as a real child process, from source, with its stderr kept for inspection. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far (its logs). */
  stderr(): string;
  alive(): boolean;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export interface HttpServeProcess extends ServeProcess {
  /** The MCP endpoint, e.g. http://127.0.0.1:PORT/mcp. */
  readonly url: string;
  /** What it printed so far (the banner with the client snippets). */
  stdout(): string;
}

export interface ServeOptions {
  /** Extra arguments after `serve`, e.g. `--as NAME`. */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly logLevel?: string;
  /** `--http` address; default `127.0.0.1:0`. */
  readonly listen?: string;
}

function spawnServe(configPath: string, args: readonly string[], options: ServeOptions): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--config', configPath, 'serve', ...args, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...(options.env ?? process.env), TOOLSCOPE_LOG_LEVEL: options.logLevel ?? 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stderr: () => stderr,
    alive,
    async stop() {
      if (!alive()) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `serve` over stdio: the caller speaks JSON-RPC on `child.stdin` / `child.stdout`. */
export function serveStdioProcess(configPath: string, options: ServeOptions = {}): ServeProcess {
  return spawnServe(configPath, [], options);
}

/** `serve --http 127.0.0.1:0` (or `options.listen`); resolves once the endpoint URL is printed. */
export async function serveHttpProcess(configPath: string, options: ServeOptions = {}): Promise<HttpServeProcess> {
  const listen = options.listen ?? '127.0.0.1:0';
  const serve = spawnServe(configPath, ['--http', listen], options);
  const host = listen.slice(0, listen.lastIndexOf(':')).replace(/[.[\]]/g, '\\$&');
  const endpoint = new RegExp(`(http://${host}:\\d+/mcp)`);
  const lines = createInterface({ input: serve.child.stdout! });
  let stdout = '';
  lines.on('line', (line) => (stdout += `${line}\n`));
  let findUrl: (line: string) => void = () => undefined;
  const url = await new Promise<string>((resolve, reject) => {
    findUrl = (line) => {
      const match = endpoint.exec(line);
      if (match) resolve(match[1]!);
    };
    lines.on('line', findUrl);
    serve.child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${serve.stderr()}`)));
  });
  lines.off('line', findUrl);
  return { ...serve, url, stdout: () => stdout };
}

/** An SDK MCP client over Streamable HTTP presenting `token` as its bearer token. */
export async function connectHttpClient(url: string, token: string, name = 'toolscope-test'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

export interface StdioClientSession {
  readonly client: Client;
  /** toolscope's stderr so far. */
  stderr(): string;
}

/** An SDK MCP client running `toolscope serve` over stdio, as a desktop client would (`args` e.g. `--as NAME`). */
export async function connectStdioClient(configPath: string, options: ServeOptions = {}): Promise<StdioClientSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', CLI, '--config', configPath, 'serve', ...(options.args ?? [])],
    cwd: ROOT,
    env: { ...((options.env ?? process.env) as Record<string, string>), TOOLSCOPE_LOG_LEVEL: options.logLevel ?? 'warn' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'toolscope-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

const TSX = import.meta.resolve('tsx');

/** A config entry running one of the test fixture servers (test/fixtures/NAME.ts) with exactly `env`. */
export function fixtureServer(name: string, env: Record<string, string> = {}): Record<string, unknown> {
  return { command: process.execPath, args: ['--import', TSX, join(ROOT, 'test/fixtures', `${name}.ts`)], env };
}

/** A loopback port free right now, for a `serve` whose URL must be known before it starts (an OAuth audience). */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
