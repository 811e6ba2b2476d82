import type { z } from 'zod';
import {
  approvedPin,
  pinSchema,
  quarantineSchema,
  rejectionSchema,
  reviewed,
  type Pin,
  type PinStore,
  type QuarantineEntry,
  type ReviewedQuarantineEntry,
} from '../pin-store.js';
import type { RedisConnection } from './redis-connection.js';

const CHANGED_CHANNEL = 'pins:changed';

/**
 * Pins and quarantine shared by replicas, one Redis hash each (field = exposed tool name, value = JSON): `pins`,
 * `pins:approved`, `quarantine`, `quarantine:rejected`. Every quarantine change and approval is published, so each
 * replica re-reads at once: a tool quarantined on one is refused on all within a moment. Approvals are kept (not
 * consumed by the first replica to read them), because each replica takes them over for itself.
 */
export class RedisPinStore implements PinStore {
  constructor(private readonly redis: RedisConnection) {}

  serverPins(): Promise<Pin[]> {
    return this.values('pins', pinSchema);
  }

  async saveServerPins(_server: string, pins: readonly Pin[]): Promise<void> {
    if (pins.length === 0) return;
    await this.redis.run((commands) => commands.hset(this.redis.key('pins'), ...pins.flatMap((pin) => [pin.tool, JSON.stringify(pin)])));
  }

  approvedPins(): Promise<Pin[]> {
    return this.values('pins:approved', pinSchema);
  }

  /** Kept: the other replicas have yet to take it over (each takes over an approval once). */
  async removeApproved(): Promise<void> {}

  quarantined(): Promise<QuarantineEntry[]> {
    return this.values('quarantine', quarantineSchema);
  }

  async quarantineEntry(tool: string): Promise<QuarantineEntry | undefined> {
    const stored = await this.redis.run((commands) => commands.hget(this.redis.key('quarantine'), tool));
    const parsed = stored ? quarantineSchema.safeParse(JSON.parse(stored)) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  async saveQuarantine(entry: QuarantineEntry): Promise<void> {
    await this.redis.run((commands) => commands.hset(this.redis.key('quarantine'), entry.tool, JSON.stringify(entry)));
    await this.redis.publish(CHANGED_CHANNEL, entry.tool);
  }

  async removeQuarantine(tool: string): Promise<void> {
    await this.redis.run((commands) => commands.hdel(this.redis.key('quarantine'), tool));
    await this.redis.publish(CHANGED_CHANNEL, tool);
  }

  async approve(tool: string, by: string): Promise<QuarantineEntry | undefined> {
    const entry = await this.quarantineEntry(tool);
    if (!entry) return undefined;
    const pin = JSON.stringify(approvedPin(entry, by));
    // One transaction: no replica can read the approval without the quarantine entry gone, or the reverse.
    await this.redis.run((commands) =>
      commands
        .multi()
        .hset(this.redis.key('pins:approved'), tool, pin)
        .hset(this.redis.key('pins'), tool, pin)
        .hdel(this.redis.key('quarantine'), tool)
        .hdel(this.redis.key('quarantine:rejected'), tool)
        .exec(),
    );
    await this.redis.publish(CHANGED_CHANNEL, tool);
    return entry;
  }

  async reject(tool: string, by: string): Promise<QuarantineEntry | undefined> {
    const entry = await this.quarantineEntry(tool);
    if (!entry) return undefined;
    const rejection = { tool, hash: entry.hash, by, at: new Date().toISOString() };
    await this.redis.run((commands) => commands.hset(this.redis.key('quarantine:rejected'), tool, JSON.stringify(rejection)));
    return entry;
  }

  async reviewedQuarantine(): Promise<ReviewedQuarantineEntry[]> {
    return reviewed(await this.quarantined(), await this.values('quarantine:rejected', rejectionSchema));
  }

  async onChange(listener: () => void): Promise<boolean> {
    await this.redis.subscribe(CHANGED_CHANNEL, listener);
    // Changes published while the connection was down were not heard: read everything again once it is back.
    this.redis.onReconnect(listener);
    return true;
  }

  private async values<T>(hash: string, schema: z.ZodType<T>): Promise<T[]> {
    const stored = await this.redis.run((commands) => commands.hvals(this.redis.key(hash)));
    return stored.flatMap((value) => {
      const parsed = schema.safeParse(JSON.parse(value));
      return parsed.success ? [parsed.data] : [];
    });
  }
}
