import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingGateway, type EverythingGateway } from './support/surface.js';

/**
 * The aggregated lists toolscope answers clients come a page at a time (`limits.listPageSize`, here 2), against the
 * real server-everything: a client following `nextCursor` with the SDK client gets every item exactly once; a cursor
 * toolscope did not give, or one of another list, is invalid params naming the cursor.
 */

const PAGE_SIZE = 2;

let everything: EverythingGateway;
let client: Client;

beforeAll(async () => {
  everything = await everythingGateway({ limits: { listPageSize: PAGE_SIZE } });
  client = await everything.connect();
});

afterAll(async () => {
  await everything?.close();
});

interface Page {
  readonly items: readonly unknown[];
  readonly nextCursor?: string | undefined;
}

/** Follows `nextCursor` from the first page to the last, as a client does; every page as it came. */
async function followPages(listPage: (cursor: string | undefined) => Promise<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPage(cursor);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length <= 1_000);
  return pages;
}

const paramsOf = (cursor: string | undefined) => (cursor === undefined ? {} : { cursor });

const LISTS: ReadonlyArray<readonly [string, (cursor: string | undefined) => Promise<Page>, () => Promise<readonly unknown[]>]> = [
  [
    'tools/list',
    async (cursor) => client.listTools(paramsOf(cursor)).then(({ tools, nextCursor }) => ({ items: tools.map((tool) => tool.name), nextCursor })),
    async () => everything.gateway.catalog.all().map((tool) => tool.exposedName),
  ],
  [
    'resources/list',
    async (cursor) => client.listResources(paramsOf(cursor)).then(({ resources, nextCursor }) => ({ items: resources.map((resource) => resource.uri), nextCursor })),
    async () => (await everything.gateway.surface.listResources(undefined)).map((resource) => resource.uri),
  ],
  [
    'resources/templates/list',
    async (cursor) =>
      client
        .listResourceTemplates(paramsOf(cursor))
        .then(({ resourceTemplates, nextCursor }) => ({ items: resourceTemplates.map((template) => template.uriTemplate), nextCursor })),
    async () => (await everything.gateway.surface.listResourceTemplates(undefined)).map((template) => template.uriTemplate),
  ],
  [
    'prompts/list',
    async (cursor) => client.listPrompts(paramsOf(cursor)).then(({ prompts, nextCursor }) => ({ items: prompts.map((prompt) => prompt.name), nextCursor })),
    async () => (await everything.gateway.surface.listPrompts(undefined)).map((prompt) => prompt.name),
  ],
];

describe('paging of the aggregated lists', () => {
  it.each(LISTS)(`%s: following nextCursor gives every item exactly once, ${PAGE_SIZE} per page`, async (_, listPage, everyItem) => {
    const expected = await everyItem();
    expect(expected.length).toBeGreaterThanOrEqual(PAGE_SIZE);

    const pages = await followPages(listPage);
    const seen = pages.flatMap((page) => page.items);

    expect(pages).toHaveLength(Math.ceil(expected.length / PAGE_SIZE));
    expect(pages.every((page) => page.items.length <= PAGE_SIZE && page.items.length > 0)).toBe(true);
    expect(seen).toHaveLength(expected.length);
    expect([...seen].sort()).toEqual([...expected].sort());
  });

  it('refuses a cursor toolscope did not give with invalid params naming it', async () => {
    const error: unknown = await client.listResources({ cursor: 'not-a-cursor' }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toMatch(/invalid cursor "not-a-cursor" for resources\/list: not a cursor toolscope gave/);
  });

  it('refuses the cursor of another list', async () => {
    const { nextCursor } = await client.listTools();
    expect(nextCursor).toBeDefined();
    const error: unknown = await client.listPrompts({ cursor: nextCursor! }).catch((reason: unknown) => reason);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toMatch(/for prompts\/list: it continues tools\/list/);
  });
});
