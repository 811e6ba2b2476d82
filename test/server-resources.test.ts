import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/toolscope-cli.js';
import { everythingGateway, type EverythingGateway } from './support/surface.js';

/**
 * Resources through toolscope, against the real server-everything over stdio: listed (the server pages them) under
 * `toolscope://NAMESPACE/` URIs, read as text and as binary, templates filled in by the client, subscriptions
 * followed by update notifications.
 */

const PREFIX = 'toolscope://everything/';
const ARCHITECTURE = `${PREFIX}demo://resource/static/document/architecture.md`;

let everything: EverythingGateway;

beforeAll(async () => {
  everything = await everythingGateway();
});

afterAll(async () => {
  await everything?.close();
});

const connect = (): Promise<Client> => everything.connect();

describe('resources through toolscope', () => {
  it('advertises resources (with subscribe and listChanged), prompts, logging and completions at initialize', async () => {
    const client = await connect();
    expect(client.getServerCapabilities()).toMatchObject({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    });
  });

  it("lists the server's resources under namespaced URIs", async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((resource) => resource.uri.startsWith(PREFIX))).toBe(true);
    expect(resources).toContainEqual(expect.objectContaining({ uri: ARCHITECTURE, name: 'architecture.md', mimeType: 'text/markdown' }));
  });

  it('reads a text resource, its contents under the exposed URI', async () => {
    const client = await connect();
    const { contents } = await client.readResource({ uri: ARCHITECTURE });
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ uri: ARCHITECTURE, mimeType: 'text/markdown' });
    expect((contents[0] as { text: string }).text).toContain('Architecture');
  });

  it('lists templates and reads text and binary resources the client fills in from them', async () => {
    const client = await connect();
    const { resourceTemplates } = await client.listResourceTemplates();
    const templates = resourceTemplates.map((template) => template.uriTemplate);
    expect(templates).toEqual(
      expect.arrayContaining([`${PREFIX}demo://resource/dynamic/text/{resourceId}`, `${PREFIX}demo://resource/dynamic/blob/{resourceId}`]),
    );

    const text = await client.readResource({ uri: `${PREFIX}demo://resource/dynamic/text/7` });
    expect(text.contents[0]).toMatchObject({ uri: `${PREFIX}demo://resource/dynamic/text/7` });
    expect((text.contents[0] as { text: string }).text).toMatch(/7/);

    const blob = await client.readResource({ uri: `${PREFIX}demo://resource/dynamic/blob/3` });
    const content = blob.contents[0] as { uri: string; blob: string };
    expect(content.uri).toBe(`${PREFIX}demo://resource/dynamic/blob/3`);
    expect(Buffer.from(content.blob, 'base64').toString('utf8')).toMatch(/3/);
  });

  it("puts the resource links of a tool's result under exposed URIs, which read through toolscope", async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'everything__get-resource-links', arguments: { count: 2 } });
    const links = (result.content as Array<{ type: string; uri?: string }>).filter((block) => block.type === 'resource_link');
    expect(links.map((link) => link.uri)).toEqual([`${PREFIX}demo://resource/dynamic/blob/1`, `${PREFIX}demo://resource/dynamic/text/2`]);
    for (const link of links) expect((await client.readResource({ uri: link.uri! })).contents[0]).toMatchObject({ uri: link.uri });
  });

  it('answers an unknown URI with an error naming it, and a downstream error as the server sent it', async () => {
    const client = await connect();
    await expect(client.readResource({ uri: 'toolscope://nobody/x://y' })).rejects.toThrow(/no server offers the resource "toolscope:\/\/nobody\/x:\/\/y"/);
    await expect(client.readResource({ uri: `${PREFIX}demo://resource/nothing/here` })).rejects.toThrow(/not found|unknown|nothing/i);
  });

  it('sends resources/updated for a subscribed resource only to the session that subscribed, until it unsubscribes', async () => {
    const [subscriber, bystander] = [await connect(), await connect()];
    const updates: string[] = [];
    const overheard: string[] = [];
    subscriber.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    bystander.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void overheard.push(n.params.uri));

    await subscriber.subscribeResource({ uri: ARCHITECTURE });
    // server-everything sends updates of subscribed resources every 5 s once this tool is on.
    const toggled = await subscriber.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    expect(toggled.isError).toBeFalsy();
    try {
      await waitFor(() => updates.length > 0, 'a resources/updated notification', 20_000);
      expect(updates[0]).toBe(ARCHITECTURE);
      expect(overheard).toEqual([]);

      await subscriber.unsubscribeResource({ uri: ARCHITECTURE });
      const seen = updates.length;
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(updates.length).toBe(seen);
    } finally {
      await subscriber.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    }
  }, 40_000);
});
