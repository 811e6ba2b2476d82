import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { protocolError } from '../protocol-error.js';

/**
 * A request schema that checks only the method, for `setRequestHandler`. The SDK parses a request against its
 * handler's schema before the handler runs and answers a mismatch with -32603 (internal error) and a raw dump of
 * the issues; registering with this and calling `parseRequest` in the handler answers -32602 (invalid params)
 * saying what is wrong.
 */
export function methodOnly<M extends string>(method: M) {
  return z.looseObject({ method: z.literal(method) });
}

export function parseRequest<T>(schema: z.ZodType<T>, request: unknown): T {
  const parsed = schema.safeParse(request);
  if (!parsed.success) throw protocolError(ErrorCode.InvalidParams, `invalid params: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * How deep tool arguments may nest. Deeper values are refused at the boundary: cloning, hashing, redacting and
 * serialising them further on would exhaust the stack (an attacker's 10,000-deep array), and no tool schema needs it.
 */
export const MAX_ARGUMENT_DEPTH = 128;

/** Whether `value` nests arrays and objects more than `limit` levels deep; iterative, so safe at any depth. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<readonly [unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, level] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (level > limit) return true;
    for (const child of Object.values(current)) pending.push([child, level + 1]);
  }
  return false;
}
