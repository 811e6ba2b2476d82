import { EventEmitter } from 'node:events';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool, JsonSchema } from './tool.js';
import { exposedToolName } from './naming.js';
import { toolContentHash } from './tool-hash.js';

export interface CatalogChange {
  server: string;
  added: CatalogTool[];
  removed: CatalogTool[];
  /** Same exposed name, different content hash: `[before, after]`. */
  changed: Array<[CatalogTool, CatalogTool]>;
  /** Tools left out because another server's tool has their exposed name. */
  collided?: CatalogTool[];
}

export interface CatalogEvents {
  change: [CatalogChange];
}

/** Builds the catalog entry for a tool as a downstream listed it; `namespace` prefixes its name (default the server's). */
export function toCatalogTool(server: string, tool: Tool, namespace = server): CatalogTool {
  return {
    exposedName: exposedToolName(namespace, tool.name),
    server,
    name: tool.name,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description ?? '',
    inputSchema: tool.inputSchema as JsonSchema,
    ...(tool.outputSchema !== undefined && { outputSchema: tool.outputSchema as JsonSchema }),
    ...(tool.annotations !== undefined && { annotations: tool.annotations }),
    hash: toolContentHash(tool),
  };
}

/** Every downstream tool, keyed by exposed name. Emits one `change` per server update. */
export class Catalog extends EventEmitter<CatalogEvents> {
  private readonly byName = new Map<string, CatalogTool>();
  private readonly byServer = new Map<string, Map<string, CatalogTool>>();

  /**
   * Replaces everything known of `server` with `tools`. A tool whose exposed name another server's tool already has
   * (possible only under an empty namespace) is left out: the name keeps reaching the server that had it first.
   */
  setServerTools(server: string, tools: readonly CatalogTool[]): CatalogChange {
    const before = this.byServer.get(server) ?? new Map<string, CatalogTool>();
    const taken = (name: string) => {
      const holder = this.byName.get(name);
      return holder !== undefined && holder.server !== server;
    };
    const after = new Map(tools.filter((tool) => !taken(tool.exposedName)).map((tool) => [tool.exposedName, tool]));
    const change: CatalogChange = { server, added: [], removed: [], changed: [], collided: tools.filter((tool) => taken(tool.exposedName)) };
    for (const [name, tool] of after) {
      const previous = before.get(name);
      if (!previous) change.added.push(tool);
      else if (previous.hash !== tool.hash) change.changed.push([previous, tool]);
    }
    for (const [name, tool] of before) {
      if (!after.has(name)) change.removed.push(tool);
    }
    for (const name of before.keys()) this.byName.delete(name);
    for (const [name, tool] of after) this.byName.set(name, tool);
    if (after.size > 0) this.byServer.set(server, after);
    else this.byServer.delete(server);
    if (change.added.length + change.removed.length + change.changed.length > 0) this.emit('change', change);
    return change;
  }

  removeServer(server: string): CatalogChange {
    return this.setServerTools(server, []);
  }

  get(exposedName: string): CatalogTool | undefined {
    return this.byName.get(exposedName);
  }

  all(): CatalogTool[] {
    return [...this.byName.values()];
  }

  forServer(server: string): CatalogTool[] {
    return [...(this.byServer.get(server)?.values() ?? [])];
  }

  get size(): number {
    return this.byName.size;
  }
}
