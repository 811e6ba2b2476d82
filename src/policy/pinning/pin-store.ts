import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonFileAtomic } from '../state/json-file.js';

const definitionSchema = z.object({
  name: z.string(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

const pinSchema = z.object({
  tool: z.string(),
  server: z.string(),
  hash: z.string(),
  definition: definitionSchema,
  pinnedAt: z.string(),
  /** `first-sight` (recorded automatically) or `admin:<who>` (released from quarantine by `approve-tool`). */
  pinnedBy: z.string(),
});

export const QUARANTINE_KINDS = ['changed', 'new-tool', 'poisoned'] as const;

const quarantineSchema = z.object({
  tool: z.string(),
  server: z.string(),
  hash: z.string(),
  definition: definitionSchema,
  kind: z.enum(QUARANTINE_KINDS),
  reasons: z.array(z.string()),
  /** Against the pinned definition, for `changed`. */
  diff: z.string().optional(),
  since: z.string(),
});

export type Pin = z.infer<typeof pinSchema>;
export type QuarantineEntry = z.infer<typeof quarantineSchema>;

/** Exposed names are `[A-Za-z0-9_-]{1,64}` (see catalog/naming.ts), so they are safe file names as they are. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Pins and quarantine entries, one small file per tool under `<stateDir>/pins/` and `<stateDir>/quarantine/`.
 * One file per tool lets `serve` and the CLI (`approve-tool`) each replace a tool's file atomically without a
 * lock around a shared file.
 */
export class PinStore {
  readonly pinFolder: string;
  readonly quarantineFolder: string;

  constructor(stateDir: string) {
    this.pinFolder = join(stateDir, 'pins');
    this.quarantineFolder = join(stateDir, 'quarantine');
  }

  async pins(): Promise<Pin[]> {
    return this.readAll(this.pinFolder, pinSchema);
  }

  async quarantined(): Promise<QuarantineEntry[]> {
    return this.readAll(this.quarantineFolder, quarantineSchema);
  }

  async quarantineEntry(tool: string): Promise<QuarantineEntry | undefined> {
    return SAFE_NAME.test(tool) ? readJsonFile(this.file(this.quarantineFolder, tool), quarantineSchema) : undefined;
  }

  async savePin(pin: Pin): Promise<void> {
    await writeJsonFileAtomic(this.file(this.pinFolder, pin.tool), pin);
  }

  async saveQuarantine(entry: QuarantineEntry): Promise<void> {
    await writeJsonFileAtomic(this.file(this.quarantineFolder, entry.tool), entry);
  }

  async removeQuarantine(tool: string): Promise<void> {
    await rm(this.file(this.quarantineFolder, tool), { force: true });
  }

  /** `approve-tool`: the quarantined definition becomes the pin and the tool is released. */
  async approve(tool: string, by: string): Promise<QuarantineEntry | undefined> {
    const entry = await this.quarantineEntry(tool);
    if (!entry) return undefined;
    await this.savePin({
      tool: entry.tool,
      server: entry.server,
      hash: entry.hash,
      definition: entry.definition,
      pinnedAt: new Date().toISOString(),
      pinnedBy: `admin:${by}`,
    });
    await this.removeQuarantine(tool);
    return entry;
  }

  private file(folder: string, tool: string): string {
    if (!SAFE_NAME.test(tool)) throw new Error(`"${tool}" is not a toolscope tool name`);
    return join(folder, `${tool}.json`);
  }

  private async readAll<T>(folder: string, schema: z.ZodType<T>): Promise<T[]> {
    const names = await readdir(folder).catch(() => [] as string[]);
    const entries = await Promise.all(
      names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => readJsonFile(join(folder, n), schema)),
    );
    return entries.filter((entry) => entry !== undefined);
  }
}
