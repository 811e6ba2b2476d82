import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

export interface HashableTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: unknown;
  outputSchema?: unknown;
  annotations?: ToolAnnotations;
}

/**
 * What `toolContentHash` covers, versioned: pins record the version they were hashed with, so a pin from before a
 * change of what the hash covers can be recognised and carried over (see policy/pinning/pin-migration.ts).
 * 1: name, description, inputSchema, annotations. 2: also title and outputSchema.
 */
export const TOOL_HASH_VERSION = 2;

/** The content hash that pinning, the catalog's change detection and the schema validator's cache key on. */
export function toolContentHash(tool: HashableTool): string {
  return sha256Hex(
    canonicalJson({
      ...hashedInVersion1(tool),
      // Absent fields drop out of canonical JSON: a tool without them hashes as it did in version 1.
      title: tool.title,
      outputSchema: tool.outputSchema,
    }),
  );
}

/** The version 1 hash, only to recognise pins recorded before version 2. */
export function toolContentHashV1(tool: HashableTool): string {
  return sha256Hex(canonicalJson(hashedInVersion1(tool)));
}

function hashedInVersion1(tool: HashableTool) {
  return {
    name: tool.name,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema,
    annotations: tool.annotations ?? {},
  };
}
