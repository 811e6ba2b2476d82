import { exposedToolName, NAME_SEPARATOR, URI_PREFIX } from '../catalog/naming.js';

export { exposedContent, exposedUri } from '../catalog/naming.js';

/** A server and the prefix of its exposed names (`""`: its own names). */
export interface NamespacedServer {
  readonly name: string;
  readonly namespace: string;
}

/** A prompt name as clients see it: namespaced as tool names are. */
export const exposedPromptName = exposedToolName;

/**
 * Which server an exposed URI (or template) reaches, and the URI on that server: `toolscope://NAMESPACE/…` reaches
 * that namespace's server; any other URI the server with the empty namespace, if there is one.
 */
export function resolveUri(servers: readonly NamespacedServer[], exposed: string): { server: string; uri: string } | undefined {
  if (exposed.startsWith(URI_PREFIX)) {
    const rest = exposed.slice(URI_PREFIX.length);
    const slash = rest.indexOf('/');
    const owner = slash > 0 ? servers.find((server) => server.namespace === rest.slice(0, slash)) : undefined;
    if (owner) return { server: owner.name, uri: rest.slice(slash + 1) };
  }
  const bare = servers.find((server) => server.namespace === '');
  return bare && { server: bare.name, uri: exposed };
}

/**
 * The server an exposed prompt name can belong to: the one whose namespace prefixes it (`NAMESPACE__…`), else the
 * server with the empty namespace. Which prompt it is the server's listing says (long names are hash-shortened).
 */
export function promptOwner(servers: readonly NamespacedServer[], exposed: string): NamespacedServer | undefined {
  const separator = exposed.indexOf(NAME_SEPARATOR);
  const prefix = separator > 0 ? exposed.slice(0, separator) : undefined;
  return servers.find((server) => server.namespace !== '' && server.namespace === prefix) ?? servers.find((server) => server.namespace === '');
}
