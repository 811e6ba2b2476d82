import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { toCatalogTool } from '../../src/catalog/catalog.js';
import type { CatalogTool } from '../../src/catalog/tool.js';
import { policySections } from '../../src/config/policy.js';
import { z } from 'zod';
import type { CallContext, CallStage, ClientChannel, Principal } from '../../src/pipeline/call-context.js';
import { composeStages } from '../../src/pipeline/compose.js';
import { servers } from './foundation.js';

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

export function refusalOf(result: CallToolResult): { stage: string; reason: string; rule?: string; retryAfterSeconds?: number } | undefined {
  return (result.structuredContent as { refused?: { stage: string; reason: string; rule?: string; retryAfterSeconds?: number } } | undefined)
    ?.refused;
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
