import type { EvalReport } from '../src/eval/eval-report.js';
import { markdownTable, percent, summaryTable, type ReportSection } from '../src/eval/report-markdown.js';
import { baselinesFor, NO_PUBLISHED_BASELINE, type PublishedBaseline } from './baselines.js';

/** The retriever toolscope serves by default: the one held against BM25 and the published baselines. */
export const DEFAULT_RETRIEVER = 'hybrid';

export function metricOf(report: EvalReport, retriever: string, metric: string): number | undefined {
  return report.results.find((result) => result.retriever === retriever)?.metrics[metric];
}

/** The strongest zero-shot baseline per metric the dataset has numbers for. */
export function bestZeroShot(baselines: readonly PublishedBaseline[]): PublishedBaseline[] {
  const best = new Map<string, PublishedBaseline>();
  for (const baseline of baselines) {
    if (!baseline.zeroShot) continue;
    const current = best.get(baseline.metric);
    if (!current || baseline.value > current.value) best.set(baseline.metric, baseline);
  }
  return [...best.values()];
}

export function baselineSection(report: EvalReport): ReportSection {
  const baselines = baselinesFor(report.dataset);
  if (baselines.length === 0) {
    return { title: 'Published baselines', body: NO_PUBLISHED_BASELINE[report.dataset] ?? 'None listed in NOTES.md.' };
  }
  const rows = baselines.map((baseline) => [
    `${baseline.system}${baseline.sameCorpus === false ? ' (different corpus)' : ''}`,
    baseline.zeroShot ? 'yes' : 'no (trained)',
    baseline.metric,
    percent(baseline.value),
    ...report.results.map((result) => percent(result.metrics[baseline.metric])),
  ]);
  const table = markdownTable(
    ['published system', 'zero-shot', 'metric', 'published', ...report.results.map((result) => `ours: ${result.retriever}`)],
    rows,
  );
  const sources = [...new Set(baselines.map((baseline) => baseline.source))].map((source) => `- Source: ${source}`);
  const caveats = [...new Set(baselines.flatMap((baseline) => (baseline.caveat ? [baseline.caveat] : [])))].map(
    (caveat) => `- Caveat: ${caveat}`,
  );
  return { title: 'Published baselines', body: [table, '', ...sources, ...caveats].join('\n') };
}

/** The same queries through the bare retrievers: shows what query decomposition adds or costs. */
export function ablationSection(bare: EvalReport): ReportSection {
  return {
    title: 'Without query decomposition (bare retrievers)',
    body: `Same queries, each searched as one piece.\n\n${summaryTable(bare, 5)}`,
  };
}

export function datasetSection(notes: readonly string[]): ReportSection {
  return { title: 'Dataset conversion', body: notes.map((note) => `- ${note}`).join('\n') };
}

export function chartSection(svgFile: string): ReportSection {
  return { title: 'Chart', body: `![recall@k and tokens against k](${svgFile})` };
}
