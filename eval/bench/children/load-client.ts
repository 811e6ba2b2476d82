/**
 * The throughput load generator, in its own process so toolscope and the load each get a core of the two.
 * Usage: load-client.ts URL TOKEN CLIENTS WARMUP_MS DURATION_MS TOOL. Opens CLIENTS Streamable HTTP sessions (plain
 * HTTP requests over a keep-alive pool, one connection per session: see RawMcpSession), each calling TOOL back to
 * back (closed loop); warms up, then counts the calls started and completed within DURATION_MS.
 * Sends `connected`, `measuring`, `result` {calls, errors, firstErrors, elapsedMs, cpuMs}, then `closed` once every
 * session is ended on the server (DELETE), and exits. It needs no cue to stop: it runs warm-up plus DURATION_MS.
 */
import { Pool } from 'undici';
import { z } from 'zod';
import { RawMcpSession } from '../raw-mcp-session.js';
import { runChild, send } from './protocol.js';

const argsSchema = z.tuple([
  z.url(),
  z.string().min(1),
  z.coerce.number().int().positive(),
  z.coerce.number().int().nonnegative(),
  z.coerce.number().int().positive(),
  z.string().min(1),
]);

const ARGUMENTS = { text: 'ping' };

runChild(async () => {
  const [url, token, clientCount, warmupMs, durationMs, tool] = argsSchema.parse(process.argv.slice(2));
  const endpoint = new URL(url);
  const pool = new Pool(endpoint.origin, { connections: clientCount });
  const sessions: RawMcpSession[] = [];
  for (let i = 0; i < clientCount; i++) sessions.push(await RawMcpSession.open(pool, endpoint, token));
  send('connected', { clients: sessions.length });

  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let calls = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  let warmedUp = 0;
  let allWarm: () => void;
  const everyClientCalled = new Promise<void>((resolve) => (allWarm = resolve));
  const loop = async (session: RawMcpSession): Promise<void> => {
    let first = true;
    while (phase !== 'stop') {
      const counted = phase === 'measure';
      try {
        await session.callTool(tool, ARGUMENTS);
        if (counted && phase === 'measure') calls++;
      } catch (error) {
        if (counted) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push((error as Error).message);
        }
      }
      if (first && ++warmedUp === sessions.length) allWarm();
      first = false;
    }
  };
  const loops = sessions.map(loop);
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
  // Ended here, not left to the server's idle timeout: the next run's sessions must fit under its session limit.
  await Promise.all(sessions.map((session) => session.close()));
  await pool.close();
  send('closed');
  process.exit(0);
});
