/**
 * The console's side of its JSON API (src/console/): every request carries the console header and, once the person
 * gave one, the bearer token, kept in sessionStorage (gone with the tab; never a cookie the browser would send by
 * itself).
 */
import type { GatewayStatus } from '../../src/gateway.js';
import type { ApprovalRequest } from '../../src/state/approval-queue.js';

const API = '/console/api';
const TOKEN_KEY = 'toolscope.console.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Called when the server no longer accepts the token (revoked, or authentication just turned on). */
let onUnauthorized: (message: string) => void = () => undefined;
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

function headers(json: boolean): Record<string, string> {
  const bearer = token.get();
  return {
    'x-toolscope-console': '1',
    ...(bearer && { authorization: `Bearer ${bearer}` }),
    ...(json && { 'content-type': 'application/json' }),
  };
}

async function failure(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  const error = new ApiError(res.status, body?.error?.message ?? `${res.status} ${res.statusText}`);
  if (res.status === 401) onUnauthorized(error.message);
  return error;
}

export async function get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== '')).toString();
  const res = await fetch(`${API}/${path}${query ? `?${query}` : ''}`, { headers: headers(false) });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`${API}/${path}`, { method: 'POST', headers: headers(true), body: JSON.stringify(body), ...(signal && { signal }) });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** What the server pushes: see src/console/events.ts. */
export interface FeedHandlers {
  servers(status: GatewayStatus): void;
  approvals(pending: ApprovalRequest[]): void;
  quarantine(): void;
  connected(live: boolean): void;
}

/** How long to wait before reconnecting a dropped event stream. */
const RECONNECT_MS = 2_000;

/**
 * Follows the server-sent event stream until `signal` aborts, reconnecting when it drops. Read with fetch rather
 * than EventSource, which cannot send the Authorization header.
 */
export async function follow(handlers: FeedHandlers, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const res = await fetch(`${API}/events`, { headers: headers(false), signal });
      if (!res.ok || !res.body) throw await failure(res);
      handlers.connected(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let boundary: number;
        while ((boundary = buffered.indexOf('\n\n')) >= 0) {
          dispatch(buffered.slice(0, boundary), handlers);
          buffered = buffered.slice(boundary + 2);
        }
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
    }
    handlers.connected(false);
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
  }
}

function dispatch(block: string, handlers: FeedHandlers): void {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length === 0) return;
  const payload: unknown = JSON.parse(data.join('\n'));
  if (event === 'servers') handlers.servers(payload as GatewayStatus);
  else if (event === 'approvals') handlers.approvals(payload as ApprovalRequest[]);
  else if (event === 'quarantine') handlers.quarantine();
}
