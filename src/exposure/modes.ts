import type { Catalog } from '../catalog/catalog.js';
import type { SearchLimit } from '../policy/ratelimit/search-limit.js';
import type { CallableTools } from '../policy/tool-access.js';
import type { ToolSearch } from '../retrieval/catalog-search.js';
import { allToolsExposure } from './all.js';
import type { ExposureConfig } from './config.js';
import { withListQuery } from './list-query.js';
import { searchExposure } from './search.js';
import type { ExposureMode } from './types.js';

/** What a mode may build on. */
export interface ExposureDeps {
  readonly catalog: Catalog;
  /** Per-principal filter: listings and search show only tools the session's principal may call (quarantine included). */
  readonly access: CallableTools;
  /** Ranks catalog tools for a request (search_tools, `tools/list` with a query). */
  readonly search: ToolSearch;
  /** Each principal's search budget, taken before every search. */
  readonly searchLimit: Pick<SearchLimit, 'admit'>;
  /** The admin's description of a server (`servers.<name>.description`), shown in search_tools' description. */
  readonly serverDescriptions?: (server: string) => string | undefined;
}

/** The exposure mode the config names; every mode answers `tools/list` with a `query` by search. */
export function createExposureMode(config: ExposureConfig, deps: ExposureDeps): ExposureMode {
  switch (config.mode) {
    case 'all':
      return withListQuery(allToolsExposure(deps.catalog, deps.access), deps);
    case 'search':
    case 'dynamic':
      return withListQuery(
        searchExposure(deps, { mode: config.mode, pinned: config.pinned, maxSessionTools: config.maxSessionTools }),
        deps,
      );
  }
}
