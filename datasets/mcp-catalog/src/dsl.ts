/**
 * A compact way to write realistic MCP tool definitions by hand. Each helper returns a plain JSON Schema
 * fragment, so a server module reads like the `tools/list` it models; `toCatalogEntries` expands a server
 * into canonical catalog lines with annotations derived from what the tool does.
 */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { exposedToolName } from '../../../src/catalog/naming.js';
import type { CatalogEntry } from './format.js';

export type Schema = Record<string, unknown>;

export const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
export const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });
export const num = (description: string, extra: Schema = {}): Schema => ({ type: 'number', description, ...extra });
export const bool = (description: string, extra: Schema = {}): Schema => ({ type: 'boolean', description, ...extra });
export const oneOf = (values: readonly string[], description: string, extra: Schema = {}): Schema => ({
  type: 'string',
  enum: [...values],
  description,
  ...extra,
});
export const list = (items: Schema, description: string, extra: Schema = {}): Schema => ({
  type: 'array',
  items,
  description,
  ...extra,
});
export const obj = (properties: Record<string, Schema>, description: string, required: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required: [...required] } : {}),
  description,
});
/** A free-form object (e.g. a document, a filter, a set of labels). */
export const record = (description: string, extra: Schema = {}): Schema => ({
  type: 'object',
  additionalProperties: true,
  description,
  ...extra,
});

/**
 * What a tool does to the world, which fixes its MCP hints:
 * read = no side effects; create = adds something (repeating adds again); update = overwrites in place
 * (repeating is harmless); delete = removes; execute = runs arbitrary code/queries/commands.
 */
export type ToolKind = 'read' | 'create' | 'update' | 'delete' | 'execute';

export interface ToolDefinition {
  readonly name: string;
  readonly kind: ToolKind;
  readonly description: string;
  readonly params: Readonly<Record<string, Schema>>;
  readonly required: readonly string[];
  readonly title: string;
}

export function tool(
  name: string,
  kind: ToolKind,
  description: string,
  params: Record<string, Schema> = {},
  required: readonly string[] = [],
  title: string = titleFromName(name),
): ToolDefinition {
  const unknown = required.filter((key) => !(key in params));
  if (unknown.length > 0) throw new Error(`tool ${name}: required ${unknown.join(', ')} not among its params`);
  return { name, kind, description, params, required, title };
}

/**
 * How the server's SDK renders input schemas, so token counts and shapes match the real thing:
 * plain = hand-written or Go servers (type/properties/required only); zod = TypeScript servers using
 * zod-to-json-schema ($schema + additionalProperties: false); pydantic = Python FastMCP (titles everywhere).
 */
export type SchemaStyle = 'plain' | 'zod' | 'pydantic';

export interface ServerDefinition {
  readonly name: string;
  /** True when the server talks to an outside service rather than only local state. */
  readonly openWorld: boolean;
  readonly schemaStyle: SchemaStyle;
  readonly tools: readonly ToolDefinition[];
}

export function defineServer(server: ServerDefinition): ServerDefinition {
  const seen = new Set<string>();
  for (const { name } of server.tools) {
    if (seen.has(name)) throw new Error(`server ${server.name}: tool ${name} defined twice`);
    seen.add(name);
  }
  return server;
}

export function toCatalogEntries(server: ServerDefinition): CatalogEntry[] {
  return server.tools.map((definition) => ({
    id: exposedToolName(server.name, definition.name),
    server: server.name,
    name: definition.name,
    title: definition.title,
    description: definition.description,
    inputSchema: inputSchema(definition, server.schemaStyle),
    annotations: annotations(definition, server.openWorld),
  }));
}

function inputSchema(definition: ToolDefinition, style: SchemaStyle): CatalogEntry['inputSchema'] {
  const required = definition.required.length > 0 ? { required: [...definition.required] } : {};
  switch (style) {
    case 'plain':
      return { type: 'object', properties: definition.params, ...required };
    case 'zod':
      return {
        type: 'object',
        properties: definition.params,
        ...required,
        additionalProperties: false,
        $schema: 'http://json-schema.org/draft-07/schema#',
      };
    case 'pydantic': {
      const properties = Object.fromEntries(
        Object.entries(definition.params).map(([key, schema]) => [key, { ...schema, title: titleFromName(key, true) }]),
      );
      return { type: 'object', properties, ...required, title: `${definition.name}Arguments` };
    }
  }
}

const HINTS: Record<ToolKind, Omit<ToolAnnotations, 'title' | 'openWorldHint'>> = {
  read: { readOnlyHint: true },
  create: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  update: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  delete: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  execute: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
};

function annotations(definition: ToolDefinition, openWorld: boolean): ToolAnnotations {
  return { title: definition.title, ...HINTS[definition.kind], openWorldHint: openWorld };
}

/** `create_issue` / `create-issue` / `createIssue` -> "Create issue" (or "Create Issue" for pydantic titles). */
function titleFromName(name: string, everyWord = false): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\-\s]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
  return words
    .map((word, index) => (index === 0 || everyWord ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(' ');
}
