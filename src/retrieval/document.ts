import type { IndexableTool } from './types.js';

/** The searchable text of one tool, field by field so lexical scoring can weight fields. */
export interface SearchDocument {
  readonly id: string;
  readonly server: string;
  /** The tool name split into words: `read_file`, `readFile`, `read-file` all give `read file`. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Parameter names (split into words) with their descriptions, nested properties included. */
  readonly params: string;
}

export const SEARCH_FIELDS = ['name', 'title', 'description', 'params', 'server'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** How deep nested object properties and array items are walked for parameter names and descriptions. */
const MAX_SCHEMA_DEPTH = 3;

/** Splits snake_case, camelCase, kebab-case, dotted and `__`-namespaced identifiers into lower-case words. */
export function identifierWords(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

export function toSearchDocument(tool: IndexableTool): SearchDocument {
  return {
    id: tool.id,
    server: identifierWords(tool.server).join(' '),
    name: identifierWords(tool.name).join(' '),
    title: tool.title ?? '',
    // The admin's server description says what every tool of the server is for. In the description field it is
    // length-normalised like tool descriptions; as a field of its own, empty for most tools, it was drowned out.
    description: [tool.description, tool.serverDescription].filter(Boolean).join('\n'),
    params: parameterLines(tool.inputSchema, 1).join('\n'),
  };
}

/** The text the dense embedder sees: the same fields, as one short passage. */
export function denseText(document: SearchDocument): string {
  const heading = document.title ? `${document.name} (${document.title})` : document.name;
  const parts = [`${heading}: ${document.description}`];
  if (document.params) parts.push(`Parameters: ${document.params.replaceAll('\n', '; ')}`);
  if (document.server) parts.push(`Server: ${document.server}`);
  return parts.join('\n');
}

function parameterLines(schema: unknown, depth: number): string[] {
  if (depth > MAX_SCHEMA_DEPTH || !isRecord(schema)) return [];
  const lines: string[] = [];
  if (isRecord(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      const description = isRecord(property) && typeof property.description === 'string' ? property.description : '';
      lines.push(description ? `${identifierWords(name).join(' ')}: ${description}` : identifierWords(name).join(' '));
      lines.push(...parameterLines(property, depth + 1));
    }
  }
  if (isRecord(schema.items)) lines.push(...parameterLines(schema.items, depth));
  return lines;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
