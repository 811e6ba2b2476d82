import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool result bigger than `limits.maxResultBytes`: refused rather than handed to the client. */
export class ResultTooLarge extends Error {
  constructor(bytes: number, limit: number) {
    super(`the tool result is ${bytes} bytes, over limits.maxResultBytes (${limit}); it was not forwarded`);
    this.name = 'ResultTooLarge';
  }
}

/** Throws ResultTooLarge when the result, as JSON, is over `maxBytes`. */
export function checkResultSize(result: CallToolResult, maxBytes: number): CallToolResult {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes > maxBytes) throw new ResultTooLarge(bytes, maxBytes);
  return result;
}
