import type { ReviewedQuarantineEntry } from '../../../src/state/pin-store.js';
import { post } from '../api.js';
import { Badge, Empty, ErrorNote, Time, useAction } from '../components.js';

const KIND_LABELS: Record<ReviewedQuarantineEntry['kind'], string> = {
  changed: 'changed since pinned',
  poisoned: 'looks poisoned',
  'new-tool': 'new tool (strict pinning)',
  hijack: 'would take over searches',
};

/** Quarantined tools with the reasons and the diff; approve pins what the tool says now, reject keeps it held. */
export function QuarantinePage({ entries, error, changed }: { entries: ReviewedQuarantineEntry[] | undefined; error: string | null; changed: () => void }) {
  if (error) return <ErrorNote error={error} />;
  if (!entries) return <Empty>Loading…</Empty>;
  if (entries.length === 0) return <Empty>No tool is quarantined.</Empty>;
  return (
    <section class="stack">
      {entries.map((entry) => (
        <QuarantinedTool key={entry.tool} entry={entry} changed={changed} />
      ))}
    </section>
  );
}

function QuarantinedTool({ entry, changed }: { entry: ReviewedQuarantineEntry; changed: () => void }) {
  const action = useAction();
  const decide = (decision: 'approve' | 'reject') =>
    action.run(async () => {
      await post('quarantine', { tool: entry.tool, decision });
      changed();
    });
  return (
    <article class="panel" data-tool={entry.tool}>
      <header class="panel-head">
        <span class="strong mono">{entry.tool}</span>
        <Badge tone={entry.kind === 'changed' ? 'warn' : 'bad'}>{KIND_LABELS[entry.kind]}</Badge>
        <span class="muted small">
          since <Time iso={entry.since} />
        </span>
        <span class="spacer" />
        <button class="primary" disabled={action.busy} onClick={() => void decide('approve')}>
          Approve
        </button>
        <button class="danger" disabled={action.busy || entry.rejected !== undefined} onClick={() => void decide('reject')}>
          Reject
        </button>
      </header>
      <ul class="reasons">
        {entry.reasons.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
      {entry.rejected && (
        <p class="note" data-testid="rejected">
          Rejected by {entry.rejected.by} at <Time iso={entry.rejected.at} />: it stays quarantined until{' '}
          {entry.kind === 'changed' ? 'its server goes back to the pinned definition, or ' : ''}someone approves a definition of it.
        </p>
      )}
      {entry.diff ? <Diff text={entry.diff} /> : <Definition entry={entry} />}
      <ErrorNote error={action.error} />
    </article>
  );
}

/** A unified diff, additions and removals coloured. */
function Diff({ text }: { text: string }) {
  return (
    <pre class="diff" data-testid="diff">
      {text.split('\n').map((line, index) => {
        const tone = line.startsWith('+++') || line.startsWith('---') ? 'head' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
        return (
          <div key={index} class={tone && `diff-${tone}`}>
            {line || ' '}
          </div>
        );
      })}
    </pre>
  );
}

/** No pinned definition to compare with (a poisoned or new tool): what the tool says. */
function Definition({ entry }: { entry: ReviewedQuarantineEntry }) {
  return (
    <div>
      <div class="muted small">Description as the server sends it:</div>
      <pre class="definition">{entry.definition.description}</pre>
    </div>
  );
}
