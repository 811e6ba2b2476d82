import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { ConfigError } from '../config/load.js';
import { referencedSecretValues } from '../config/env-reference.js';
import type { ToolscopeConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { AuditTrail } from './audit/audit-trail.js';
import { auditPinningEvents } from './audit/pinning-events.js';
import { Redactor } from './audit/redactor.js';
import { OAuthVerifier } from './auth/oauth-verifier.js';
import { ToolPinning } from './pinning/tool-pinning.js';
import { PolicyRules, type RulesConfig, type RulesDeps } from './policy-rules.js';
import type { Approvals } from './approval/approvals.js';
import { ClientAsks } from './approval/client-asks.js';
import type { Principals } from './auth/principals.js';
import type { RateLimiter } from './ratelimit/rate-limiter.js';
import { SearchLimit } from './ratelimit/search-limit.js';
import type { ArgumentRules } from './rules/argument-rules.js';
import type { RelayScope } from './scopes/relay-scope.js';
import type { AccessDecisions } from './tool-access.js';
import type { Principal } from './auth/principal.js';
import { SchemaValidator } from './rules/schema-validator.js';
import type { ApprovalQueue } from '../state/approval-queue.js';
import type { StateBackend } from '../state/state-backend.js';
import type { TokenStore } from '../state/token-store.js';

/** The state folder's policy files, for the CLI commands that read them without a running gateway. */
export function policyPaths(stateDir: string, config: Pick<ToolscopeConfig, 'audit'>) {
  return { audit: join(stateDir, config.audit.file) };
}

/** The secret values the config's `${env:…}` references resolve to: never to be logged or audited. */
export function configuredSecrets(config: Pick<ToolscopeConfig, 'servers' | 'approval' | 'tracing'>, env: NodeJS.ProcessEnv = process.env): string[] {
  const records = Object.values(config.servers).map((server) => (server.type === 'stdio' ? server.env : server.headers));
  records.push(config.tracing.otlpHeaders);
  const webhook = config.approval.webhook;
  if (webhook) records.push({ url: webhook.url, ...webhook.headers });
  return referencedSecretValues(records, env);
}

/** Which principals an edit of the policy concerns: those for whom it returns true may now call other tools. */
type AccessChangeScope = (principal: Principal | undefined) => boolean;

/**
 * Every policy unit, built from the config and the state folder; the pipeline stages each take their part.
 * Built synchronously so the gateway can wire its pipeline at once; `open` reads the state folder and must finish
 * before the first downstream server connects.
 *
 * What the config's policy sections define (principals, capabilities, argument rules, approval, rate limits) is one
 * {@link PolicyRules}, replaced whole by `apply` when the config is edited while serving ('change' is emitted, and the
 * pipeline is rebuilt on it). The getters below answer with the rules in effect now.
 */
export class Policy extends EventEmitter<{ change: [] }> {
  /** Checks OAuth access tokens when `auth.oauth` is configured. */
  readonly oauth: OAuthVerifier | undefined;
  readonly validator = new SchemaValidator();
  readonly approvalQueue: ApprovalQueue;
  /** Calls whose approval is being asked of their own client (elicitation), for `toolscope status`. */
  readonly clientAsks = new ClientAsks();
  readonly pinning: ToolPinning;
  readonly redactor: Redactor;
  /** Undefined when `audit.enabled` is false. */
  readonly audit: AuditTrail | undefined;
  /** Searches (search_tools, `tools/list` with a query, the route API) per principal, under the rules in effect. */
  readonly searchLimit: SearchLimit;
  /** May this principal call this tool, under the rules in effect now; told of quarantine and policy changes. */
  readonly access: AccessDecisions;
  private rules: PolicyRules;
  private readonly deps: RulesDeps;
  private readonly tokens: TokenStore;
  /** stdio servers, whose paths are toolscope's own (symlinks resolved by default). */
  private readonly localServers = new Set<string>();
  private catalog: Catalog | undefined;
  /** Told when an edit of the rules changes what some principals may call. */
  private readonly accessListeners = new Set<(affects: AccessChangeScope) => void>();

  constructor(
    config: ToolscopeConfig,
    /** The state folder, and the config file (named in the commands toolscope tells admins to run). */
    { stateDir, configFile }: { readonly stateDir: string; readonly configFile: string },
    private readonly logger: Logger,
    /** Rate buckets (and, with Redis, everything else replicas share) live here. */
    readonly state: StateBackend,
    /** Who callers are in open mode: a name the rules may use without a `principals` entry. */
    private readonly openModePrincipal = 'local',
  ) {
    super();
    this.tokens = state.tokens;
    this.oauth = config.auth.oauth && new OAuthVerifier(config.auth.oauth);
    this.redactor = new Redactor(configuredSecrets(config), config.audit.redactPatterns);
    this.pinning = new ToolPinning(state.pins, config.pinning, logger);
    this.serversChanged(config);
    const paths = policyPaths(stateDir, config);
    this.approvalQueue = state.approvals;
    this.audit = config.audit.enabled
      ? new AuditTrail(paths.audit, this.redactor, config.audit.durability, state.kind === 'file' ? undefined : state.replica)
      : undefined;
    this.deps = {
      tokens: this.tokens,
      pinning: this.pinning,
      approvalQueue: this.approvalQueue,
      clientAsks: this.clientAsks,
      rateBuckets: state.rateBuckets,
      redactor: this.redactor,
      localServers: this.localServers,
      cli: `toolscope --config ${shellWord(configFile)}`,
      logger,
    };
    this.rules = new PolicyRules(config, this.deps);
    this.searchLimit = new SearchLimit(() => this.rules.rateLimiter, this.audit, logger);
    this.access = this.liveAccess();
  }

  get principals(): Principals {
    return this.rules.principals;
  }
  get relayScope(): RelayScope {
    return this.rules.relayScope;
  }
  get argumentRules(): ArgumentRules {
    return this.rules.argumentRules;
  }
  get approvals(): Approvals {
    return this.rules.approvals;
  }
  get rateLimiter(): RateLimiter {
    return this.rules.rateLimiter;
  }
  /** The rules in effect now; a call takes them once, at its start. */
  get current(): PolicyRules {
    return this.rules;
  }

  /** Follows a `servers` section edited while serving: their secrets are masked, their kind known to path rules. */
  serversChanged(config: Pick<ToolscopeConfig, 'servers' | 'approval' | 'tracing'>): void {
    this.redactor.setConfiguredSecrets(configuredSecrets(config));
    this.localServers.clear();
    for (const [name, server] of Object.entries(config.servers)) if (server.type === 'stdio') this.localServers.add(name);
  }

  /**
   * The rules an edited config defines, checked; nothing changes until `apply`. Throws a ConfigError naming every
   * principal the rules use that exists nowhere (a rate limit or approver for a principal that was removed).
   */
  prepare(config: RulesConfig, file: string): PolicyRules {
    const rules = new PolicyRules(config, this.deps);
    this.refuseUnknownPrincipals(rules, file);
    return rules;
  }

  /**
   * Puts `rules` in effect: calls that start from now on run under them, those already running finish under the
   * rules they started with. Sessions whose principal may now call other tools are told (`list_changed`).
   */
  apply(rules: PolicyRules, audit: Pick<ToolscopeConfig['audit'], 'redactPatterns'>): void {
    const before = this.rules;
    this.rules = rules;
    this.redactor.setExtraPatterns(audit.redactPatterns);
    this.emit('change');
    this.accessChanged(this.affectedPrincipals(before, rules));
  }

  /** Reads tokens and pins, and starts checking every tool the catalog receives. */
  async open(catalog: Catalog): Promise<void> {
    this.catalog = catalog;
    await this.tokens.refresh();
    await this.pinning.load();
    if (this.audit) auditPinningEvents(this.pinning, this.audit, this.logger);
    this.pinning.attach(catalog);
    this.pinning.watch();
  }

  /** Throws a ConfigError when the rules as started name principals that exist nowhere (after `open`). */
  verify(file: string): void {
    this.refuseUnknownPrincipals(this.rules, file);
  }

  async close(): Promise<void> {
    await this.pinning.close();
    await this.audit?.close();
  }

  private refuseUnknownPrincipals(rules: PolicyRules, file: string): void {
    const problems = rules.unknownPrincipals(this.openModePrincipal);
    if (problems.length > 0) throw new ConfigError(file, problems);
  }

  private accessChanged(affects: AccessChangeScope): void {
    for (const listener of this.accessListeners) listener(affects);
  }

  /** The access answers of the rules in effect, whichever they are when asked. */
  private liveAccess(): AccessDecisions {
    return {
      decide: (principal, tool) => this.rules.access.decide(principal, tool),
      mayCall: (principal, tool) => this.rules.access.mayCall(principal, tool),
      onChange: (principal, listener) => {
        const policyEdited = (affects: AccessChangeScope) => {
          if (affects(principal)) listener();
        };
        // A quarantine holds for everyone.
        const quarantine = () => listener();
        this.accessListeners.add(policyEdited);
        this.pinning.on('change', quarantine);
        return () => {
          this.accessListeners.delete(policyEdited);
          this.pinning.off('change', quarantine);
        };
      },
    };
  }

  /**
   * Whose callable tools differ between two versions of the rules, over the catalog as it is: worked out once per
   * principal, when a session asks.
   */
  private affectedPrincipals(before: PolicyRules, after: PolicyRules): AccessChangeScope {
    const tools = this.catalog?.all() ?? [];
    const answers = new Map<string | undefined, boolean>();
    return (principal: Principal | undefined) => {
      const name = principal?.name;
      let changed = answers.get(name);
      if (changed === undefined) {
        changed = tools.some((tool) => before.access.mayCall(principal, tool) !== after.access.mayCall(principal, tool));
        answers.set(name, changed);
      }
      return changed;
    };
  }
}

/** `text` as one word of a POSIX shell command line: as is when plain, else single-quoted. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
