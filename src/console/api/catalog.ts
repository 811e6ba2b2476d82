import { z } from 'zod';
import type { CatalogTool } from '../../catalog/tool.js';
import { MAX_SEARCH_LIMIT } from '../../exposure/meta-tools.js';
import type { Gateway } from '../../gateway.js';
import type { Principal } from '../../policy/auth/principal.js';
import { classifyTool } from '../../policy/scopes/capability.js';
import { MAX_QUERY_LENGTH } from '../../retrieval/catalog-search.js';
import type { HttpRoute } from '../../server/http.js';
import { admitSearch } from '../../server/route-api.js';
import { badRequest, consoleApi } from '../console-api.js';

const searchRequest = z.object({
  query: z.string().trim().max(MAX_QUERY_LENGTH, `\`query\` must be at most ${MAX_QUERY_LENGTH} characters`),
  /** Whose view: the search answers as it would answer this principal's client. */
  principal: z.string().min(1),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(10),
});

/** A tool as the playground shows it: what the search indexed of it, and its capability classes. */
export interface ToolView {
  readonly name: string;
  readonly server: string;
  readonly title?: string;
  readonly description: string;
  readonly serverDescription?: string;
  readonly classes: string[];
}

export interface SearchResult {
  readonly principal: string;
  readonly catalogTools: number;
  /** Tools the principal may call (quarantined ones never). */
  readonly callableTools: number;
  readonly query: string;
  /** For a search: the retriever that answered and how long the search took. */
  readonly retriever?: string;
  readonly latencyMs?: number;
  /** Best first; `score` is null in the listing an empty query gives. */
  readonly matches: Array<ToolView & { readonly score: number | null }>;
}

/**
 * `POST search` with `{"query", "principal", "limit"}`: the ranking and scores that principal's client would get
 * from `search_tools` or the route API (the same search, filtered by the same access decision before the top-k cut),
 * for writing better server and tool descriptions. An empty query lists every tool the principal may call.
 * Each search counts against the console user's own search limit, as a client's does.
 */
export function catalogRoutes(gateway: Gateway): HttpRoute[] {
  return [
    consoleApi(gateway, 'POST', 'search', async ({ user, res, body }): Promise<SearchResult> => {
      const parsed = searchRequest.safeParse(await body());
      if (!parsed.success) throw badRequest(`invalid search: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const { query, limit } = parsed.data;
      const principal = await searchedAs(gateway, parsed.data.principal);
      await gateway.catalogNeeded();
      const mayCall = (tool: CatalogTool) => gateway.policy.access.mayCall(principal, tool);
      const callable = gateway.catalog.all().filter(mayCall);
      const summary = { principal: principal.name, catalogTools: gateway.catalog.size, callableTools: callable.length };
      if (query === '') {
        const listed = callable.sort((a, b) => a.exposedName.localeCompare(b.exposedName));
        return { ...summary, query, matches: listed.map((tool) => ({ ...toolView(gateway, tool), score: null })) };
      }
      await admitSearch(gateway, user, 'console', res);
      const started = performance.now();
      const found = await gateway.toolSearch.search(query, { limit, filter: mayCall });
      return {
        ...summary,
        query,
        retriever: gateway.toolSearch.status().retriever,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        matches: found.map(({ tool, score }) => ({ ...toolView(gateway, tool), score })),
      };
    }),
  ];
}

/** The principal a search is run as: one that exists (in open mode only the local one). */
async function searchedAs(gateway: Gateway, name: string): Promise<Principal> {
  const principals = gateway.policy.principals;
  if (!(await principals.enforced())) {
    if (name !== gateway.principal.name) throw badRequest(`no principals are configured; searches run as "${gateway.principal.name}"`);
    return gateway.principal;
  }
  if (!principals.get(name)) throw badRequest(`unknown principal "${name}"`);
  return { name };
}

function toolView(gateway: Gateway, tool: CatalogTool): ToolView {
  const serverDescription = gateway.loaded.config.servers[tool.server]?.description;
  return {
    name: tool.exposedName,
    server: tool.server,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description,
    ...(serverDescription !== undefined && { serverDescription }),
    classes: [...classifyTool(tool, gateway.loaded.config.capabilities).classes],
  };
}
