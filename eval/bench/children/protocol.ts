import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../../src/error-message.js';

/**
 * The child side of `BenchChild`: JSON lines on stdout, stdin closing means "finish". Logs and noise go to stderr,
 * so nothing but these messages ever reaches stdout.
 */
export function send(type: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ type, ...fields })}\n`);
}

/** Calls `onEnd` when the parent closes our stdin or goes away. */
export function onParentGone(onEnd: () => void): void {
  process.stdin.on('end', onEnd);
  process.stdin.on('error', onEnd);
  process.stdin.resume();
}

/** Runs the child's main function; a failure becomes an `error` message and exit code 1. */
export function runChild(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    send('error', { message: errorMessage(error) });
    process.exitCode = 1;
    setImmediate(() => process.exit(1));
  });
}

/** Peak and current resident set size of this process, from /proc (Linux). */
export async function memoryStatus(): Promise<{ vmHwmKb: number; vmRssKb: number }> {
  const status = await readFile('/proc/self/status', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { vmHwmKb: field('VmHWM'), vmRssKb: field('VmRSS') };
}
