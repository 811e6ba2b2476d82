import { z } from 'zod';
import { configObject } from '../../config/strict-object.js';
import { linesFromEnd } from './tail.js';

const OUTCOMES = ['ok', 'tool-error', 'cancelled', 'refused', 'error', 'event'] as const;

const isoTime = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date and time (ISO 8601, e.g. 2026-12-05T10:00:00Z)')
  .transform((value) => Date.parse(value));

/** Filters over the audit log, from a query string; every one optional. */
/** Unknown fields are refused, naming the one meant: a misspelt filter must not answer with every record. */
export const auditFilterSchema = configObject({
  principal: z.string().min(1).optional(),
  /** How the caller authenticated: a token's id (or `principals.NAME.tokenHashes[N]`), an OAuth subject or client id. */
  credential: z.string().min(1).optional(),
  /** Part of the exposed tool name, any case. */
  tool: z.string().min(1).optional(),
  server: z.string().min(1).optional(),
  /** A call's outcome, or `event` for everything else the log records (quarantines, console actions, ...). */
  outcome: z.enum(OUTCOMES).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

export interface AuditPage {
  /** Matching records, newest first. */
  readonly records: Array<Record<string, unknown>>;
  /** Lines read to find them. */
  readonly scanned: number;
  /** False when the scan stopped at its line cap before the start of the log (or of `since`). */
  readonly complete: boolean;
}

/** How many lines one query reads at most: a filter that matches nothing must not read a huge log whole. */
export const MAX_SCANNED_LINES = 200_000;

/**
 * Records appended in close succession can land slightly out of time order (each is stamped when its call ends);
 * the scan goes on this far past `since` before it stops.
 */
const ORDER_SLACK_MS = 60_000;

/** The newest records of the audit log at `path` that pass `filter`; the log is read from its end. */
export async function queryAudit(path: string, filter: AuditFilter, maxScanned = MAX_SCANNED_LINES): Promise<AuditPage> {
  const records: Array<Record<string, unknown>> = [];
  let scanned = 0;
  try {
    for await (const { line } of linesFromEnd(path)) {
      if (scanned === maxScanned) return { records, scanned, complete: false };
      scanned += 1;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      const time = recordTime(record);
      if (filter.since !== undefined && time < filter.since - ORDER_SLACK_MS) break;
      if (!recordMatches(record, filter, time)) continue;
      records.push(record);
      if (records.length === filter.limit) break;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { records, scanned, complete: true };
}

function recordTime(record: Record<string, unknown>): number {
  return typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
}

/** Whether one audit record passes `filter` (its `limit` aside): the console's query and `audit tail` read alike. */
export function recordMatches(record: Record<string, unknown>, filter: Omit<AuditFilter, 'limit'>, time = recordTime(record)): boolean {
  if (filter.since !== undefined && !(time >= filter.since)) return false;
  if (filter.until !== undefined && !(time <= filter.until)) return false;
  if (filter.principal !== undefined && record.principal !== filter.principal) return false;
  if (filter.credential !== undefined && !credentialMatches(record.credential, filter.credential)) return false;
  if (filter.server !== undefined && record.server !== filter.server) return false;
  if (filter.tool !== undefined && !(typeof record.tool === 'string' && record.tool.toLowerCase().includes(filter.tool.toLowerCase()))) {
    return false;
  }
  if (filter.outcome !== undefined) {
    const outcome = typeof record.event === 'string' ? 'event' : record.outcome;
    if (outcome !== filter.outcome) return false;
  }
  return true;
}

/** Whether a record's credential is the one named: by token id, config place, OAuth subject or client id. */
function credentialMatches(credential: unknown, wanted: string): boolean {
  if (credential === null || typeof credential !== 'object') return false;
  const { id, config, subject, clientId } = credential as Record<string, unknown>;
  return [id, config, subject, clientId].includes(wanted);
}
