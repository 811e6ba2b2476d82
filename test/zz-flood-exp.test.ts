import { join } from 'node:path';
import { it } from 'vitest';
import { tempDir, waitForTools, writeConfig } from './support/foundation.js';
import { faultyServer, residentBytes, serveStdio } from './support/hardening.js';
it('exp', async () => {
  const dir = await tempDir();
  const configPath = await writeConfig(dir.path, { servers: { faulty: faultyServer() } });
  const served = await serveStdio(configPath, { nodeArgs: ['--max-old-space-size=' + process.env.CAP] });
  await waitForTools(served.client, ['faulty__echo']);
  for (let round = 0; round < 5; round++) {
    const before = await residentBytes(served.pid);
    await served.client.callTool({ name: 'faulty__flood', arguments: { count: 40000, bytes: 2048 } }, undefined, { timeout: 60000 });
    const after = await residentBytes(served.pid);
    console.log('round', round, (before / 1048576).toFixed(0), (after / 1048576).toFixed(0));
  }
  await served.close(); await dir.remove();
}, 300000);
