import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StdioSessionTransport } from '../src/server/stdio-transport.js';
import { connectStdio, servers, tempDir, textOf, waitForTools, writeConfig } from './support/toolscope-cli.js';

describe('toolscope serve over stdio with the real npm servers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: Client;
  let tools: string[];

  beforeAll(async () => {
    dir = await tempDir();
    const files = join(dir.path, 'files');
    await mkdir(files);
    await writeFile(join(files, 'notes.txt'), 'ship the foundation on friday\n');
    const configPath = await writeConfig(dir.path, {
      // Direct exposure: every namespaced tool in tools/list.
      exposure: { mode: 'all' },
      servers: {
        everything: servers.everything(),
        // The same server a second time: its tools must not collide with the first entry's.
        'everything-2': servers.everything(),
        filesystem: servers.filesystem(files),
        memory: servers.memory(),
      },
    });
    client = await connectStdio(configPath);
    tools = await waitForTools(client, [
      'everything__echo',
      'everything-2__echo',
      'filesystem__read_text_file',
      'memory__create_entities',
    ]);
  });

  afterAll(async () => {
    await client?.close();
    await dir?.remove();
  });

  it('lists one catalog of namespaced, unique names of at most 64 characters', () => {
    expect(new Set(tools).size).toBe(tools.length);
    for (const name of tools) {
      expect(name).toMatch(/^(everything|everything-2|filesystem|memory)__[A-Za-z0-9_-]+$/);
      expect(name.length).toBeLessThanOrEqual(64);
    }
    const everything = tools.filter((name) => name.startsWith('everything__')).map((name) => name.slice(12));
    const everything2 = tools.filter((name) => name.startsWith('everything-2__')).map((name) => name.slice(14));
    expect(everything.length).toBeGreaterThan(5);
    expect(everything2.sort()).toEqual(everything.sort());
  });

  it('calls a tool on each server, including both entries of the same server', async () => {
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'one' } }))).toBe(
      'Echo: one',
    );
    const sum = await client.callTool({ name: 'everything-2__get-sum', arguments: { a: 2, b: 3 } });
    expect(textOf(sum)).toContain('5');

    const read = await client.callTool({
      name: 'filesystem__read_text_file',
      arguments: { path: join(dir.path, 'files', 'notes.txt') },
    });
    expect(read.isError).toBeFalsy();
    expect(textOf(read)).toContain('ship the foundation on friday');

    const created = await client.callTool({
      name: 'memory__create_entities',
      arguments: { entities: [{ name: 'Alice', entityType: 'person', observations: ['works at Acme'] }] },
    });
    expect(created.isError).toBeFalsy();
    // MEMORY_FILE_PATH was `${stateDir}/memory.jsonl`: the graph lands in the state folder.
    expect(await readFile(join(dir.path, '.toolscope', 'memory.jsonl'), 'utf8')).toContain('works at Acme');
  });

  it('passes downstream JSON Schemas through untouched', async () => {
    const direct = new Client({ name: 'direct', version: '1.0.0' });
    await direct.connect(
      new StdioClientTransport({
        command: servers.filesystem(dir.path).command,
        args: servers.filesystem(dir.path).args,
        stderr: 'ignore',
      }),
    );
    try {
      const original = (await direct.listTools()).tools.find((tool) => tool.name === 'edit_file')!;
      const proxied = (await client.listTools()).tools.find((tool) => tool.name === 'filesystem__edit_file')!;
      expect(proxied.inputSchema).toEqual(original.inputSchema);
      expect(proxied.description).toBe(original.description);
      expect(proxied.annotations).toEqual(original.annotations);
    } finally {
      await direct.close();
    }
  });

  it('answers an unknown tool with an error naming it', async () => {
    await expect(client.callTool({ name: 'nope__missing', arguments: {} })).rejects.toThrow(/unknown tool "nope__missing"/);
  });
});

describe('a request over limits.maxRequestBytes on stdio', () => {
  it('is refused with the id of the request, so an SDK client gets the error instead of waiting for its timeout', async () => {
    const dir = await tempDir();
    const client = await connectStdio(
      await writeConfig(dir.path, { exposure: { mode: 'all' }, limits: { maxRequestBytes: 4096 }, servers: { everything: servers.everything() } }),
    );
    try {
      await waitForTools(client, ['everything__echo']);
      const call = client.callTool({ name: 'everything__echo', arguments: { message: 'x'.repeat(10_000) } }, undefined, { timeout: 20_000 });
      await expect(call).rejects.toThrow(/message over 4096 bytes \(limits\.maxRequestBytes\), discarded/);
      expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'small' } }))).toBe('Echo: small');
    } finally {
      await client.close();
      await dir.remove();
    }
  });

  it('reads a request\'s id at the start or at the end of the line, however the line arrives, never one of the params nor a response\'s', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const transport = new StdioSessionTransport(200, input, output);
    await transport.start();
    const replies: Array<{ id: unknown }> = [];
    output.on('data', (chunk: Buffer) => replies.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line) as { id: unknown })));
    const filler = 'f'.repeat(1000);
    const lines = [
      `{"jsonrpc":"2.0","id":"first","method":"ping","params":{"filler":"${filler}"}}`,
      `{"method":"tools/call","params":{"filler":"${filler}"},"jsonrpc":"2.0","id":42}`,
      // Neither edge shows the message's own id: an id inside the params is not taken for it.
      `{"method":"ping","params":{"id":7,"filler":"${filler}","nested":{"id":8}}}`,
      // A response (to a request toolscope made of the client): its id is toolscope's own, never answered under.
      `{"result":{"filler":"${filler}"},"jsonrpc":"2.0","id":3}`,
      `{"jsonrpc":"2.0","id":4,"result":{"filler":"${filler}"}}`,
    ];
    // The first whole, the second in small pieces, the third in two.
    input.write(`${lines[0]}\n`);
    for (let at = 0; at < lines[1]!.length; at += 97) input.write(lines[1]!.slice(at, at + 97));
    input.write('\n');
    input.write(lines[2]!.slice(0, 150));
    input.write(`${lines[2]!.slice(150)}\n`);
    input.write(`${lines[3]}\n${lines[4]}\n`);
    await expect.poll(() => replies.length).toBe(5);
    expect(replies.map((reply) => reply.id)).toEqual(['first', 42, null, null, null]);
    await transport.close();
  });
});
