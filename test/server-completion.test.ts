import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingGateway, type EverythingGateway } from './support/surface.js';

/** `completion/complete` through toolscope, for a prompt's and a resource template's arguments of server-everything. */

let everything: EverythingGateway;

beforeAll(async () => {
  everything = await everythingGateway();
});

afterAll(async () => {
  await everything?.close();
});

describe('completion through toolscope', () => {
  it("completes a prompt's argument, with the other arguments as context", async () => {
    const client = await everything.connect();
    const department = await client.complete({
      ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
      argument: { name: 'department', value: 'S' },
    });
    expect(department.completion.values.sort()).toEqual(['Sales', 'Support']);

    const name = await client.complete({
      ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
      argument: { name: 'name', value: '' },
      context: { arguments: { department: 'Engineering' } },
    });
    expect(name.completion.values).toEqual(['Alice', 'Bob', 'Charlie']);
  });

  it("completes a resource template's variable under the template's namespaced URI", async () => {
    const client = await everything.connect();
    const { resourceTemplates } = await client.listResourceTemplates();
    const text = resourceTemplates.find((template) => template.uriTemplate.endsWith('dynamic/text/{resourceId}'))!;
    const answer = await client.complete({ ref: { type: 'ref/resource', uri: text.uriTemplate }, argument: { name: 'resourceId', value: '1' } });
    expect(answer.completion.values.length).toBeGreaterThan(0);
    expect(answer.completion.values.every((value) => value.startsWith('1'))).toBe(true);
  });

  it('answers a completion for an unknown prompt with an error naming it', async () => {
    const client = await everything.connect();
    await expect(
      client.complete({ ref: { type: 'ref/prompt', name: 'everything__nothing' }, argument: { name: 'x', value: '' } }),
    ).rejects.toThrow(/unknown prompt "everything__nothing"/);
  });
});
