import type { Logger } from '../../log.js';
import type { ToolPinning } from '../pinning/tool-pinning.js';
import type { AuditTrail } from './audit-trail.js';

/** Records every quarantine, rejection and release in the audit log, next to the calls. */
export function auditPinningEvents(pinning: ToolPinning, audit: AuditTrail, logger: Logger): void {
  const record = (event: string, fields: Record<string, unknown>) =>
    audit.recordEvent(event, fields).catch((error: unknown) => logger.error({ err: error }, 'cannot write the audit log'));
  pinning.on('change', ({ quarantined, released }) => {
    for (const tool of quarantined) {
      const entry = pinning.quarantined(tool);
      void record('tool-quarantined', { tool, kind: entry?.kind, reasons: entry?.reasons });
    }
    // The pin it is released to says by whom: an admin's approval (`admin:cli:alice`), or `first-sight` when the server
    // went back to the definition pinned when it was first seen.
    for (const tool of released) void record('tool-released', { tool, pinnedBy: pinning.pinnedBy(tool) });
  });
  // Whoever refused it: `reject-tool` in the CLI writes only the state, so the serving process records it here.
  pinning.on('rejected', ({ tool, kind, hash, by }) => void record('tool-rejected', { tool, kind, hash, rejectedBy: by }));
}
