import type { Gateway } from '../gateway.js';
import type { Principal } from '../pipeline/call-context.js';
import { StdioSessionTransport } from './stdio-transport.js';

/** Serves one MCP session on this process's stdin/stdout, acting as `principal`; resolves when the client goes away. */
export async function serveStdio(gateway: Gateway, principal: Principal = gateway.principal): Promise<void> {
  const server = gateway.createSession(principal);
  const transport = new StdioSessionTransport(gateway.loaded.config.limits.maxRequestBytes);
  const closed = new Promise<void>((resolve) => {
    server.onclose = chain(server.onclose, resolve);
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
