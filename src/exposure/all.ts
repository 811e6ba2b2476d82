import type { Catalog } from '../catalog/catalog.js';
import type { CallableTools } from '../policy/tool-access.js';
import { closestToolNames } from './name-suggestions.js';
import { toolDefinition } from './tool-definition.js';
import type { ExposureMode } from './types.js';

/**
 * Mode `all`: every catalog tool the session's principal may call, under its namespaced name; any catalog or
 * quarantine change is announced to every session, an edit of the policy to the sessions whose principal it concerns.
 */
export function allToolsExposure(catalog: Catalog, access: CallableTools): ExposureMode {
  return {
    name: 'all',
    openSession(peer) {
      const announce = () => peer.notifyToolsChanged();
      catalog.on('change', announce);
      const stopWatchingAccess = access.onChange(peer.principal, announce);
      const callable = () => catalog.all().filter((tool) => access.mayCall(peer.principal, tool));
      return {
        async listTools() {
          return callable().map(toolDefinition);
        },
        resolveCall(name) {
          const tool = catalog.get(name);
          return tool && { kind: 'catalog', tool };
        },
        closestNames: (name) => closestToolNames(name, callable()),
        close() {
          catalog.off('change', announce);
          stopWatchingAccess();
        },
      };
    },
  };
}
