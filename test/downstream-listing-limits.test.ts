import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config/load.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { runCli, tempDir, waitFor, writeConfig } from './support/toolscope-cli.js';
import { fixtureServer, serveHttpProcess } from './support/serve-process.js';
import type { TempDir } from './support/temp-dir.js';

const oversized = (mode: string, env: Record<string, string> = {}) => fixtureServer('oversized-listing-server', { MODE: mode, ...env });

describe('bounds on what a downstream lists (hostile servers behind a real gateway)', () => {
  let dir: TempDir;
  let gateway: Gateway;
  let configPath: string;

  beforeAll(async () => {
    dir = await tempDir();
    configPath = await writeConfig(dir.path, {
      exposure: { mode: 'all' },
      limits: { maxListPages: 20, maxListItems: 3_000, maxItemBytes: 256 * 1024, maxCatalogTools: 100 },
      servers: {
        endless: oversized('endless'),
        looping: oversized('looping'),
        many: oversized('many', { COUNT: '5000' }),
        huge: oversized('huge'),
        // Fits its own bound (60 tools), but not beside the other within the catalog's 100: whichever comes second.
        big1: oversized('many', { COUNT: '60' }),
        big2: oversized('many', { COUNT: '60' }),
        healthy: oversized('many', { COUNT: '3' }),
      },
    });
    gateway = createGateway(await loadConfig(configPath), { logger: createLogger('silent') });
    await gateway.start();
  });

  afterAll(async () => {
    await gateway?.stop();
    await dir?.remove();
  });

  const lastError = (name: string) => gateway.status().servers.find((server) => server.name === name)?.lastError;

  it('refuses each oversized listing with the limit it broke, and serves the healthy servers', { timeout: 90_000 }, async () => {
    const errors = await waitFor(() => {
      const found = ['endless', 'looping', 'many', 'huge'].map(lastError);
      return found.every(Boolean) ? found : undefined;
    }, 'every hostile server to be refused', 60_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(gateway.status().servers.map((s) => [s.name, s.state, s.lastError?.slice(0, 300)]))}`);
    });
    expect(errors[0]).toMatch(/the tools listing did not end within 20 pages \(limits\.maxListPages\)/);
    expect(errors[1]).toMatch(/repeats the cursor "again"/);
    expect(errors[2]).toMatch(/lists more than 3000 tools \(limits\.maxListItems\)/);
    expect(errors[3]).toMatch(/tool "enormous" is \d+ bytes as JSON, more than limits\.maxItemBytes \(262144\)/);
    await waitFor(() => gateway.catalog.get('healthy__item_2'), 'the healthy server');
    for (const name of ['endless', 'looping', 'many', 'huge']) expect(gateway.catalog.forServer(name)).toEqual([]);
  });

  it('keeps the whole catalog within limits.maxCatalogTools: the server that would pass it is refused', async () => {
    const refused = await waitFor(() => ['big1', 'big2'].find((name) => lastError(name)), 'one of the big servers to be refused', 30_000);
    expect(lastError(refused)).toMatch(/would bring the catalog to \d+, more than limits\.maxCatalogTools \(100\)/);
    expect(gateway.catalog.size).toBeLessThanOrEqual(100);
  });

  it('`toolscope status` of a serving process shows the reason', { timeout: 120_000 }, async () => {
    const served = await serveHttpProcess(configPath);
    try {
      const status = await waitFor(async () => {
        const result = await runCli(['--config', configPath, 'status']);
        return /limits\.maxListPages/.test(result.stdout) ? result.stdout : undefined;
      }, 'the status to name the limit', 90_000);
      expect(status).toMatch(/endless .*did not end within 20 pages/);
    } finally {
      await served.stop();
    }
  });

  it('has sane defaults', () => {
    expect(parseConfig({}, 'test').limits).toMatchObject({ maxListPages: 1_000, maxListItems: 20_000, maxItemBytes: 1024 * 1024, maxCatalogTools: 200_000 });
  });
});
