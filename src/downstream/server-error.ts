import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { protocolError } from '../protocol-error.js';

/**
 * A JSON-RPC error the downstream server answered with, as opposed to the SDK's own timeout or closed connection:
 * it reaches toolscope's client with the server's code and message.
 */
export function isServerError(error: unknown): error is McpError {
  return error instanceof McpError && error.code !== ErrorCode.ConnectionClosed && error.code !== ErrorCode.RequestTimeout;
}

/**
 * The server's error with the message it sent, to answer toolscope's client with: the SDK's McpError prefixes the
 * message with "MCP error CODE: ", which toolscope's client would otherwise get once more.
 */
export function asSent(error: McpError): McpError {
  const prefix = `MCP error ${error.code}: `;
  return error.message.startsWith(prefix) ? protocolError(error.code, error.message.slice(prefix.length), error.data) : error;
}
