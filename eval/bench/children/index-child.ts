/**
 * One toolscope start, as far as retrieval goes, in a fresh process: read a catalog, load the embedder, build the tool
 * index (embedding what the state folder does not hold yet). For the index-build, state-cache and memory benchmarks.
 *
 * Usage: index-child.ts CATALOG SIZE EMBEDDER [STATE_DIR] [--queries FILE --serve N] --model-dir DIR --model ID --dtype D
 * Sends `progress` {embedded, elapsedMs} after each embedding batch, `ready` with the phase timings and index stats,
 * and, with --serve, `served` with peak RSS after routing N queries.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Embedder } from '../../../src/embedding/index.js';
import { createLogger } from '../../../src/log.js';
import { createRouter } from '../../../src/retrieval/router.js';
import { readCatalogFile } from '../bench-catalog.js';
import { isEmbedderChoice, loadBenchEmbedder, MODEL_ARG_OPTIONS, modelFromArgs } from '../embedders.js';
import { memoryStatus, onParentGone, runChild, send } from './protocol.js';

/** Reports embedding progress, so a first start cut by its time limit can still be projected. */
function reportingProgress(embedder: Embedder, startedAt: number): Embedder {
  let embedded = 0;
  return {
    ...embedder,
    async embed(texts) {
      const vectors = await embedder.embed(texts);
      embedded += texts.length;
      send('progress', { embedded, elapsedMs: performance.now() - startedAt });
      return vectors;
    },
  };
}

runChild(async () => {
  // An embedding run can take minutes: stop with the bench rather than embed on for nobody.
  onParentGone(() => process.exit(1));
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { queries: { type: 'string' }, serve: { type: 'string', default: '0' }, ...MODEL_ARG_OPTIONS },
  });
  const [catalogFile, sizeText, choice, stateDir] = positionals;
  const size = Number(sizeText);
  if (!catalogFile || !Number.isInteger(size) || size < 1 || !choice || !isEmbedderChoice(choice)) {
    throw new Error(
      'usage: index-child.ts CATALOG SIZE lexical|use-lite|transformers [STATE_DIR] [--queries FILE --serve N] --model-dir DIR --model ID --dtype D',
    );
  }
  const tools = await readCatalogFile(catalogFile, size);
  const catalogReadAt = performance.now();
  const embedder = choice === 'lexical' ? undefined : await loadBenchEmbedder(choice, modelFromArgs(values));
  const embedderLoadedAt = performance.now();
  const router = await createRouter({
    tools,
    embedder: embedder ? reportingProgress(embedder, embedderLoadedAt) : false,
    ...(stateDir !== undefined && { stateDir }),
    logger: createLogger('warn'),
  });
  const readyAt = performance.now();
  send('ready', {
    embedder: embedder?.id ?? 'none',
    // performance.now() counts from process start: Node and tsx startup are in catalogReadMs and processStartToReadyMs.
    catalogReadMs: catalogReadAt,
    embedderLoadMs: embedderLoadedAt - catalogReadAt,
    indexBuildMs: readyAt - embedderLoadedAt,
    processStartToReadyMs: readyAt,
    stats: router.index.stats(),
  });

  const serve = Number(values.serve);
  if (serve > 0) {
    if (!values.queries) throw new Error('--serve needs --queries FILE');
    const queries = z.array(z.string()).parse(JSON.parse(await readFile(values.queries, 'utf8')));
    for (let i = 0; i < serve; i++) await router.route(queries[i % queries.length]!);
    send('served', { queries: serve, ...(await memoryStatus()) });
  }
  router.close();
  process.exit(0);
});
