import type { Catalog } from '../catalog/catalog.js';
import { toolDefinition } from './tool-definition.js';
import type { ExposureMode } from './types.js';

/** Mode `all`: every catalog tool under its namespaced name; any catalog change is announced to every session. */
export function allToolsExposure(catalog: Catalog): ExposureMode {
  return {
    name: 'all',
    openSession(peer) {
      const announce = () => peer.notifyToolsChanged();
      catalog.on('change', announce);
      return {
        async listTools() {
          return catalog.all().map(toolDefinition);
        },
        resolveCall(name) {
          const tool = catalog.get(name);
          return tool && { kind: 'catalog', tool };
        },
        close() {
          catalog.off('change', announce);
        },
      };
    },
  };
}
