import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { AuditView } from '../../../src/console/api/audit.js';
import type { ConsoleSession } from '../../../src/console/api/servers.js';
import type { GatewayStatus } from '../../../src/gateway.js';
import type { AuditEvent, AuditRecord } from '../../../src/policy/audit/audit-record.js';
import { describeCredential, type Credential } from '../../../src/policy/auth/principal.js';
import { get } from '../api.js';
import { Badge, Empty, ErrorNote, Time, useLoad } from '../components.js';

interface Filters {
  principal: string;
  credential: string;
  tool: string;
  server: string;
  outcome: string;
  since: string;
  until: string;
  limit: string;
}

const NO_FILTERS: Filters = { principal: '', credential: '', tool: '', server: '', outcome: '', since: '', until: '', limit: '100' };

const OUTCOME_TONES: Record<string, string> = { ok: 'good', 'tool-error': 'warn', cancelled: 'warn', refused: 'bad', error: 'bad' };

/** `datetime-local` values are local times without a zone; the API takes ISO times. */
const isoOf = (local: string) => (local === '' ? '' : new Date(local).toISOString());

/** The audit log, newest first, filtered by principal, credential, tool, server, outcome and time. */
export function AuditPage({ session, status }: { session: ConsoleSession; status: GatewayStatus | null }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const { data, error } = useLoad(
    () => get<AuditView>('audit', { ...applied, since: isoOf(applied.since), until: isoOf(applied.until) }),
    [applied],
  );
  const field = (name: keyof Filters) => ({
    value: draft[name],
    onInput: (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value }),
  });
  const apply = (event: Event) => {
    event.preventDefault();
    // A new object, so applying the same filters again reads the log again.
    setApplied({ ...draft });
  };
  return (
    <section>
      <form class="filters" onSubmit={apply} aria-label="audit filters">
        <label>
          Principal
          <input list="audit-principals" name="principal" placeholder="any" {...field('principal')} />
          <datalist id="audit-principals">
            {session.principals.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <label>
          Credential
          <input name="credential" placeholder="token id or OAuth subject" {...field('credential')} />
        </label>
        <label>
          Tool
          <input name="tool" placeholder="part of the name" {...field('tool')} />
        </label>
        <label>
          Server
          <select name="server" {...field('server')} onChange={field('server').onInput}>
            <option value="">any</option>
            {(status?.servers ?? []).map((server) => (
              <option key={server.name} value={server.name}>
                {server.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select name="outcome" {...field('outcome')} onChange={field('outcome').onInput}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="tool-error">tool-error</option>
            <option value="cancelled">cancelled</option>
            <option value="refused">refused</option>
            <option value="error">error</option>
            <option value="event">event</option>
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" step="1" name="since" {...field('since')} />
        </label>
        <label>
          To
          <input type="datetime-local" step="1" name="until" {...field('until')} />
        </label>
        <label>
          Show
          <select name="limit" {...field('limit')} onChange={field('limit').onInput}>
            {['50', '100', '500', '1000'].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <div class="filter-actions">
          <button class="primary" type="submit">
            Apply
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {data && !data.enabled && <Empty>The audit log is off (`audit.enabled: false`).</Empty>}
      {data?.enabled && (
        <>
          <p class="muted small" data-testid="audit-summary">
            {data.records.length} record{data.records.length === 1 ? '' : 's'}, newest first ({data.scanned} read
            {data.complete ? '' : '; stopped before the start of the log: narrow the time range'})
          </p>
          {data.records.length === 0 ? <Empty>No record matches.</Empty> : <AuditTable records={data.records} />}
        </>
      )}
    </section>
  );
}

function AuditTable({ records }: { records: Array<Record<string, unknown>> }) {
  const [open, setOpen] = useState<number | null>(null);
  return (
    <table class="grid" data-testid="audit-records">
      <thead>
        <tr>
          <th>Time</th>
          <th>Principal</th>
          <th>Tool / event</th>
          <th>Server</th>
          <th>Outcome</th>
          <th class="num">Latency</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {records.map((raw, index) => {
          const event = typeof raw.event === 'string' ? (raw as unknown as AuditEvent) : undefined;
          const call = event ? undefined : (raw as unknown as AuditRecord);
          const expanded = open === index;
          return (
            <Fragment key={index}>
              <tr class="clickable" onClick={() => setOpen(expanded ? null : index)} data-outcome={call?.outcome ?? 'event'}>
                <td class="nowrap">
                  <Time iso={raw.time as string} />
                </td>
                <td data-field="principal">
                  {String(raw.principal ?? '-')}
                  {credentialOf(raw) && <div class="muted small" data-field="credential">{credentialOf(raw)}</div>}
                </td>
                <td class="mono" data-field="tool">
                  {call ? call.tool : eventLabel(event!)}
                </td>
                <td>{call?.server ?? '-'}</td>
                <td>{call ? <Badge tone={OUTCOME_TONES[call.outcome] ?? 'muted'}>{call.outcome}</Badge> : <Badge tone="info">event</Badge>}</td>
                <td class="num">{call ? `${call.latencyMs} ms` : '-'}</td>
                <td class="wrap small">{detail(raw, call)}</td>
              </tr>
              {expanded && (
                <tr>
                  <td colSpan={7}>
                    <pre class="definition">{JSON.stringify(raw, null, 2)}</pre>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** How the record's caller authenticated (which token, which OAuth subject), in a few words. */
function credentialOf(raw: Record<string, unknown>): string | undefined {
  const credential = raw.credential;
  return credential !== null && typeof credential === 'object' && 'kind' in credential ? describeCredential(credential as Credential) : undefined;
}

/** An event by name, with the console action and the tool it concerns when it has them. */
function eventLabel(event: AuditEvent): string {
  return [event.event, event.action, event.tool].filter((part) => typeof part === 'string').join(' ');
}

function detail(raw: Record<string, unknown>, call: AuditRecord | undefined): string {
  if (!call) {
    const { time: _time, event: _event, principal: _principal, credential: _credential, tool: _tool, action: _action, ...rest } = raw;
    return Object.entries(rest)
      .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join('; ') : typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' · ');
  }
  if (call.refusal) return `${call.refusal.stage}: ${call.refusal.reason}${call.refusal.rule ? ` (${call.refusal.rule})` : ''}`;
  if (call.error) return call.error;
  const approval = call.decisions.find((d) => d.stage === 'approve');
  return approval?.reason ? `approve: ${approval.reason}` : '';
}
