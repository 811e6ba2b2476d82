import type { Prompt } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson, sha256Hex } from '../catalog/canonical-json.js';
import type { CatalogTool, JsonSchema } from '../catalog/tool.js';
import { exposedPromptName, exposedUri } from './names.js';

const NO_ARGUMENTS: JsonSchema = { type: 'object' };
const NO_ARGUMENTS_HASH = sha256Hex(canonicalJson(NO_ARGUMENTS));

/**
 * A resource read as a call pipeline target: `server:resource:URI` for scope rules, class `read`, audited under its
 * exposed URI. A template is checked the same way with the template as its URI.
 */
export function resourceTarget(server: string, namespace: string, uri: string): CatalogTool {
  return {
    exposedName: exposedUri(namespace, uri),
    server,
    name: `resource:${uri}`,
    description: '',
    inputSchema: NO_ARGUMENTS,
    hash: NO_ARGUMENTS_HASH,
    read: { kind: 'resource', uri },
  };
}

/**
 * A prompt get as a call pipeline target: `server:prompt:NAME` for scope rules, class `read`; its declared arguments
 * become an inputSchema of strings, so the validate stage checks them (and argument rules apply) as for a tool.
 */
export function promptTarget(server: string, namespace: string, prompt: Prompt): CatalogTool {
  const declared = prompt.arguments ?? [];
  const inputSchema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(
      declared.map((argument) => [argument.name, { type: 'string', ...(argument.description && { description: argument.description }) }]),
    ),
    required: declared.filter((argument) => argument.required).map((argument) => argument.name),
  };
  return {
    exposedName: exposedPromptName(namespace, prompt.name),
    server,
    name: `prompt:${prompt.name}`,
    description: prompt.description ?? '',
    inputSchema,
    hash: sha256Hex(canonicalJson({ name: prompt.name, inputSchema })),
    read: { kind: 'prompt', name: prompt.name },
  };
}
