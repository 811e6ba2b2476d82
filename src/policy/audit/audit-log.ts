import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditDurability } from '../../config/policy.js';
import { syncFolder } from '../../state/file/json-file.js';

interface Pending {
  readonly line: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Reopen {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Append-only JSONL, durable on acknowledgement: `append` resolves once the line is fsynced, or with `write`
 * durability once the kernel holds it (the fsync follows at once).
 * Group commit: lines arriving while an fsync runs are written and synced together by the next one, so many
 * concurrent calls share each fsync instead of queueing one each.
 * Rotation: `reopen` switches to the file now at `path` (after the old one was moved away) between two batches.
 */
export class AuditLog {
  private pending: Pending[] = [];
  private reopens: Reopen[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private written = { records: 0, syncs: 0 };

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private readonly durability: AuditDurability,
  ) {}

  static async open(path: string, durability: AuditDurability = 'fsync'): Promise<AuditLog> {
    return new AuditLog(path, await openLogFile(path), durability);
  }

  append(entry: object): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`audit log ${this.path} is closed`));
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /**
   * Opens `path` again, for log rotation: once the file was moved away (`mv`, logrotate), later lines go to a new file
   * there, created as at open (its folder entry synced before any line in it is acknowledged). The switch comes
   * between two batches, so every line written before it is synced in the old file; none is lost or written twice.
   * Should the new file not open, the log goes on writing to the old one, and this rejects.
   */
  reopen(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`audit log ${this.path} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.reopens.push({ resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Records made durable and fsyncs spent on them: with group commit, syncs grow slower than records under load. */
  get stats(): { readonly records: number; readonly syncs: number } {
    return { ...this.written };
  }

  /** Waits for everything appended so far, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    for (;;) {
      if (this.reopens.length > 0) await this.switchFile();
      if (this.pending.length === 0) break;
      const batch = this.pending;
      this.pending = [];
      try {
        const acknowledge = () => batch.forEach((p) => p.resolve());
        await writeAll(this.handle, Buffer.concat(batch.map((p) => p.line)));
        if (this.durability === 'write') acknowledge();
        await this.handle.datasync();
        this.written = { records: this.written.records + batch.length, syncs: this.written.syncs + 1 };
        if (this.durability === 'fsync') acknowledge();
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      }
    }
    this.flushing = undefined;
  }

  private async switchFile(): Promise<void> {
    const waiting = this.reopens;
    this.reopens = [];
    let next: FileHandle;
    try {
      next = await openLogFile(this.path);
    } catch (error) {
      for (const reopen of waiting) reopen.reject(error as Error);
      return;
    }
    const previous = this.handle;
    this.handle = next;
    await previous.close().catch(() => undefined);
    for (const reopen of waiting) reopen.resolve();
  }
}

/** Opens (creating it, private) the log file for appending, cut back to whole lines and synced with its folder entry. */
async function openLogFile(path: string): Promise<FileHandle> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, 'a+', 0o600);
  try {
    await dropTornTail(handle);
    await handle.sync();
    await syncFolder(dirname(path));
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/**
 * A crash in the middle of a write can leave a partial last line. Nothing in it was acknowledged (acknowledgement
 * follows the fsync of whole lines), so it is cut back to the last newline and the log parses cleanly again.
 * Another toolscope process writing the same log at this moment would look the same for an instant, so the tail
 * is cut only if the file has stopped growing.
 */
async function dropTornTail(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  const keep = await endOfLastLine(handle, size);
  if (keep === size) return;
  await sleep(TORN_TAIL_SETTLE_MS);
  if ((await handle.stat()).size !== size) return;
  await handle.truncate(keep);
}

const TORN_TAIL_SETTLE_MS = 50;

/** The offset just past the last newline at or before `size` (0 when there is none). */
async function endOfLastLine(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}
