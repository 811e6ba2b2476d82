import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { servers, tempDir, waitFor } from './support/toolscope-cli.js';
import { auditRecords, httpClient, startHttpGateway } from './support/policy.js';
import type { TempDir } from './support/temp-dir.js';

/**
 * Resources and prompts under policy, over Streamable HTTP with bearer tokens, against the real server-everything:
 * listings show a principal only what it may read, reads and prompt gets pass the pipeline's scope, rate-limit and
 * audit stages like tool calls, and a principal granted tools only reaches no resource or prompt.
 */

const DOCS = 'toolscope://everything/demo://resource/static/document/';
const ARCHITECTURE = `${DOCS}architecture.md`;
const TEXT_7 = 'toolscope://everything/demo://resource/dynamic/text/7';
const BLOB_7 = 'toolscope://everything/demo://resource/dynamic/blob/7';

const tokens = { tools: generateToken(), docs: generateToken(), reader: generateToken() };
let dir: TempDir;
let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
const clients: Client[] = [];

async function connect(token: string): Promise<Client> {
  const client = await httpClient(gateway.url, token);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  dir = await tempDir();
  gateway = await startHttpGateway(dir.path, {
    exposure: { mode: 'all' },
    retrieval: { retriever: 'bm25' },
    servers: { everything: servers.everything() },
    principals: {
      // Granted one tool: reaches no resource, prompt or completion.
      tools: { allow: ['everything:echo'], tokenHashes: [hashToken(tokens.tools)] },
      // Granted the static documents and one prompt by name.
      docs: { allow: ['everything:resource:demo://resource/static/*', 'everything:prompt:simple-prompt'], tokenHashes: [hashToken(tokens.docs)] },
      // Every read (the class reads and prompt gets have), but not binary resources.
      reader: { allow: ['read'], deny: ['everything:resource:*blob*'], tokenHashes: [hashToken(tokens.reader)] },
    },
    rateLimits: { tools: { 'everything:resource:*/dynamic/text/*': { capacity: 2, refillPerSecond: 0.01 } } },
  });
  await waitFor(() => gateway.gateway.catalog.size > 0, 'server-everything');
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await gateway?.close();
  await dir?.remove();
});

describe('resources and prompts under scopes', () => {
  it('shows a principal granted only a tool no resource, template or prompt, and refuses its reads at the scope stage', async () => {
    const client = await connect(tokens.tools);
    expect((await client.listResources()).resources).toEqual([]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    await expect(client.readResource({ uri: ARCHITECTURE })).rejects.toThrow(
      /refused this resource read at the scope stage: no allow rule of tools matches everything:resource:demo:\/\/resource\/static\/document\/architecture\.md \[read\]/,
    );
    await expect(client.getPrompt({ name: 'everything__simple-prompt' })).rejects.toThrow(/refused this prompt get at the scope stage/);
    await expect(
      client.complete({ ref: { type: 'ref/prompt', name: 'everything__completable-prompt' }, argument: { name: 'department', value: '' } }),
    ).rejects.toThrow(/refused this completion at the scope stage/);
    await expect(client.subscribeResource({ uri: ARCHITECTURE })).rejects.toThrow(/refused this subscription at the scope stage/);
  });

  it('lists and reads only the resources and prompts a principal is granted by name', async () => {
    const client = await connect(tokens.docs);
    const uris = (await client.listResources()).resources.map((resource) => resource.uri);
    expect(uris.length).toBeGreaterThan(0);
    expect(uris.every((uri) => uri.startsWith(DOCS))).toBe(true);
    expect((await client.readResource({ uri: ARCHITECTURE })).contents[0]).toMatchObject({ uri: ARCHITECTURE });
    await expect(client.readResource({ uri: TEXT_7 })).rejects.toThrow(/refused this resource read at the scope stage/);

    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['everything__simple-prompt']);
    expect((await client.getPrompt({ name: 'everything__simple-prompt' })).messages.length).toBeGreaterThan(0);
    await expect(client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'x' } })).rejects.toThrow(/scope stage/);
  });

  it('lets the read class read resources and get prompts, and a deny rule keep out what it names', async () => {
    const client = await connect(tokens.reader);
    expect((await client.readResource({ uri: ARCHITECTURE })).contents).toHaveLength(1);
    expect((await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Porto' } })).messages.length).toBeGreaterThan(0);
    await expect(client.readResource({ uri: BLOB_7 })).rejects.toThrow(/refused this resource read at the scope stage: .* is denied to reader/);
    // Of the tools, the reader sees only those that say they only read.
    const tools = (await client.listTools()).tools;
    expect(tools.length).toBeLessThan(gateway.gateway.catalog.size);
    expect(tools.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
  });
});

describe('resource reads under rate limits and audit', () => {
  it('rate-limits reads as calls, one bucket across the URIs a rule matches, saying when to retry', async () => {
    const client = await connect(tokens.reader);
    await client.readResource({ uri: 'toolscope://everything/demo://resource/dynamic/text/1' });
    await client.readResource({ uri: 'toolscope://everything/demo://resource/dynamic/text/2' });
    await expect(client.readResource({ uri: 'toolscope://everything/demo://resource/dynamic/text/3' })).rejects.toThrow(
      /refused this resource read at the rate-limit stage: .*Retry after \d+ s/,
    );
    // Other resources are not under that limit.
    expect((await client.readResource({ uri: ARCHITECTURE })).contents).toHaveLength(1);
  });

  it('audits every read and prompt get, refusals included, under its exposed name', async () => {
    const records = await auditRecords(dir.path);
    const reads = records.filter((record) => record.tool === ARCHITECTURE);
    expect(reads.some((record) => record.principal === 'docs' && record.outcome === 'ok')).toBe(true);
    expect(reads.some((record) => record.principal === 'tools' && record.outcome === 'refused')).toBe(true);
    const limited = records.find((record) => record.tool === 'toolscope://everything/demo://resource/dynamic/text/3');
    expect(limited).toMatchObject({ principal: 'reader', outcome: 'refused', refusal: { stage: 'rate-limit' } });
    const prompt = records.find((record) => record.tool === 'everything__args-prompt' && record.principal === 'reader');
    expect(prompt).toMatchObject({ server: 'everything', request: 'prompts/get', outcome: 'ok', arguments: { city: 'Porto' } });
  });

  it('audits subscriptions and completions as well, the value being completed included, refusals too', async () => {
    const reader = await connect(tokens.reader);
    await reader.subscribeResource({ uri: ARCHITECTURE });
    const completion = { ref: { type: 'ref/prompt' as const, name: 'everything__completable-prompt' }, argument: { name: 'department', value: 'S' } };
    expect((await reader.complete(completion)).completion.values.sort()).toEqual(['Sales', 'Support']);
    const records = await auditRecords(dir.path);
    const of = (principal: string, request: string) => records.filter((record) => record.principal === principal && record.request === request);
    expect(of('reader', 'resources/subscribe')).toEqual([expect.objectContaining({ tool: ARCHITECTURE, server: 'everything', outcome: 'ok' })]);
    expect(of('reader', 'completion/complete')).toEqual([
      expect.objectContaining({ tool: 'everything__completable-prompt', outcome: 'ok', arguments: { department: 'S' } }),
    ]);
    // The refusals of the first test, by the principal granted one tool only.
    expect(of('tools', 'resources/subscribe')).toEqual([expect.objectContaining({ outcome: 'refused', refusal: expect.objectContaining({ stage: 'scope' }) })]);
    expect(of('tools', 'completion/complete')).toEqual([expect.objectContaining({ outcome: 'refused', refusal: expect.objectContaining({ stage: 'scope' }) })]);
  });
});
