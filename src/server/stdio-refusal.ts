import { createInterface } from 'node:readline';

/** How long a client that started us gets to send its first request; it sends `initialize` at once, so this is plenty. */
const FIRST_REQUEST_WAIT_MS = 2_000;

/**
 * Answers the client's first request (its `initialize`) with `reason` as a JSON-RPC error. A client that starts
 * toolscope over stdio sees only "Connection closed" when the process exits before answering; this way it shows
 * why (e.g. "principals are configured: choose ... with --as NAME"). Does nothing on a terminal.
 */
export async function refuseStdioClient(reason: string): Promise<void> {
  if (process.stdin.isTTY) return;
  const lines = createInterface({ input: process.stdin });
  const id = await new Promise<string | number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), FIRST_REQUEST_WAIT_MS);
    lines.on('line', (line) => {
      const id = requestId(line);
      if (id === undefined) return;
      clearTimeout(timer);
      resolve(id);
    });
    lines.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  lines.close();
  if (id === undefined) return;
  const answer = JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: reason } });
  await new Promise<void>((resolve) => process.stdout.write(`${answer}\n`, () => resolve()));
}

function requestId(line: string): string | number | undefined {
  try {
    const message = JSON.parse(line) as { id?: unknown; method?: unknown };
    return typeof message.method === 'string' && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : undefined;
  } catch {
    return undefined;
  }
}
