import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

/** A JSON Schema object as a downstream server sent it; passed through untouched. */
export type JsonSchema = { type: 'object'; [key: string]: unknown };

/** One downstream tool as toolscope knows it. */
export interface CatalogTool {
  /** Namespaced, unique, at most 64 characters: `server__tool` (hash-shortened when longer). */
  readonly exposedName: string;
  readonly server: string;
  /** The tool's name on its own server. */
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  readonly outputSchema?: JsonSchema;
  readonly annotations?: ToolAnnotations;
  /** sha-256 of name, title, description, inputSchema, outputSchema and annotations in canonical JSON (tool-hash.ts). */
  readonly hash: string;
}
