import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { TRANSFORMERS_DTYPES, type TransformersDtype } from '../../embedding/index.js';
import { loadEvalEmbedder, type EvalBackend } from '../../eval/eval-embedder.js';
import { evaluateDataset } from '../../eval/evaluate.js';
import { describeBadLines, EvalInputError, EvalSetupError } from '../../eval/input-error.js';
import { historyGainTable, historyHeading, renderEvalMarkdown, summaryTable } from '../../eval/report-markdown.js';
import { prepareStateDir } from '../../eval/state-dir.js';
import type { Logger } from '../../log.js';
import { RETRIEVER_KINDS, type RetrieverKind } from '../../retrieval/tool-index.js';
import { commandLogger, positiveInteger, positiveIntegerList } from '../options.js';

/** use-lite ships inside the package, so `toolscope eval` measures dense retrieval on any host, offline too. */
const DEFAULT_BACKEND: EvalBackend = 'use-lite';

interface EvalCommandOptions {
  catalog: string;
  queries: string;
  name?: string;
  retriever: RetrieverKind | 'all';
  embedder?: EvalBackend;
  model?: string;
  modelDir?: string;
  dtype?: TransformersDtype;
  k: number[];
  json?: string;
  report?: string;
  skipBad?: boolean;
  maxQueries?: number;
  stateDir?: string;
  decompose: boolean;
  rerank?: boolean;
  history?: number;
}

/**
 * Makes the folder `file` goes into, before any work: a path that is a folder, or whose folder cannot be made, would
 * otherwise fail only after the whole evaluation and lose its results.
 */
async function prepareOutputFile(option: string, file: string): Promise<void> {
  const path = resolve(file);
  if ((await stat(path).catch(() => undefined))?.isDirectory()) {
    throw new EvalSetupError(`${option} ${file} is a folder: give the path of the file to write`);
  }
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EEXIST' || code === 'ENOTDIR' ? 'it, or a folder above it, is a file' : code;
    throw new EvalSetupError(`${option} ${file}: cannot make its folder ${dirname(path)} (${reason})`);
  }
}

async function runEvalCommand(options: EvalCommandOptions, logger: Logger): Promise<void> {
  if (options.json !== undefined) await prepareOutputFile('--json', options.json);
  if (options.report !== undefined) await prepareOutputFile('--report', options.report);
  if (options.stateDir !== undefined) await prepareStateDir(options.stateDir);
  const retrievers = options.retriever === 'all' ? [...RETRIEVER_KINDS] : [options.retriever];
  const needsEmbedder = retrievers.some((kind) => kind !== 'bm25');
  const loaded = needsEmbedder ? await loadEvalEmbedder(options, { defaultBackend: DEFAULT_BACKEND, hasEmbedderOption: true, logger }) : undefined;
  // Without --state-dir every run starts cold, so the index build time includes embedding the catalog.
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'toolscope-eval-')));
  try {
    const { report, skipped } = await evaluateDataset({
      catalogFile: options.catalog,
      queriesFile: options.queries,
      ...(options.name !== undefined && { name: options.name }),
      retrievers,
      ks: options.k,
      stateDir,
      ...(loaded !== undefined && { embedder: loaded.embedder }),
      ...(loaded?.weights !== undefined && { embedderWeights: loaded.weights }),
      decompose: options.decompose,
      rerank: options.rerank ?? false,
      ...(options.history !== undefined && { historyFraction: options.history }),
      skipBad: options.skipBad ?? false,
      ...(options.maxQueries !== undefined && { maxQueries: options.maxQueries }),
    });
    if (skipped.length > 0) {
      process.stderr.write(`skipped ${skipped.length} malformed line(s):\n${describeBadLines(skipped, '  ')}\n`);
    }
    if (options.json) await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    if (options.report) await writeFile(options.report, renderEvalMarkdown(report));
    const k = report.ks.includes(5) ? 5 : (report.ks[report.ks.length - 1] as number);
    const history = historyGainTable(report, k);
    process.stdout.write(
      `${report.dataset}: ${report.catalogSize} tools, ${report.queryCount} queries, embedder ${report.embedder ?? 'none'}\n\n` +
        `${summaryTable(report, k)}\n` +
        (history === undefined ? '' : `\nhistory: ${historyHeading(report, k)}\n\n${history}\n`),
    );
  } finally {
    if (options.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
  }
}

/** More tools than this are no selection: a router exposes a few. */
const MAX_K = 100;

/** `--k 1,5,10`: positive integers up to MAX_K. */
function cutoffList(text: string): number[] {
  const cutoffs = positiveIntegerList(text);
  const tooLarge = cutoffs.find((cutoff) => cutoff > MAX_K);
  if (tooLarge !== undefined) throw new InvalidArgumentError(`'${tooLarge}' is above ${MAX_K}: a router exposes a few tools.`);
  return cutoffs;
}

function historyFraction(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value < 1)) throw new InvalidArgumentError(`'${text}' is not a fraction from 0 up to (not including) 1.`);
  return value;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('measure tool-selection accuracy, token savings and latency on a labelled tool catalog')
    .requiredOption('--catalog <file>', 'catalog.jsonl: one {id, server?, name, description, inputSchema} per line')
    .requiredOption('--queries <file>', 'queries.jsonl: one {id, query, relevant: [tool ids]} per line')
    .option('--name <name>', "the dataset's name in the report (default: the folder of a catalog.jsonl, else the catalog file's name)")
    .addOption(new Option('--retriever <name>', 'retriever to evaluate').choices([...RETRIEVER_KINDS, 'all']).default('all'))
    .addOption(
      new Option('--embedder <backend>', 'embedding backend (default: use-lite; transformers when --model, --model-dir or --dtype is given)')
        .choices(['use-lite', 'transformers']),
    )
    .option('--model <id>', 'transformers model (hub id, or folder name under --model-dir)')
    .option('--model-dir <dir>', 'folder of local transformers models (npm run models:offline); forbids hub downloads')
    .addOption(new Option('--dtype <dtype>', 'transformers weights variant (default q8)').choices(TRANSFORMERS_DTYPES))
    .option('--k <list>', `comma-separated cut-offs, each 1 to ${MAX_K}`, cutoffList, [1, 3, 5, 10])
    .option('--json <file>', 'write the full results as JSON')
    .option('--report <file>', 'write a markdown report')
    .option('--skip-bad', 'skip malformed input lines (and report them) instead of stopping')
    .option('--max-queries <n>', 'evaluate a deterministic sample of n queries', positiveInteger)
    .option('--no-decompose', 'measure the bare retrievers, without splitting multi-action queries')
    .option('--rerank', 'reorder the results with the second-stage reranker (retrieval.rerank)')
    .option(
      '--history <fraction>',
      'treat this deterministic fraction of the queries as past use (search -> call) and evaluate on the rest',
      historyFraction,
    )
    .option('--state-dir <dir>', 'reuse this embedding cache (default: a fresh temporary folder, removed after)')
    .action(async (options: EvalCommandOptions, command: Command) => {
      try {
        await runEvalCommand(options, commandLogger(command, process.env.TOOLSCOPE_LOG_LEVEL ?? 'warn'));
      } catch (error) {
        if (!(error instanceof EvalInputError)) throw error;
        const hint = error.skippable ? ' (--skip-bad skips malformed lines)' : '';
        process.stderr.write(`toolscope: invalid eval input${hint}\n${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
