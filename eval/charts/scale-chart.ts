import { compactNumber, decadeTicks, renderSvg } from './svg-line-chart.js';
import { retrieverColor } from './palette.js';

export interface ScalePoint {
  readonly size: number;
  readonly retriever: string;
  readonly recallAt5: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

const PANEL_WIDTH = 480;
const HEIGHT = 420;

/** recall@5 and p50 latency against catalog size (log x), one line per retriever. */
export function scaleChartSvg(points: readonly ScalePoint[], caption: string): string {
  const retrievers = [...new Set(points.map((point) => point.retriever))];
  const sizes = [...new Set(points.map((point) => point.size))].sort((a, b) => a - b);
  const sizeAxis = {
    label: 'tools in the catalog (log scale)',
    scale: 'log' as const,
    min: (sizes[0] as number) / 1.5,
    max: (sizes[sizes.length - 1] as number) * 1.5,
    ticks: sizes,
    format: compactNumber,
  };
  const series = (value: (point: ScalePoint) => number) =>
    retrievers.map((retriever) => ({
      label: retriever,
      color: retrieverColor(retriever),
      points: points.filter((point) => point.retriever === retriever).map((point) => ({ x: point.size, y: value(point) })),
    }));
  const latencies = points.map((point) => point.p50Ms);
  const latencyMin = Math.max(0.01, Math.min(...latencies) / 2);
  const latencyMax = Math.max(...latencies) * 2;
  return renderSvg(
    [
      {
        chart: {
          title: 'recall@5 as the catalog grows',
          x: sizeAxis,
          y: { label: 'recall@5 (%)', scale: 'linear', min: 0, max: 100, ticks: [0, 20, 40, 60, 80, 100], format: (v) => `${+v.toFixed(1)}` },
          series: series((point) => 100 * point.recallAt5),
        },
        left: 0,
        top: 0,
        width: PANEL_WIDTH,
        height: HEIGHT - 20,
      },
      {
        chart: {
          title: 'query latency (p50) as the catalog grows',
          x: sizeAxis,
          y: {
            label: 'ms per query (log scale)',
            scale: 'log',
            min: latencyMin,
            max: latencyMax,
            ticks: decadeTicks(latencyMin, latencyMax).filter((t) => t >= latencyMin && t <= latencyMax),
            format: compactNumber,
          },
          series: series((point) => point.p50Ms),
        },
        left: PANEL_WIDTH,
        top: 0,
        width: PANEL_WIDTH,
        height: HEIGHT - 20,
      },
    ],
    PANEL_WIDTH * 2,
    HEIGHT,
    caption,
  );
}
