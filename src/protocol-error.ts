import { McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * A JSON-RPC error for toolscope's client whose message is `message` alone. The SDK's McpError puts "MCP error CODE: "
 * before its message and sends that on the wire, where an SDK client adds its own: clients showed
 * "MCP error -32602: MCP error -32602: unknown tool …".
 */
export function protocolError(code: number, message: string, data?: unknown): McpError {
  const error = new McpError(code, message, data);
  error.message = message;
  return error;
}
