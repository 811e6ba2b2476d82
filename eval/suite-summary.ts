import type { EvalReport } from '../src/eval/eval-report.js';
import { markdownTable, percent } from '../src/eval/report-markdown.js';
import { baselinesFor } from './baselines.js';
import { bestZeroShot, DEFAULT_RETRIEVER, metricOf } from './suite-report.js';

/** The token goal applies to catalogs at least this large. */
export const LARGE_CATALOG = 500;
export const TOKEN_SAVING_GOAL = 97;

function savingAt5(report: EvalReport, retriever: string): number | undefined {
  return report.results.find((result) => result.retriever === retriever)?.tokens.find((cost) => cost.k === 5)?.savingPercent;
}

function signedPoints(difference: number): string {
  return `${difference >= 0 ? '+' : ''}${(100 * difference).toFixed(1)}`;
}

function baselineVerdicts(report: EvalReport): string {
  const best = bestZeroShot(baselinesFor(report.dataset));
  if (best.length === 0) return 'none published';
  return best
    .map((baseline) => {
      const ours = metricOf(report, DEFAULT_RETRIEVER, baseline.metric);
      const verdict = ours !== undefined && ours > baseline.value ? 'beaten' : 'NOT beaten';
      const corpus = baseline.sameCorpus === false ? ', different corpus' : '';
      return `${baseline.metric} ${percent(baseline.value)} (${baseline.system}) vs ${percent(ours)}: ${verdict}${corpus}`;
    })
    .join('; ');
}

function ablationTable(reports: readonly EvalReport[], bare: readonly EvalReport[]): string {
  const rows = bare.map((report) => {
    const served = reports.find((candidate) => candidate.dataset === report.dataset);
    const cells = ['bm25', 'dense', 'hybrid'].map((retriever) => {
      const without = metricOf(report, retriever, 'recall@5') ?? Number.NaN;
      const withDecomposition = served ? metricOf(served, retriever, 'recall@5') : undefined;
      return withDecomposition === undefined ? percent(without) : `${percent(without)} (${signedPoints(withDecomposition - without)})`;
    });
    return [report.dataset, ...cells];
  });
  return markdownTable(['dataset', 'BM25 R@5', 'dense R@5', 'hybrid R@5'], rows);
}

/** One row per dataset at k=5, then how each stated goal fares; with `bare`, the no-decomposition ablation too. */
export function renderSuiteSummary(reports: readonly EvalReport[], bare: readonly EvalReport[] = []): string {
  const rows = reports.map((report) => {
    const bm25 = metricOf(report, 'bm25', 'recall@5') ?? Number.NaN;
    const hybrid = metricOf(report, DEFAULT_RETRIEVER, 'recall@5') ?? Number.NaN;
    const sampled = report.sampledFrom !== undefined ? ` of ${report.sampledFrom}` : '';
    return [
      `[${report.dataset}](${report.dataset}.md)`,
      String(report.catalogSize),
      `${report.queryCount}${sampled}`,
      percent(bm25),
      percent(metricOf(report, 'dense', 'recall@5')),
      percent(hybrid),
      signedPoints(hybrid - bm25),
      `${savingAt5(report, DEFAULT_RETRIEVER)?.toFixed(1) ?? 'n/a'}%`,
      baselineVerdicts(report),
    ];
  });
  const table = markdownTable(
    ['dataset', 'tools', 'queries', 'BM25 R@5', 'dense R@5', 'hybrid R@5', 'hybrid − BM25', 'tokens saved @5 (hybrid)', 'best published zero-shot vs our hybrid'],
    rows,
  );
  const losses = reports.filter(
    (report) => (metricOf(report, DEFAULT_RETRIEVER, 'recall@5') ?? 0) <= (metricOf(report, 'bm25', 'recall@5') ?? 0),
  );
  const unbeaten = reports.filter((report) =>
    bestZeroShot(baselinesFor(report.dataset)).some(
      (baseline) => (metricOf(report, DEFAULT_RETRIEVER, baseline.metric) ?? 0) <= baseline.value,
    ),
  );
  const large = reports.filter((report) => report.catalogSize >= LARGE_CATALOG);
  const shortOnTokens = large.filter((report) => (savingAt5(report, DEFAULT_RETRIEVER) ?? 0) < TOKEN_SAVING_GOAL);
  const names = (list: readonly EvalReport[]): string => list.map((report) => report.dataset).join(', ');
  const embedders = [...new Set(reports.map((report) => report.embedder ?? 'none'))].join(', ');
  const goals = [
    `- Hybrid beats BM25 at recall@5 on every dataset: ${losses.length === 0 ? 'met' : `MISSED on ${names(losses)}`}.`,
    `- Hybrid beats the best published zero-shot baseline: ${unbeaten.length === 0 ? 'met where one is published' : `MISSED on ${names(unbeaten)}`}.`,
    `- Token saving at k=5 of at least ${TOKEN_SAVING_GOAL}% on catalogs of ${LARGE_CATALOG}+ tools (${names(large)}): ` +
      `${shortOnTokens.length === 0 ? 'met' : `MISSED on ${names(shortOnTokens)}`}.`,
  ];
  return [
    '# Tool retrieval eval: summary',
    `Embedder for dense and hybrid: ${embedders}. Recall in percent; query decomposition as served. Per-dataset details, ` +
      'published baselines with sources and charts are in each dataset\'s report.',
    table,
    '## Goals',
    goals.join('\n'),
    ...(bare.length > 0
      ? [
          '## Without query decomposition',
          'recall@5 of the bare retrievers on the same queries; in brackets what decomposition (as served) adds.',
          ablationTable(reports, bare),
        ]
      : []),
    '',
  ].join('\n\n');
}
