import type { Gateway } from '../../gateway.js';
import type { HttpRoute } from '../../server/http.js';
import { consoleApi } from '../console-api.js';

/** Who the console acts as, and whose view of the catalog it can show. */
export interface ConsoleSession {
  readonly user: string;
  /** No principals anywhere: everyone on loopback is the local principal. */
  readonly open: boolean;
  readonly principals: string[];
  readonly audit: boolean;
}

/**
 * `session`: who the console acts as and which principals it can show the catalog as; `servers`: the gateway's
 * status (every server's state, restarts, last error; the tool index), as `toolscope status` shows it.
 */
export function serverRoutes(gateway: Gateway): HttpRoute[] {
  return [
    consoleApi(gateway, 'GET', 'session', async ({ user }): Promise<ConsoleSession> => {
      const principals = gateway.policy.principals;
      const open = !(await principals.enforced());
      return {
        user: user.name,
        open,
        principals: open ? [gateway.principal.name] : principals.names(),
        audit: gateway.policy.audit !== undefined,
      };
    }),
    consoleApi(gateway, 'GET', 'servers', async () => gateway.status()),
  ];
}
