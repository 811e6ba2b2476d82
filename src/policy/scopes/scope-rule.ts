import picomatch from 'picomatch';
import { isCapabilityClass, type CapabilityClass } from '../../config/policy.js';
import type { CatalogTool } from '../../catalog/tool.js';

/** One allow/deny/approval rule, compiled: a capability class or a `server:tool` glob. */
export interface CompiledRule {
  /** Where the rule is written, e.g. `principals.reader.deny[0]: filesystem:write_*`. */
  readonly label: string;
  matches(tool: CatalogTool, classes: ReadonlySet<CapabilityClass>): boolean;
}

export function compileRule(rule: string, where: string): CompiledRule {
  const label = `${where}: ${rule}`;
  if (isCapabilityClass(rule)) return { label, matches: (_tool, classes) => classes.has(rule) };
  const matchName = compileToolPattern(rule);
  return { label, matches: (tool) => matchName(tool) };
}

/** Stands in for `/`, which globs would otherwise treat as a path separator that `*` does not cross. */
const SLASH = '\u2215';

/**
 * A `server:tool` glob against a tool's server and original (not namespaced) name; resources are
 * `server:resource:URI` and prompts `server:prompt:NAME`. `/` is an ordinary character, so `*` matches any URI.
 */
export function compileToolPattern(pattern: string): (tool: Pick<CatalogTool, 'server' | 'name'>) => boolean {
  const isMatch = picomatch(pattern.replaceAll('/', SLASH), { dot: true });
  return (tool) => isMatch(`${tool.server}:${tool.name}`.replaceAll('/', SLASH));
}

export function compileRules(rules: readonly string[], where: string): CompiledRule[] {
  return rules.map((rule, index) => compileRule(rule, `${where}[${index}]`));
}
