/**
 * toolscope over Streamable HTTP on 127.0.0.1 (port 0) in its own process, as `toolscope serve --http` runs it, for
 * the forwarding and throughput benchmarks. Usage: gateway-http.ts CONFIG. Sends
 * `{"type":"ready","url","stages","pids"}` once the echo tool is in the catalog; stops when stdin closes.
 */
import { exposedToolName } from '../../../src/catalog/naming.js';
import { loadConfig } from '../../../src/config/load.js';
import { createGateway } from '../../../src/gateway.js';
import { serveHttp } from '../../../src/server/http.js';
import { ECHO_SERVER, ECHO_TOOL } from '../downstream.js';
import { activeStages, waitForTool } from '../gateway-stages.js';
import { onParentGone, runChild, send } from './protocol.js';

runChild(async () => {
  const configFile = process.argv[2];
  if (!configFile) throw new Error('usage: gateway-http.ts CONFIG');
  const gateway = createGateway(await loadConfig(configFile));
  await gateway.start();
  const http = await serveHttp(gateway, { host: '127.0.0.1', port: 0 });
  await waitForTool(gateway, exposedToolName(ECHO_SERVER, ECHO_TOOL), 30_000);
  const downstreamPids = gateway.status().servers.flatMap((server) => (server.pid === undefined ? [] : [server.pid]));
  send('ready', { url: http.url, stages: activeStages(gateway), pids: { gateway: process.pid, downstream: downstreamPids } });
  onParentGone(() => {
    void http
      .close()
      .then(() => gateway.stop())
      .finally(() => process.exit(0));
  });
});
