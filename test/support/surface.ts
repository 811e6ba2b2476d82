import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { parseConfig } from '../../src/config/load.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { servers, tempDir, waitFor } from './toolscope-cli.js';
import type { TempDir } from './temp-dir.js';

/** A started gateway in front of the real server-everything (exposure `all`, BM25), and in-memory client sessions. */
export interface EverythingGateway {
  readonly gateway: Gateway;
  connect(): Promise<Client>;
  close(): Promise<void>;
}

export async function everythingGateway(extra: Record<string, unknown> = {}): Promise<EverythingGateway> {
  const dir: TempDir = await tempDir();
  const config = parseConfig(
    { exposure: { mode: 'all' }, retrieval: { retriever: 'bm25' }, servers: { everything: servers.everything() }, ...extra },
    'test',
  );
  const gateway = createGateway({ path: join(dir.path, 'toolscope.json'), baseDir: dir.path, config }, { logger: createLogger('silent') });
  await gateway.start();
  await waitFor(() => gateway.catalog.size > 0, 'server-everything');
  const clients: Client[] = [];
  return {
    gateway,
    async connect() {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await gateway.createSession().connect(serverSide);
      const client = new Client({ name: 'surface-test', version: '1.0.0' });
      await client.connect(clientSide);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.close();
      await gateway.stop();
      await dir.remove();
    },
  };
}
