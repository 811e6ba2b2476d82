import type { ToolscopeConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { ApprovalQueue } from '../state/approval-queue.js';
import type { RateBuckets } from '../state/rate-buckets.js';
import type { TokenStore } from '../state/token-store.js';
import { Approvals } from './approval/approvals.js';
import type { ClientAsks } from './approval/client-asks.js';
import type { Redactor } from './audit/redactor.js';
import { Principals } from './auth/principals.js';
import type { ToolPinning } from './pinning/tool-pinning.js';
import { RateLimiter } from './ratelimit/rate-limiter.js';
import { ArgumentRules } from './rules/argument-rules.js';
import { RelayScope } from './scopes/relay-scope.js';
import { ScopePolicy } from './scopes/scope-policy.js';
import { ToolAccess } from './tool-access.js';
import { didYouMean } from '../config/strict-object.js';

/** The sections of `toolscope.json` the rules are built from; each applies while serving. */
export type RulesConfig = Pick<ToolscopeConfig, 'principals' | 'capabilities' | 'argumentRules' | 'approval' | 'rateLimits'>;

/** What outlives one version of the rules: state (tokens, pins, queue, buckets) and the audit trail. */
export interface RulesDeps {
  readonly tokens: TokenStore;
  readonly pinning: ToolPinning;
  readonly approvalQueue: ApprovalQueue;
  /** Calls whose approval is asked of their own client: they outlive an edit of the rules as the queue does. */
  readonly clientAsks: ClientAsks;
  readonly rateBuckets: RateBuckets;
  readonly redactor: Redactor;
  /** stdio servers, whose paths are toolscope's own; follows the `servers` section. */
  readonly localServers: ReadonlySet<string>;
  /** How an admin runs toolscope's CLI on this config (`toolscope --config FILE`), for commands toolscope suggests. */
  readonly cli: string;
  readonly logger: Logger;
}

/**
 * The policy one version of the config defines: who the principals are and what they may call, argument rules,
 * approvals, rate limits. Built whole and never changed: an edit of the config builds new rules, and a call runs
 * under the rules it started with from its first stage to its last.
 */
export class PolicyRules {
  readonly principals: Principals;
  readonly access: ToolAccess;
  /** Which server requests may be relayed to which principal's client. */
  readonly relayScope: RelayScope;
  readonly argumentRules: ArgumentRules;
  readonly approvals: Approvals;
  readonly rateLimiter: RateLimiter;

  constructor(
    private readonly config: RulesConfig,
    deps: RulesDeps,
  ) {
    this.principals = new Principals(config.principals, deps.tokens);
    this.access = new ToolAccess(new ScopePolicy(this.principals, config.capabilities), deps.pinning);
    this.relayScope = new RelayScope(this.principals);
    this.argumentRules = new ArgumentRules(config.argumentRules, deps.localServers);
    this.approvals = new Approvals(config.approval, config.capabilities, deps.approvalQueue, deps.redactor, deps.clientAsks, deps.logger, deps.cli);
    this.rateLimiter = new RateLimiter(config.rateLimits, deps.rateBuckets);
  }

  /**
   * Names of principals the rules use that exist neither in `principals` nor in the token store, each as
   * `json.path: what is wrong`. `also` is a name that needs no entry (the open-mode caller's).
   */
  unknownPrincipals(also: string): string[] {
    const known = (name: string) => name === also || this.principals.get(name) !== undefined;
    const fix = (name: string) => {
      const meant = didYouMean(name, this.principals.names());
      return meant ? `did you mean "${meant}"?` : `add principals.${name}, or \`toolscope token create ${name} --scopes ...\``;
    };
    return [
      ...Object.keys(this.config.rateLimits.principals)
        .filter((name) => !known(name))
        .map((name) => `rateLimits.principals.${name}: names no principal (${fix(name)})`),
      ...this.config.approval.humanApprovers.flatMap((name, index) =>
        known(name) ? [] : [`approval.humanApprovers.${index}: "${name}" names no principal (${fix(name)})`],
      ),
    ];
  }
}
