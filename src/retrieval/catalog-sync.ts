import type { Catalog, CatalogChange } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { Logger } from '../log.js';
import type { ToolIndex } from './tool-index.js';
import type { IndexableTool } from './types.js';

/** A server's description by server name (the config's `servers.<name>.description`), if it has one. */
export type ServerDescriptions = (server: string) => string | undefined;

/** The index's view of a catalog tool; its id is the namespaced name clients call it by. */
export function toIndexableTool(tool: CatalogTool, serverDescription?: string): IndexableTool {
  return {
    id: tool.exposedName,
    server: tool.server,
    ...(serverDescription !== undefined && { serverDescription }),
    name: tool.name,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    hash: tool.hash,
  };
}

export interface CatalogSyncOptions {
  readonly serverDescriptions?: ServerDescriptions;
  readonly logger?: Pick<Logger, 'error'>;
}

/** Every catalog tool as the index sees it. */
export function indexableCatalog(catalog: Catalog, serverDescriptions?: ServerDescriptions): IndexableTool[] {
  return catalog.all().map((tool) => toIndexableTool(tool, serverDescriptions?.(tool.server)));
}

/**
 * Keeps `index` in step with `catalog`: first brings it level with the catalog as it is now (whatever changed
 * between building the index and this call), then re-indexes only what each change adds or alters and drops what it
 * removes. Returns the function that stops listening. `index.idle()` resolves once the updates are applied.
 */
export function syncToolIndex(index: ToolIndex, catalog: Catalog, options: CatalogSyncOptions = {}): () => void {
  const report = (server: string | undefined) => (error: unknown) =>
    options.logger?.error({ server, err: error }, 'tool index update failed');
  const apply = (change: CatalogChange) => {
    const description = options.serverDescriptions?.(change.server);
    const updated = [...change.added, ...change.changed.map(([, after]) => after)].map((tool) =>
      toIndexableTool(tool, description),
    );
    const removed = change.removed.map((tool) => tool.exposedName);
    Promise.all([index.remove(removed), index.upsert(updated)]).catch(report(change.server));
  };
  catalog.on('change', apply);
  const gone = index.ids().filter((id) => catalog.get(id) === undefined);
  Promise.all([index.upsert(indexableCatalog(catalog, options.serverDescriptions)), index.remove(gone)]).catch(
    report(undefined),
  );
  return () => catalog.off('change', apply);
}
