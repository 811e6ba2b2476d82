/**
 * Where does an HNSW graph start beating an exact scan? Times VectorIndex's two search paths on the same vectors
 * (k = 10, 300 queries after 30 warm-up queries) for growing catalog sizes, and the graph's recall@10.
 * Vectors: L2-normalised points scattered around 50 random centres, so neighbourhoods exist as in real embeddings.
 *   npx tsx scripts/bench-vector-crossover.ts [dimensions=384] [sizes=25,50,100,…,16000]
 */
import { VectorIndex } from '../src/retrieval/vector-index.js';
import { normalizeInPlace } from '../src/embedding/normalize.js';

const dimensions = Number(process.argv[2] ?? 384);
const sizes = (process.argv[3] ?? '25,50,100,150,250,500,1000,2000,4000,8000,16000').split(',').map(Number);
const QUERIES = 300;
const WARMUP = 30;
const K = 10;

let seed = 42;
function random(): number {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
}
const centres = Array.from({ length: 50 }, () => Float32Array.from({ length: dimensions }, gaussian));
function point(): Float32Array {
  const centre = centres[Math.floor(random() * centres.length)]!;
  return normalizeInPlace(Float32Array.from(centre, (value) => value + 0.8 * gaussian()));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function time(index: VectorIndex, queries: Float32Array[]): { p50: number; results: string[][] } {
  for (const query of queries.slice(0, WARMUP)) index.search(query, K);
  const times: number[] = [];
  const results: string[][] = [];
  for (const query of queries) {
    const start = process.hrtime.bigint();
    const hits = index.search(query, K);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    results.push(hits.map((hit) => hit.id));
  }
  return { p50: percentile(times, 0.5), results };
}

console.log(`dimensions ${dimensions}, k ${K}, ${QUERIES} queries`);
console.log('size\texact p50 ms\thnsw p50 ms\thnsw recall@10\tgraph build ms');
for (const size of sizes) {
  const exact = await VectorIndex.open({ dimensions, exactSearchBelow: Number.POSITIVE_INFINITY });
  const graph = await VectorIndex.open({ dimensions, exactSearchBelow: 0 });
  for (let i = 0; i < size; i++) {
    const vector = point();
    exact.upsert(`t${i}`, `t${i}`, vector);
    graph.upsert(`t${i}`, `t${i}`, vector);
  }
  const buildStart = Date.now();
  await graph.commit();
  const buildMs = Date.now() - buildStart;
  const queries = Array.from({ length: QUERIES }, point);
  const exactRun = time(exact, queries);
  const graphRun = time(graph, queries);
  let found = 0;
  exactRun.results.forEach((truth, i) => {
    const got = new Set(graphRun.results[i]);
    found += truth.filter((id) => got.has(id)).length;
  });
  const recall = found / (QUERIES * K);
  console.log(`${size}\t${exactRun.p50.toFixed(3)}\t${graphRun.p50.toFixed(3)}\t${recall.toFixed(3)}\t${buildMs}`);
}
