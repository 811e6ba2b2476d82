import type { CatalogChange } from '../../catalog/catalog.js';
import type { CatalogTool } from '../../catalog/tool.js';
import { mentionedNames, shadowableNames, type ShadowingNames } from './poisoning-scan.js';

/**
 * Which servers go by each shadowable tool name, and which tools' texts mention which names, kept in step with the
 * catalog. The shadowing checks then cost a lookup per name instead of a pass over the whole catalog for every server
 * that changes, which is quadratic when thousands of servers arrive at start.
 */
export class ShadowingIndex {
  /** Shadowable name -> server -> how many of its tools go by it. */
  private readonly offeredBy = new Map<string, Map<string, number>>();
  /** Server -> the plain names of its own tools. */
  private readonly ownNames = new Map<string, Set<string>>();
  /** Mentioned name -> the tools whose texts mention it, by exposed name. */
  private readonly mentions = new Map<string, Map<string, CatalogTool>>();
  /** Exposed name -> what `add` indexed for it, so `remove` undoes exactly that. */
  private readonly indexed = new Map<string, { readonly offered: readonly string[]; readonly mentioned: readonly string[] }>();

  /** Brings the index to the catalog after `change`. */
  apply(change: CatalogChange): void {
    for (const tool of [...change.removed, ...change.changed.map(([before]) => before)]) this.remove(tool);
    for (const tool of [...change.added, ...change.changed.map(([, after]) => after)]) this.add(tool);
  }

  add(tool: CatalogTool): void {
    const offered = shadowableNames(tool);
    const mentioned = [...mentionedNames(tool)];
    for (const name of offered) {
      const servers = this.offeredBy.get(name) ?? new Map<string, number>();
      servers.set(tool.server, (servers.get(tool.server) ?? 0) + 1);
      this.offeredBy.set(name, servers);
    }
    const own = this.ownNames.get(tool.server) ?? new Set<string>();
    own.add(tool.name);
    this.ownNames.set(tool.server, own);
    for (const name of mentioned) {
      const tools = this.mentions.get(name) ?? new Map<string, CatalogTool>();
      tools.set(tool.exposedName, tool);
      this.mentions.set(name, tools);
    }
    this.indexed.set(tool.exposedName, { offered, mentioned });
  }

  remove(tool: CatalogTool): void {
    const entry = this.indexed.get(tool.exposedName);
    if (!entry) return;
    this.indexed.delete(tool.exposedName);
    for (const name of entry.offered) {
      const servers = this.offeredBy.get(name)!;
      const left = servers.get(tool.server)! - 1;
      if (left > 0) servers.set(tool.server, left);
      else servers.delete(tool.server);
      if (servers.size === 0) this.offeredBy.delete(name);
    }
    this.ownNames.get(tool.server)?.delete(tool.name);
    for (const name of entry.mentioned) {
      const tools = this.mentions.get(name)!;
      tools.delete(tool.exposedName);
      if (tools.size === 0) this.mentions.delete(name);
    }
  }

  /**
   * Names a description on `server` could use to steer tools of other servers (restricted to `among` when given).
   * `foreign` leaves out the names of the server's own tools (the description may be about its own tool);
   * `elsewhere` keeps them, for texts that steer the model away from a name ("instead of send_email").
   */
  namesFor(server: string, among?: ReadonlySet<string>): ShadowingNames {
    const own = this.ownNames.get(server);
    const offeredElsewhere = (name: string) => {
      if (among && !among.has(name)) return false;
      const servers = this.offeredBy.get(name);
      return servers !== undefined && (servers.size > 1 || !servers.has(server));
    };
    return {
      foreign: { has: (name) => !own?.has(name) && (among ? among.has(name) : offeredElsewhere(name)) },
      elsewhere: { has: offeredElsewhere },
    };
  }

  /** Tools on servers other than `server` whose texts mention one of `names` (the scan decides whether as a foreign name). */
  mentioning(names: ReadonlySet<string>, server: string): CatalogTool[] {
    const found = new Map<string, CatalogTool>();
    for (const name of names) {
      for (const tool of this.mentions.get(name)?.values() ?? []) {
        if (tool.server !== server) found.set(tool.exposedName, tool);
      }
    }
    return [...found.values()];
  }
}
