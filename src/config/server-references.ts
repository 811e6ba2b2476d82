import picomatch from 'picomatch';
import { NAME_SEPARATOR } from '../catalog/naming.js';
import { isCapabilityClass } from './policy.js';
import type { ToolscopeConfig } from './schema.js';
import { serverNamespace } from './servers.js';
import { didYouMean } from './strict-object.js';

interface ServerReference {
  /** Where in the config, as problems are named: `principals.ops.deny[0]`. */
  readonly path: string;
  readonly rule: string;
  /** The server part of the rule (a glob allowed). */
  readonly server: string;
  /** The part is an exposed name's prefix, so it names a server by its namespace (`exposure.pinned`). */
  readonly byNamespace?: boolean;
}

/**
 * Rules whose server part matches no server of the config (`"fss:*"` beside a server `fs`): they apply to nothing, so
 * a typo silently switches off a deny, an argument rule, an approval or a rate limit; likewise pinned tool names
 * whose prefix is no server's namespace (`exposure.pinned`). Not refused: a rule may be
 * written before its server is added, or outlive it (`toolscope remove`). Each comes back as `path: what`, which the
 * gateway logs as a warning at start and at every reload and `toolscope status` shows.
 */
export function rulesNamingNoServer(config: ToolscopeConfig): string[] {
  return namingNoServer(config.servers, serverReferences(config));
}

/**
 * The same check for tool rules given beside the config, such as `toolscope token create --scopes`: each named
 * `field` in the warning.
 */
export function toolRulesNamingNoServer(configured: Servers, field: string, rules: readonly string[]): string[] {
  return namingNoServer(configured, rules.flatMap((rule) => toolRuleReference(field, rule) ?? []));
}

type Servers = ToolscopeConfig['servers'];

function namingNoServer(configured: Servers, references: readonly ServerReference[]): string[] {
  const servers = Object.keys(configured);
  const namespaces = Object.entries(configured).map(([name, server]) => serverNamespace(name, server));
  return references
    .filter(({ server, byNamespace }) => {
      const matches = picomatch(server);
      return !(byNamespace ? namespaces : servers).some((name) => matches(name));
    })
    .map((reference) => {
      const hint = noServerHint(configured, reference, reference.byNamespace ? namespaces : servers);
      return `${reference.path}: "${reference.rule}" names no server in "servers"${hint}; it applies to nothing until one is added`;
    });
}

/** What the admin likely meant: the namespace of the server a pinned name names by its name, or the closest name. */
function noServerHint(configured: Servers, { server, byNamespace }: ServerReference, known: readonly string[]): string {
  const renamed = byNamespace ? configured[server] : undefined;
  if (renamed) return ` (server "${server}" exposes its tools as "${serverNamespace(server, renamed)}${NAME_SEPARATOR}…")`;
  const suggestion = didYouMean(server, known);
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}

/** A `server:tool` rule's reference; none for a capability class, which names no server. */
function toolRuleReference(path: string, rule: string): ServerReference | undefined {
  return isCapabilityClass(rule) ? undefined : { path, rule, server: rule.split(':', 1)[0]! };
}

/**
 * Pinned exposed names (`namespace__tool`), unless a server exposes its tools unprefixed (`"namespace": ""`): then
 * any name may be one of its tools.
 */
function pinnedReferences(config: ToolscopeConfig): ServerReference[] {
  const unprefixed = Object.entries(config.servers).some(([name, server]) => serverNamespace(name, server) === '');
  if (unprefixed) return [];
  return config.exposure.pinned.map((name, index) => ({
    path: `exposure.pinned[${index}]`,
    rule: name,
    server: name.split(NAME_SEPARATOR, 1)[0]!,
    byNamespace: true,
  }));
}

function serverReferences(config: ToolscopeConfig): ServerReference[] {
  const found: ServerReference[] = [];
  const toolRule = (path: string, rule: string) => {
    const reference = toolRuleReference(path, rule);
    if (reference) found.push(reference);
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
  found.push(...pinnedReferences(config));
  return found;
}
