import { earlierVectorSpaces, vectorSpace } from '../../embedding/index.js';
import type { Logger } from '../../log.js';
import type { EmbedderIdentity, VectorStore } from '../vector-store.js';
import type { RedisConnection } from './redis-connection.js';

/** Hash fields read per round trip at start: Redis stays responsive to other replicas while one loads. */
const SCAN_COUNT = 1_000;

/**
 * One embedder's vectors in a Redis hash (`emb:<vector space>`, field = content key, value = raw float32), shared by
 * replicas: the first to see a tool embeds it, the others load its vector. The embedder's id and vector revision are
 * in the key, so vectors of different models or revisions never mix; a hash of an older revision is left alone (and
 * logged), as replicas not yet upgraded still use it. A cache: Redis out of reach costs embeddings, with a warning,
 * not calls.
 */
export class RedisVectorStore implements VectorStore {
  private readonly hash: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly embedder: EmbedderIdentity,
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
  ) {
    this.hash = this.hashOf(vectorSpace(embedder));
  }

  async load(): Promise<Array<readonly [string, Float32Array]>> {
    const bytes = this.embedder.dimensions * Float32Array.BYTES_PER_ELEMENT;
    const vectors: Array<readonly [string, Float32Array]> = [];
    try {
      await this.redis.run(async (commands) => {
        let cursor = '0';
        do {
          const [next, fields] = await commands.hscanBuffer(this.hash, cursor, 'COUNT', SCAN_COUNT);
          cursor = next.toString();
          for (let i = 0; i + 1 < fields.length; i += 2) {
            const value = fields[i + 1]!;
            if (value.length !== bytes) continue;
            // Copied into an aligned array of its own: a Buffer's offset need not be a multiple of 4.
            vectors.push([fields[i]!.toString(), new Float32Array(Uint8Array.prototype.slice.call(value).buffer)]);
          }
        } while (cursor !== '0');
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot read the shared embeddings; tools are embedded here');
    }
    await this.reportEarlierRevisions();
    return vectors;
  }

  async append(keys: readonly string[], vectors: readonly Float32Array[]): Promise<void> {
    const fields = keys.flatMap((key, i) => [key, Buffer.from(vectors[i]!.buffer, vectors[i]!.byteOffset, vectors[i]!.byteLength)]);
    await this.redis
      .run((commands) => commands.hset(this.hash, ...fields))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'cannot share embeddings; they stay on this replica'));
  }

  private hashOf(space: string): string {
    return this.redis.key(`emb:${space}`);
  }

  /** Logs the hashes earlier vector revisions of this embedder left, so an admin knows what to delete after an upgrade. */
  private async reportEarlierRevisions(): Promise<void> {
    for (const hash of earlierVectorSpaces(this.embedder).map((space) => this.hashOf(space))) {
      const found = await this.redis.run((commands) => commands.exists(hash)).catch(() => 0);
      if (found > 0) {
        this.logger.info(
          { hash },
          `${hash} holds ${this.embedder.id} vectors of an earlier revision, no longer read: delete it once no replica runs an older toolscope`,
        );
      }
    }
  }
}
