import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CallStage, ClientChannel } from '../call-context.js';

/** What the forward stage needs of the downstream side (the DownstreamManager in the gateway). */
export interface ToolForwarder {
  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    client: ClientChannel,
  ): Promise<CallToolResult>;
}

/**
 * The last stage: sends the call to the tool's own server under its original name, for the calling client (which
 * gets the server's progress and what it asks mid-call). A downstream failure (crash, timeout, protocol error)
 * becomes a tool error naming the server; a tool's own `isError` result passes as is.
 */
export function forwardStage(forwarder: ToolForwarder): CallStage {
  return {
    name: 'forward',
    async handle(ctx) {
      const { server, name } = ctx.tool;
      try {
        const result = await forwarder.callTool(server, name, ctx.arguments, ctx.signal, ctx.client);
        ctx.decisions.push({ stage: 'forward', outcome: 'pass' });
        return result;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        ctx.decisions.push({ stage: 'forward', outcome: 'error', reason });
        return { isError: true, content: [{ type: 'text', text: `server "${server}" failed: ${reason}` }] };
      }
    },
  };
}
