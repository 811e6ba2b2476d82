import type { CatalogTool } from '../catalog/tool.js';
import type { Principal } from './auth/principal.js';
import type { QuarantineEntry } from '../state/pin-store.js';
import type { ToolPinning } from './pinning/tool-pinning.js';
import type { ScopeDecision, ScopePolicy } from './scopes/scope-policy.js';

const QUARANTINE_KIND: Readonly<Record<QuarantineEntry['kind'], string>> = {
  changed: 'its definition changed since it was pinned',
  'new-tool': 'a new tool on a known server, pinning: strict',
  poisoned: 'its definition looks poisoned',
  hijack: 'it would take the top search rank from the tools that answered many recent requests',
};

/** What listings and search need of the policy: a per-principal filter, and word when its answers change. */
export interface CallableTools {
  mayCall(principal: Principal | undefined, tool: CatalogTool): boolean;
  /**
   * Calls `listener` when what `principal` may call may have changed: a tool entered or left quarantine (which holds
   * for everyone), or an edit of the policy changed this principal's tools. Returns the unsubscribe function.
   */
  onChange(principal: Principal | undefined, listener: () => void): () => void;
}

/** Decisions with their reasons too, for the stages and the surface. */
export interface AccessDecisions extends CallableTools {
  decide(principal: Principal | undefined, tool: CatalogTool): ScopeDecision;
}

/**
 * May this principal call this tool now? Quarantine first (nobody may), then the principal's scopes.
 * The scope stage refuses calls with it, and retrieval filters with it before its top-k cut, so search results,
 * `tools/list` and the route API only ever show what the caller could call.
 */
export class ToolAccess implements Pick<AccessDecisions, 'decide' | 'mayCall'> {
  constructor(
    private readonly scopes: ScopePolicy,
    private readonly pinning?: ToolPinning,
  ) {}

  decide(principal: Principal | undefined, tool: CatalogTool): ScopeDecision {
    const quarantine = this.pinning?.quarantined(tool.exposedName);
    if (quarantine) {
      return {
        allowed: false,
        rule: `quarantine (${quarantine.kind})`,
        // The reasons quote the tool's own text, which is what was flagged: they are for the admin, not the client.
        reason:
          `${tool.exposedName} is quarantined (${QUARANTINE_KIND[quarantine.kind]}); \`toolscope quarantine\` shows the admin why. ` +
          `An admin can release it with \`toolscope approve-tool ${tool.exposedName}\``,
      };
    }
    return this.scopes.decide(principal, tool);
  }

  mayCall(principal: Principal | undefined, tool: CatalogTool): boolean {
    return this.decide(principal, tool).allowed;
  }
}
