import type { CapabilitiesConfig, CapabilityClass } from '../../config/policy.js';
import { requestOf, type CatalogTool } from '../../catalog/tool.js';

export interface Classification {
  readonly classes: ReadonlySet<CapabilityClass>;
  /** Where the classes came from, for refusal messages and `toolscope tools`. */
  readonly source: string;
}

/**
 * The capability classes of a tool. Order of authority:
 * 1. the admin's override for the tool (`capabilities.tools["server:tool"]`), then for its server (a resource read or
 *    a prompt get is `read` unless its own override says otherwise);
 * 2. the tool's annotations, missing hints taking the MCP spec defaults
 *    (readOnlyHint false, destructiveHint true, openWorldHint true);
 * 3. a tool with no hints at all on a server not in `capabilities.trustedServers` is `write` + `open-world`:
 *    nothing says it only reads, and calling every unannotated tool destructive would put all of them behind
 *    approval. On a trusted server the spec defaults apply to it too (destructive + open-world).
 * Annotations are the server's own claims; an override is the admin's answer to a server that lies.
 */
export function classifyTool(tool: CatalogTool, config: CapabilitiesConfig): Classification {
  const toolOverride = config.tools[`${tool.server}:${tool.name}`];
  if (toolOverride) return { classes: new Set(toolOverride), source: `capabilities.tools["${tool.server}:${tool.name}"]` };
  // Reading or subscribing to a resource, getting a prompt or completing an argument changes nothing on the server,
  // whatever its tools do.
  if (tool.read) return { classes: new Set(['read']), source: `a ${requestOf(tool.read)} request` };
  const serverOverride = config.servers[tool.server];
  if (serverOverride) return { classes: new Set(serverOverride), source: `capabilities.servers.${tool.server}` };

  const hints = tool.annotations ?? {};
  const hinted = hints.readOnlyHint !== undefined || hints.destructiveHint !== undefined || hints.openWorldHint !== undefined;
  if (!hinted && !config.trustedServers.includes(tool.server)) {
    return { classes: new Set(['write', 'open-world']), source: 'no annotations on an untrusted server' };
  }
  const classes = new Set<CapabilityClass>();
  if (hints.readOnlyHint === true) classes.add('read');
  else classes.add(hints.destructiveHint === false ? 'write' : 'destructive');
  if (hints.openWorldHint !== false) classes.add('open-world');
  return { classes, source: hinted ? 'annotations' : 'MCP default hints (trusted server, no annotations)' };
}
