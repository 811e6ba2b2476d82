import { EventEmitter } from 'node:events';

/** A call held for approval while the person at its own client is asked (elicitation), not queued. */
export interface ClientAsk {
  readonly callId: string;
  readonly principal: string;
  readonly tool: string;
  readonly rule: string;
  readonly askedAt: string;
  readonly expiresAt: string;
}

/**
 * The calls of this process waiting for their own client's answer. They never enter the approval queue (only that
 * client can answer), so without this `toolscope status` would not show them at all.
 */
export class ClientAsks extends EventEmitter<{ change: [] }> {
  private readonly asks = new Set<ClientAsk>();

  list(): ClientAsk[] {
    return [...this.asks];
  }

  /** Runs `asking` with `ask` listed until it settles. */
  async during<T>(ask: ClientAsk, asking: () => Promise<T>): Promise<T> {
    this.asks.add(ask);
    this.emit('change');
    try {
      return await asking();
    } finally {
      this.asks.delete(ask);
      this.emit('change');
    }
  }
}
