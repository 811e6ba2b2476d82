import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Gateway } from '../gateway.js';

/** Serves one MCP session on this process's stdin/stdout; resolves when the client goes away. */
export async function serveStdio(gateway: Gateway): Promise<void> {
  const server = gateway.createSession();
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = chain(server.onclose, resolve);
    // The SDK transport does not notice stdin ending on its own.
    process.stdin.once('end', () => void server.close());
  });
  await server.connect(transport);
  await closed;
}

function chain(first: (() => void) | undefined, second: () => void): () => void {
  return () => {
    first?.();
    second();
  };
}
