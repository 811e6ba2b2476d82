import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const NEWLINE = 0x0a;

/** A complete line of a file and the offset just past its newline. */
export interface LineAt {
  readonly line: string;
  readonly end: number;
}

/**
 * The complete lines of a file, last first, read in chunks from the end, so the newest records of a large log cost
 * only what is read of them. A last line without its newline (being written) is not yet a line.
 */
export async function* linesFromEnd(path: string, chunkSize = 64 * 1024): AsyncGenerator<LineAt> {
  const handle = await open(path, 'r');
  try {
    let start = (await handle.stat()).size;
    // file[start, start + pending.length), ending in a newline once the torn tail is cut; its first line may
    // begin in the chunk before it.
    let pending: Buffer = Buffer.alloc(0);
    let tailCut = false;
    while (start > 0) {
      const from = Math.max(0, start - chunkSize);
      const chunk = Buffer.alloc(start - from);
      await handle.read(chunk, 0, chunk.length, from);
      pending = Buffer.concat([chunk, pending]);
      start = from;
      if (!tailCut) {
        const last = pending.lastIndexOf(NEWLINE);
        if (last < 0) continue;
        pending = pending.subarray(0, last + 1);
        tailCut = true;
      }
      let lineEnd = pending.length - 1;
      for (let newline = previousNewline(pending, lineEnd); newline >= 0; newline = previousNewline(pending, lineEnd)) {
        yield { line: pending.subarray(newline + 1, lineEnd).toString('utf8'), end: start + lineEnd + 1 };
        lineEnd = newline;
      }
      pending = pending.subarray(0, lineEnd + 1);
    }
    if (tailCut) yield { line: pending.subarray(0, pending.length - 1).toString('utf8'), end: pending.length };
  } finally {
    await handle.close();
  }
}

/** The newline before index `before` (a negative offset would count from the buffer's end). */
function previousNewline(bytes: Buffer, before: number): number {
  return before > 0 ? bytes.lastIndexOf(NEWLINE, before - 1) : -1;
}

/** The last `count` complete lines of a file and the offset just past them (where `followLines` continues). */
export async function readLastLines(path: string, count: number): Promise<{ lines: string[]; end: number }> {
  const lines: string[] = [];
  let end: number | undefined;
  if (count === 0) return { lines, end: (await stat(path)).size };
  for await (const found of linesFromEnd(path)) {
    end ??= found.end;
    lines.unshift(found.line);
    if (lines.length === count) break;
  }
  return { lines, end: end ?? 0 };
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
