import type { Catalog } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import { matchQuality, requestConfidence } from '../retrieval/confidence.js';
import { callToolTool, searchToolsTool, type SearchableServer } from './meta-tools.js';
import type { ExposureDeps } from './modes.js';
import { closestToolNames } from './name-suggestions.js';
import { RecentTools } from './recent-tools.js';
import { toolDefinition } from './tool-definition.js';
import type { ExposureMode, MetaTool, ToolResolution } from './types.js';

export interface SearchExposureOptions {
  /** `dynamic`: tools a search returns are also added to the session's own tool list. */
  readonly mode: 'search' | 'dynamic';
  /** Exposed names listed in every session besides the meta tools. */
  readonly pinned: readonly string[];
  /** Dynamic mode: most found tools a session's list holds; the least recently used leave first. */
  readonly maxSessionTools: number;
}

/**
 * Modes `search` and `dynamic`: clients see `search_tools` and `call_tool` (plus pinned tools) instead of the
 * whole catalog. Any catalog tool may still be called directly by its exact name; the pipeline decides as always.
 */
export function searchExposure(deps: ExposureDeps, options: SearchExposureOptions): ExposureMode {
  return {
    name: options.mode,
    openSession(peer) {
      const mayCall = (tool: CatalogTool) => deps.access.mayCall(peer.principal, tool);
      const closestNames = (name: string) => closestToolNames(name, deps.catalog.all().filter(mayCall));
      const recent = options.mode === 'dynamic' ? new RecentTools(options.maxSessionTools) : undefined;
      // Learning from use: the last search's request and what it found; a call of one of those is recorded once.
      let lastSearch: { query: string; found: Set<string> } | undefined;
      const noteCall = (name: string) => {
        if (!lastSearch?.found.has(name)) return;
        deps.search.recordChoice?.(lastSearch.query, name);
        lastSearch.found.delete(name);
      };
      const metaTools: ReadonlyMap<string, MetaTool> = new Map(
        [
          searchToolsTool({
            search: deps.search,
            mayCall,
            admit: () => deps.searchLimit.admit(peer.principal, 'search_tools'),
            servers: () => searchableServers(deps.catalog, mayCall, deps.serverDescriptions),
            foundJoinList: recent !== undefined,
            onFound: (query, found) => {
              lastSearch = { query, found: new Set(found.map(({ tool }) => tool.exposedName)) };
              // A search that found nothing that fits adds nothing: its tools would push useful ones out of the list.
              const fits = matchQuality(requestConfidence(found)) === 'good';
              if (fits && recent?.add(found.map(({ tool }) => tool.exposedName))) peer.notifyToolsChanged();
            },
          }),
          callToolTool({ exists: (name) => deps.catalog.get(name) !== undefined, closestNames, onCall: noteCall }),
        ].map((tool) => [tool.definition.name, tool]),
      );
      // The server list in search_tools, pinned tools and found tools all follow the catalog and quarantine.
      const announce = () => peer.notifyToolsChanged();
      deps.catalog.on('change', announce);
      const stopWatchingAccess = deps.access.onChange(peer.principal, announce);

      return {
        async listTools() {
          const names = new Set([...options.pinned, ...(recent?.list() ?? [])]);
          const tools = [...names].flatMap((name) => {
            const tool = deps.catalog.get(name);
            return tool && mayCall(tool) ? [toolDefinition(tool)] : [];
          });
          return [...[...metaTools.values()].map((tool) => tool.definition), ...tools];
        },
        resolveCall(name): ToolResolution | undefined {
          const meta = metaTools.get(name);
          if (meta) return { kind: 'meta', tool: meta };
          const tool = deps.catalog.get(name);
          if (!tool) return undefined;
          recent?.touch(name);
          noteCall(name);
          return { kind: 'catalog', tool };
        },
        closestNames,
        close() {
          deps.catalog.off('change', announce);
          stopWatchingAccess();
        },
      };
    },
  };
}

/** The servers whose tools the caller may call, with how many: another principal's servers are not its business. */
function searchableServers(
  catalog: Catalog,
  mayCall: (tool: CatalogTool) => boolean,
  describe?: (server: string) => string | undefined,
): SearchableServer[] {
  const counts = new Map<string, number>();
  for (const tool of catalog.all()) if (mayCall(tool)) counts.set(tool.server, (counts.get(tool.server) ?? 0) + 1);
  return [...counts].map(([name, tools]) => {
    const description = describe?.(name);
    return { name, tools, ...(description !== undefined && { description }) };
  });
}
