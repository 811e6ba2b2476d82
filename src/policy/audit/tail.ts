import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const NEWLINE = 0x0a;

/** The last `count` complete lines of a file and the offset just past them (where `followLines` continues). */
export async function readLastLines(path: string, count: number): Promise<{ lines: string[]; end: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (count === 0) return { lines: [], end: size };
    const chunkSize = 64 * 1024;
    let start = size;
    let bytes: Buffer = Buffer.alloc(0);
    // Read backwards until enough newlines are seen (one extra: the first line read may be partial).
    while (start > 0 && countNewlines(bytes) <= count) {
      const from = Math.max(0, start - chunkSize);
      const chunk = Buffer.alloc(start - from);
      await handle.read(chunk, 0, chunk.length, from);
      bytes = Buffer.concat([chunk, bytes]);
      start = from;
    }
    const complete = bytes.subarray(0, bytes.lastIndexOf(NEWLINE) + 1);
    const lines = complete.toString('utf8').split('\n').slice(0, -1);
    return { lines: (start > 0 ? lines.slice(1) : lines).slice(-count), end: start + complete.length };
  } finally {
    await handle.close();
  }
}

/** Calls `onLine` for each complete line appended after `offset`, until `signal` aborts. Polls: works on any filesystem. */
export async function followLines(
  path: string,
  offset: number,
  onLine: (line: string) => void,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  let position = offset;
  let partial: Buffer = Buffer.alloc(0);
  while (!signal.aborted) {
    const { size } = await stat(path);
    if (size > position) {
      const handle = await open(path, 'r');
      try {
        const chunk = Buffer.alloc(size - position);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        position += bytesRead;
        partial = Buffer.concat([partial, chunk.subarray(0, bytesRead)]);
      } finally {
        await handle.close();
      }
      const lastNewline = partial.lastIndexOf(NEWLINE);
      if (lastNewline >= 0) {
        for (const line of partial.subarray(0, lastNewline).toString('utf8').split('\n')) onLine(line);
        partial = partial.subarray(lastNewline + 1);
      }
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) count += 1;
  return count;
}
