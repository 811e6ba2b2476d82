import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  type ClientCapabilities,
  type ElicitRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { RelayableRequest } from '../config/servers.js';
import type { ClientChannel, ClientRequestOptions } from '../pipeline/call-context.js';
import { protocolError } from '../protocol-error.js';

/**
 * What toolscope declares to a downstream server as its client: the requests its config relays (`servers.X.relay`),
 * so the server enables the tools that need them. Form elicitation only; no roots `listChanged` (there is nothing to
 * forward it from).
 */
export function relayedCapabilities(relayed: readonly RelayableRequest[]): ClientCapabilities {
  const declared: Record<RelayableRequest, ClientCapabilities> = { sampling: { sampling: {} }, elicitation: { elicitation: { form: {} } }, roots: { roots: {} } };
  return Object.assign({}, ...relayed.map((request) => declared[request])) as ClientCapabilities;
}

interface InFlightCall {
  readonly client: ClientChannel;
  /** Aborted when the call ends: a request relayed for it must not outlive it at the client. */
  readonly ended: AbortController;
}

/**
 * Relays what a downstream server asks of its client mid-call (sampling, elicitation, roots) to the client session
 * whose tool call to that server is in flight. MCP does not say which call a server's request belongs to, so the
 * owner must be the one session with calls in flight on this connection; with none, or with several, the server
 * gets an error instead of a guess (a sampling prompt must never reach another session's client).
 */
export class ClientRelay {
  private readonly calls = new Set<InFlightCall>();

  constructor(
    private readonly server: string,
    /** The server's call timeout: a relayed request cannot usefully outlive the call it serves. */
    private readonly timeoutMs: number,
  ) {}

  /** Answers, on `client`, the requests `relayed` names (declared to the server with `relayedCapabilities`). */
  install(client: Client, relayed: readonly RelayableRequest[]): void {
    if (relayed.includes('sampling')) {
      client.setRequestHandler(CreateMessageRequestSchema, ({ method, params }, { signal }) =>
        this.relay(method, 'sampling', signal, (caller, options) => caller.createMessage?.(params, options)),
      );
    }
    if (relayed.includes('elicitation')) {
      client.setRequestHandler(ElicitRequestSchema, ({ method, params }, { signal }) =>
        this.relay(method, 'elicitation', signal, (caller, options) => caller.elicit?.(relayedForm(this.server, params), options)),
      );
    }
    if (relayed.includes('roots')) {
      client.setRequestHandler(ListRootsRequestSchema, ({ method }, { signal }) =>
        this.relay(method, 'roots', signal, (caller, options) => caller.listRoots?.(options)),
      );
    }
  }

  /** Runs one forwarded call on behalf of `client`: requests the server makes meanwhile may be relayed to it. */
  async during<T>(client: ClientChannel, run: () => Promise<T>): Promise<T> {
    const call: InFlightCall = { client, ended: new AbortController() };
    this.calls.add(call);
    try {
      return await run();
    } finally {
      this.calls.delete(call);
      call.ended.abort('the tool call this request belonged to has ended');
    }
  }

  /** `ask` returns undefined when the caller did not declare `capability`. */
  private async relay<R>(
    method: string,
    capability: RelayableRequest,
    signal: AbortSignal,
    ask: (caller: ClientChannel, options: ClientRequestOptions) => Promise<R> | undefined,
  ): Promise<R> {
    const call = this.owner(method);
    const refusal = call.client.relayRefusal?.(this.server, capability);
    if (refusal) throw protocolError(ErrorCode.InvalidRequest, `toolscope does not relay ${method} from server "${this.server}": ${refusal}`);
    const asked = ask(call.client, { timeoutMs: this.timeoutMs, signal: AbortSignal.any([signal, call.ended.signal]) });
    if (!asked) {
      throw protocolError(
        ErrorCode.InvalidRequest,
        `toolscope cannot relay ${method} from server "${this.server}": the calling client did not declare the ${capability} capability`,
      );
    }
    return asked;
  }

  /** The client whose calls alone are in flight on this connection, or undefined when none or several are. */
  soleCaller(): ClientChannel | undefined {
    const sessions = new Set([...this.calls].map((call) => call.client.session));
    return sessions.size === 1 ? [...this.calls].at(-1)?.client : undefined;
  }

  private owner(method: string): InFlightCall {
    const calls = [...this.calls];
    const last = calls.at(-1);
    if (!last) {
      throw protocolError(
        ErrorCode.InvalidRequest,
        `toolscope relays ${method} only to the client whose tool call is in flight, and no call to server "${this.server}" is`,
      );
    }
    const sessions = new Set(calls.map((call) => call.client.session)).size;
    if (sessions > 1) {
      throw protocolError(
        ErrorCode.InvalidRequest,
        `toolscope cannot tell which client ${method} from server "${this.server}" is for: calls from ${sessions} client sessions are in flight there`,
      );
    }
    return last;
  }
}

/** Where a relayed form says it comes from, so it cannot pass for toolscope's own approval form. */
export const RELAYED_FROM_META_KEY = 'toolscope/relayedFrom';

/** A server's form as its client sees it: marked, in its text and its `_meta`, as the server's, not toolscope's. */
export function relayedForm(server: string, params: ElicitRequest['params']): ElicitRequest['params'] {
  return {
    ...params,
    message: `[Asked by server "${server}", relayed by toolscope. This is not a toolscope approval.]\n${params.message}`,
    _meta: { ...params._meta, [RELAYED_FROM_META_KEY]: server },
  };
}
