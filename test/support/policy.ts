import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, ClientCapabilities, Tool } from '@modelcontextprotocol/sdk/types.js';
import { toCatalogTool } from '../../src/catalog/catalog.js';
import type { CatalogTool } from '../../src/catalog/tool.js';
import { loadConfig } from '../../src/config/load.js';
import { policySections } from '../../src/config/policy.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { serveHttp } from '../../src/server/http.js';
import { z } from 'zod';
import type { CallContext, CallStage, ClientChannel } from '../../src/pipeline/call-context.js';
import type { Principal } from '../../src/policy/auth/principal.js';
import { composeStages } from '../../src/pipeline/compose.js';
import { REFUSAL_META_KEY } from '../../src/pipeline/refusal.js';
import { servers, writeConfig } from './toolscope-cli.js';

/** Helpers for the policy tests: real catalog tools, hand-built call contexts, a terminal stage that records. */

const policyConfigSchema = z.object(policySections);
export type PolicyConfig = z.infer<typeof policyConfigSchema>;

/** The policy sections as the config loader would produce them from `raw`. */
export function policyConfig(raw: Record<string, unknown> = {}): PolicyConfig {
  return policyConfigSchema.parse(raw);
}

export function tool(server: string, definition: Partial<Tool> & { name: string }): CatalogTool {
  return toCatalogTool(server, { inputSchema: { type: 'object' }, ...definition } as Tool);
}

export function callContext(
  target: CatalogTool,
  args: Record<string, unknown> = {},
  principal: Principal | undefined = { name: 'tester' },
  client: ClientChannel = {},
  signal: AbortSignal = new AbortController().signal,
): CallContext {
  return { callId: randomUUID(), principal, tool: target, arguments: args, signal, client, decisions: [], startedAt: Date.now() };
}

/** The last stage of a test pipeline: records whether the call got through, and with which arguments. */
export function terminal(): CallStage & { reached: Array<Record<string, unknown>> } {
  const reached: Array<Record<string, unknown>> = [];
  return {
    name: 'terminal',
    reached,
    async handle(ctx) {
      reached.push(ctx.arguments);
      return { content: [{ type: 'text', text: 'forwarded' }] };
    },
  };
}

/** Runs `stages` + a recording terminal over `ctx`; returns the result and whether the terminal was reached. */
export async function run(stages: CallStage[], ctx: CallContext): Promise<{ result: CallToolResult; reached: boolean }> {
  const end = terminal();
  const result = await composeStages([...stages, end])(ctx);
  return { result, reached: end.reached.length > 0 };
}

export interface RefusalFacts {
  stage: string;
  reason: string;
  rule?: string;
  retryAfterSeconds?: number;
}

export function refusalOf(result: CallToolResult): RefusalFacts | undefined {
  return result._meta?.[REFUSAL_META_KEY] as RefusalFacts | undefined;
}

/** The tools of the real npm servers (everything, filesystem, memory), listed over stdio. */
export async function realServerTools(folder: string): Promise<CatalogTool[]> {
  const entries = { everything: servers.everything(), filesystem: servers.filesystem(folder), memory: servers.memory() };
  const all: CatalogTool[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const client = new Client({ name: 'policy-test', version: '1.0.0' });
    const env = { MEMORY_FILE_PATH: `${folder}/memory.jsonl`, PATH: process.env.PATH ?? '' };
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env, stderr: 'ignore' }));
    try {
      all.push(...(await client.listTools()).tools.map((t) => toCatalogTool(name, t)));
    } finally {
      await client.close();
    }
  }
  return all;
}

/** A gateway from `config` (written to `dir`), started and served over HTTP on 127.0.0.1 with an ephemeral port. */
export async function startHttpGateway(dir: string, config: unknown): Promise<{ gateway: Gateway; url: string; close: () => Promise<void> }> {
  const loaded = await loadConfig(await writeConfig(dir, config));
  const gateway = createGateway(loaded, { logger: createLogger('silent') });
  await gateway.start();
  const http = await serveHttp(gateway, { host: '127.0.0.1', port: 0 });
  return {
    gateway,
    url: http.url,
    close: async () => {
      await http.close();
      await gateway.stop();
    },
  };
}

/** An SDK client over Streamable HTTP presenting `token` (if any) as a bearer token. */
export async function httpClient(url: string, token?: string, capabilities: ClientCapabilities = {}): Promise<Client> {
  const client = new Client({ name: 'policy-test', version: '1.0.0' }, { capabilities });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** The audit log's lines, parsed. */
export async function auditRecords(dir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(dir, '.toolscope', 'audit.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}
