import type { Tool } from '@modelcontextprotocol/sdk/types.js';

export type ToolFormat = 'mcp' | 'openai' | 'anthropic';
export const TOOL_FORMATS: readonly ToolFormat[] = ['mcp', 'openai', 'anthropic'];

/** OpenAI Chat Completions `tools[]` entry. */
export interface OpenAiToolDefinition {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description: string; readonly parameters: Tool['inputSchema'] };
}

/** Anthropic Messages API `tools[]` entry. */
export interface AnthropicToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly input_schema: Tool['inputSchema'];
}

export type ToolDefinition = Tool | OpenAiToolDefinition | AnthropicToolDefinition;

/** An MCP tool definition as an LLM API expects it; `mcp` returns it unchanged. */
export function formatTool(tool: Tool, format: ToolFormat): ToolDefinition {
  const description = tool.description ?? '';
  switch (format) {
    case 'mcp':
      return tool;
    case 'openai':
      return { type: 'function', function: { name: tool.name, description, parameters: tool.inputSchema } };
    case 'anthropic':
      return { name: tool.name, description, input_schema: tool.inputSchema };
  }
}
