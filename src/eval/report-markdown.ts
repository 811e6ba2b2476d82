import type { EmbedderWeights, EvalReport, RetrieverResult } from './eval-report.js';

export interface ReportSection {
  readonly title: string;
  /** Markdown. */
  readonly body: string;
}

/** Percent with one decimal: the markdown shows metrics as percentages, the JSON keeps fractions. */
export function percent(fraction: number | undefined): string {
  return fraction === undefined || Number.isNaN(fraction) ? 'n/a' : (100 * fraction).toFixed(1);
}

function milliseconds(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
}

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One row per retriever at a single cut-off: the comparison a reader looks for first. */
export function summaryTable(report: EvalReport, k: number): string {
  const rows = report.results.map((result) => {
    const tokens = result.tokens.find((cost) => cost.k === k);
    return [
      result.retriever,
      percent(result.metrics[`recall@${k}`]),
      percent(result.metrics[`complete@${k}`]),
      percent(result.metrics[`ndcg@${k}`]),
      percent(result.metrics.mrr),
      tokens ? `${tokens.meanExposedTokens.toFixed(0)} (${tokens.savingPercent.toFixed(1)}% saved)` : 'n/a',
      milliseconds(result.latencyMs.p50),
      milliseconds(result.latencyMs.p95),
    ];
  });
  return markdownTable(
    ['retriever', `recall@${k}`, `complete@${k}`, `nDCG@${k}`, 'MRR', `tokens@${k}`, 'p50 ms', 'p95 ms'],
    rows,
  );
}

/** With `--history`: recall@k on the held-out queries without the past use and with it, per retriever. */
export function historyGainTable(report: EvalReport, k: number): string | undefined {
  const baseline = report.history?.withoutHistory;
  if (baseline === undefined) return undefined;
  const rows = report.results.map((result) => {
    const without = baseline.find((entry) => entry.retriever === result.retriever)?.metrics[`recall@${k}`];
    const learned = result.metrics[`recall@${k}`];
    const change = without === undefined || learned === undefined ? 'n/a' : `${learned >= without ? '+' : ''}${(100 * (learned - without)).toFixed(1)}`;
    return [result.retriever, percent(without), percent(learned), change];
  });
  return markdownTable(['retriever', `recall@${k} without history`, `recall@${k} with history`, 'change (points)'], rows);
}

/** The sentence before the history table: what was past use and what was evaluated. */
export function historyHeading(report: EvalReport, k: number): string {
  const history = report.history!;
  return `${history.pastQueries} labelled queries (${history.fraction}) taken as past use; recall@${k} on the ${report.queryCount} held-out queries without and with it:`;
}

function retrieverTable(report: EvalReport, result: RetrieverResult): string {
  const rows = report.ks.map((k) => {
    const tokens = result.tokens.find((cost) => cost.k === k);
    return [
      String(k),
      percent(result.metrics[`recall@${k}`]),
      percent(result.metrics[`complete@${k}`]),
      percent(result.metrics[`ndcg@${k}`]),
      tokens ? tokens.meanExposedTokens.toFixed(0) : 'n/a',
      tokens ? tokens.savingPercent.toFixed(1) : 'n/a',
    ];
  });
  const table = markdownTable(['k', 'recall@k', 'complete@k', 'nDCG@k', 'tokens (mean)', 'saving %'], rows);
  const latency = result.latencyMs;
  return (
    `${table}\n\nMRR ${percent(result.metrics.mrr)} (first relevant within the top ${Math.max(...report.ks)}); ` +
    `latency per query p50 ${milliseconds(latency.p50)} ms, p95 ${milliseconds(latency.p95)} ms.`
  );
}

/** "1 malformed input line was", "3 malformed input lines were". */
function countOf(count: number, noun: string): string {
  return count === 1 ? `1 ${noun} was` : `${count} ${noun}s were`;
}

/** Where the index build's vectors came from: embedded now, from the cache, or none (BM25 only). */
function embeddingsOf(report: EvalReport): string {
  if (report.embedder === null) return 'BM25 only, nothing embedded';
  if (report.embeddedTools === 0) return 'every tool\'s vector from the cache';
  if (report.embeddedTools >= report.catalogSize) return 'every tool embedded';
  return `${report.embeddedTools} tools embedded, the rest from the cache`;
}

/** The embedder as a report names it: its id, and for a model from a folder, which build of it by the weights' hash. */
export function embedderDescription(embedder: string, weights: EmbedderWeights | undefined): string {
  if (weights === undefined) return embedder;
  const built = weights.builtFrom !== undefined ? `, built from ${weights.builtFrom}` : '';
  return `${embedder} (${weights.file} sha-256 ${weights.sha256}${built})`;
}

function historySection(report: EvalReport, k: number): string[] {
  const table = historyGainTable(report, k);
  return table === undefined ? [] : ['## Learning from use', historyHeading(report, k), table];
}

export function renderEvalMarkdown(report: EvalReport, sections: readonly ReportSection[] = []): string {
  const sampled =
    report.sampledFrom !== undefined ? ` (a deterministic sample of ${report.sampledFrom})` : '';
  const skipped = report.skippedLines > 0 ? ` ${countOf(report.skippedLines, 'malformed input line')} skipped.` : '';
  const summaryK = report.ks.includes(5) ? 5 : (report.ks[report.ks.length - 1] as number);
  const parts = [
    `# Tool retrieval eval: ${report.dataset}`,
    `${report.catalogSize} tools (${report.catalogTokens} o200k tokens in all), ${report.queryCount} queries${sampled}. ` +
      `Embedder: ${report.embedder === null ? 'none (BM25 only)' : embedderDescription(report.embedder, report.embedderWeights)}. toolscope ${report.toolscopeVersion}, ${report.generatedAt}. ` +
      `Index build: ${(report.indexBuildMs / 1000).toFixed(1)} s (${embeddingsOf(report)}). ` +
      (report.rssMb !== undefined ? `Process memory (RSS) after the run: ${Math.round(report.rssMb)} MB. ` : '') +
      `Query decomposition ${report.decompose ? 'on (as served)' : 'off'}.` +
      `${report.rerank ? ' Second-stage reranker on.' : ''}` +
      `${report.history ? ` History: ${report.history.pastQueries} labelled queries (${report.history.fraction}) taken as past use, the rest evaluated.` : ''}${skipped}`,
    'Metrics in percent; tokens are the o200k tokens of the exposed tool definitions (name, description, inputSchema).',
    `## Summary at k=${summaryK}`,
    summaryTable(report, summaryK),
    ...historySection(report, summaryK),
    ...report.results.flatMap((result) => [`## ${result.retriever}`, retrieverTable(report, result)]),
    ...sections.flatMap((section) => [`## ${section.title}`, section.body]),
  ];
  return `${parts.join('\n\n')}\n`;
}
