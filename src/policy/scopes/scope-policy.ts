import type { CapabilitiesConfig } from '../../config/policy.js';
import type { CatalogTool } from '../../catalog/tool.js';
import type { Principal } from '../auth/principal.js';
import { classifyTool } from './capability.js';
import type { PrincipalDirectory, PrincipalRules } from './principal-directory.js';
import { compileRules, type CompiledRule } from './scope-rule.js';

export type ScopeDecision =
  | { readonly allowed: true; readonly rule: string }
  | { readonly allowed: false; readonly rule: string; readonly reason: string };

interface CompiledPrincipal {
  readonly allow: CompiledRule[];
  readonly deny: CompiledRule[];
}

/** Per principal allow/deny over `server:tool` globs and capability classes. Deny wins; nothing allowed by default. */
export class ScopePolicy {
  private readonly compiled = new WeakMap<PrincipalRules, CompiledPrincipal>();

  constructor(
    private readonly principals: PrincipalDirectory,
    private readonly capabilities: CapabilitiesConfig,
  ) {}

  decide(principal: Principal | undefined, tool: CatalogTool): ScopeDecision {
    if (!this.principals.hasPrincipals) return { allowed: true, rule: 'no principals configured (open mode)' };
    if (!principal) return { allowed: false, rule: 'principals', reason: 'the call carries no principal' };
    const rules = this.principals.get(principal.name);
    if (!rules) return { allowed: false, rule: 'principals', reason: `unknown principal "${principal.name}"` };

    const { allow, deny } = this.compile(rules);
    const { classes, source } = classifyTool(tool, this.capabilities);
    const target = `${tool.server}:${tool.name} [${[...classes].join(', ')}]`;
    const denied = deny.find((rule) => rule.matches(tool, classes));
    if (denied) return { allowed: false, rule: denied.label, reason: `${target} is denied to ${principal.name}` };
    const allowed = allow.find((rule) => rule.matches(tool, classes));
    if (allowed) return { allowed: true, rule: allowed.label };
    return {
      allowed: false,
      rule: `${rules.source}.allow`,
      reason: `no allow rule of ${principal.name} matches ${target} (classes from ${source})`,
    };
  }

  mayCall(principal: Principal | undefined, tool: CatalogTool): boolean {
    return this.decide(principal, tool).allowed;
  }

  private compile(rules: PrincipalRules): CompiledPrincipal {
    let compiled = this.compiled.get(rules);
    if (!compiled) {
      compiled = { allow: compileRules(rules.allow, `${rules.source}.allow`), deny: compileRules(rules.deny, `${rules.source}.deny`) };
      this.compiled.set(rules, compiled);
    }
    return compiled;
  }
}
