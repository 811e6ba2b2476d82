import type { SectionOutcome } from './deadline.js';
import type { ForwardingRow } from './forwarding.js';
import { AUDIT_VARIANTS, type AuditVariant } from './pipelines.js';
import type { ForwardingTransport } from './plan.js';
import type { BenchSections, TargetCheck } from './report.js';
import type { RoutingPath } from './routing.js';

/** The catalog size the targets are stated at. */
const TARGET_TOOLS = 10_000;

const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

interface Target {
  readonly target: string;
  readonly measured: number | undefined;
  readonly met: (value: number) => boolean;
  readonly format: (value: number) => string;
  /** What the run shows about a miss. */
  readonly context?: string | undefined;
  /** The figure this run lacks when it is not measured. */
  readonly needs: string;
  /** The section that measures it: when it failed, the target is not measured, or missed if `failureIsMiss`. */
  readonly section: SectionOutcome<unknown> | undefined;
  readonly failureIsMiss?: boolean;
}

const AT_TARGET_SIZE = `${TARGET_TOOLS.toLocaleString('en')}-tool figure`;

/** How a target's context names each audit variant: "with …". */
const AUDIT_VARIANT_SETTING: Readonly<Record<AuditVariant, string>> = {
  'audit write': 'audit durability `write` (answered before the fsync)',
  'audit off': 'the audit stage off',
};

function check({ target, measured, met, format, context, needs, section, failureIsMiss }: Target): TargetCheck {
  if (section?.status === 'failed') {
    return { target, measured: 'n/a', status: failureIsMiss ? 'missed' : 'not measured', context: `the section failed: ${section.note}` };
  }
  if (measured === undefined || Number.isNaN(measured)) {
    return { target, measured: 'n/a', status: 'not measured', context: `this run has no ${needs}` };
  }
  const status = met(measured) ? 'met' : 'missed';
  return { target, measured: format(measured), status, ...(status === 'missed' && context && { context }) };
}

/** The targets against this run's figures; a run without the 10,000-tool figures leaves them unmeasured. */
export function checkTargets(sections: Partial<BenchSections>): TargetCheck[] {
  const routing = sections.routing?.result;
  const routingRow = (embedder: string, path: RoutingPath = 'route API') =>
    routing?.rows.find((row) => row.path === path && row.embedder === embedder && row.tools === TARGET_TOOLS);
  const routingP50 = (embedder: string) => routingRow(embedder)?.latencyMs.p50.median;
  const byRequest = (embedder: string) => {
    const shape = routingRow(embedder)?.byRequest;
    return (
      shape &&
      `p50 ${ms(shape.singleAction.p50Ms)} for requests naming one action, ${ms(shape.multiAction.p50Ms)} for the ` +
        `${shape.multiAction.queries} of ${shape.singleAction.queries + shape.multiAction.queries} naming several (one search per action plus the whole request)`
    );
  };
  const embedP50 = routing?.queryEmbedding.find((entry) => entry.embedder === 'transformers')?.latencyMs.p50.median;

  const forwarding = sections.forwarding?.result.rows ?? [];
  const http = forwarding.find((row) => row.transport === 'streamable-http' && row.pipeline === 'full');
  const httpToStdio = forwarding.find((row) => row.transport === 'streamable-http, stdio downstream' && row.pipeline === 'full');
  const auditShare = [
    'the through path has two HTTP exchanges (client to toolscope, toolscope to echo), the direct path one',
    ...auditVariantsAdded(forwarding, 'streamable-http', 'with'),
    httpToStdio && `with the echo server on stdio behind toolscope: ${addedP50(httpToStdio)}`,
    ...auditVariantsAdded(forwarding, 'streamable-http, stdio downstream', 'with the echo server on stdio behind toolscope and'),
  ]
    .filter(Boolean)
    .join('; ');

  const throughput = sections.throughput?.result.rows;
  const at32 = throughput?.find((row) => row.clients === 32 && row.pipeline === 'full');
  const at32Variants = AUDIT_VARIANTS.flatMap((variant) => {
    const row = throughput?.find((other) => other.clients === 32 && other.pipeline === variant);
    return row ? [`with ${AUDIT_VARIANT_SETTING[variant]}: ${row.callsPerSecond.median.toFixed(0)} calls/s`] : [];
  });
  const restart = sections.indexBuild?.result.rows.find((row) => row.tools === TARGET_TOOLS);
  const warm = restart?.warmRestart;
  const gatewayStart = restart?.gatewayWarmStart;
  const memory = sections.memory?.result.rows ?? [];
  const rss = memory.find((row) => row.process === 'router' && row.embedder === 'transformers' && row.tools === TARGET_TOOLS);
  const gatewayRss = memory.find((row) => row.process === 'gateway' && row.embedder === 'transformers' && row.tools === TARGET_TOOLS);
  const atMost = (limit: number) => (value: number) => value <= limit;

  return [
    check({
      target: 'routing p50 at 10,000 tools, lexical <= 2 ms',
      measured: routingP50('lexical'),
      met: atMost(2),
      format: ms,
      context: byRequest('lexical'),
      needs: AT_TARGET_SIZE,
      section: sections.routing,
    }),
    check({
      target: 'routing p50 at 10,000 tools, hybrid with transformers <= 15 ms',
      measured: routingP50('transformers'),
      met: atMost(15),
      format: ms,
      needs: AT_TARGET_SIZE,
      section: sections.routing,
      context: [embedP50 === undefined ? undefined : `embedding one query alone takes p50 ${ms(embedP50)}`, byRequest('transformers')]
        .filter(Boolean)
        .join('; '),
    }),
    check({
      target: 'routing p50 at 10,000 tools, hybrid with transformers <= 15 ms (search_tools through a serving gateway)',
      measured: routingRow('transformers', 'search_tools')?.latencyMs.p50.median,
      met: atMost(15),
      format: ms,
      needs: `${AT_TARGET_SIZE} of search_tools with the transformers backend`,
      section: sections.routing,
    }),
    check({
      target: 'forwarding over Streamable HTTP: added p50 <= 1 ms',
      measured: http?.addedP50Ms.median,
      met: atMost(1),
      format: ms,
      context: auditShare,
      needs: 'Streamable HTTP forwarding figure',
      section: sections.forwarding,
    }),
    check({
      target: 'forwarding over Streamable HTTP: added p50 <= 10% of the direct call',
      measured: http && http.ratioP50.median - 1,
      met: atMost(0.1),
      format: (value) => `${percent(value)} (direct p50 ${ms(http!.directMs.p50.median)})`,
      context: auditShare,
      needs: 'Streamable HTTP forwarding figure',
      section: sections.forwarding,
    }),
    check({
      target: 'throughput >= 2,000 calls/s with 32 clients',
      measured: at32?.callsPerSecond.median,
      met: (value) => value >= 2_000,
      format: (value) => `${value.toFixed(0)} calls/s`,
      needs: '32-client throughput figure',
      section: sections.throughput,
      context:
        at32 &&
        `toolscope spends ${at32.toolscopeCpuMsPerCall.toFixed(2)} ms of CPU per call (at most ` +
          `${(1000 / at32.toolscopeCpuMsPerCall).toFixed(0)} calls/s per core); CPU in use: toolscope ${at32.cpuCores.toolscope.toFixed(2)} ` +
          `cores, echo server ${at32.cpuCores.echo.toFixed(2)}, load generator ${at32.cpuCores.loadGenerator.toFixed(2)} (of 2)` +
          at32Variants.map((figure) => `; ${figure}`).join(''),
    }),
    check({
      target: 'throughput: zero errors at every client count',
      measured: throughput && throughput.reduce((sum, row) => sum + row.errors, 0),
      met: (value) => value === 0,
      format: (value) => `${value} errors`,
      needs: 'throughput figure',
      section: sections.throughput,
      failureIsMiss: true,
      context: throughput?.flatMap((row) => row.firstErrors).slice(0, 2).join('; '),
    }),
    check({
      target: 'warm restart of 10,000 tools <= 2 s to serving (tool index)',
      measured: warm?.timeToServingMs.median,
      met: atMost(2_000),
      format: ms,
      needs: `${AT_TARGET_SIZE} of a warm restart`,
      section: sections.indexBuild,
      context: [
        warm && `embedder load ${ms(warm.embedderLoadMs.median)}, index build ${ms(warm.indexBuildMs.median)}`,
        gatewayStart &&
          ('cutAtMs' in gatewayStart
            ? `a whole gateway's warm start did not finish within ${gatewayStart.cutAtMs / 1000} s`
            : `a whole gateway's warm start takes ${ms(gatewayStart.startToServingMs)}`),
      ]
        .filter(Boolean)
        .join('; '),
    }),
    check({
      target: 'warm restart of 10,000 tools: zero embeddings recomputed',
      measured: warm?.embeddedTools,
      met: (value) => value === 0,
      format: (value) => `${value} embedded`,
      needs: `${AT_TARGET_SIZE} of a warm restart`,
      section: sections.indexBuild,
    }),
    check({
      target: 'peak RSS at 10,000 tools with transformers <= 400 MB (router process)',
      measured: rss?.peakRssMb.median,
      met: atMost(400),
      format: (value) => `${value.toFixed(0)} MB`,
      needs: `${AT_TARGET_SIZE} with the transformers backend`,
      section: sections.memory,
    }),
    check({
      target: 'peak RSS at 10,000 tools with transformers <= 400 MB (whole gateway serving search_tools)',
      measured: gatewayRss?.peakRssMb.median,
      met: atMost(400),
      format: (value) => `${value.toFixed(0)} MB`,
      needs: `${AT_TARGET_SIZE} of a gateway with the transformers backend`,
      section: sections.memory,
    }),
  ];
}

function addedP50(row: ForwardingRow): string {
  return `added p50 ${ms(row.addedP50Ms.median)}, ${percent(row.ratioP50.median - 1)} of the direct call`;
}

/** The added p50 over `transport` with each audit variant this run measured there, each introduced by `lead`. */
function auditVariantsAdded(rows: readonly ForwardingRow[], transport: ForwardingTransport, lead: string): string[] {
  return AUDIT_VARIANTS.flatMap((variant) => {
    const row = rows.find((other) => other.transport === transport && other.pipeline === variant);
    return row ? [`${lead} ${AUDIT_VARIANT_SETTING[variant]}: ${addedP50(row)}`] : [];
  });
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(0)}%`;
}
