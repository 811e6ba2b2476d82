import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ConsoleSession } from '../../src/console/api/servers.js';
import type { GatewayStatus } from '../../src/gateway.js';
import type { ApprovalRequest } from '../../src/state/approval-queue.js';
import type { ReviewedQuarantineEntry } from '../../src/state/pin-store.js';
import { ApiError, follow, get, token, whenUnauthorized } from './api.js';
import { ErrorNote } from './components.js';
import { ApprovalsPage } from './pages/approvals.js';
import { AuditPage } from './pages/audit.js';
import { CatalogPage } from './pages/catalog.js';
import { QuarantinePage } from './pages/quarantine.js';
import { ServersPage } from './pages/servers.js';
import { TokensPage } from './pages/tokens.js';
import './style.css';

const PAGES = ['servers', 'catalog', 'quarantine', 'approvals', 'audit', 'tokens'] as const;
type Page = (typeof PAGES)[number];

const TITLES: Record<Page, string> = {
  servers: 'Servers',
  catalog: 'Catalog',
  quarantine: 'Quarantine',
  approvals: 'Approvals',
  audit: 'Audit log',
  tokens: 'Tokens',
};

function pageFromHash(): Page {
  const name = location.hash.replace(/^#\/?/, '');
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'servers';
}

function App() {
  const [session, setSession] = useState<ConsoleSession | null>(null);
  /** Why the console needs a token (missing, refused, not an admin's); null while none is asked for. */
  const [signIn, setSignIn] = useState<string | null>(null);
  const [page, setPage] = useState<Page>(pageFromHash());
  const [status, setStatus] = useState<GatewayStatus | null>(null);
  const [approvals, setApprovals] = useState<ApprovalRequest[]>([]);
  const [live, setLive] = useState(false);
  const [quarantine, setQuarantine] = useState<ReviewedQuarantineEntry[] | undefined>(undefined);
  const [quarantineError, setQuarantineError] = useState<string | null>(null);

  const connect = useCallback(async () => {
    const tokenGiven = token.get() !== null;
    try {
      setSession(await get<ConsoleSession>('session'));
      setSignIn(null);
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      if (status === 401 || status === 403) token.clear();
      setSession(null);
      setSignIn(status === 401 && !tokenGiven ? 'This toolscope has principals: sign in with an admin principal’s token.' : (error as Error).message);
    }
  }, []);

  const loadQuarantine = useCallback(() => {
    get<{ tools: ReviewedQuarantineEntry[] }>('quarantine').then(
      (found) => {
        setQuarantine(found.tools);
        setQuarantineError(null);
      },
      (error: Error) => setQuarantineError(error.message),
    );
  }, []);

  useEffect(() => {
    whenUnauthorized((message) => {
      token.clear();
      setSession(null);
      setSignIn(message);
    });
    void connect();
    const onHash = () => setPage(pageFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [connect]);

  useEffect(() => {
    if (!session) return;
    const stop = new AbortController();
    loadQuarantine();
    void follow({ servers: setStatus, approvals: setApprovals, quarantine: loadQuarantine, connected: setLive }, stop.signal);
    return () => stop.abort();
  }, [session, loadQuarantine]);

  useEffect(() => {
    document.title = `${TITLES[page]} · toolscope console`;
  }, [page]);

  if (!session) {
    return signIn === null ? <main class="center muted">Connecting…</main> : <SignIn reason={signIn} submit={connect} />;
  }
  const counts: Partial<Record<Page, number>> = { quarantine: quarantine?.length ?? 0, approvals: approvals.length };
  return (
    <>
      <header class="top">
        <span class="brand">toolscope</span>
        <nav>
          {PAGES.map((name) => (
            <a key={name} href={`#/${name}`} class={name === page ? 'active' : ''} aria-current={name === page ? 'page' : undefined}>
              {TITLES[name]}
              {counts[name] ? (
                <span class={`count ${name === 'approvals' ? 'count-alert' : ''}`} data-count={name}>
                  {counts[name]}
                </span>
              ) : null}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        <span class="muted small" data-testid="signed-in">
          {session.open ? 'open mode (no principals) · local' : `signed in as ${session.user}`}
        </span>
        {!session.open && (
          <button
            class="link"
            onClick={() => {
              token.clear();
              setSession(null);
              setSignIn('Signed out.');
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main>
        <h1>{TITLES[page]}</h1>
        {page === 'servers' && <ServersPage status={status} />}
        {page === 'catalog' && <CatalogPage session={session} />}
        {page === 'quarantine' && <QuarantinePage entries={quarantine} error={quarantineError} changed={loadQuarantine} />}
        {page === 'approvals' && <ApprovalsPage approvals={approvals} live={live} />}
        {page === 'audit' && <AuditPage session={session} status={status} />}
        {page === 'tokens' && <TokensPage session={session} />}
      </main>
    </>
  );
}

function SignIn({ reason, submit }: { reason: string; submit: () => Promise<void> }) {
  const [value, setValue] = useState('');
  return (
    <main class="center">
      <form
        class="panel signin"
        aria-label="sign in"
        onSubmit={(event) => {
          event.preventDefault();
          token.set(value.trim());
          setValue('');
          void submit();
        }}
      >
        <div class="brand">toolscope console</div>
        <ErrorNote error={reason} />
        <label>
          Bearer token
          <input type="password" name="token" autocomplete="off" placeholder="tsk_…" value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
        </label>
        <button class="primary" type="submit">
          Sign in
        </button>
        <p class="muted small">
          An admin principal’s token (<span class="mono">toolscope token create NAME</span>). It is kept in this tab only (sessionStorage)
          and sent as an Authorization header.
        </p>
      </form>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
