import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposedToolName } from '../../src/catalog/naming.js';
import { loadConfig } from '../../src/config/load.js';
import { createGateway } from '../../src/gateway.js';
import { BENCH_PRINCIPAL, writeBenchConfig } from './bench-config.js';
import { BenchChild, childLaunch } from './child-process.js';
import { abortable, throwIfCut } from './deadline.js';
import { ECHO_SERVER, ECHO_TOOL, echoStdioLaunch, startEchoHttp } from './downstream.js';
import { activeStages, waitForTool } from './gateway-stages.js';
import { callEcho, connectHttp, connectInMemory, connectStdio, type BenchClient } from './mcp-clients.js';
import { REPO_ROOT } from './paths.js';
import { measuredAt, PIPELINES, pipelineAudit, type BenchAudit, type Pipeline } from './pipelines.js';
import { FORWARDING_TRANSPORTS, type BenchPlan, type ForwardingTransport } from './plan.js';
import { latencyPercentiles, latencySpread, spread, type LatencySpread, type Spread } from './stats.js';

export interface ForwardingRow {
  readonly transport: ForwardingTransport;
  /** `full`: every call stage; `audit write`: answered before the audit line's fsync; `audit off`: no audit stage. */
  readonly pipeline: Pipeline;
  /** Client to toolscope, and toolscope to the echo server. */
  readonly hops: string;
  readonly directMs: LatencySpread;
  readonly throughToolscopeMs: LatencySpread;
  /** Per run: through p50 minus direct p50. */
  readonly addedP50Ms: Spread;
  /** Per run: through p99 minus direct p99. */
  readonly addedP99Ms: Spread;
  /** Per run: through p50 over direct p50. */
  readonly ratioP50: Spread;
}

export interface ForwardingResult {
  readonly rows: ForwardingRow[];
  /** The call stages the measured gateway ran. */
  stages?: string[];
}

/** A direct and a through-toolscope session to the same echo server, and what they cost to tear down. */
interface Pair {
  readonly hops: string;
  readonly direct: BenchClient;
  readonly through: BenchClient;
  readonly stages?: string[];
  close(): Promise<void>;
}

const THROUGH_TOOL = exposedToolName(ECHO_SERVER, ECHO_TOOL);

/**
 * The same echo call, direct and through toolscope (full call pipeline, and the audit variants the plan lists),
 * alternating call by call so both see the same machine load. Added latency is taken per run from the two runs'
 * percentiles, then spread over the runs. A transport's pipelines are measured one right after the other, so the
 * machine load they see differs least.
 */
export async function forwardingBench(plan: BenchPlan['forwarding'], signal: AbortSignal, result: ForwardingResult): Promise<void> {
  const pipelinesOver = (transport: ForwardingTransport) =>
    PIPELINES.filter((pipeline) => measuredAt(pipeline, plan.transports, plan.auditVariants).includes(transport));
  const cases = FORWARDING_TRANSPORTS.flatMap((transport) => pipelinesOver(transport).map((pipeline) => ({ transport, pipeline })));
  for (const { transport, pipeline } of cases) {
    const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-forward-'));
    let pair: Pair | undefined;
    try {
      pair = await abortable(openPair(transport, dir, pipelineAudit(pipeline), signal), signal, (late) => late.close());
      if (pair.stages && pipeline === 'full') result.stages = pair.stages;
      const { direct, through } = pair;
      for (let i = 0; i < plan.warmupCalls; i++) {
        await callEcho(direct.client, ECHO_TOOL);
        await callEcho(through.client, THROUGH_TOOL);
      }
      const directRuns: number[][] = [];
      const throughRuns: number[][] = [];
      for (let run = 0; run < plan.runs; run++) {
        const sides = [
          { samples: [] as number[], call: () => callEcho(direct.client, ECHO_TOOL) },
          { samples: [] as number[], call: () => callEcho(through.client, THROUGH_TOOL) },
        ];
        for (let call = 0; call < plan.calls; call++) {
          throwIfCut(signal);
          // Alternate which goes first, so neither always runs right after the other's garbage.
          for (const side of call % 2 === 0 ? sides : [...sides].reverse()) {
            const started = performance.now();
            await side.call();
            side.samples.push(performance.now() - started);
          }
        }
        directRuns.push(sides[0]!.samples);
        throughRuns.push(sides[1]!.samples);
      }
      result.rows.push(forwardingRow(transport, pipeline, pair.hops, directRuns, throughRuns));
    } finally {
      await pair?.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function forwardingRow(
  transport: ForwardingTransport,
  pipeline: Pipeline,
  hops: string,
  directRuns: number[][],
  throughRuns: number[][],
): ForwardingRow {
  const direct = directRuns.map(latencyPercentiles);
  const through = throughRuns.map(latencyPercentiles);
  return {
    transport,
    pipeline,
    hops,
    directMs: latencySpread(directRuns),
    throughToolscopeMs: latencySpread(throughRuns),
    addedP50Ms: spread(through.map((run, i) => run.p50 - direct[i]!.p50)),
    addedP99Ms: spread(through.map((run, i) => run.p99 - direct[i]!.p99)),
    ratioP50: spread(through.map((run, i) => run.p50 / direct[i]!.p50)),
  };
}

async function openPair(transport: ForwardingTransport, dir: string, audit: BenchAudit, signal: AbortSignal): Promise<Pair> {
  switch (transport) {
    case 'in-memory':
      return inMemoryPair(dir, audit);
    case 'stdio':
      return stdioPair(dir, audit);
    case 'streamable-http':
      return httpPair(dir, audit, 'http', signal);
    case 'streamable-http, stdio downstream':
      return httpPair(dir, audit, 'stdio', signal);
  }
}

/** Client and gateway in this process (in-memory); the gateway and the direct client each reach an echo child on stdio. */
async function inMemoryPair(dir: string, audit: BenchAudit): Promise<Pair> {
  const config = await writeBenchConfig(dir, { transport: 'stdio' }, { audit });
  const gateway = createGateway(await loadConfig(config.file));
  await gateway.start();
  const opened: BenchClient[] = [];
  try {
    await waitForTool(gateway, THROUGH_TOOL, 30_000);
    opened.push(await connectStdio(echoStdioLaunch()));
    opened.push(await connectInMemory(gateway, BENCH_PRINCIPAL));
  } catch (error) {
    await Promise.all(opened.map((client) => client.close()));
    await gateway.stop();
    throw error;
  }
  const [direct, through] = opened as [BenchClient, BenchClient];
  return {
    hops: 'client -(in-memory)-> toolscope -(stdio)-> echo; direct: client -(stdio)-> echo',
    direct,
    through,
    stages: activeStages(gateway),
    close: async () => {
      await Promise.all([direct.close(), through.close()]);
      await gateway.stop();
    },
  };
}

/** `toolscope serve` (the CLI) as a stdio child, with the echo server as its stdio child. */
async function stdioPair(dir: string, audit: BenchAudit): Promise<Pair> {
  const config = await writeBenchConfig(dir, { transport: 'stdio' }, { audit });
  const direct = await connectStdio(echoStdioLaunch());
  let through: BenchClient;
  try {
    through = await connectStdio({
      ...childLaunch('toolscope', ['--config', config.file, 'serve', '--as', BENCH_PRINCIPAL.name]),
      cwd: REPO_ROOT,
    });
    await waitForListing(through, THROUGH_TOOL, 60_000);
  } catch (error) {
    await direct.close();
    throw error;
  }
  return {
    hops: 'client -(stdio)-> toolscope serve -(stdio)-> echo; direct: client -(stdio)-> echo',
    direct,
    through,
    close: async () => {
      await Promise.all([direct.close(), through.close()]);
    },
  };
}

/** Lists tools until `name` shows up: toolscope's first listing waits only briefly for servers still starting. */
async function waitForListing(session: BenchClient, name: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await session.client.listTools()).tools.some((tool) => tool.name === name)) {
    if (Date.now() - started > timeoutMs) throw new Error(`toolscope over stdio did not list ${name} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The echo server on Streamable HTTP (the direct client's), and toolscope on Streamable HTTP in its own process,
 * reaching the same echo server over HTTP, or its own echo child over stdio.
 */
async function httpPair(dir: string, audit: BenchAudit, downstream: 'http' | 'stdio', signal: AbortSignal): Promise<Pair> {
  const echo = await startEchoHttp(signal);
  const children: BenchChild[] = [echo.child];
  const clients: BenchClient[] = [];
  try {
    const to = downstream === 'http' ? ({ transport: 'http', url: echo.url } as const) : ({ transport: 'stdio' } as const);
    const config = await writeBenchConfig(dir, to, { audit });
    const gateway = new BenchChild('gateway-http', [config.file], { signal });
    children.push(gateway);
    const ready = await gateway.next('ready');
    clients.push(await connectHttp(echo.url));
    clients.push(await connectHttp(String(ready.url), config.token));
  } catch (error) {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(children.map((child) => child.close()));
    throw error;
  }
  const [direct, through] = clients as [BenchClient, BenchClient];
  return {
    hops:
      downstream === 'http'
        ? 'client -(HTTP)-> toolscope -(HTTP)-> echo, each its own process; direct: client -(HTTP)-> echo'
        : 'client -(HTTP)-> toolscope -(stdio)-> echo; direct: client -(HTTP)-> echo (its HTTP server)',
    direct,
    through,
    close: async () => {
      await Promise.all([direct.close(), through.close()]);
      await Promise.all(children.reverse().map((child) => child.close()));
    },
  };
}
