import { createTwoFilesPatch } from 'diff';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../../catalog/canonical-json.js';
import type { CatalogTool } from '../../catalog/tool.js';

/** The parts of a tool the content hash covers (catalog/tool-hash.ts): what pinning records and shows in diffs. */
export interface ToolDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: ToolAnnotations;
}

export function definitionOf(tool: CatalogTool): ToolDefinition {
  return {
    name: tool.name,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined && { outputSchema: tool.outputSchema }),
    ...(tool.annotations !== undefined && { annotations: tool.annotations }),
  };
}

/** A unified diff between two definitions, description first, for `toolscope quarantine`. */
export function definitionDiff(before: ToolDefinition, after: ToolDefinition, label: string): string {
  return createTwoFilesPatch(`${label} (pinned)`, `${label} (now)`, readable(before), readable(after), undefined, undefined, {
    context: 2,
  });
}

/**
 * `text` with every character outside printable ASCII (line breaks aside) written as a `\u{…}` escape, the notation
 * the approval form uses for invisible characters in arguments: in `toolscope quarantine`, a look-alike letter
 * (Cyrillic `о` for `o`), a zero-width space or a bidi control in a changed definition shows as what it is instead
 * of passing for the pinned text.
 */
export function visibleForReview(text: string): string {
  return text.replace(/[^\x20-\x7E\n]/gu, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}

function readable(definition: ToolDefinition): string {
  const pretty = (value: unknown) => JSON.stringify(JSON.parse(canonicalJson(value ?? {})), null, 2);
  return [
    `name: ${definition.name}`,
    ...(definition.title !== undefined ? [`title: ${definition.title}`] : []),
    'description:',
    definition.description,
    'inputSchema:',
    pretty(definition.inputSchema),
    ...(definition.outputSchema !== undefined ? ['outputSchema:', pretty(definition.outputSchema)] : []),
    'annotations:',
    pretty(definition.annotations),
    '',
  ].join('\n');
}
