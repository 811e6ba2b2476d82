import type { Gateway } from '../../src/gateway.js';
import { pipelineStages } from '../../src/pipeline/build.js';

/** The call stages the gateway's pipeline runs, in order, as built from its own policy. */
export function activeStages(gateway: Gateway): string[] {
  return pipelineStages({ forwarder: gateway.downstream, policy: gateway.policy }).map((stage) => stage.name);
}

/** Resolves once the catalog holds `exposedName`; rejects after `timeoutMs`. */
export async function waitForTool(gateway: Gateway, exposedName: string, timeoutMs: number): Promise<void> {
  await gateway.catalogNeeded();
  const started = Date.now();
  while (!gateway.catalog.get(exposedName)) {
    if (Date.now() - started > timeoutMs) {
      const servers = gateway.status().servers.map((server) => `${server.name}: ${server.state} ${server.lastError ?? ''}`);
      throw new Error(`${exposedName} did not reach the catalog within ${timeoutMs} ms (${servers.join('; ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
