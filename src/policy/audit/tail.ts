import { open, stat, type FileHandle } from 'node:fs/promises';
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

/**
 * Calls `onLine` for each complete line appended after `offset`, until `signal` aborts. Polls: works on any
 * filesystem. Follows the name, as `tail -F` does: once the log was moved away and a new file is at `path` (logrotate,
 * then SIGHUP), the rest of the old file is read, then the new one from its start; a file cut short (copytruncate)
 * is read again from its start. `onSwitch` is told of each.
 */
export async function followLines(
  path: string,
  offset: number,
  onLine: (line: string) => void,
  signal: AbortSignal,
  intervalMs = 250,
  onSwitch: (what: 'rotated' | 'truncated') => void = () => undefined,
): Promise<void> {
  let file = await open(path, 'r');
  let position = offset;
  let partial: Buffer = Buffer.alloc(0);
  const readAppended = async () => {
    const { size } = await file.stat();
    if (size < position) {
      onSwitch('truncated');
      position = 0;
      partial = Buffer.alloc(0);
    }
    if (size === position) return;
    const chunk = Buffer.alloc(size - position);
    const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
    position += bytesRead;
    partial = Buffer.concat([partial, chunk.subarray(0, bytesRead)]);
    const lastNewline = partial.lastIndexOf(NEWLINE);
    if (lastNewline < 0) return;
    for (const line of partial.subarray(0, lastNewline).toString('utf8').split('\n')) onLine(line);
    partial = partial.subarray(lastNewline + 1);
  };
  try {
    while (!signal.aborted) {
      await readAppended();
      if (await replacedAt(path, file)) {
        // Read again: a record may have gone to the old file between the read above and the check.
        await readAppended();
        await file.close();
        file = await open(path, 'r');
        position = 0;
        partial = Buffer.alloc(0);
        onSwitch('rotated');
        continue;
      }
      await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await file.close();
  }
}

/** Whether another file than the one open is at `path` now (none there yet, between a move and the reopen, is not). */
async function replacedAt(path: string, file: FileHandle): Promise<boolean> {
  const [atPath, opened] = await Promise.all([stat(path).catch(() => undefined), file.stat()]);
  return atPath !== undefined && (atPath.ino !== opened.ino || atPath.dev !== opened.dev);
}
