/** A result (of a tool call, a resource read, a prompt) bigger than `limits.maxResultBytes`: refused rather than handed to the client. */
export class ResultTooLarge extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`the result is ${overLimit(bytes, limit)}`);
    this.name = 'ResultTooLarge';
  }

  /**
   * The same, for the caller of `tool`: toolscope's own limit held the result back (the server did not fail), and
   * the caller can ask for less.
   */
  forTool(tool: string): string {
    return `the result of ${tool} is ${overLimit(this.bytes, this.limit)}; ask for less (a smaller range, a filter, head/tail)`;
  }
}

function overLimit(bytes: number, limit: number): string {
  return `${bytes} bytes, over toolscope's limits.maxResultBytes (${limit}), so it was not forwarded`;
}

/** Throws ResultTooLarge when the result, as JSON, is over `maxBytes`. */
export function checkResultSize<T>(result: T, maxBytes: number): T {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes > maxBytes) throw new ResultTooLarge(bytes, maxBytes);
  return result;
}
