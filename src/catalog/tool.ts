import type { CompleteRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

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
  /**
   * Absent for a tool. A resource read or subscription, a prompt get, or a completion of a prompt's or template's
   * argument travels the call pipeline as a target of its own (named `resource:URI` or `prompt:NAME` on its server for
   * scope rules), carrying what the server is to be asked.
   */
  readonly read?: DownstreamRead;
  /** sha-256 of name, title, description, inputSchema, outputSchema and annotations in canonical JSON (tool-hash.ts). */
  readonly hash: string;
}

/** What a pipeline target that is not a tool asks of its server. */
export type DownstreamRead =
  | { readonly kind: 'resource'; readonly uri: string; readonly subscribe?: boolean }
  | { readonly kind: 'prompt'; readonly name: string }
  | { readonly kind: 'completion'; readonly params: CompleteRequest['params'] };

/** The MCP request a pipeline target stands for. */
export function requestOf(read: DownstreamRead | undefined): 'tools/call' | 'resources/read' | 'resources/subscribe' | 'prompts/get' | 'completion/complete' {
  if (read === undefined) return 'tools/call';
  if (read.kind === 'resource') return read.subscribe ? 'resources/subscribe' : 'resources/read';
  return read.kind === 'prompt' ? 'prompts/get' : 'completion/complete';
}
