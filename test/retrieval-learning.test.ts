import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, runCli, servers, tempDir, textOf, waitFor, writeConfig } from './support/toolscope-cli.js';

/** search_tools as a real client sees it: confidence and "no good match", and learning from search -> call pairs. */

interface Found {
  name: string;
  confidence: number;
  step?: number;
}
interface SearchAnswer {
  tools: Found[];
  match: 'good' | 'none';
  confidence: number;
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let client: Client;
let configPath: string;

async function search(query: string, limit = 5): Promise<{ answer: SearchAnswer; text: string }> {
  const result = (await client.callTool({ name: 'search_tools', arguments: { query, limit } })) as CallToolResult;
  expect(result.isError ?? false).toBe(false);
  return { answer: result.structuredContent as unknown as SearchAnswer, text: textOf(result) };
}

beforeAll(async () => {
  dir = await tempDir();
  await mkdir(join(dir.path, 'files'));
  configPath = await writeConfig(dir.path, {
    stateDir: join(dir.path, 'state'),
    servers: { filesystem: servers.filesystem(join(dir.path, 'files')), memory: servers.memory() },
    exposure: { mode: 'search' },
    retrieval: { embedder: { backend: 'use-lite' }, learning: { enabled: true } },
    approval: { required: [] },
  });
  client = await connectStdio(configPath);
  await waitFor(async () => {
    const description = (await client.listTools()).tools[0]?.description ?? '';
    return ['filesystem', 'memory'].every((server) => description.includes(server));
  }, 'both servers in the catalog', 90_000);
});

afterAll(async () => {
  await client?.close();
  await dir.remove();
});

describe('search_tools confidence', () => {
  it('says "no good match" for a request no tool serves, and reports a good one for a plain match', async () => {
    const unrelated = await search('bake a chocolate cake for the birthday party');
    expect(unrelated.answer.match).toBe('none');
    expect(unrelated.answer.confidence).toBeLessThan(0.3);
    expect(unrelated.text).toMatch(/^No good match for "bake a chocolate cake/);

    const plain = await search('list the files in a directory');
    expect(plain.answer.match).toBe('good');
    expect(plain.answer.tools[0]!.name).toBe('filesystem__list_directory');
    expect(plain.answer.confidence).toBe(plain.answer.tools[0]!.confidence);
    expect(plain.answer.confidence).toBeGreaterThan(unrelated.answer.confidence);
    expect(plain.text).not.toMatch(/No good match/);
  });

  it('lets a courtesy sentence after the request neither take places nor make the answer "no good match"', async () => {
    // Decomposition makes "Please be quick about it." a step of its own; no tool serves it, so it gets no lane.
    const padded = await search('list the files in a directory. Please be quick about it.');
    expect(padded.answer.tools[0]!.name).toBe('filesystem__list_directory');
    expect(padded.answer.tools.map((tool) => tool.step)).toEqual(padded.answer.tools.map(() => 1));
    expect(padded.answer.match).toBe('good');
    expect(padded.text).not.toMatch(/No good match/);
  });
});

describe('search_tools confidence per step', () => {
  it('names the step of a request of several that no tool clearly serves, even when the other step is a good match', async () => {
    const mixed = await search('list the files in a directory, then create a relation between two entities, then order a pizza with extra cheese');
    expect(new Set(mixed.answer.tools.map((tool) => tool.step))).toEqual(new Set([1, 2, 3]));
    // No pizza tool: the tool found for step 3 is not to be run for it, though steps 1 and 2 have tools that fit.
    expect(mixed.text).toMatch(/^No good match for step 3 of "list the files in a directory, then create a relation[^"]*": the tools found for it do not clearly fit/);
  });
});

describe('learning from use', () => {
  it('records a search followed by a call of a found tool (redacted) and ranks that tool first for a similar request', async () => {
    const secret = 'sk-abcdefghijklmnopqrstuvwxyz0123456789';
    const before = await search(`jot down that the meeting moved to Monday, key ${secret}`, 10);
    expect(before.answer.tools[0]!.name).not.toBe('memory__add_observations');
    expect(before.answer.tools.map((tool) => tool.name)).toContain('memory__add_observations');
    const call = (await client.callTool({
      name: 'call_tool',
      arguments: { name: 'memory__add_observations', arguments: { observations: [] } },
    })) as CallToolResult;
    expect(call.isError ?? false).toBe(false);

    const file = join(dir.path, 'state', 'usage-history.json');
    const stored = await waitFor(async () => {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text.includes('memory__add_observations') ? text : undefined;
    }, 'the usage history written');
    expect(stored).not.toContain(secret);
    expect(stored).toContain('[redacted]');
    const { records } = JSON.parse(stored) as { records: Array<{ query: string; tool: string }> };
    expect(records).toHaveLength(1);
    expect(records[0]!.query).toMatch(/^jot down that the meeting moved to Monday/);

    const after = await search('jot down that the meeting moved to Friday');
    expect(after.answer.tools[0]!.name).toBe('memory__add_observations');

    // The admin sees that the serve learns, and from how many choices.
    const status = await waitFor(async () => {
      const { stdout } = await runCli(['status', '--config', configPath]);
      return stdout.includes('learning from 1 past choices') ? stdout : undefined;
    }, 'toolscope status naming the learned choice');
    expect(status).toMatch(/hybrid, embedder use-lite \(512-d\), \d+ tools indexed.*, learning from 1 past choices/);
  });
});
