import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { referencedSecretValues } from '../config/env-reference.js';
import type { ToolscopeConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { Approvals } from './approval/approvals.js';
import { AuditTrail } from './audit/audit-trail.js';
import { auditPinningEvents } from './audit/pinning-events.js';
import { Redactor } from './audit/redactor.js';
import { OAuthVerifier } from './auth/oauth-verifier.js';
import { Principals } from './auth/principals.js';
import { ToolPinning } from './pinning/tool-pinning.js';
import { RateLimiter } from './ratelimit/rate-limiter.js';
import { SearchLimit } from './ratelimit/search-limit.js';
import { ArgumentRules } from './rules/argument-rules.js';
import { SchemaValidator } from './rules/schema-validator.js';
import { RelayScope } from './scopes/relay-scope.js';
import { ScopePolicy } from './scopes/scope-policy.js';
import { ToolAccess } from './tool-access.js';
import type { ApprovalQueue } from '../state/approval-queue.js';
import type { StateBackend } from '../state/state-backend.js';
import type { TokenStore } from '../state/token-store.js';

/** The state folder's policy files, for the CLI commands that read them without a running gateway. */
export function policyPaths(stateDir: string, config: Pick<ToolscopeConfig, 'audit'>) {
  return { audit: join(stateDir, config.audit.file) };
}

/** The secret values the config's `${env:…}` references resolve to: never to be logged or audited. */
export function configuredSecrets(config: Pick<ToolscopeConfig, 'servers' | 'approval'>, env: NodeJS.ProcessEnv = process.env): string[] {
  const records = Object.values(config.servers).map((server) => (server.type === 'stdio' ? server.env : server.headers));
  const webhook = config.approval.webhook;
  if (webhook) records.push({ url: webhook.url, ...webhook.headers });
  return referencedSecretValues(records, env);
}

/**
 * Every policy unit, built from the config and the state folder; the pipeline stages each take their part.
 * Built synchronously so the gateway can wire its pipeline at once; `open` reads the state folder and must finish
 * before the first downstream server connects.
 */
export class Policy {
  readonly principals: Principals;
  /** Checks OAuth access tokens when `auth.oauth` is configured. */
  readonly oauth: OAuthVerifier | undefined;
  readonly access: ToolAccess;
  /** Which server requests may be relayed to which principal's client. */
  readonly relayScope: RelayScope;
  readonly validator = new SchemaValidator();
  readonly argumentRules: ArgumentRules;
  readonly approvals: Approvals;
  readonly approvalQueue: ApprovalQueue;
  readonly rateLimiter: RateLimiter;
  /** Searches (search_tools, `tools/list` with a query, the route API) per principal. */
  readonly searchLimit: SearchLimit;
  readonly pinning: ToolPinning;
  readonly redactor: Redactor;
  /** Undefined when `audit.enabled` is false. */
  readonly audit: AuditTrail | undefined;
  private readonly tokens: TokenStore;
  /** stdio servers, whose paths are toolscope's own (symlinks resolved by default). */
  private readonly localServers = new Set<string>();

  constructor(
    config: ToolscopeConfig,
    stateDir: string,
    private readonly logger: Logger,
    /** Rate buckets (and, with Redis, everything else replicas share) live here. */
    readonly state: StateBackend,
  ) {
    this.tokens = state.tokens;
    this.principals = new Principals(config.principals, this.tokens);
    this.oauth = config.auth.oauth && new OAuthVerifier(config.auth.oauth);
    this.redactor = new Redactor(configuredSecrets(config), config.audit.redactPatterns);
    this.pinning = new ToolPinning(state.pins, config.pinning, logger);
    this.relayScope = new RelayScope(this.principals);
    this.access = new ToolAccess(new ScopePolicy(this.principals, config.capabilities), this.pinning);
    this.argumentRules = new ArgumentRules(config.argumentRules, this.localServers);
    this.serversChanged(config);
    const paths = policyPaths(stateDir, config);
    this.approvalQueue = state.approvals;
    this.approvals = new Approvals(config.approval, config.capabilities, this.approvalQueue, this.redactor, logger);
    this.rateLimiter = new RateLimiter(config.rateLimits, state.rateBuckets);
    this.audit = config.audit.enabled
      ? new AuditTrail(paths.audit, this.redactor, config.audit.durability, state.kind === 'file' ? undefined : state.replica)
      : undefined;
    this.searchLimit = new SearchLimit(this.rateLimiter, this.audit, logger);
  }

  /** Reads tokens and pins, and starts checking every tool the catalog receives. */
  /** Follows a `servers` section edited while serving: their secrets are masked, their kind known to path rules. */
  serversChanged(config: Pick<ToolscopeConfig, 'servers' | 'approval'>): void {
    this.redactor.setConfiguredSecrets(configuredSecrets(config));
    this.localServers.clear();
    for (const [name, server] of Object.entries(config.servers)) if (server.type === 'stdio') this.localServers.add(name);
  }

  async open(catalog: Catalog): Promise<void> {
    await this.tokens.refresh();
    await this.pinning.load();
    if (this.audit) auditPinningEvents(this.pinning, this.audit, this.logger);
    this.pinning.attach(catalog);
    this.pinning.watch();
  }

  async close(): Promise<void> {
    await this.pinning.close();
    await this.audit?.close();
  }
}
