import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * A JSON-RPC error the downstream server answered with, as opposed to the SDK's own timeout or closed connection:
 * it reaches toolscope's client with the server's code and message.
 */
export function isServerError(error: unknown): error is McpError {
  return error instanceof McpError && error.code !== ErrorCode.ConnectionClosed && error.code !== ErrorCode.RequestTimeout;
}
