import type { Gateway } from '../gateway.js';
import type { HttpRoute } from '../server/http.js';
import { approvalRoutes } from './api/approvals.js';
import { auditRoutes } from './api/audit.js';
import { catalogRoutes } from './api/catalog.js';
import { quarantineRoutes } from './api/quarantine.js';
import { serverRoutes } from './api/servers.js';
import { tokenRoutes } from './api/tokens.js';
import { eventRoutes } from './events.js';
import { staticRoutes } from './static-files.js';

/**
 * The web console at `/console/`: its page and bundle, and its JSON API under `/console/api/` (console-auth.ts says
 * who may use it). Every action goes through the code the CLI uses and is audited.
 */
export function consoleRoutes(gateway: Gateway): HttpRoute[] {
  return [
    ...staticRoutes(),
    ...serverRoutes(gateway),
    ...catalogRoutes(gateway),
    ...quarantineRoutes(gateway),
    ...approvalRoutes(gateway),
    ...auditRoutes(gateway),
    ...tokenRoutes(gateway),
    ...eventRoutes(gateway),
  ];
}
