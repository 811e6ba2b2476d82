import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { sha256Hex } from './canonical-json.js';

export const NAME_SEPARATOR = '__';
export const MAX_EXPOSED_NAME_LENGTH = 64;
const HASH_SUFFIX_LENGTH = 8;

/**
 * `namespace__tool` (the namespace is the server's name unless its config sets another), made safe for every client (letters, digits, `_`, `-`) and at most 64 characters.
 * Longer names keep a readable prefix plus a hash of the full name, so the mapping is stable across restarts.
 */
export function exposedToolName(namespace: string, tool: string): string {
  // An empty namespace is the admin asking for the downstream's own names, exactly as it has them.
  if (namespace === '') return tool;
  const full = `${namespace}${NAME_SEPARATOR}${tool}`;
  const safe = full.replace(/[^A-Za-z0-9_-]/g, '_');
  if (safe === full && safe.length <= MAX_EXPOSED_NAME_LENGTH) return safe;
  const suffix = sha256Hex(full).slice(0, HASH_SUFFIX_LENGTH);
  return `${safe.slice(0, MAX_EXPOSED_NAME_LENGTH - HASH_SUFFIX_LENGTH - 1)}_${suffix}`;
}

/** How a namespaced server's resource URIs are exposed: `toolscope://NAMESPACE/` then the server's own URI. */
export const URI_PREFIX = 'toolscope://';

/** A resource URI (or URI template) as clients see it. */
export function exposedUri(namespace: string, uri: string): string {
  return namespace === '' ? uri : `${URI_PREFIX}${namespace}/${uri}`;
}

/**
 * A content block (of a tool result or a prompt message) with its embedded resource or resource link under the
 * exposed URI, so the client can read it through toolscope.
 */
export function exposedContent(namespace: string, content: ContentBlock): ContentBlock {
  if (content.type === 'resource') return { ...content, resource: { ...content.resource, uri: exposedUri(namespace, content.resource.uri) } };
  if (content.type === 'resource_link') return { ...content, uri: exposedUri(namespace, content.uri) };
  return content;
}
