/** A result (of a tool call, a resource read, a prompt) bigger than `limits.maxResultBytes`: refused rather than handed to the client. */
export class ResultTooLarge extends Error {
  constructor(bytes: number, limit: number) {
    super(`the result is ${bytes} bytes, over limits.maxResultBytes (${limit}); it was not forwarded`);
    this.name = 'ResultTooLarge';
  }
}

/** Throws ResultTooLarge when the result, as JSON, is over `maxBytes`. */
export function checkResultSize<T>(result: T, maxBytes: number): T {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes > maxBytes) throw new ResultTooLarge(bytes, maxBytes);
  return result;
}
