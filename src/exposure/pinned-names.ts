import type { CatalogTool } from '../catalog/tool.js';
import { didYouMeanNames, closestToolNames } from './name-suggestions.js';

/**
 * The names of `exposure.pinned` that no tool of a connected server has, each as a warning with the closest names
 * its server offers: a typo there leaves the tool out of every session's list without a word. Names of servers not
 * connected are left out (their tools are missing for that reason); those naming no configured server at all are
 * warned of when the config loads.
 */
export function pinnedNamesMissing(
  pinned: readonly string[],
  tools: readonly CatalogTool[],
  connected: ReadonlyMap<string, string>,
): string[] {
  const offered = new Set(tools.map((tool) => tool.exposedName));
  return pinned.flatMap((name, index) => {
    if (offered.has(name)) return [];
    const namespace = [...connected.keys()].find((prefix) => name.startsWith(`${prefix}__`));
    if (namespace === undefined) return [];
    const server = connected.get(namespace)!;
    const suggestions = closestToolNames(name, tools.filter((tool) => tool.server === server));
    return [`exposure.pinned[${index}]: server "${server}" offers no tool "${name}"${didYouMeanNames(suggestions)}; it is listed nowhere`];
  });
}
