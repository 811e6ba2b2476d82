import type { CatalogTool } from '../catalog/tool.js';
import { DEFAULT_SEARCH_LIMIT } from './meta-tools.js';
import type { ExposureDeps } from './modes.js';
import { toolDefinition } from './tool-definition.js';
import type { ExposureMode } from './types.js';

/**
 * In every mode, a `tools/list` carrying `params.query` (draft SEP-1821) lists only the tools most relevant to
 * that query, among those the session's principal may call.
 */
export function withListQuery(mode: ExposureMode, deps: ExposureDeps): ExposureMode {
  return {
    name: mode.name,
    openSession(peer) {
      const session = mode.openSession(peer);
      const mayCall = (tool: CatalogTool) => deps.access.mayCall(peer.principal, tool);
      return {
        resolveCall: (name) => session.resolveCall(name),
        close: () => session.close(),
        async listTools(request) {
          const query = request.query?.trim();
          if (!query) return session.listTools(request);
          const found = await deps.search.search(query, { limit: DEFAULT_SEARCH_LIMIT, filter: mayCall });
          return found.map(({ tool }) => toolDefinition(tool));
        },
      };
    },
  };
}
