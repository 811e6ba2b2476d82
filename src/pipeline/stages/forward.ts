import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool, DownstreamRead } from '../../catalog/tool.js';
import { CallCancelled } from '../../downstream/connection.js';
import { ResultTooLarge } from '../../downstream/result-limit.js';
import { isServerError } from '../../downstream/server-error.js';
import type { CallStage, ClientChannel, DownstreamResult } from '../call-context.js';
import { errorMessage } from '../../error-message.js';

/** What the forward stage needs of the downstream side (the DownstreamManager in the gateway). */
export interface ToolForwarder {
  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    client: ClientChannel,
  ): Promise<CallToolResult>;
  /** A resource read or subscription, prompt get or completion; a prompt's arguments are `args` (strings). */
  read(server: string, read: DownstreamRead, args: Record<string, unknown>, signal: AbortSignal): Promise<DownstreamResult>;
}

/**
 * The last stage: sends the call to the tool's own server under its original name, for the calling client (which
 * gets the server's progress and what it asks mid-call). A downstream failure (crash, timeout, broken connection)
 * becomes a tool error naming the server; a result over toolscope's own size limit, or the client's cancellation,
 * one that does not blame it. A tool's own `isError` result passes as is, and so does a JSON-RPC error the server
 * answered with (its code and message, thrown for the session to answer), as a client connected to the server
 * directly would get it. Any other request (a resource read, prompt get, …) has no tool error to carry a failure: it
 * is thrown too.
 */
export function forwardStage(forwarder: ToolForwarder): CallStage {
  return {
    name: 'forward',
    async handle(ctx) {
      const { server, name, read } = ctx.tool;
      try {
        const result = read
          ? await forwarder.read(server, read, ctx.arguments, ctx.signal)
          : await forwarder.callTool(server, name, ctx.arguments, ctx.signal, ctx.client);
        ctx.decisions.push({ stage: 'forward', outcome: 'pass' });
        return result;
      } catch (error) {
        const reason = errorMessage(error);
        // Cancelled by its client or toolscope's stop: the server did not fail, as the approve stage says of a wait.
        const cancelled = error instanceof CallCancelled || ctx.signal.aborted;
        ctx.decisions.push({ stage: 'forward', outcome: cancelled ? 'cancelled' : 'error', reason });
        if (read || isServerError(error)) throw error;
        return { isError: true, content: [{ type: 'text', text: failureText(error, reason, ctx.tool, cancelled) }] };
      }
    },
  };
}

/**
 * What the caller is told of a call the server gave no result for, blaming the server only when it failed: not for
 * toolscope's own size limit, nor for a call its client or toolscope's stop cancelled.
 */
function failureText(error: unknown, reason: string, tool: CatalogTool, cancelled: boolean): string {
  if (error instanceof ResultTooLarge) return error.forTool(tool.exposedName);
  if (cancelled) return reason;
  return `server "${tool.server}" failed: ${reason}`;
}
