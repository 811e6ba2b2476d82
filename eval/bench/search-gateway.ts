import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CatalogTool } from '../../src/catalog/tool.js';
import { parseConfig } from '../../src/config/load.js';
import { SEARCH_TOOLS } from '../../src/exposure/meta-tools.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { embedderSettings, type EmbedderChoice, type TransformersModel } from './embedders.js';

/** Results per search: the `search_tools` default. */
export const SEARCH_LIMIT = 5;

/** The `retrieval` config section that makes a gateway search with `choice`. */
export function retrievalConfig(choice: EmbedderChoice, model: TransformersModel): Record<string, unknown> {
  return choice === 'lexical' ? { retriever: 'bm25' } : { retriever: 'hybrid', embedder: embedderSettings(choice, model) };
}

export interface CatalogGatewayOptions {
  /** Default `search`. */
  readonly mode?: 'search' | 'all';
  /** Learning from use on (`retrieval.learning`), with the usage history already in `stateDir`. Default off. */
  readonly learning?: boolean;
}

/**
 * A gateway over a fixed catalog (`search` mode unless told otherwise), as toolscope serves it: its tool search loads
 * the embedder and indexes the catalog (warm when `stateDir` holds a state folder for it). The catalog is filled directly instead of
 * from downstream servers; no principals (open mode), pinning and the description scan off, so every tool is
 * searchable (the scan would quarantine a few dataset tools that name others), and no search rate limit: the bench
 * makes hundreds of searches as one principal.
 */
export async function startCatalogGateway(
  tools: readonly CatalogTool[],
  stateDir: string,
  choice: EmbedderChoice,
  model: TransformersModel,
  { mode = 'search', learning = false }: CatalogGatewayOptions = {},
): Promise<Gateway> {
  const config = parseConfig(
    {
      stateDir,
      logLevel: 'warn',
      pinning: { mode: 'off', scanDescriptions: false },
      rateLimits: { search: 'off' },
      exposure: { mode },
      retrieval: { ...retrievalConfig(choice, model), learning: { enabled: learning } },
    },
    'bench catalog gateway',
  );
  const gateway = createGateway({ path: join(stateDir, 'toolscope.json'), baseDir: stateDir, config });
  try {
    // Filled before start: the index is then built over the whole catalog at once, as on a restart.
    const byServer = new Map<string, CatalogTool[]>();
    for (const tool of tools) {
      const group = byServer.get(tool.server);
      if (group) group.push(tool);
      else byServer.set(tool.server, [tool]);
    }
    for (const [server, serverTools] of byServer) gateway.catalog.setServerTools(server, serverTools);
    await gateway.start();
    const index = await gateway.toolSearch.start();
    await index.idle();
    const loaded = index.stats().embedder;
    const backend = loaded === null ? 'lexical' : loaded === 'use-lite' ? 'use-lite' : 'transformers';
    // toolscope falls back to use-lite when a model cannot load; a benchmark must not measure the wrong backend.
    if (backend !== choice) throw new Error(`the gateway's tool search runs ${loaded ?? 'BM25 only'}, not ${choice}`);
    return gateway;
  } catch (error) {
    await gateway.stop();
    throw error;
  }
}

/** One `search_tools` call; an error result is a failure. */
export async function searchTools(client: Client, query: string): Promise<void> {
  const result = await client.callTool({ name: SEARCH_TOOLS, arguments: { query, limit: SEARCH_LIMIT } });
  if (result.isError) throw new Error(`search_tools failed for "${query}": ${JSON.stringify(result.content)}`);
}
