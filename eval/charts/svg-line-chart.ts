/** A small hand-rolled SVG line chart: linear or log axes, several series, a legend. No browser or DOM needed. */

export interface Axis {
  readonly label: string;
  readonly scale: 'linear' | 'log';
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  readonly format: (value: number) => string;
}

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
  /** A reference line rather than a measurement: drawn dashed, without markers. */
  readonly reference?: boolean;
}

export interface LineChart {
  readonly title: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly Series[];
}

export interface Panel {
  readonly chart: LineChart;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

const MARGIN = { left: 64, right: 16, top: 36, bottom: 48 };
const LEGEND_ROW = 18;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fraction(axis: Axis, value: number): number {
  if (axis.scale === 'log') return (Math.log10(value) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min));
  return (value - axis.min) / (axis.max - axis.min);
}

/** Powers of ten covering [min, max], for log axes. */
export function decadeTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power += 1) ticks.push(10 ** power);
  return ticks;
}

/** 1200 -> "1.2k", 35000 -> "35k". */
export function compactNumber(value: number): string {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1_000) return `${+(value / 1_000).toFixed(1)}k`;
  return `${+value.toFixed(2)}`;
}

/** `legendRows` is the same for all panels of a figure, so their plots line up. */
function renderPanel({ chart, left, top, width, height }: Panel, legendRows: number): string {
  const plotLeft = left + MARGIN.left;
  const plotTop = top + MARGIN.top;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const legendHeight = LEGEND_ROW * legendRows;
  const plotHeight = height - MARGIN.top - MARGIN.bottom - legendHeight;
  const px = (x: number): number => plotLeft + fraction(chart.x, x) * plotWidth;
  const py = (y: number): number => plotTop + (1 - fraction(chart.y, y)) * plotHeight;
  const parts: string[] = [
    `<text x="${left + width / 2}" y="${top + 20}" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${escapeXml(chart.title)}</text>`,
    `<rect x="${plotLeft}" y="${plotTop}" width="${plotWidth}" height="${plotHeight}" fill="#fafafa" stroke="#999"/>`,
  ];
  for (const tick of chart.y.ticks) {
    const y = py(tick).toFixed(1);
    parts.push(
      `<line x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`,
      `<text x="${plotLeft - 6}" y="${y}" dy="4" text-anchor="end" font-size="11" ${FONT}>${escapeXml(chart.y.format(tick))}</text>`,
    );
  }
  for (const tick of chart.x.ticks) {
    const x = px(tick).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${plotTop}" y2="${plotTop + plotHeight}" stroke="#e3e3e3"/>`,
      `<text x="${x}" y="${plotTop + plotHeight + 16}" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(chart.x.format(tick))}</text>`,
    );
  }
  parts.push(
    `<text x="${plotLeft + plotWidth / 2}" y="${plotTop + plotHeight + 34}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(chart.x.label)}</text>`,
    `<text transform="translate(${left + 16} ${plotTop + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(chart.y.label)}</text>`,
  );
  for (const series of chart.series) {
    const path = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    const dash = series.reference ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2.5"${dash}/>`);
    if (series.reference) continue;
    for (const p of series.points) {
      const label = `${series.label}: ${chart.x.format(p.x)} → ${chart.y.format(p.y)}`;
      parts.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${series.color}"><title>${escapeXml(label)}</title></circle>`,
      );
    }
  }
  chart.series.forEach((series, index) => {
    const y = plotTop + plotHeight + 52 + index * LEGEND_ROW;
    const dash = series.reference ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<line x1="${plotLeft}" x2="${plotLeft + 24}" y1="${y}" y2="${y}" stroke="${series.color}" stroke-width="2.5"${dash}/>`,
      `<text x="${plotLeft + 30}" y="${y}" dy="4" font-size="12" ${FONT}>${escapeXml(series.label)}</text>`,
    );
  });
  return parts.join('\n');
}

/** A standalone SVG document holding the panels side by side (each panel positions itself). */
export function renderSvg(panels: readonly Panel[], width: number, height: number, caption?: string): string {
  const legendRows = Math.max(...panels.map((panel) => panel.chart.series.length));
  const captionText = caption
    ? `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#555" ${FONT}>${escapeXml(caption)}</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...panels.map((panel) => renderPanel(panel, legendRows)),
    captionText,
    '</svg>',
    '',
  ].join('\n');
}
