import { configPaths } from '../../config/path-reference.js';
import type { Gateway } from '../../gateway.js';
import { policyPaths } from '../../policy/policy.js';
import type { HttpRoute } from '../../server/http.js';
import { auditFilterSchema, queryAudit, type AuditPage } from '../../policy/audit/audit-query.js';
import { badRequest, consoleApi } from '../console-api.js';

export interface AuditView extends AuditPage {
  /** `audit.enabled` in the config. */
  readonly enabled: boolean;
}

/** `GET audit?principal=&tool=&server=&outcome=&since=&until=&limit=`: the newest matching audit records. */
export function auditRoutes(gateway: Gateway): HttpRoute[] {
  return [
    consoleApi(gateway, 'GET', 'audit', async ({ query }): Promise<AuditView> => {
      const given = Object.fromEntries([...query.entries()].filter(([, value]) => value !== ''));
      const parsed = auditFilterSchema.safeParse(given);
      if (!parsed.success) {
        throw badRequest(`invalid audit filter: ${parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
      }
      const { config } = gateway.loaded;
      if (!config.audit.enabled) return { enabled: false, records: [], scanned: 0, complete: true };
      const path = policyPaths(configPaths(gateway.loaded).stateDir, config).audit;
      return { enabled: true, ...(await queryAudit(path, parsed.data)) };
    }),
  ];
}
