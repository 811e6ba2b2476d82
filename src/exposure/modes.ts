import type { Catalog } from '../catalog/catalog.js';
import { allToolsExposure } from './all.js';
import type { ExposureConfig } from './config.js';
import type { ExposureMode } from './types.js';

/** What a mode may build on. */
export interface ExposureDeps {
  readonly catalog: Catalog;
}

/** The exposure mode the config names. */
export function createExposureMode(config: ExposureConfig, deps: ExposureDeps): ExposureMode {
  switch (config.mode) {
    case 'all':
      return allToolsExposure(deps.catalog);
  }
}
