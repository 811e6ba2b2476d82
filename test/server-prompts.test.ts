import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingGateway, type EverythingGateway } from './support/surface.js';

/** Prompts through toolscope against the real server-everything: listed namespaced, got with arguments. */

let everything: EverythingGateway;

beforeAll(async () => {
  everything = await everythingGateway();
});

afterAll(async () => {
  await everything?.close();
});

describe('prompts through toolscope', () => {
  it("lists the server's prompts under namespaced names, with their arguments", async () => {
    const client = await everything.connect();
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(
      expect.arrayContaining(['everything__simple-prompt', 'everything__args-prompt', 'everything__resource-prompt']),
    );
    expect(prompts.find((prompt) => prompt.name === 'everything__args-prompt')?.arguments).toEqual([
      { name: 'city', description: 'Name of the city', required: true },
      { name: 'state', required: false },
    ]);
  });

  it('gets a prompt with its arguments filled in', async () => {
    const client = await everything.connect();
    const { messages } = await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lisbon', state: 'Estremadura' } });
    expect(JSON.stringify(messages)).toContain('Lisbon');
    expect(JSON.stringify(messages)).toContain('Estremadura');
  });

  it("refuses a prompt get missing a required argument at the validate stage, naming it", async () => {
    const client = await everything.connect();
    await expect(client.getPrompt({ name: 'everything__args-prompt', arguments: { state: 'x' } })).rejects.toThrow(
      /refused this prompt get at the validate stage: invalid arguments: .*city/,
    );
  });

  it('gets a prompt with an embedded resource, its URI namespaced like the listing', async () => {
    const client = await everything.connect();
    const { messages } = await client.getPrompt({ name: 'everything__resource-prompt', arguments: { resourceType: 'Text', resourceId: '4' } });
    const embedded = messages.map((message) => message.content).find((content) => content.type === 'resource');
    expect(embedded).toBeDefined();
    const uri = (embedded as { resource: { uri: string } }).resource.uri;
    expect(uri).toBe('toolscope://everything/demo://resource/dynamic/text/4');
    // The embedded resource's URI reads through toolscope as it is.
    expect((await client.readResource({ uri })).contents[0]).toMatchObject({ uri });
  });

  it('answers an unknown prompt with an error naming it', async () => {
    const client = await everything.connect();
    await expect(client.getPrompt({ name: 'everything__no-such-prompt' })).rejects.toThrow(/unknown prompt "everything__no-such-prompt"/);
    await expect(client.getPrompt({ name: 'nobody__x' })).rejects.toThrow(/unknown prompt "nobody__x"/);
  });
});
