import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

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
  if (!parsed.success) throw new McpError(ErrorCode.InvalidParams, `invalid params: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
