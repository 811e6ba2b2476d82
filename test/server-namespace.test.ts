import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { servers, tempDir, waitFor } from './support/toolscope-cli.js';
import type { TempDir } from './support/temp-dir.js';

/**
 * `servers.NAME.namespace`: the prefix of a server's tool and prompt names and resource URIs. `""` exposes the
 * downstream's own names; two servers under one namespace are refused at load, naming both.
 */

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('namespace in the config', () => {
  it('refuses two servers under the same namespace, naming both', () => {
    const problems = problemsOf({ servers: { a: { command: 'node', namespace: 'shared' }, b: { command: 'node', namespace: 'shared' } } });
    expect(problems).toEqual([expect.stringMatching(/^servers\.b\.namespace: servers "a" and "b" both use the namespace "shared"/)]);
  });

  it('refuses a namespace equal to another server’s name, and two servers with their own names', () => {
    expect(problemsOf({ servers: { memory: { command: 'node' }, other: { command: 'node', namespace: 'memory' } } })).toEqual([
      expect.stringMatching(/servers "memory" and "other" both use the namespace "memory"/),
    ]);
    expect(problemsOf({ servers: { a: { command: 'node', namespace: '' }, b: { command: 'node', namespace: '' } } })).toEqual([
      expect.stringMatching(/servers "a" and "b" both use the namespace "" \(their own names, unprefixed\)/),
    ]);
  });

  it('refuses a namespace that could not be told apart from a name', () => {
    expect(problemsOf({ servers: { a: { command: 'node', namespace: 'x__y' } } })).toEqual([expect.stringMatching(/^servers\.a\.namespace: .*"__"/)]);
    expect(problemsOf({ servers: { a: { command: 'node', namespace: 'a b' } } })).toEqual([expect.stringMatching(/^servers\.a\.namespace: /)]);
  });
});

describe('a server under its own names ("namespace": "") beside a namespaced one', () => {
  let dir: TempDir;
  let gateway: Gateway;
  let client: Client;

  beforeAll(async () => {
    dir = await tempDir();
    const config = parseConfig(
      {
        exposure: { mode: 'all' },
        retrieval: { retriever: 'bm25' },
        servers: { everything: { ...servers.everything(), namespace: '' }, notes: { ...servers.memory(), namespace: 'kb' } },
      },
      'test',
    );
    gateway = createGateway({ path: join(dir.path, 'toolscope.json'), baseDir: dir.path, config }, { logger: createLogger('silent') });
    await gateway.start();
    await waitFor(() => gateway.catalog.get('echo') && gateway.catalog.get('kb__read_graph'), 'both servers');
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gateway.createSession().connect(serverSide);
    client = new Client({ name: 'namespace-test', version: '1.0.0' });
    await client.connect(clientSide);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await dir?.remove();
  });

  it('exposes tools under their own names and the prefix the config gives', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'kb__read_graph', 'kb__create_entities']));
    expect(names.some((name) => name.startsWith('everything__') || name.startsWith('notes__'))).toBe(false);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'plain' } });
    expect(JSON.stringify(echoed.content)).toContain('plain');
  });

  it('exposes resources and prompts as the downstream has them, and reads them there', async () => {
    const { resources } = await client.listResources();
    const uri = 'demo://resource/static/document/architecture.md';
    expect(resources.map((resource) => resource.uri)).toContain(uri);
    // Only the namespaced server's URIs carry the prefix.
    const prefixed = resources.filter((resource) => resource.uri.startsWith('toolscope://'));
    expect(prefixed.every((resource) => resource.uri.startsWith('toolscope://kb/'))).toBe(true);
    expect(resources.filter((resource) => resource.uri.startsWith('demo://')).length).toBeGreaterThan(1);
    expect((await client.readResource({ uri })).contents[0]).toMatchObject({ uri });

    const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
    expect(prompts).toContain('simple-prompt');
    expect((await client.getPrompt({ name: 'simple-prompt' })).messages.length).toBeGreaterThan(0);
  });
});
