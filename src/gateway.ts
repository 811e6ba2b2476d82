import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Catalog } from './catalog/catalog.js';
import type { LoadedConfig } from './config/load.js';
import { splitEdit } from './config/live-sections.js';
import { configPaths } from './config/path-reference.js';
import type { ToolscopeConfig } from './config/schema.js';
import { rulesNamingNoServer } from './config/server-references.js';
import type { BackoffPolicy } from './downstream/backoff.js';
import { DownstreamManager } from './downstream/manager.js';
import { Bubblewrap, type SandboxSupport } from './downstream/sandbox.js';
import type { ServerStatus } from './downstream/supervisor.js';
import { createExposureMode } from './exposure/modes.js';
import { LiveExposure } from './exposure/live.js';
import { pinnedNamesMissing } from './exposure/pinned-names.js';
import { CallsInFlight, STOP_GRACE_MS, type StopOutcome } from './pipeline/in-flight.js';
import { createLogger, type Logger } from './log.js';
import type { CallContext } from './pipeline/call-context.js';
import type { Principal } from './policy/auth/principal.js';
import type { CallHandler } from './pipeline/compose.js';
import { buildPipeline, buildReadPipeline } from './pipeline/build.js';
import { Metrics } from './observability/metrics.js';
import { startTracing, type Tracing } from './observability/tracing.js';
import { Policy } from './policy/policy.js';
import type { ClientAsk } from './policy/approval/client-asks.js';
import { RetrievalHijackCheck } from './policy/pinning/retrieval-hijack.js';
import { CatalogSearch, type RetrievalStatus } from './retrieval/catalog-search.js';
import { createSessionServer } from './server/session.js';
import { DownstreamSurface } from './surface/surface.js';
import { createStateBackend, type StateBackend, type StateStatus } from './state/state-backend.js';

export interface GatewayOptions {
  readonly logger?: Logger;
  /** Who callers are until authentication exists: stdio and loopback HTTP sessions act as this principal. */
  readonly principal?: Principal;
  readonly backoff?: BackoffPolicy;
  /** The log level was set from outside the config (`TOOLSCOPE_LOG_LEVEL`): an edited `logLevel` does not change it. */
  readonly logLevelFixed?: boolean;
}

export interface GatewayStatus {
  readonly config: string;
  readonly exposure: string;
  /** Tool search: active embedder, index size, whether tools are still being embedded. */
  readonly retrieval: RetrievalStatus;
  readonly tools: number;
  readonly servers: ServerStatus[];
  /** Whether bubblewrap works here; undefined until checked at start. */
  readonly sandbox?: SandboxSupport;
  /** Where shared state lives, and whether it can be reached now. */
  readonly state: StateStatus;
  /** The last edit of the config file while serving: applied, or refused with the reason. */
  readonly reload?: ConfigReload;
  /** Rules of the config in effect that name no configured server, so apply to nothing (`rulesNamingNoServer`). */
  readonly ruleWarnings?: readonly string[];
  /** Calls whose approval is being asked of their own client (elicitation): the approval queue does not hold them. */
  readonly clientAsks?: readonly ClientAsk[];
}

/** What became of an edit of the config file while serving. */
export interface ConfigReload {
  readonly at: string;
  readonly outcome: 'applied' | 'refused';
  /** Why the edit was refused (the running config is kept). */
  readonly error?: string;
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
  readonly restarted?: readonly string[];
  readonly disabled?: readonly string[];
  readonly enabled?: readonly string[];
  /** Sections (or `section.key`) the edit changed that took effect at once (see config/live-sections.ts). */
  readonly applied?: readonly string[];
  /** Sections (or `section.key`) that differ from the config as started and take effect only when `toolscope serve` is restarted. */
  readonly needsRestart: readonly string[];
}

export const LOCAL_PRINCIPAL: Principal = { name: 'local' };

/**
 * How long the first `tools/list` may wait for servers that are still connecting. Clients that list once and
 * ignore `list_changed` then still see every healthy server; a dead or slow one delays nobody longer than this.
 */
const FIRST_LIST_GRACE_MS = 5_000;

/**
 * How long the checks of what the servers' first connection brought wait at most for it to settle (the retrieval
 * hijack check, pinned names no server offers). Short: the tools held meanwhile are served unchecked, and a server
 * slower than this has its tools checked as they arrive.
 */
const FIRST_CONNECTION_WAIT_MS = 15_000;

/**
 * toolscope's core, independent of how clients connect: the catalog, the supervised downstream servers,
 * the call pipeline and the exposure mode. Transports (stdio, HTTP) ask it for one MCP `Server` per session.
 */
export class Gateway extends EventEmitter<{ status: []; stopping: [] }> {
  readonly catalog = new Catalog();
  /** Every tool call and read in the pipeline, until answered: a stop answers each of them (see `drain`). */
  readonly calls = new CallsInFlight((ctx) => this.waitsForPerson(ctx));
  readonly downstream: DownstreamManager;
  readonly exposure: LiveExposure;
  readonly toolSearch: CatalogSearch;
  readonly pipeline: CallHandler;
  /** Resources, prompts, logging and completion of the downstream servers, reads through the same pipeline stages. */
  readonly surface: DownstreamSurface;
  readonly policy: Policy;
  readonly logger: Logger;
  readonly principal: Principal;
  readonly bubblewrap: Bubblewrap;
  /** Rate buckets, approvals, pins, tokens, sessions: in the state folder, or shared with other replicas in Redis. */
  readonly state: StateBackend;
  /** Prometheus metrics of this gateway (`GET /metrics`). */
  readonly metrics: Metrics;
  private startedTracing: Tracing | undefined;
  private warmup: Promise<void> | undefined;
  private readonly hijackCheck: RetrievalHijackCheck;
  private lastReload: ConfigReload | undefined;
  private ruleWarnings: readonly string[] = [];
  /** The config as started; sections that cannot change live are compared with it. */
  private readonly initial: LoadedConfig;
  /** Edits are applied one after the other, in the order they were read. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(
    /** The config in effect: as started, with the live sections of later edits applied. */
    public loaded: LoadedConfig,
    private readonly options: GatewayOptions = {},
  ) {
    super();
    this.initial = loaded;
    this.logger = options.logger ?? createLogger(loaded.config.logLevel);
    this.principal = options.principal ?? LOCAL_PRINCIPAL;
    // One listener per client session.
    this.catalog.setMaxListeners(0);
    this.bubblewrap = new Bubblewrap(loaded.config.sandbox.bwrap, this.logger);
    this.downstream = new DownstreamManager(loaded.config.servers, {
      catalog: this.catalog,
      paths: configPaths(loaded),
      logger: this.logger,
      bubblewrap: this.bubblewrap,
      limits: loaded.config.limits,
      ...(options.backoff && { backoff: options.backoff }),
    });
    this.downstream.on('state', () => this.emit('status'));
    this.state = createStateBackend(loaded.config.state, configPaths(loaded).stateDir, this.logger);
    this.policy = new Policy(loaded.config, { stateDir: configPaths(loaded).stateDir, configFile: loaded.path }, this.logger, this.state, this.principal.name);
    this.metrics = new Metrics({
      servers: () => this.downstream.status(),
      pendingApprovals: async () => (await this.policy.approvalQueue.pending()).length,
      stateAvailable: () => this.state.status().available,
    });
    const pipelineDeps = {
      forwarder: this.downstream,
      policy: this.policy,
      metrics: this.metrics,
      traced: loaded.config.tracing.otlpEndpoint !== undefined,
    };
    this.pipeline = this.calls.track(buildPipeline(pipelineDeps));
    this.surface = new DownstreamSurface({
      downstream: this.downstream,
      catalog: this.catalog,
      access: this.policy.access,
      read: this.calls.track(buildReadPipeline(pipelineDeps)),
      logger: this.logger,
    });
    this.policy.on('change', () => this.surface.policyChanged());
    const serverDescriptions = (server: string) => this.loaded.config.servers[server]?.description;
    const paths = configPaths(loaded);
    const inEffect = () => this.loaded.config;
    this.toolSearch = new CatalogSearch(this.catalog, {
      // Read at each search: the ranking settings an edit of the config changes apply at the next one.
      get retrieval() {
        return inEffect().retrieval;
      },
      stateDir: paths.stateDir,
      configDir: paths.configDir,
      serverDescriptions,
      logger: this.logger,
      ...(this.state.sharedVectors && { sharedVectors: this.state.sharedVectors }),
      redact: (text) => this.policy.redactor.redactString(text),
      recentSearchStore: this.state.recentSearches,
    });
    this.toolSearch.on('change', () => this.emit('status'));
    this.policy.clientAsks.on('change', () => this.emit('status'));
    this.hijackCheck = new RetrievalHijackCheck(this.catalog, this.toolSearch, this.policy.pinning, () => inEffect().retrieval.hijackCheck, this.logger);
    this.toolSearch.on('searched', (seconds, retriever) => {
      this.metrics.searches.inc({ retriever });
      this.metrics.searchDuration.observe({ retriever }, seconds);
    });
    this.policy.searchLimit.on('refused', (via, refusal) => this.metrics.searchRefusals.inc({ via, reason: refusal.details.rule ?? 'none' }));
    const exposureDeps = {
      catalog: this.catalog,
      access: this.policy.access,
      search: this.toolSearch,
      searchLimit: this.policy.searchLimit,
      serverDescriptions,
    };
    this.exposure = new LiveExposure(loaded.config.exposure, (config) => createExposureMode(config, exposureDeps));
  }

  /** Creates the state folder and starts connecting eager servers; returns without waiting for any of them. */
  async start(): Promise<void> {
    await mkdir(configPaths(this.loaded).stateDir, { recursive: true });
    // Before any session: every request served is traced.
    this.startedTracing = await startTracing(this.loaded.config.tracing, this.logger);
    // Shared state first: pins, quarantine and tokens are read from it before any server connects.
    await this.state.open();
    // Pins and tokens are read before any server connects, so no tool is seen unchecked.
    await this.policy.open(this.catalog);
    // Rate limits and approvers must name principals that exist, in the config or (now read) the token store.
    this.policy.verify(this.loaded.path);
    this.checkServerReferences(this.loaded.config);
    // After pinning: a tool the pins quarantine is never replayed as a hijacker.
    this.hijackCheck.attach();
    // Known before any server starts, so `status` can tell whether sandboxes are real.
    await this.bubblewrap.check();
    this.downstream.startEager();
    const firstConnection = this.downstream.settled(FIRST_CONNECTION_WAIT_MS);
    this.hijackCheck.holdUntil(firstConnection);
    void firstConnection.then(() => this.warnOfMissingPinnedTools());
    // Loads the embedder and indexes tools as servers report them; searches wait for it, startup does not.
    this.toolSearch.start().catch((error: unknown) => this.logger.error({ err: error }, 'tool search failed to start'));
  }

  /** Set once `drain` began: transports take no new sessions or requests. */
  get stopping(): boolean {
    return this.calls.stopping;
  }

  /**
   * The first half of a graceful stop, before the transports close their sessions: no new requests are taken (the
   * transports check `stopping` or hear `stopping`), calls waiting for a person are refused at once, the others get
   * `graceMs` to finish and are then cancelled. Each ends through the pipeline: audited, and answered on its session.
   */
  async drain(graceMs: number = STOP_GRACE_MS): Promise<StopOutcome> {
    const stopped = this.calls.stop(graceMs);
    this.emit('stopping');
    const outcome = await stopped;
    if (outcome.refused > 0) this.logger.info({ calls: outcome.refused }, 'calls waiting for approval refused: toolscope is stopping');
    if (outcome.cancelled > 0) this.logger.warn({ calls: outcome.cancelled, graceMs }, 'calls still running after the grace period cancelled');
    if (outcome.unanswered > 0) this.logger.warn({ calls: outcome.unanswered }, 'calls that did not end even when cancelled: their clients get no answer');
    return outcome;
  }

  async stop(): Promise<void> {
    // Before the state closes: the searches not yet saved are saved in it.
    await this.toolSearch.close();
    await this.downstream.stop();
    await this.policy.close();
    await this.state.close();
    // Last: the spans of the calls that ended while stopping are sent too.
    await this.startedTracing?.shutdown();
  }

  /** OpenTelemetry tracing, once started; undefined while `tracing.otlpEndpoint` is unset. */
  get tracing(): Tracing | undefined {
    return this.startedTracing;
  }

  /** A new MCP server for one client session, acting as `principal`. */
  createSession(principal: Principal | undefined = this.principal): Server {
    const server = createSessionServer(
      {
        catalog: this.catalog,
        exposure: this.exposure,
        pipeline: this.pipeline,
        surface: this.surface,
        logger: this.logger,
        catalogNeeded: () => this.catalogNeeded(),
        relayScope: () => this.policy.relayScope,
        listPageSize: this.loaded.config.limits.listPageSize,
        ...(this.tracing && { tracing: this.tracing }),
      },
      principal,
    );
    this.metrics.sessions.inc();
    const closed = server.onclose;
    server.onclose = () => {
      closed?.();
      this.metrics.sessions.dec();
    };
    return server;
  }

  /**
   * Whether a call is held (or about to be) for a person: the approve stage has not let it through yet (it records a
   * decision once answered), and `approval.required` names its tool.
   */
  private waitsForPerson(ctx: CallContext): boolean {
    return !ctx.decisions.some((decision) => decision.stage === 'approve') && this.policy.approvals.requiredBy(ctx.tool) !== undefined;
  }

  /** Starts lazy servers on first need; the first reader waits (bounded) for servers still connecting. */
  catalogNeeded(): Promise<void> {
    this.downstream.startLazy();
    this.warmup ??= this.downstream.settled(FIRST_LIST_GRACE_MS);
    return this.warmup;
  }

  /**
   * Applies an edited config while serving (see config/live-sections.ts for what applies live). The policy rules are
   * built and checked first: an edit they refuse (a rate limit for a principal that exists nowhere) changes nothing
   * and is thrown. Then servers added, removed, enabled, disabled or changed start, stop or restart alone (clients get
   * `list_changed` as their tools come and go), and the new rules take effect for calls that start from then on.
   */
  applyConfig(next: LoadedConfig): Promise<ConfigReload> {
    const apply = async (): Promise<ConfigReload> => {
      const edit = splitEdit(this.initial.config, this.loaded.config, next.config);
      const pinnedEdited = !isDeepStrictEqual(edit.config.exposure.pinned, this.loaded.config.exposure.pinned);
      const rules = this.policy.prepare(edit.config, next.path);
      // Secrets of new servers are masked before any of them can answer a call.
      this.policy.serversChanged(edit.config);
      const changes = await this.downstream.reconcile(edit.config.servers);
      this.loaded = { ...this.loaded, config: edit.config };
      this.policy.apply(rules, edit.config.audit);
      if (edit.applied.includes('exposure')) this.exposure.reconfigure(edit.config.exposure);
      if (!this.options.logLevelFixed) this.logger.level = edit.config.logLevel;
      const { applied, needsRestart } = edit;
      const reload: ConfigReload = { at: new Date().toISOString(), outcome: 'applied', ...changes, applied, needsRestart };
      this.logger.info(reload, needsRestart.length > 0 ? 'config reloaded; some changes need a restart' : 'config reloaded');
      this.checkServerReferences(edit.config);
      // Once the servers the edit started have connected (or not): a pinned name of one is checked against its tools.
      if (pinnedEdited) void this.downstream.settled(FIRST_CONNECTION_WAIT_MS).then(() => this.warnOfMissingPinnedTools());
      this.recordReload(reload);
      return reload;
    };
    const applied = this.applying.then(apply);
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  /** An edit of the config file that cannot be used: the running config stays, and `status` says why. */
  refuseConfig(error: Error): void {
    this.logger.error({ reason: error.message }, 'config edit refused; still running the previous config');
    this.recordReload({ at: new Date().toISOString(), outcome: 'refused', error: error.message, needsRestart: this.lastReload?.needsRestart ?? [] });
  }

  /**
   * A pinned name no connected server offers is most likely a typo that leaves the tool out of every list: said once
   * the servers have first connected, and after each edit of `exposure.pinned`.
   */
  private warnOfMissingPinnedTools(): void {
    const connected = new Map(this.downstream.servers().filter((server) => server.readyConnection).map((server) => [server.namespace, server.name]));
    for (const warning of pinnedNamesMissing(this.loaded.config.exposure.pinned, this.catalog.all(), connected)) {
      this.logger.warn({ rule: warning }, 'a pinned tool name names no tool');
    }
  }

  /** A rule naming no server is most likely a typo that switched it off: said at start and at every reload. */
  private checkServerReferences(config: ToolscopeConfig): void {
    this.ruleWarnings = rulesNamingNoServer(config);
    for (const warning of this.ruleWarnings) this.logger.warn({ rule: warning }, 'a rule names no configured server');
  }

  private recordReload(reload: ConfigReload): void {
    this.lastReload = reload;
    this.emit('status');
  }

  status(): GatewayStatus {
    const clientAsks = this.policy.clientAsks.list();
    return {
      config: this.loaded.path,
      exposure: this.exposure.name,
      retrieval: this.toolSearch.status(),
      tools: this.catalog.size,
      servers: this.downstream.status(),
      ...(this.bubblewrap.support && { sandbox: this.bubblewrap.support }),
      state: this.state.status(),
      ...(this.lastReload && { reload: this.lastReload }),
      ...(this.ruleWarnings.length > 0 && { ruleWarnings: this.ruleWarnings }),
      ...(clientAsks.length > 0 && { clientAsks }),
    };
  }
}

export function createGateway(loaded: LoadedConfig, options?: GatewayOptions): Gateway {
  return new Gateway(loaded, options);
}
