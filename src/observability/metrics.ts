import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServerStatus } from '../downstream/supervisor.js';

/** What the metrics read from the rest of the gateway when scraped, rather than being told of every change. */
export interface MetricsSources {
  servers(): readonly ServerStatus[];
  /** Calls waiting for a human; rejects while the shared state is out of reach (the gauge is then left out). */
  pendingApprovals(): Promise<number>;
  stateAvailable(): boolean;
}

/** Seconds; from a cached search or a quick tool to a call that waited minutes for a person. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * toolscope's Prometheus metrics, in a registry of their own (one per gateway). Labels stay bounded: server names
 * and stages come from the config and the code, refusal reasons are the config rule that decided; tool names,
 * principals and arguments are never labels.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly calls: Counter<'server' | 'outcome'>;
  readonly callDuration: Histogram<'server' | 'outcome'>;
  readonly refusals: Counter<'stage' | 'reason'>;
  readonly stageDuration: Histogram<'stage'>;
  readonly searches: Counter<'retriever'>;
  readonly searchDuration: Histogram<'retriever'>;
  readonly searchRefusals: Counter<'via' | 'reason'>;
  readonly sessions: Gauge;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.calls = new Counter({
      name: 'toolscope_calls_total',
      help: 'Forwarded tools/call requests by downstream server and outcome (ok, error: the tool or toolscope failed, cancelled: by its client or a stop, refused: a stage stopped it)',
      labelNames: ['server', 'outcome'],
      registers,
    });
    this.callDuration = new Histogram({
      name: 'toolscope_call_duration_seconds',
      help: 'Time from a call entering the pipeline to its answer, approval waits included',
      labelNames: ['server', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.refusals = new Counter({
      name: 'toolscope_refusals_total',
      help: 'Calls refused, by pipeline stage and the config rule that decided (reason)',
      labelNames: ['stage', 'reason'],
      registers,
    });
    this.stageDuration = new Histogram({
      name: 'toolscope_stage_duration_seconds',
      help: 'Time a call spends in each pipeline stage itself (not in the stages after it); approve includes the wait for a person, forward the downstream server',
      labelNames: ['stage'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.searches = new Counter({
      name: 'toolscope_searches_total',
      help: 'Tool searches (search_tools, tools/list with a query, POST /v1/route) by retriever',
      labelNames: ['retriever'],
      registers,
    });
    this.searchDuration = new Histogram({
      name: 'toolscope_search_duration_seconds',
      help: 'Tool search latency by retriever',
      labelNames: ['retriever'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.searchRefusals = new Counter({
      name: 'toolscope_search_refusals_total',
      help: 'Tool searches refused (rateLimits.search, or shared state out of reach), by where the search came in (search_tools, tools/list, route, console) and the config rule that decided (reason)',
      labelNames: ['via', 'reason'],
      registers,
    });
    this.sessions = new Gauge({ name: 'toolscope_sessions', help: 'Open MCP client sessions (stdio and HTTP)', registers });
    new Gauge({
      name: 'toolscope_server_state',
      help: 'Each downstream server, 1 for the state it is in (idle, starting, ready, backoff, failed, disabled, stopped)',
      labelNames: ['server', 'state'],
      registers,
      collect() {
        this.reset();
        for (const server of sources.servers()) this.set({ server: server.name, state: server.state }, 1);
      },
    });
    new Gauge({
      name: 'toolscope_server_restarts',
      help: 'Restarts of each downstream server since toolscope started',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const server of sources.servers()) this.set({ server: server.name }, server.restarts);
      },
    });
    new Gauge({
      name: 'toolscope_server_tools',
      help: 'Tools each downstream server contributes to the catalog',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const server of sources.servers()) this.set({ server: server.name }, server.tools);
      },
    });
    new Gauge({
      name: 'toolscope_state_available',
      help: '1 while the state backend can be reached; 0 while shared state is out of reach (calls are refused)',
      registers,
      collect() {
        this.set(sources.stateAvailable() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'toolscope_approvals_pending',
      help: 'Calls waiting for a person to approve them (every replica sharing the state)',
      registers,
      async collect() {
        this.reset();
        const pending = await sources.pendingApprovals().catch(() => undefined);
        if (pending !== undefined) this.set(pending);
      },
    });
  }

  /** The text exposition format, for `GET /metrics`. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
