import type { Catalog, CatalogChange } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { Logger } from '../log.js';
import type { ToolIndex } from './tool-index.js';
import type { IndexableTool } from './types.js';

/** The index's view of a catalog tool; its id is the namespaced name clients call it by. */
export function toIndexableTool(tool: CatalogTool): IndexableTool {
  return {
    id: tool.exposedName,
    server: tool.server,
    name: tool.name,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    hash: tool.hash,
  };
}

/**
 * Keeps `index` in step with `catalog`: each change re-indexes only the tools it added or changed and drops the
 * removed ones. Returns the function that stops listening. `index.idle()` resolves once a change is applied.
 */
export function syncToolIndex(index: ToolIndex, catalog: Catalog, logger?: Pick<Logger, 'error'>): () => void {
  const apply = (change: CatalogChange) => {
    const updated = [...change.added, ...change.changed.map(([, after]) => after)].map(toIndexableTool);
    const removed = change.removed.map((tool) => tool.exposedName);
    Promise.all([index.remove(removed), index.upsert(updated)]).catch((error: unknown) =>
      logger?.error({ server: change.server, err: error }, 'tool index update failed'),
    );
  };
  catalog.on('change', apply);
  return () => catalog.off('change', apply);
}
