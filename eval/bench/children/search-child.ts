/**
 * A toolscope gateway in `search` mode over a catalog, in a fresh process: starts (warm when the state folder holds
 * the catalog's embeddings), then answers SERVE `search_tools` calls for real queries over an in-memory session and
 * reports its peak RSS. For the memory benchmark, and (SERVE 0) for the gateway's warm start in the index build.
 *
 * Usage: search-child.ts CATALOG SIZE EMBEDDER STATE_DIR QUERIES_FILE SERVE --model-dir DIR --model ID --dtype D
 * Sends `ready` {startToServingMs, processStartToReadyMs, stats}, then `served` {queries, vmHwmKb, vmRssKb}.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LOCAL_PRINCIPAL } from '../../../src/gateway.js';
import { readCatalogFile } from '../bench-catalog.js';
import { EMBEDDER_CHOICES, MODEL_ARG_OPTIONS, modelFromArgs } from '../embedders.js';
import { connectInMemory } from '../mcp-clients.js';
import { searchTools, startCatalogGateway } from '../search-gateway.js';
import { memoryStatus, onParentGone, runChild, send } from './protocol.js';

const argsSchema = z.tuple([
  z.string().min(1),
  z.coerce.number().int().positive(),
  z.enum(EMBEDDER_CHOICES),
  z.string().min(1),
  z.string().min(1),
  z.coerce.number().int().nonnegative(),
]);

runChild(async () => {
  onParentGone(() => process.exit(1));
  const { values, positionals } = parseArgs({ allowPositionals: true, options: MODEL_ARG_OPTIONS });
  const [catalogFile, size, choice, stateDir, queriesFile, serve] = argsSchema.parse(positionals);
  const tools = await readCatalogFile(catalogFile, size);
  const queries = z.array(z.string()).min(1).parse(JSON.parse(await readFile(queriesFile, 'utf8')));
  const startedAt = performance.now();
  const gateway = await startCatalogGateway(tools, stateDir, choice, modelFromArgs(values));
  const readyAt = performance.now();
  send('ready', { startToServingMs: readyAt - startedAt, processStartToReadyMs: readyAt, stats: gateway.status().retrieval });
  const session = await connectInMemory(gateway, LOCAL_PRINCIPAL);
  for (let i = 0; i < serve; i++) await searchTools(session.client, queries[i % queries.length]!);
  send('served', { queries: serve, ...(await memoryStatus()) });
  await session.close();
  await gateway.stop();
  process.exit(0);
});
