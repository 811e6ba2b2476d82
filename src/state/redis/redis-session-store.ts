import { z } from 'zod';
import type { SessionRecord, SessionStore } from '../session-store.js';
import type { RedisConnection } from './redis-connection.js';

const recordSchema = z.object({ principal: z.string(), replica: z.string(), openedAt: z.string() });
const CLOSED_CHANNEL = 'sessions:closed';

/** Sessions as `session:<id>` keys holding the record, expiring when the session has been idle everywhere. */
export class RedisSessionStore implements SessionStore {
  constructor(private readonly redis: RedisConnection) {}

  async save(id: string, record: SessionRecord, idleMs: number): Promise<void> {
    await this.redis.run((commands) => commands.set(this.key(id), JSON.stringify(record), 'PX', idleMs));
  }

  async touch(id: string, idleMs: number): Promise<SessionRecord | undefined> {
    const [stored] = await this.redis.run(async (commands) => {
      const replies = await commands.multi().get(this.key(id)).pexpire(this.key(id), idleMs).exec();
      return (replies ?? []).map(([error, value]) => {
        if (error) throw error;
        return value;
      });
    });
    if (typeof stored !== 'string') return undefined;
    const parsed = recordSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : undefined;
  }

  async remove(id: string): Promise<void> {
    await this.redis.run((commands) => commands.del(this.key(id)));
    await this.redis.publish(CLOSED_CHANNEL, id);
  }

  async onRemoved(listener: (id: string) => void): Promise<void> {
    await this.redis.subscribe(CLOSED_CHANNEL, listener);
  }

  private key(id: string): string {
    return this.redis.key(`session:${id}`);
  }
}
