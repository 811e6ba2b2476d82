import type { CatalogTool } from '../catalog/tool.js';
import { CallRefused, refusalError } from '../pipeline/refusal.js';
import { DEFAULT_SEARCH_LIMIT } from './meta-tools.js';
import type { ExposureDeps } from './modes.js';
import { toolDefinition } from './tool-definition.js';
import type { ExposureMode } from './types.js';

/**
 * In every mode, a `tools/list` carrying `params.query` (draft SEP-1821) lists only the tools most relevant to
 * that query, among those the session's principal may call. Over the principal's search limit it is answered with
 * a JSON-RPC error naming the rule and the retry-after.
 */
export function withListQuery(mode: ExposureMode, deps: ExposureDeps): ExposureMode {
  return {
    name: mode.name,
    openSession(peer) {
      const session = mode.openSession(peer);
      const mayCall = (tool: CatalogTool) => deps.access.mayCall(peer.principal, tool);
      return {
        resolveCall: (name) => session.resolveCall(name),
        closestNames: (name) => session.closestNames(name),
        close: () => session.close(),
        async listTools(request) {
          const query = request.query?.trim();
          if (!query) return session.listTools(request);
          try {
            await deps.searchLimit.admit(peer.principal, 'tools/list');
          } catch (error) {
            throw error instanceof CallRefused ? refusalError(error, 'search') : error;
          }
          const found = await deps.search.search(query, { limit: DEFAULT_SEARCH_LIMIT, filter: mayCall });
          return found.map(({ tool }) => toolDefinition(tool));
        },
      };
    },
  };
}
