import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { EvalTool } from './dataset-format.js';

/** Prompt tokens (o200k) of the definition a client sees for a tool: name, description and inputSchema as JSON. */
export function toolDefinitionTokens(tool: Pick<EvalTool, 'name' | 'description' | 'inputSchema'>): number {
  return countTokens(JSON.stringify({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
}

/** Token count of every tool definition, by tool id. */
export function toolTokenTable(tools: readonly EvalTool[]): Map<string, number> {
  return new Map(tools.map((tool) => [tool.id, toolDefinitionTokens(tool)]));
}
