/** What a server's paged listing (tools, resources, prompts) may hold; `limits` in the config. */
export interface ListingLimits {
  /** Pages one listing may take (a server answering with endless cursors stops here). */
  readonly maxListPages: number;
  /** Items one server may list. */
  readonly maxListItems: number;
  /** One item (a tool with its schemas) as JSON. */
  readonly maxItemBytes: number;
}

/** A server's listing went past a bound: the listing is refused whole, with what and which limit. */
export class ListingTooLarge extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListingTooLarge';
  }
}

export interface ListingPage<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | undefined;
}

/**
 * Follows a paged MCP listing (`tools/list`, `resources/list`, `prompts/list`, …) to its end within `limits`, so
 * one server cannot grow toolscope's memory without bound: too many pages, too many items, or one item too big
 * refuses the listing with a ListingTooLarge naming the limit. A cursor repeated is taken for a loop.
 */
export async function collectPages<T>(
  kind: string,
  limits: ListingLimits,
  fetchPage: (cursor: string | undefined) => Promise<ListingPage<T>>,
): Promise<T[]> {
  const items: T[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; ; page += 1) {
    if (page > limits.maxListPages) {
      throw new ListingTooLarge(`the ${kind} listing did not end within ${limits.maxListPages} pages (limits.maxListPages)`);
    }
    const answer = await fetchPage(cursor);
    for (const item of answer.items) {
      const bytes = Buffer.byteLength(JSON.stringify(item) ?? '');
      if (bytes > limits.maxItemBytes) {
        const name = (item as { name?: unknown }).name;
        throw new ListingTooLarge(
          `${kind.replace(/s$/, '')} ${typeof name === 'string' ? `"${name.slice(0, 80)}" ` : ''}is ${bytes} bytes as JSON, more than limits.maxItemBytes (${limits.maxItemBytes})`,
        );
      }
      items.push(item);
      if (items.length > limits.maxListItems) {
        throw new ListingTooLarge(`the server lists more than ${limits.maxListItems} ${kind} (limits.maxListItems)`);
      }
    }
    cursor = answer.nextCursor;
    if (cursor === undefined) return items;
    if (cursors.has(cursor)) throw new ListingTooLarge(`the ${kind} listing repeats the cursor ${JSON.stringify(cursor.slice(0, 80))}: it would never end`);
    cursors.add(cursor);
  }
}
