import picomatch from 'picomatch';
import type { RelayableRequest } from '../../config/servers.js';
import type { Principal } from '../auth/principal.js';
import type { PrincipalDirectory } from './principal-directory.js';

/**
 * Whether a downstream server's request (sampling, elicitation, roots) may be relayed to a principal's client: a
 * scope of its own (`principals.NAME.relay`), since it puts a server's prompt or form in front of that client's model
 * or person whatever tool the call was for. Open mode (no principals) relays everything, as it allows every call.
 */
export class RelayScope {
  constructor(private readonly principals: PrincipalDirectory) {}

  /** Why `principal` may not be sent `server`'s `request`, or undefined when it may. */
  refusal(principal: Principal | undefined, server: string, request: RelayableRequest): string | undefined {
    if (!this.principals.hasPrincipals) return undefined;
    const rules = principal && this.principals.get(principal.name);
    if (!rules) return `the calling client's principal is unknown`;
    const granted = rules.relay.some((rule) => {
      const [glob, kind] = rule.includes(':') ? (rule.split(':', 2) as [string, string]) : ['*', rule];
      return kind === request && picomatch.isMatch(server, glob);
    });
    return granted ? undefined : `principal ${principal!.name} has no relay scope for ${request} from server "${server}" (${rules.source}.relay)`;
  }
}
