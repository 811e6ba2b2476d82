import type { ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import type { HttpRoute } from '../server/http.js';
import { CONSOLE_API_PATH, PRIVATE_HEADERS } from './console-api.js';
import { authenticateConsole } from './console-auth.js';

/** How often the approval queue's folder is read while a console listens: the CLI and other processes write it too. */
const APPROVAL_POLL_MS = 300;
/** Status changes come in bursts (a server's tools being indexed); one event per burst. */
const STATUS_THROTTLE_MS = 250;
/** A comment line now and then, so proxies and the browser keep an idle stream open. */
const KEEPALIVE_MS = 15_000;

/**
 * `GET /console/api/events`: a server-sent event stream, so the console shows what happens as it happens:
 * `approvals` (the waiting calls, whenever they change), `servers` (the gateway's status) and `quarantine` (a tool
 * entered or left it; the page reloads the list). The page reads it with fetch, which can send the bearer token
 * (EventSource cannot).
 */
export function eventRoutes(gateway: Gateway): HttpRoute[] {
  const feed = new ConsoleFeed(gateway);
  return [
    {
      method: 'GET',
      path: `${CONSOLE_API_PATH}/events`,
      async handle(req, res) {
        await authenticateConsole(gateway, req, res);
        res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', ...PRIVATE_HEADERS });
        res.flushHeaders();
        res.once('close', () => feed.remove(res));
        await feed.add(res);
        // Gone while the first events were read: 'close' came before there was anything to remove.
        if (res.destroyed) feed.remove(res);
      },
    },
  ];
}

/** The listeners of one HTTP server's console streams; watches only while someone listens. */
class ConsoleFeed {
  private readonly listeners = new Set<ServerResponse>();
  /** The waiting calls last broadcast, serialized. */
  private approvals = '';
  private timers: NodeJS.Timeout[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly onStatus = () => {
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = undefined;
      this.broadcast('servers', this.gateway.status());
    }, STATUS_THROTTLE_MS).unref();
  };
  private readonly onQuarantine = () => this.broadcast('quarantine', {});

  constructor(private readonly gateway: Gateway) {}

  async add(res: ServerResponse): Promise<void> {
    if (this.listeners.size === 0) this.watch();
    this.listeners.add(res);
    send(res, 'servers', this.gateway.status());
    send(res, 'approvals', await this.gateway.policy.approvalQueue.pending());
  }

  remove(res: ServerResponse): void {
    if (!this.listeners.delete(res)) return;
    if (this.listeners.size === 0) this.unwatch();
  }

  private watch(): void {
    this.gateway.on('status', this.onStatus);
    this.gateway.policy.pinning.on('change', this.onQuarantine);
    // The open streams keep the server alive, not these.
    this.timers = [
      setInterval(() => void this.pollApprovals(), APPROVAL_POLL_MS).unref(),
      setInterval(() => this.listeners.forEach((res) => !res.destroyed && res.write(': keep-alive\n\n')), KEEPALIVE_MS).unref(),
    ];
  }

  private unwatch(): void {
    this.gateway.off('status', this.onStatus);
    this.gateway.policy.pinning.off('change', this.onQuarantine);
    this.timers.forEach(clearInterval);
    this.approvals = '';
    clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
  }

  private async pollApprovals(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const pending = await this.gateway.policy.approvalQueue.pending();
      const serialized = JSON.stringify(pending);
      if (serialized !== this.approvals) {
        this.approvals = serialized;
        this.broadcast('approvals', pending);
      }
    } catch (error) {
      this.gateway.logger.warn({ err: error }, 'console: cannot read the approval queue');
    } finally {
      this.polling = false;
    }
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.listeners) send(res, event, data);
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  if (res.destroyed) return;
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
