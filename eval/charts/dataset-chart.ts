import type { EvalReport } from '../../src/eval/eval-report.js';
import { compactNumber, decadeTicks, renderSvg, type Axis } from './svg-line-chart.js';
import { REFERENCE_COLOR, retrieverColor } from './palette.js';

const PANEL_WIDTH = 480;
const HEIGHT = 440;

function kAxis(ks: readonly number[]): Axis {
  return { label: 'k (tools exposed)', scale: 'linear', min: 0, max: Math.max(...ks) + 1, ticks: ks, format: String };
}

/** Two panels for one dataset: recall@k against k, and exposed tokens against k beside the whole catalog's. */
export function datasetChartSvg(report: EvalReport): string {
  const ks = report.ks;
  const recall = {
    title: `${report.dataset}: recall@k`,
    x: kAxis(ks),
    y: {
      label: 'recall@k (%)',
      scale: 'linear' as const,
      min: 0,
      max: 100,
      ticks: [0, 20, 40, 60, 80, 100],
      format: (v: number) => `${+v.toFixed(1)}`,
    },
    series: report.results.map((result) => ({
      label: result.retriever,
      color: retrieverColor(result.retriever),
      points: ks.map((k) => ({ x: k, y: 100 * (result.metrics[`recall@${k}`] ?? 0) })),
    })),
  };
  const exposed = report.results.flatMap((result) => result.tokens.map((cost) => cost.meanExposedTokens));
  const tokenMin = Math.max(1, Math.min(...exposed) / 2);
  const tokenMax = report.catalogTokens * 2;
  const tokens = {
    title: `${report.dataset}: prompt tokens of exposed tools`,
    x: kAxis(ks),
    y: {
      label: 'o200k tokens (log scale)',
      scale: 'log' as const,
      min: tokenMin,
      max: tokenMax,
      ticks: decadeTicks(tokenMin, tokenMax).filter((t) => t >= tokenMin && t <= tokenMax),
      format: compactNumber,
    },
    series: [
      ...report.results.map((result) => ({
        label: `${result.retriever} (top k)`,
        color: retrieverColor(result.retriever),
        points: result.tokens.map((cost) => ({ x: cost.k, y: cost.meanExposedTokens })),
      })),
      {
        label: `whole catalog (${report.catalogSize} tools): ${compactNumber(report.catalogTokens)}`,
        color: REFERENCE_COLOR,
        reference: true,
        points: [
          { x: 0, y: report.catalogTokens },
          { x: Math.max(...ks) + 1, y: report.catalogTokens },
        ],
      },
    ],
  };
  const sampled = report.sampledFrom !== undefined ? ` (sampled from ${report.sampledFrom})` : '';
  return renderSvg(
    [
      { chart: recall, left: 0, top: 0, width: PANEL_WIDTH, height: HEIGHT - 20 },
      { chart: tokens, left: PANEL_WIDTH, top: 0, width: PANEL_WIDTH, height: HEIGHT - 20 },
    ],
    PANEL_WIDTH * 2,
    HEIGHT,
    `${report.catalogSize} tools, ${report.queryCount} queries${sampled}; embedder ${report.embedder ?? 'none'}; toolscope ${report.toolscopeVersion}`,
  );
}
