import type { ServerStatus } from '../../../src/downstream/supervisor.js';
import type { GatewayStatus } from '../../../src/gateway.js';
import { Badge, Empty, Time } from '../components.js';

const STATE_TONES: Record<ServerStatus['state'], string> = {
  ready: 'good',
  starting: 'info',
  idle: 'muted',
  backoff: 'warn',
  failed: 'bad',
  disabled: 'muted',
  stopped: 'muted',
};

/** Every server's state, restarts and last error, live (the event stream pushes each change). */
export function ServersPage({ status }: { status: GatewayStatus | null }) {
  if (!status) return <Empty>Waiting for the gateway's status…</Empty>;
  const retrieval = status.retrieval;
  const search =
    retrieval.state === 'starting'
      ? 'starting (loading the embedder)'
      : `${retrieval.retriever} · ${retrieval.embedder ?? 'BM25 only'} · ${retrieval.tools ?? 0} tools indexed${retrieval.indexing ? ' · embedding new tools' : ''}`;
  const sandbox = status.sandbox ? (status.sandbox.available ? status.sandbox.version : `unavailable: ${status.sandbox.reason}`) : 'not checked yet';
  return (
    <section>
      <div class="cards">
        <Card label="Tools" value={String(status.tools)} />
        <Card label="Servers ready" value={`${status.servers.filter((s) => s.state === 'ready').length} / ${status.servers.length}`} />
        <Card label="Exposure" value={status.exposure} />
        <Card label="Tool search" value={search} />
        <Card label="Sandbox" value={sandbox} />
        <Card label="Config" value={describeReload(status.reload)} />
      </div>
      {status.reload?.outcome === 'refused' && (
        <p class="error" role="alert" data-testid="config-refused">
          The last edit of the config was refused; the previous config is still running. {status.reload.error}
        </p>
      )}
      {status.servers.length === 0 ? (
        <Empty>No servers are configured (`toolscope add NAME -- COMMAND ...`).</Empty>
      ) : (
        <table class="grid" data-testid="servers">
          <thead>
            <tr>
              <th>Server</th>
              <th>Transport</th>
              <th>State</th>
              <th class="num">Tools</th>
              <th class="num">Restarts</th>
              <th class="num">PID</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {status.servers.map((server) => (
              <tr key={server.name} data-server={server.name}>
                <td class="strong">{server.name}</td>
                <td>
                  {server.transport}
                  {server.startup === 'lazy' && <span class="muted"> · lazy</span>}
                  {server.sandboxed !== undefined && <span class="muted"> · {server.sandboxed ? 'sandboxed' : 'not sandboxed'}</span>}
                </td>
                <td>
                  <Badge tone={STATE_TONES[server.state]}>{server.state}</Badge>
                  {server.retryAt && (
                    <span class="muted small">
                      {' '}
                      retry at <Time iso={server.retryAt} />
                    </span>
                  )}
                </td>
                <td class="num">{server.tools}</td>
                <td class="num" data-field="restarts">
                  {server.restarts}
                </td>
                <td class="num">{server.pid ?? '-'}</td>
                <td class="wrap">{server.lastError ? <span class="error-text">{server.lastError}</span> : <span class="muted">-</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small">Config: {status.config}</p>
    </section>
  );
}

/** The last edit of the config file while serving: applied (and what waits for a restart) or refused. */
function describeReload(reload: GatewayStatus['reload']): string {
  if (!reload) return 'as started';
  const applied = reload.applied?.length ? ` · applied: ${reload.applied.join(', ')}` : '';
  const restart = reload.needsRestart.length > 0 ? ` · needs restart: ${reload.needsRestart.join(', ')}` : '';
  return `${reload.outcome === 'applied' ? 'reloaded' : 'edit refused'} ${new Date(reload.at).toLocaleTimeString()}${applied}${restart}`;
}

function Card({ label, value }: { label: string; value: string }) {
  return (
    <div class="card">
      <div class="card-label">{label}</div>
      <div class="card-value">{value}</div>
    </div>
  );
}
