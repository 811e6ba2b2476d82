import { markdownTable } from '../../src/eval/report-markdown.js';
import { STAND_IN_MODEL } from './embedders.js';
import type { SectionOutcome } from './deadline.js';
import type { CutFirstStart, GatewayWarmStart } from './index-build.js';
import type { BenchReport, BenchSections } from './report.js';
import type { Spread } from './stats.js';

/** `1.23 (1.10–1.40)`: median (min–max over runs). */
function figure(value: Spread | undefined, digits = 2, scale = 1): string {
  if (!value || Number.isNaN(value.median)) return 'n/a';
  const f = (x: number) => (x * scale).toFixed(digits);
  return value.runs > 1 ? `${f(value.median)} (${f(value.min)}–${f(value.max)})` : f(value.median);
}

const tokens = (value: number): string => Math.round(value).toLocaleString('en');

/** A markdown list as one block (empty when there is nothing to list). */
function bullets(lines: readonly string[]): string {
  return lines.map((line) => `- ${line}`).join('\n');
}

function sectionStatus<T>(outcome: SectionOutcome<T> | undefined): string {
  if (!outcome) return '_not run_';
  if (outcome.status === 'done') return '';
  return `**${outcome.status}**${outcome.note ? `: ${outcome.note}` : ''}`;
}

/** The report as markdown: targets first, then one table per measurement, each figure median (min–max) over runs. */
export function benchMarkdown(report: BenchReport): string {
  const { sections, machine } = report;
  const parts = [
    '# toolscope benchmarks',
    `Generated ${report.generatedAt} by \`${report.command}\` (plan \`${report.plan}\`, ${(report.elapsedMs / 1000).toFixed(0)} s of a ` +
      `${report.deadlineMs / 1000} s deadline) on ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryMb} MB, Node ${machine.node}, ` +
      `toolscope ${report.toolscopeVersion}. Load average ${machine.loadAverage.start.toFixed(1)} at the start, ` +
      `${machine.loadAverage.end.toFixed(1)} at the end: anything else running on the machine shows in these figures.`,
    `Figures are medians over repeated runs with (min–max); percentiles are computed per run. Catalog: the eval datasets pooled ` +
      `(${report.catalog.datasets.join(', ')}): ${report.catalog.distinctTools.toLocaleString('en')} distinct tools` +
      (report.catalog.largest > report.catalog.distinctTools
        ? `, topped up to ${report.catalog.largest.toLocaleString('en')} with copies under a second server name`
        : '') +
      `; ${report.catalog.queries} real queries from them (and ${report.catalog.pastRequests.toLocaleString('en')} others as past requests for learning from use). "transformers" is \`${report.transformersModel}\`` +
      (report.transformersModel.startsWith(`${STAND_IN_MODEL.model}:`) ? ' (the real model\'s architecture with random weights; `--model-dir models` measures the real one).' : '.'),
    '## Targets',
    markdownTable(
      ['target', 'measured', 'status', 'context'],
      report.targets.map((t) => [t.target, t.measured, t.status === 'met' ? 'met' : `**${t.status}**`, t.context ?? '']),
    ),
    ...routingSection(sections),
    ...forwardingSection(sections),
    ...throughputSection(sections),
    ...scaleOutSection(sections),
    ...indexBuildSection(sections),
    ...memorySection(sections),
    ...contextCostSection(sections),
    '## Sections',
    markdownTable(
      ['section', 'status', 'time s', 'allowance s', 'note'],
      Object.entries(sections).map(([name, outcome]) => [
        name,
        outcome.status,
        (outcome.elapsedMs / 1000).toFixed(1),
        (outcome.allowanceMs / 1000).toFixed(0),
        outcome.note ?? '',
      ]),
    ),
  ];
  return `${parts.filter((part) => part !== '').join('\n\n')}\n`;
}

function routingSection({ routing, stateCache }: Partial<BenchSections>): string[] {
  const result = routing?.result;
  const fills = stateCache?.result.fills ?? [];
  return [
    '## 1. Routing latency (in process)',
    sectionStatus(routing),
    'Each query once per run, limit 5, on a warm index (state folder from the bench cache). `route API`: ' +
      '`createRouter().route()`, retrieval with query decomposition as served, then the MCP tool definitions. ' +
      '`search_tools`: the meta tool over an in-memory MCP session with a gateway in `search` mode (adds the policy ' +
      'filter, MCP framing and the result text); no principals configured. `search_tools, learning on`: the same with ' +
      '`retrieval.learning` on and its usage history full (past requests: other queries of the pooled datasets, each ' +
      'recorded as the choice of a catalog tool), so each search also looks for alike past requests and boosts their ' +
      'tools. The last column splits the queries by ' +
      'whether toolscope decomposes them into several actions (each searched on its own, plus the whole request). ms.',
    result
      ? markdownTable(
          ['path', 'embedder', 'tools', 'retriever', 'vector search', 'p50', 'p95', 'p99', 'p50 one action / several'],
          result.rows.map((row) => [
            row.learnedChoices === undefined ? row.path : `${row.path} (${row.learnedChoices.toLocaleString('en')} past choices)`,
            row.embedderId === 'none' ? 'lexical (BM25)' : row.embedderId,
            row.tools.toLocaleString('en'),
            row.retriever,
            row.vectorSearch,
            figure(row.latencyMs.p50),
            figure(row.latencyMs.p95),
            figure(row.latencyMs.p99),
            `${row.byRequest.singleAction.p50Ms.toFixed(2)} / ${row.byRequest.multiAction.p50Ms.toFixed(2)}`,
          ]),
        )
      : '',
    result && result.rows[0]
      ? `Of the ${result.rows[0].byRequest.singleAction.queries + result.rows[0].byRequest.multiAction.queries} queries, ` +
        `${result.rows[0].byRequest.multiAction.queries} name several actions.`
      : '',
    result && result.queryEmbedding.length > 0
      ? 'Embedding one query alone: ' +
        result.queryEmbedding.map((entry) => `${entry.embedderId} p50 ${figure(entry.latencyMs.p50)} ms, p99 ${figure(entry.latencyMs.p99)} ms`).join('; ') +
        '.'
      : '',
    bullets((result?.skipped ?? []).map((line) => `not measured: ${line}`)),
    fills.some((fill) => fill.status !== 'cached')
      ? `Embedding cache filled in this run: ${fills
          .filter((fill) => fill.status !== 'cached')
          .map((fill) => `${fill.embedder} ${fill.size} tools ${fill.status} (${fill.embeddedTools} embedded, ${(fill.elapsedMs / 1000).toFixed(0)} s)`)
          .join('; ')}.`
      : '',
  ];
}

function forwardingSection({ forwarding }: Partial<BenchSections>): string[] {
  const result = forwarding?.result;
  return [
    '## 2. Forwarding overhead',
    sectionStatus(forwarding),
    'The same `echo` call on the same trivial downstream, direct and through toolscope, alternating call by call. ' +
      'Added = through minus direct, per run (p99: difference of the p99s). ms. Pipeline `full`: every call stage as ' +
      'configured by default, a call answered once its audit line is fsynced; `audit write`: the same with audit ' +
      'durability `write`, answered once the kernel holds the line (the fsync follows at once); `audit off`: no audit stage.',
    result
      ? markdownTable(
          ['transport', 'pipeline', 'direct p50', 'through p50', 'added p50', 'added p99', 'through / direct (p50)'],
          result.rows.map((row) => [
            row.transport,
            row.pipeline,
            figure(row.directMs.p50),
            figure(row.throughToolscopeMs.p50),
            figure(row.addedP50Ms),
            figure(row.addedP99Ms),
            figure(row.ratioP50),
          ]),
        )
      : '',
    result?.stages ? `Call stages run on every forwarded call (read from the gateway): ${result.stages.join(' → ')}.` : '',
    bullets(
      (result?.rows ?? [])
        .filter((row, i, rows) => rows.findIndex((other) => other.transport === row.transport) === i)
        .map((row) => `${row.transport}: ${row.hops}`),
    ),
  ];
}

function throughputSection({ throughput }: Partial<BenchSections>): string[] {
  const result = throughput?.result;
  return [
    '## 3. Throughput over Streamable HTTP',
    sectionStatus(throughput),
    'toolscope (the library, as `serve --http` runs it) on 127.0.0.1 in one process with the echo server as its stdio ' +
      'child; the load generator in a separate process: one session per client, each calling back to back, as plain ' +
      'HTTP requests over a keep-alive pool (the SDK client costs ~2 ms of CPU per call, which would cap the rate it ' +
      'can drive on two cores). CPU from /proc: cores = CPU seconds per second of the measured window. toolscope\'s CPU ' +
      'per call does not depend on how much of the machine it got: 1000 / it bounds the calls one core can serve. ' +
      'Pipelines as in section 2, each its own gateway; at a client count measured with several, they take their runs in turn.',
    result?.stages ? `Call stages active (read from the gateway): ${result.stages.join(' → ')}; rate limits set far above the load.` : '',
    result
      ? markdownTable(
          ['clients', 'pipeline', 'calls/s', 'errors', 'toolscope CPU ms per call', 'CPU cores: toolscope', 'echo server', 'load generator'],
          result.rows.map((row) => [
            String(row.clients),
            row.pipeline,
            figure(row.callsPerSecond, 0),
            String(row.errors),
            row.toolscopeCpuMsPerCall.toFixed(2),
            row.cpuCores.toolscope.toFixed(2),
            row.cpuCores.echo.toFixed(2),
            row.cpuCores.loadGenerator.toFixed(2),
          ]),
        )
      : '',
    bullets((result?.rows ?? []).flatMap((row) => row.firstErrors.map((error) => `${row.clients} clients: ${error}`))),
  ];
}

function scaleOutSection({ scaleOut }: Partial<BenchSections>): string[] {
  const result = scaleOut?.result;
  const base = (state: string) => result?.rows.find((row) => row.state === state && row.replicas === 1)?.callsPerSecond.median;
  return [
    '## 3b. Scale-out: replicas on file state and on Redis',
    sectionStatus(scaleOut),
    'The full pipeline of section 3 (rate limits far above the load, so every call draws on its two buckets) with 1 and ' +
      'with 3 replicas, each a gateway process with its own echo server and its own load generator, the clients split ' +
      'evenly. `file`: each replica keeps its own state (limits per replica); `redis`: one local redis-server shared by all ' +
      '(every call runs the bucket script there, one round trip). On this machine all replicas share its cores, so the ' +
      'figures show what shared state costs per call, not how far more machines would scale.',
    result
      ? markdownTable(
          ['state', 'replicas', 'clients', 'calls/s', 'vs file, 1 replica', 'errors', 'toolscope CPU ms per call', 'Redis CPU ms per call'],
          result.rows.map((row) => {
            const file = base('file');
            return [
              row.state,
              String(row.replicas),
              String(row.clients),
              figure(row.callsPerSecond, 0),
              file ? `${((row.callsPerSecond.median / file) * 100).toFixed(0)}%` : '',
              String(row.errors),
              row.toolscopeCpuMsPerCall.toFixed(2),
              row.redisCpuMsPerCall.toFixed(3),
            ];
          }),
        )
      : '',
    bullets([...(result?.skipped ?? []), ...(result?.rows ?? []).flatMap((row) => row.firstErrors.map((error) => `${row.state} x${row.replicas}: ${error}`))]),
  ];
}

function indexBuildSection({ indexBuild }: Partial<BenchSections>): string[] {
  const result = indexBuild?.result;
  return [
    '## 4. Index build: warm restart and first start',
    sectionStatus(indexBuild),
    'Each start is a fresh process that loads the embedder and builds the tool index (BM25 + vectors) with createRouter. ' +
      'Warm restart: over the state folder a finished start over the same catalog left (copied from the bench cache). ' +
      'First start: empty state folder, every tool embedded. Time to serving = embedder load + index build; "from ' +
      'process start" adds Node startup and reading the catalog file. The whole gateway\'s warm start (one run, same ' +
      'folder) adds the policy (pinning checks every tool as its server arrives) and the gateway itself: catalog in hand ' +
      'to search ready. s.',
    result
      ? markdownTable(
          [
            'tools',
            'embedder',
            'warm restart to serving',
            'from process start',
            'embedded on restart',
            'whole gateway warm start',
            'first start to serving',
            'embedded on first start',
          ],
          result.rows.map((row) => [
            row.tools.toLocaleString('en'),
            row.embedder,
            row.warmRestart ? figure(row.warmRestart.timeToServingMs, 2, 1 / 1000) : 'n/a',
            row.warmRestart ? figure(row.warmRestart.processStartToReadyMs, 2, 1 / 1000) : 'n/a',
            row.warmRestart ? String(row.warmRestart.embeddedTools) : '',
            gatewayStart(row.gatewayWarmStart),
            row.firstStartCut ? cutFirstStart(row.firstStartCut) : row.firstStart ? figure(row.firstStart.timeToServingMs, 1, 1 / 1000) : 'n/a',
            row.firstStartCut
              ? `${row.firstStartCut.embeddedTools} before the cut`
              : row.firstStart
                ? String(row.firstStart.embeddedTools)
                : '',
          ]),
        )
      : '',
    bullets((result?.rows ?? []).flatMap((row) => row.notes.map((note) => `${row.tools.toLocaleString('en')} tools: ${note}`))),
  ];
}

function gatewayStart(start: GatewayWarmStart | undefined): string {
  if (!start) return 'n/a';
  if ('cutAtMs' in start) return `cut at its ${start.cutAtMs / 1000} s limit`;
  return (start.startToServingMs / 1000).toFixed(2);
}

function cutFirstStart(cut: CutFirstStart): string {
  const projection = cut.projectedEmbeddingMs === undefined ? 'no embedding batch finished' : `embedding alone projected at ~${(cut.projectedEmbeddingMs / 1000).toFixed(0)} s`;
  return `cut at its ${cut.limitMs / 1000} s limit; ${projection}`;
}

function memorySection({ memory }: Partial<BenchSections>): string[] {
  const result = memory?.result;
  return [
    '## 5. Memory: peak RSS while serving',
    sectionStatus(memory),
    'A fresh process per run starts warm over the catalog with the embedder loaded, routes real queries, then reads its ' +
      'VmHWM. `router`: createRouter (retrieval alone); `gateway`: a whole toolscope gateway answering `search_tools`.',
    result
      ? markdownTable(
          ['process', 'embedder', 'tools', 'queries served', 'peak RSS MB'],
          result.rows.map((row) => [
            row.process,
            row.embedderId === 'none' ? 'lexical (no model)' : row.embedderId,
            row.tools.toLocaleString('en'),
            String(row.servedQueries),
            figure(row.peakRssMb, 0),
          ]),
        )
      : '',
    bullets((result?.skipped ?? []).map((line) => `not measured: ${line}`)),
  ];
}

function contextCostSection({ contextCost }: Partial<BenchSections>): string[] {
  const result = contextCost?.result;
  return [
    '## 6. Context cost per request (o200k tokens)',
    sectionStatus(contextCost),
    '`all`: the whole tools/list goes with every request. `search`: the tools/list (search_tools and call_tool, whose ' +
      'description names the connected servers) plus the text of one `search_tools` result (limit 5), mean (min–max) ' +
      'over real queries. Through a real gateway session.',
    result
      ? markdownTable(
          ['catalog', 'tools', 'all: tokens/request', 'search: listing', 'search: result', 'search: tokens/request', 'search retrieval'],
          result.rows.map((row) => [
            row.catalog,
            String(row.tools),
            tokens(row.allModeTokens),
            tokens(row.search.listingTokens),
            `${tokens(row.search.resultTokens.mean)} (${tokens(row.search.resultTokens.min)}–${tokens(row.search.resultTokens.max)})`,
            tokens(row.search.perRequestTokens),
            row.embedder === 'lexical' ? 'BM25' : `hybrid, ${row.embedder}`,
          ]),
        )
      : '',
  ];
}
