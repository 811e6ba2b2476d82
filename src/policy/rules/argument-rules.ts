import type { ArgumentRule, ArgumentRulesConfig } from '../../config/policy.js';
import { canonicalJson } from '../../catalog/canonical-json.js';
import type { CatalogTool } from '../../catalog/tool.js';
import { compileToolPattern } from '../scopes/scope-rule.js';
import { pathValues, withValueAt } from './path-arguments.js';
import { checkPathUnder } from './path-rule.js';
import { sqlReadOnlyViolation } from './sql-read-only.js';

export interface RuleViolation {
  /** e.g. `argumentRules["filesystem:*"].path.pathUnder` */
  readonly rule: string;
  readonly message: string;
}

export interface RuleResult {
  /** The arguments to forward: fixed values inserted, paths normalised. */
  readonly arguments: Record<string, unknown>;
  readonly violations: readonly RuleViolation[];
}

interface ToolRules {
  readonly where: string;
  readonly matches: (tool: CatalogTool) => boolean;
  readonly byArgument: ReadonlyArray<readonly [string, ArgumentRule]>;
}

/**
 * The admin's constraints per tool (`argumentRules`). Every glob that matches a tool applies.
 * Rules check top-level arguments; for an array value each element is checked. `pattern` must match the whole
 * value; `maxLength` counts a string's characters and any other value's JSON text. An absent argument is only
 * affected by `fixed`; whether it must be present is the inputSchema's `required`.
 *
 * A glob's `pathUnder` rules hold every path argument of the tool, not only the ones they name: any other value the
 * tool's schema or its key marks as a path (`source`, `destination`, nested `output_dir`, …; see path-arguments.ts)
 * must lie under one of the glob's roots too. Symlinks are resolved before the check for servers on this host
 * (stdio), unless a rule says `resolveSymlinks: false`.
 */
export class ArgumentRules {
  private readonly tools: ToolRules[];

  constructor(
    config: ArgumentRulesConfig,
    /** Servers that share toolscope's filesystem (stdio): their path arguments are resolved through symlinks. */
    private readonly localServers: ReadonlySet<string> = new Set(),
  ) {
    this.tools = Object.entries(config).map(([pattern, byArgument]) => ({
      where: `argumentRules["${pattern}"]`,
      matches: compileToolPattern(pattern),
      byArgument: Object.entries(byArgument),
    }));
  }

  async check(tool: CatalogTool, args: Record<string, unknown>): Promise<RuleResult> {
    let result = { ...args };
    const violations: RuleViolation[] = [];
    const local = this.localServers.has(tool.server);
    for (const rules of this.tools.filter((r) => r.matches(tool))) {
      for (const [name, rule] of rules.byArgument) {
        const where = `${rules.where}.${name}`;
        if (rule.fixed !== undefined) result[name] = structuredClone(rule.fixed);
        if (!(name in result)) continue;
        const checked = await checkValue(result[name], rule, where, rule.resolveSymlinks ?? local);
        violations.push(...checked.violations.map((v) => ({ rule: v.rule, message: `${name}: ${v.message}` })));
        result[name] = checked.value;
      }
      const pathRules = rules.byArgument.filter(([, rule]) => rule.pathUnder !== undefined);
      if (pathRules.length === 0) continue;
      // Every other path argument is held to the roots of this glob's path rules.
      const roots = [...new Set(pathRules.flatMap(([, rule]) => (typeof rule.pathUnder === 'string' ? [rule.pathUnder] : rule.pathUnder!)))];
      const resolve = pathRules.some(([, rule]) => rule.resolveSymlinks ?? local);
      const named = new Set(pathRules.map(([name]) => name));
      for (const { at, value } of pathValues(tool.inputSchema, result, named)) {
        const path = await checkPathUnder(value, roots, resolve);
        const shown = at.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('').slice(1);
        if ('violation' in path) violations.push({ rule: `${rules.where}.*.pathUnder`, message: `${shown}: ${path.violation}` });
        else result = withValueAt(result, at, path.path);
      }
    }
    return { arguments: result, violations };
  }
}

async function checkValue(
  value: unknown,
  rule: ArgumentRule,
  where: string,
  resolveSymlinks: boolean,
): Promise<{ value: unknown; violations: RuleViolation[] }> {
  const violations: RuleViolation[] = [];
  const fail = (key: string, message: string) => violations.push({ rule: `${where}.${key}`, message });
  const elements = Array.isArray(value) ? value : [value];
  const checked: unknown[] = [];
  for (const element of elements) {
    let next = element;
    if (rule.allowed && !rule.allowed.some((allowed) => canonicalJson(allowed) === canonicalJson(element))) {
      fail('allowed', `${short(element)} is not one of ${short(rule.allowed)}`);
    }
    if (rule.pattern !== undefined) {
      if (typeof element !== 'string') fail('pattern', 'must be a string');
      else if (!wholeValuePattern(rule.pattern).test(element)) fail('pattern', `${short(element)} does not match /${rule.pattern}/ (the whole value)`);
    }
    if (rule.maxLength !== undefined) {
      // A string counts its characters; any other value (an object, a number, ...) its JSON text, so a long string
      // nested in an object argument counts too.
      const text = typeof element === 'string' ? element : (JSON.stringify(element) ?? '');
      const length = [...text].length;
      if (length > rule.maxLength) {
        fail('maxLength', `is ${length} characters long${typeof element === 'string' ? '' : ' as JSON'}, more than ${rule.maxLength}`);
      }
    }
    if (rule.pathUnder !== undefined) {
      const roots = typeof rule.pathUnder === 'string' ? [rule.pathUnder] : rule.pathUnder;
      const path = await checkPathUnder(element, roots, resolveSymlinks);
      if ('violation' in path) fail('pathUnder', path.violation);
      else next = path.path;
    }
    if (rule.sqlReadOnly) {
      const problem = await sqlReadOnlyViolation(element);
      if (problem) fail('sqlReadOnly', `not a single read-only statement: ${problem}`);
    }
    checked.push(next);
  }
  return { value: Array.isArray(value) ? checked : checked[0], violations };
}

/** Compiled patterns; their sources come from the config, so this stays small. */
const wholeValuePatterns = new Map<string, RegExp>();

/**
 * An admin's `pattern` describes the whole value: `[a-z]+@example\.com` must not accept `attacker@evil.com,bob@example.com`
 * or `bob@example.com.evil.net`, so it is anchored at both ends (a pattern already anchored means the same).
 */
function wholeValuePattern(pattern: string): RegExp {
  let compiled = wholeValuePatterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^(?:${pattern})$`, 'u');
    wholeValuePatterns.set(pattern, compiled);
  }
  return compiled;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
