import picomatch from 'picomatch';
import { isCapabilityClass } from './policy.js';
import type { ToolscopeConfig } from './schema.js';
import { didYouMean } from './strict-object.js';

interface ServerReference {
  /** Where in the config, as problems are named: `principals.ops.deny[0]`. */
  readonly path: string;
  readonly rule: string;
  /** The server part of the rule (a glob allowed). */
  readonly server: string;
}

/**
 * Rules whose server part matches no server of the config (`"fss:*"` beside a server `fs`): they apply to nothing, so
 * a typo silently switches off a deny, an argument rule, an approval or a rate limit. Not refused: a rule may be
 * written before its server is added, or outlive it (`toolscope remove`). Each comes back as `path: what`, which the
 * gateway logs as a warning at start and at every reload and `toolscope status` shows.
 */
export function rulesNamingNoServer(config: ToolscopeConfig): string[] {
  const servers = Object.keys(config.servers);
  return serverReferences(config)
    .filter(({ server }) => {
      const matches = picomatch(server);
      return !servers.some((name) => matches(name));
    })
    .map(({ path, rule, server }) => {
      const suggestion = didYouMean(server, servers);
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      return `${path}: "${rule}" names no server in "servers"${hint}; it applies to nothing until one is added`;
    });
}

function serverReferences(config: ToolscopeConfig): ServerReference[] {
  const found: ServerReference[] = [];
  const toolRule = (path: string, rule: string) => {
    if (!isCapabilityClass(rule)) found.push({ path, rule, server: rule.split(':', 1)[0]! });
  };
  const toolRules = (path: string, rules: readonly string[]) => rules.forEach((rule, index) => toolRule(`${path}[${index}]`, rule));
  for (const [name, principal] of Object.entries(config.principals)) {
    toolRules(`principals.${name}.allow`, principal.allow);
    toolRules(`principals.${name}.deny`, principal.deny);
    // Relay rules name a server only before a colon ("everything:sampling"); a bare "sampling" is every server's.
    principal.relay.forEach((rule, index) => {
      if (rule.includes(':')) toolRule(`principals.${name}.relay[${index}]`, rule);
    });
  }
  toolRules('approval.required', config.approval.required);
  for (const pattern of Object.keys(config.argumentRules)) toolRule(`argumentRules["${pattern}"]`, pattern);
  for (const pattern of Object.keys(config.rateLimits.tools)) toolRule(`rateLimits.tools["${pattern}"]`, pattern);
  for (const pattern of Object.keys(config.capabilities.tools)) toolRule(`capabilities.tools["${pattern}"]`, pattern);
  config.capabilities.trustedServers.forEach((server, index) => found.push({ path: `capabilities.trustedServers[${index}]`, rule: server, server }));
  for (const server of Object.keys(config.capabilities.servers)) found.push({ path: `capabilities.servers.${server}`, rule: server, server });
  return found;
}
