import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { protocolError } from '../protocol-error.js';

/** The aggregated lists toolscope answers a page at a time, by the field their result carries them in. */
const LIST_METHODS = {
  tools: 'tools/list',
  resources: 'resources/list',
  resourceTemplates: 'resources/templates/list',
  prompts: 'prompts/list',
} as const;

export type PagedList = keyof typeof LIST_METHODS;

/** Longer than any cursor toolscope gives: refused before decoding. */
const MAX_CURSOR_LENGTH = 200;

/** What a cursor carries: the list it belongs to and where its next page starts. */
const cursorSchema = z.strictObject({ list: z.enum(Object.keys(LIST_METHODS) as [PagedList, ...PagedList[]]), offset: z.number().int().min(1) });

const encodeCursor = (list: PagedList, offset: number) => Buffer.from(JSON.stringify({ list, offset })).toString('base64url');

function offsetOf(cursor: string, list: PagedList): number {
  const invalid = (why: string) => {
    const shown = cursor.length > 60 ? `${cursor.slice(0, 60)}…` : cursor;
    return protocolError(ErrorCode.InvalidParams, `invalid cursor "${shown}" for ${LIST_METHODS[list]}: ${why}`);
  };
  const notOurs = 'not a cursor toolscope gave (pass the nextCursor of the previous page)';
  if (cursor.length > MAX_CURSOR_LENGTH) throw invalid(`longer than any cursor toolscope gives (${MAX_CURSOR_LENGTH} characters)`);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid(notOurs);
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw invalid(notOurs);
  if (parsed.data.list !== list) throw invalid(`it continues ${LIST_METHODS[parsed.data.list]}`);
  return parsed.data.offset;
}

/**
 * One page of an aggregated list, as its result: `pageSize` items from where `cursor` left off, and the opaque
 * `nextCursor` of the next page while items remain. The cursor is an offset into the list as it is when each page
 * is asked for: a list that changes between pages (its server sent list_changed) may shift items across pages,
 * which is why clients list again after a list_changed.
 */
export function listPage<K extends PagedList, T>(
  list: K,
  items: readonly T[],
  cursor: string | undefined,
  pageSize: number,
): Record<K, T[]> & { nextCursor?: string } {
  const start = cursor === undefined ? 0 : offsetOf(cursor, list);
  const end = start + pageSize;
  const page = { [list]: items.slice(start, end) } as Record<K, T[]>;
  return end < items.length ? { ...page, nextCursor: encodeCursor(list, end) } : page;
}
