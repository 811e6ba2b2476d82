import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

export interface HashableTool {
  name: string;
  description?: string;
  inputSchema: unknown;
  annotations?: ToolAnnotations;
}

/** The content hash that pinning and the embedding cache key on. */
export function toolContentHash(tool: HashableTool): string {
  return sha256Hex(
    canonicalJson({
      name: tool.name,
      description: tool.description ?? '',
      inputSchema: tool.inputSchema,
      annotations: tool.annotations ?? {},
    }),
  );
}
