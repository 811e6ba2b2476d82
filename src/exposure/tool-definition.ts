import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool } from '../catalog/tool.js';

/** The MCP tool a client sees for a catalog tool: namespaced name, everything else as the downstream sent it. */
export function toolDefinition(tool: CatalogTool): Tool {
  return {
    name: tool.exposedName,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined && { outputSchema: tool.outputSchema }),
    ...(tool.annotations !== undefined && { annotations: tool.annotations }),
  };
}
