import type { Catalog } from '../catalog/catalog.js';
import type { CallableTools } from '../policy/tool-access.js';
import { allToolsExposure } from './all.js';
import type { ExposureConfig } from './config.js';
import type { ExposureMode } from './types.js';

/** What a mode may build on. */
export interface ExposureDeps {
  readonly catalog: Catalog;
  /** Per-principal filter: listings and search show only tools the session's principal may call (quarantine included). */
  readonly access: CallableTools;
}

/** The exposure mode the config names. */
export function createExposureMode(config: ExposureConfig, deps: ExposureDeps): ExposureMode {
  switch (config.mode) {
    case 'all':
      return allToolsExposure(deps.catalog, deps.access);
  }
}
