import { useState } from 'preact/hooks';
import type { ConsoleSession } from '../../../src/console/api/servers.js';
import type { CreatedToken, TokenView } from '../../../src/console/api/tokens.js';
import { get, post } from '../api.js';
import { Empty, ErrorNote, Time, useAction, useLoad } from '../components.js';

const NEW_PRINCIPAL = '';

/** Bearer tokens: list (ids and rules; toolscope keeps only hashes), create (shown once), revoke. */
export function TokensPage({ session }: { session: ConsoleSession }) {
  const { data, error, reload } = useLoad(() => get<TokenView>('tokens'), []);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  return (
    <section>
      {session.open && (
        <p class="note">
          No principals exist yet, so toolscope serves every local client as <span class="mono">local</span>. The first token turns
          authentication on: from then on every client needs a token, and this console an admin principal's (one with{' '}
          <span class="mono">"admin": true</span> in the config).
        </p>
      )}
      {created && <CreatedTokenBox created={created} dismiss={() => setCreated(null)} />}
      <CreateForm
        configPrincipals={data?.configPrincipals ?? []}
        created={(token) => {
          setCreated(token);
          reload();
        }}
      />
      <ErrorNote error={error} />
      {data && data.tokens.length === 0 && <Empty>No tokens yet (config principals may have token hashes of their own).</Empty>}
      {data && data.tokens.length > 0 && (
        <table class="grid" data-testid="tokens">
          <thead>
            <tr>
              <th>ID</th>
              <th>Principal</th>
              <th>Created</th>
              <th>Scopes</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.tokens.map((t) => (
              <TokenRow key={t.id} listing={t} revoked={reload} />
            ))}
          </tbody>
        </table>
      )}
      {data && data.configPrincipals.length > 0 && (
        <p class="muted small">
          Principals in the config: {data.configPrincipals.map((p) => `${p.name}${p.admin ? ' (admin)' : ''}`).join(', ')}. Tokens made here for them
          are listed above; the tokenHashes written in the config are not.
        </p>
      )}
    </section>
  );
}

function TokenRow({ listing, revoked }: { listing: TokenView['tokens'][number]; revoked: () => void }) {
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  return (
    <tr data-token={listing.id}>
      <td class="mono">{listing.id}</td>
      <td class="strong">{listing.principal}</td>
      <td>
        <Time iso={listing.createdAt} />
      </td>
      <td class="mono small">{listing.scopes}</td>
      <td class="actions">
        {confirming ? (
          <>
            <button
              class="danger"
              disabled={action.busy}
              onClick={() =>
                void action.run(async () => {
                  await post('tokens/revoke', { id: listing.id });
                  revoked();
                })
              }
            >
              Revoke now
            </button>
            <button onClick={() => setConfirming(false)}>Keep</button>
          </>
        ) : (
          <button onClick={() => setConfirming(true)}>Revoke…</button>
        )}
        <ErrorNote error={action.error} />
      </td>
    </tr>
  );
}

function CreateForm({ configPrincipals, created }: { configPrincipals: TokenView['configPrincipals']; created: (token: CreatedToken) => void }) {
  const [choice, setChoice] = useState(NEW_PRINCIPAL);
  const [name, setName] = useState('');
  const [allow, setAllow] = useState('read');
  const [deny, setDeny] = useState('');
  const action = useAction();
  const rules = (text: string) => text.split(/[\s,]+/).filter(Boolean);
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const body = choice === NEW_PRINCIPAL ? { principal: name.trim(), allow: rules(allow), deny: rules(deny) } : { principal: choice };
      created(await post<CreatedToken>('tokens', body));
      setName('');
    });
  };
  const configured = configPrincipals.find((p) => p.name === choice);
  return (
    <form class="panel create" onSubmit={submit} aria-label="create token">
      <div class="panel-head strong">New token</div>
      <div class="form-row">
        <label>
          For
          <select value={choice} onChange={(event) => setChoice(event.currentTarget.value)} name="principal-choice">
            <option value={NEW_PRINCIPAL}>a new principal…</option>
            {configPrincipals.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} (config{p.admin ? ', admin' : ''})
              </option>
            ))}
          </select>
        </label>
        {choice === NEW_PRINCIPAL ? (
          <>
            <label>
              Name
              <input name="principal" required pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <label class="grow">
              Allow
              <input name="allow" placeholder="read filesystem:read_*" value={allow} onInput={(e) => setAllow(e.currentTarget.value)} />
            </label>
            <label class="grow">
              Deny
              <input name="deny" placeholder="open-world" value={deny} onInput={(e) => setDeny(e.currentTarget.value)} />
            </label>
          </>
        ) : (
          <p class="muted small grow">
            Rules from the config: allow {configured?.allow.join(' ') || '(none)'}
            {configured && configured.deny.length > 0 ? `, deny ${configured.deny.join(' ')}` : ''}
          </p>
        )}
        <button class="primary" type="submit" disabled={action.busy}>
          Create token
        </button>
      </div>
      <p class="muted small">Rules: capability classes (read, write, destructive, open-world) or server:tool globs, separated by spaces.</p>
      <ErrorNote error={action.error} />
    </form>
  );
}

function CreatedTokenBox({ created, dismiss }: { created: CreatedToken; dismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="panel created" data-testid="created-token">
      <div class="panel-head">
        <span class="strong">
          Token {created.id} for {created.principal}
        </span>
        <span class="spacer" />
        <button onClick={dismiss}>Done</button>
      </div>
      <p>Copy it now: toolscope keeps only its hash, and it is not shown again.</p>
      {created.warnings.map((warning) => (
        <p key={warning} class="note" data-testid="token-warning">
          {warning}
        </p>
      ))}
      <div class="token-line">
        <input class="mono token-value" readOnly value={created.token} onFocus={(event) => event.currentTarget.select()} aria-label="new token" />
        <button
          onClick={() =>
            void navigator.clipboard?.writeText(created.token).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
