import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Gateway, GatewayStatus } from '../gateway.js';
import { processAlive } from '../process-alive.js';

/** What a running `toolscope serve` publishes about itself for `toolscope status` in another process. */
export interface RunRecord {
  readonly pid: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly transport: 'stdio' | 'http';
  readonly url?: string;
  readonly status: GatewayStatus;
}

const runRecordSchema = z.looseObject({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  updatedAt: z.string(),
  transport: z.enum(['stdio', 'http']),
  url: z.string().optional(),
  status: z.looseObject({ servers: z.array(z.looseObject({ name: z.string(), state: z.string() })) }),
});

const WRITE_DELAY_MS = 100;

function runDir(stateDir: string): string {
  return join(stateDir, 'run');
}

/**
 * Keeps `<stateDir>/run/<pid>.json` current while this process serves: rewritten (atomically, coalesced)
 * on every server state change, removed on stop.
 */
export class RunRecorder {
  private readonly file: string;
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly onStatus = () => this.schedule();

  constructor(
    private readonly stateDir: string,
    private readonly gateway: Gateway,
    private readonly endpoint: Pick<RunRecord, 'transport' | 'url'>,
  ) {
    this.file = join(runDir(stateDir), `${process.pid}.json`);
  }

  async start(): Promise<void> {
    await mkdir(runDir(this.stateDir), { recursive: true });
    this.gateway.on('status', this.onStatus);
    await this.write();
  }

  async stop(): Promise<void> {
    this.gateway.off('status', this.onStatus);
    clearTimeout(this.timer);
    await this.writing;
    await rm(this.file, { force: true });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, WRITE_DELAY_MS);
  }

  private write(): Promise<void> {
    const record: RunRecord = {
      pid: process.pid,
      startedAt: this.startedAt,
      updatedAt: new Date().toISOString(),
      ...this.endpoint,
      status: this.gateway.status(),
    };
    this.writing = this.writing
      .then(() => writeFileAtomic(this.file, `${JSON.stringify(record, null, 2)}\n`))
      .catch((error: unknown) => this.gateway.logger.warn({ err: error }, 'could not write the run record'));
    return this.writing;
  }
}

/** The records of toolscope processes still alive; records left by dead processes are deleted. */
export async function readRunRecords(stateDir: string): Promise<RunRecord[]> {
  const names = await readdir(runDir(stateDir)).catch(() => [] as string[]);
  const records: RunRecord[] = [];
  for (const name of names.filter((file) => /^\d+\.json$/.test(file))) {
    const path = join(runDir(stateDir), name);
    if (!processAlive(Number.parseInt(name, 10))) {
      await rm(path, { force: true });
      continue;
    }
    const parsed = runRecordSchema.safeParse(await readFile(path, 'utf8').then(JSON.parse).catch(() => undefined));
    if (parsed.success) records.push(parsed.data as unknown as RunRecord);
  }
  return records;
}
