import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { servers, tempDir, waitFor } from './support/toolscope-cli.js';
import type { TempDir } from './support/temp-dir.js';

/**
 * A downstream server that adds a resource or a prompt at runtime (the probe server, over stdio) announces it; the
 * client of toolscope hears resources/list_changed or prompts/list_changed and lists the new item, namespaced.
 */

let dir: TempDir;
let gateway: Gateway;
let client: Client;

const configWith = (extra: Record<string, unknown> = {}) => ({
  path: join(dir.path, 'toolscope.json'),
  baseDir: dir.path,
  config: parseConfig({ exposure: { mode: 'all' }, retrieval: { retriever: 'bm25' }, servers: { probe: servers.probe(dir.path), ...extra } }, 'test'),
});

beforeAll(async () => {
  dir = await tempDir();
  gateway = createGateway(configWith(), { logger: createLogger('silent') });
  await gateway.start();
  await waitFor(() => gateway.catalog.get('probe__add_resource'), 'the probe server');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await gateway.createSession().connect(serverSide);
  client = new Client({ name: 'list-changed-test', version: '1.0.0' });
  await client.connect(clientSide);
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  await dir?.remove();
});

describe('list_changed for resources and prompts', () => {
  it('announces a resource added downstream, which then lists and reads', async () => {
    let announced = 0;
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void announced++);
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual(['toolscope://probe/probe://first']);

    await client.callTool({ name: 'probe__add_resource', arguments: { name: 'second' } });
    await waitFor(() => announced > 0, 'resources/list_changed');
    const uris = (await client.listResources()).resources.map((resource) => resource.uri);
    expect(uris).toEqual(['toolscope://probe/probe://first', 'toolscope://probe/probe://second']);
    expect((await client.readResource({ uri: 'toolscope://probe/probe://second' })).contents).toEqual([
      { uri: 'toolscope://probe/probe://second', text: 'second' },
    ]);
  });

  it('announces a prompt added downstream, and the prompt listing toolscope keeps is renewed', async () => {
    let announced = 0;
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => void announced++);
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['probe__first']);

    await client.callTool({ name: 'probe__add_prompt', arguments: { name: 'second' } });
    await waitFor(() => announced > 0, 'prompts/list_changed');
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['probe__first', 'probe__second']);
    expect((await client.getPrompt({ name: 'probe__second' })).messages).toEqual([{ role: 'user', content: { type: 'text', text: 'second' } }]);
  });

  it('announces the resources and prompts of a server added to, then removed from, the live config', async () => {
    let announced = 0;
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void announced++);
    await gateway.applyConfig(configWith({ everything: { ...servers.everything(), namespace: 'ev' } }));
    const listed = await waitFor(async () => {
      const uris = (await client.listResources()).resources.map((resource) => resource.uri);
      return uris.some((uri) => uri.startsWith('toolscope://ev/')) ? uris : undefined;
    }, "the added server's resources");
    expect(announced).toBeGreaterThan(0);
    expect(listed).toContain('toolscope://ev/demo://resource/static/document/architecture.md');
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('ev__simple-prompt');

    const before = announced;
    await gateway.applyConfig(configWith());
    await waitFor(() => announced > before, 'resources/list_changed for the removed server');
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual([
      'toolscope://probe/probe://first',
      'toolscope://probe/probe://second',
    ]);
    await expect(client.readResource({ uri: 'toolscope://ev/demo://resource/static/document/architecture.md' })).rejects.toThrow(
      /no server offers the resource/,
    );
  }, 60_000);
});
