import type { ApprovalRequest } from '../../../src/state/approval-queue.js';
import { post } from '../api.js';
import { Empty, ErrorNote, Time, useAction, useNow } from '../components.js';

/** Calls waiting for a human, as the event stream reports them; the first answer (here, CLI, HTTP) wins. */
export function ApprovalsPage({ approvals, live }: { approvals: ApprovalRequest[]; live: boolean }) {
  const now = useNow();
  return (
    <section>
      <p class="muted small">
        <span class={`dot ${live ? 'dot-live' : 'dot-off'}`} /> {live ? 'live: new calls appear here as they start waiting' : 'reconnecting…'}
      </p>
      {approvals.length === 0 ? (
        <Empty>No call is waiting for approval.</Empty>
      ) : (
        <div class="stack">
          {approvals.map((request) => (
            <WaitingCall key={request.id} request={request} now={now} />
          ))}
        </div>
      )}
    </section>
  );
}

function WaitingCall({ request, now }: { request: ApprovalRequest; now: number }) {
  const action = useAction();
  const left = Math.max(0, Math.round((Date.parse(request.expiresAt) - now) / 1000));
  const answer = (decision: 'approve' | 'deny') => action.run(() => post('approvals', { id: request.id, decision }));
  return (
    <article class="panel" data-approval={request.id}>
      <header class="panel-head">
        <span class="strong mono">{request.tool}</span>
        <span class="muted small">
          by <span class="strong">{request.principal ?? 'unknown'}</span> · rule {request.rule} · since <Time iso={request.requestedAt} />
        </span>
        <span class="spacer" />
        <span class={`countdown ${left < 30 ? 'urgent' : ''}`} title={`denied automatically at ${request.expiresAt}`}>
          {left} s left
        </span>
        <button class="primary" disabled={action.busy} onClick={() => void answer('approve')}>
          Approve
        </button>
        <button class="danger" disabled={action.busy} onClick={() => void answer('deny')}>
          Deny
        </button>
      </header>
      <div class="muted small">Arguments, as the caller sent them (only toolscope's own configured secrets masked):</div>
      <pre class="definition">{JSON.stringify(request.arguments, null, 2)}</pre>
      <div class="muted small mono">
        id {request.id} · call {request.callId}
      </div>
      <ErrorNote error={action.error} />
    </article>
  );
}
