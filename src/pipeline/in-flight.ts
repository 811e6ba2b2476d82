import { EventEmitter, once } from 'node:events';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallContext, ClientChannel, ClientRequestOptions } from './call-context.js';
import { CallRefused } from './refusal.js';

/** How long calls already under way (not waiting for a person) get to finish when toolscope stops, before they are cancelled. */
export const STOP_GRACE_MS = 5_000;

/** How long a cancelled call gets to be answered (its audit line written) before the stop goes on without it. */
const CANCELLED_ANSWER_MS = 2_000;

/** What every refusal and cancellation of a stop begins with. */
export const STOPPING = 'toolscope is stopping';

/** Things under way (calls, HTTP answers being written) that a stop lets end, for a bounded time. */
export class InFlight<T> {
  private readonly items = new Set<T>();
  private readonly events = new EventEmitter<{ empty: [] }>();

  get size(): number {
    return this.items.size;
  }

  values(): T[] {
    return [...this.items];
  }

  add(item: T): void {
    this.items.add(item);
  }

  delete(item: T): void {
    if (this.items.delete(item) && this.items.size === 0) this.events.emit('empty');
  }

  /** Whether everything under way (what starts meanwhile included) ended within `timeoutMs`. */
  async ended(timeoutMs: number): Promise<boolean> {
    if (this.items.size === 0) return true;
    return once(this.events, 'empty', { signal: AbortSignal.timeout(timeoutMs) }).then(
      () => true,
      () => false,
    );
  }
}

/** What a stop did to the calls it found under way (and those that started while it ran). */
export interface StopOutcome {
  /** Calls waiting for a person, refused at once. */
  readonly refused: number;
  /** Calls still running after the grace period, cancelled. */
  readonly cancelled: number;
  /** Calls not even their cancellation ended in time: their clients get no answer. */
  readonly unanswered: number;
}

interface Call {
  readonly ctx: CallContext;
  readonly cancel: AbortController;
}

/**
 * The calls (and reads) running through the pipeline, so toolscope can stop without leaving a client unanswered:
 * a call waiting for a person is refused at once, saying toolscope is stopping (its approval could come after the
 * process is gone); the others get a grace period to finish, then are cancelled. Either way the call ends through
 * the pipeline, so it is audited and answered before its session closes.
 */
export class CallsInFlight {
  private readonly calls = new InFlight<Call>();
  private stopRequested = false;

  constructor(
    /** Whether a call is (or is about to be) held for a person's approval. */
    private readonly waitsForPerson: (ctx: CallContext) => boolean,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** `handler` with each call it runs counted until answered, and cancellable by `stop`. */
  track<Result>(handler: (ctx: CallContext) => Promise<Result>): (ctx: CallContext) => Promise<Result> {
    return async (ctx) => {
      const cancel = new AbortController();
      const signal = AbortSignal.any([ctx.signal, cancel.signal]);
      const call: Call = { ctx: { ...ctx, signal, client: cancelledWith(ctx.client, signal) }, cancel };
      this.calls.add(call);
      // Its request came in just before the stop began: a wait for a person ends at once here too.
      if (this.stopRequested) this.refuseIfWaiting(call);
      try {
        return await handler(call.ctx);
      } finally {
        this.calls.delete(call);
      }
    };
  }

  /** Refuses the calls waiting for a person, gives the others `graceMs`, then cancels what is left; resolves once all are answered. */
  async stop(graceMs: number = STOP_GRACE_MS): Promise<StopOutcome> {
    this.stopRequested = true;
    const refused = this.calls.values().filter((call) => this.refuseIfWaiting(call)).length;
    if (await this.calls.ended(graceMs)) return { refused, cancelled: 0, unanswered: 0 };
    const left = this.calls.values();
    // An McpError passes through the SDK as it is (anything else would reach the downstream side as a request timeout);
    // ConnectionClosed, as the call's connections are about to close.
    const reason = new McpError(ErrorCode.ConnectionClosed, `${STOPPING}: the call did not finish within ${graceMs / 1000} s and was cancelled`);
    for (const call of left) call.cancel.abort(reason);
    await this.calls.ended(CANCELLED_ANSWER_MS);
    return { refused, cancelled: left.length, unanswered: this.calls.size };
  }

  /**
   * Cancels a call held for a person with a refusal as the reason: the approve stage refuses it with that (not as
   * "denied by cancelled"), and the client is told toolscope is stopping.
   */
  private refuseIfWaiting(call: Call): boolean {
    if (call.cancel.signal.aborted || !this.waitsForPerson(call.ctx)) return false;
    call.cancel.abort(new CallRefused('approve', `${STOPPING}: calls waiting for approval are refused; call again once it is back`));
    return true;
  }
}

/** The call's client channel with what it asks the client (elicitation, sampling, roots) ending with the call, a stop's cancellation included. */
function cancelledWith(client: ClientChannel, signal: AbortSignal): ClientChannel {
  const within = (options: ClientRequestOptions = {}): ClientRequestOptions => ({
    ...options,
    signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal,
  });
  const { elicit, createMessage, listRoots } = client;
  const channel: { -readonly [Key in keyof ClientChannel]: ClientChannel[Key] } = { ...client };
  if (elicit) channel.elicit = (params, options) => elicit(params, within(options));
  if (createMessage) channel.createMessage = (params, options) => createMessage(params, within(options));
  if (listRoots) channel.listRoots = (options) => listRoots(within(options));
  return channel;
}
