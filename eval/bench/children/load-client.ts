/**
 * The throughput load generator, in its own process so toolscope and the load each get a core of the two.
 * Usage: load-client.ts URL TOKEN CLIENTS WARMUP_MS DURATION_MS TOOL. Opens CLIENTS Streamable HTTP sessions, each
 * calling TOOL back to back (closed loop); warms up, then counts the calls started and completed within DURATION_MS.
 * Sends `connected`, `measuring`, then `result` {calls, errors, firstErrors, elapsedMs, cpuMs}.
 */
import { z } from 'zod';
import { callEcho, connectHttp, type BenchClient } from '../mcp-clients.js';
import { onParentGone, runChild, send } from './protocol.js';

const argsSchema = z.tuple([
  z.url(),
  z.string().min(1),
  z.coerce.number().int().positive(),
  z.coerce.number().int().nonnegative(),
  z.coerce.number().int().positive(),
  z.string().min(1),
]);

runChild(async () => {
  onParentGone(() => process.exit(1));
  const [url, token, clientCount, warmupMs, durationMs, tool] = argsSchema.parse(process.argv.slice(2));
  const clients: BenchClient[] = [];
  for (let i = 0; i < clientCount; i++) clients.push(await connectHttp(url, token));
  send('connected', { clients: clients.length });

  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let calls = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  let warmedUp = 0;
  let allWarm: () => void;
  const everyClientCalled = new Promise<void>((resolve) => (allWarm = resolve));
  const loop = async (client: BenchClient): Promise<void> => {
    let first = true;
    while (phase !== 'stop') {
      const counted = phase === 'measure';
      try {
        await callEcho(client.client, tool);
        if (counted && phase === 'measure') calls++;
      } catch (error) {
        if (counted) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push((error as Error).message);
        }
      }
      if (first && ++warmedUp === clients.length) allWarm();
      first = false;
    }
  };
  const loops = clients.map(loop);
  // Warm-up: at least WARMUP_MS, and until every session has made a call (first calls take the cold paths).
  await Promise.all([everyClientCalled, new Promise((resolve) => setTimeout(resolve, warmupMs))]);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  phase = 'measure';
  send('measuring');
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  phase = 'stop';
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  send('result', { calls, errors, firstErrors, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  await Promise.all(loops);
  await Promise.all(clients.map((client) => client.close()));
  process.exit(0);
});
