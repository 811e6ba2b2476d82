import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Running the toolscope CLI in tests: real servers, real processes, temp folders. */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');
const PROBE = join(ROOT, 'test/fixtures/probe-server.ts');

const serverEntry = (name: string) => join(ROOT, `node_modules/@modelcontextprotocol/server-${name}/dist/index.js`);

/** Config entries for the real npm servers, run by this node binary (no npx, no network). */
export const servers = {
  everything: (extra: Record<string, unknown> = {}) => ({
    command: process.execPath,
    args: [serverEntry('everything')],
    ...extra,
  }),
  filesystem: (folder: string) => ({ command: process.execPath, args: [serverEntry('filesystem'), folder] }),
  memory: () => ({
    command: process.execPath,
    args: [serverEntry('memory')],
    env: { MEMORY_FILE_PATH: '${stateDir}/memory.jsonl' },
  }),
  probe: (probeDir: string, extra: Record<string, unknown> = {}) => ({
    command: process.execPath,
    args: ['--import', TSX, PROBE],
    env: { PROBE_DIR: probeDir },
    ...extra,
  }),
};

export { tempDir } from './temp-dir.js';

export async function writeConfig(dir: string, config: unknown, name = 'toolscope.json'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI from source (no build needed) and waits for it to exit. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...env, TOOLSCOPE_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An MCP client talking to `toolscope serve` over stdio, as Claude Desktop would. */
export async function connectStdio(configPath: string, env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', CLI, '--config', configPath, 'serve'],
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), TOOLSCOPE_LOG_LEVEL: 'warn', ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'toolscope-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** Waits until the client's tools/list holds every name in `names`; returns the full list. */
export async function waitForTools(client: Client, names: readonly string[]): Promise<string[]> {
  return waitFor(async () => {
    const listed = (await client.listTools()).tools.map((tool) => tool.name);
    return names.every((name) => listed.includes(name)) ? listed : undefined;
  }, `tools ${names.join(', ')}`);
}

export function textOf(result: unknown): string {
  return ((result as CallToolResult).content ?? [])
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('\n');
}
