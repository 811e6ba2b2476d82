import type { Gateway } from '../gateway.js';
import { STOPPING } from '../pipeline/in-flight.js';
import type { Principal } from '../policy/auth/principal.js';
import { StdioSessionTransport } from './stdio-transport.js';

/** The one MCP session on this process's stdin/stdout. */
export interface StdioSession {
  /** Resolves when the session ends: the client went away (closed stdin), or `close`. */
  readonly closed: Promise<void>;
  /** Ends the session once every request received has been answered, waiting at most `timeoutMs` for that. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Opens the MCP session on stdin/stdout, acting as `principal`. Once the gateway is stopping, new requests are refused
 * (answers to what a call in flight asked the client still come in).
 */
export async function openStdioSession(gateway: Gateway, principal: Principal = gateway.principal): Promise<StdioSession> {
  const server = gateway.createSession(principal);
  const transport = new StdioSessionTransport(gateway.loaded.config.limits.maxRequestBytes);
  const refuse = () => transport.refuseRequests(`${STOPPING}: it takes no new requests`);
  gateway.once('stopping', refuse);
  const closed = new Promise<void>((resolve) => {
    server.onclose = chain(server.onclose, () => {
      gateway.off('stopping', refuse);
      resolve();
    });
  });
  await server.connect(transport);
  return {
    closed,
    async close(timeoutMs) {
      await transport.answered(timeoutMs);
      await server.close();
    },
  };
}

/** Serves one MCP session on this process's stdin/stdout, acting as `principal`; resolves when the client goes away. */
export async function serveStdio(gateway: Gateway, principal: Principal = gateway.principal): Promise<void> {
  await (await openStdioSession(gateway, principal)).closed;
}

function chain(first: (() => void) | undefined, second: () => void): () => void {
  return () => {
    first?.();
    second();
  };
}
