import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TOOL_HASH_VERSION } from '../../catalog/tool-hash.js';
import { readJsonFile, writeJsonFileAtomic } from '../../state/file/json-file.js';

const definitionSchema = z.object({
  name: z.string(),
  title: z.string().optional(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

/** Which `toolContentHash` version `hash` was computed with; files from before versions were recorded hold 1. */
const hashVersionSchema = z
  .number()
  .int()
  .min(1)
  .max(TOOL_HASH_VERSION, `must be at most ${TOOL_HASH_VERSION}: written by a newer toolscope`)
  .default(1);

const pinSchema = z.object({
  tool: z.string(),
  server: z.string(),
  hash: z.string(),
  hashVersion: hashVersionSchema,
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
  hashVersion: hashVersionSchema,
  definition: definitionSchema,
  kind: z.enum(QUARANTINE_KINDS),
  reasons: z.array(z.string()),
  /** Against the pinned definition, for `changed`. */
  diff: z.string().optional(),
  since: z.string(),
});

/** An admin looked at a quarantined definition and refused it (`reject-tool`): it stays quarantined, on record. */
const rejectionSchema = z.object({
  tool: z.string(),
  /** The definition refused: a later change of the tool needs a decision of its own. */
  hash: z.string(),
  by: z.string(),
  at: z.string(),
});

export type Pin = z.infer<typeof pinSchema>;
export type QuarantineEntry = z.infer<typeof quarantineSchema>;
export type Rejection = z.infer<typeof rejectionSchema>;

/** A quarantine entry as people review it: with the rejection of its current definition, if there is one. */
export type ReviewedQuarantineEntry = QuarantineEntry & { readonly rejected?: { readonly by: string; readonly at: string } };

/** Exposed and server names are `[A-Za-z0-9_-]` (see catalog/naming.ts, config/servers.ts): safe file names as they are. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const serverPinsSchema = z.object({ server: z.string(), pins: z.array(pinSchema) });

/**
 * Pins and quarantine entries in the state folder:
 * - `pins/<server>.json`: every pin of a server, written only by the serving process (one write per change burst);
 * - `pins/approved/<tool>.json`: a definition an admin approved (`toolscope approve-tool`), folded into the server's
 *   file by the serving process;
 * - `quarantine/<tool>.json`: one entry per quarantined tool, removed by `approve-tool`;
 * - `quarantine/rejected/<tool>.json`: the definition an admin refused (`reject-tool`), kept for the record.
 * Each file has one writer at a time and is replaced atomically, so `serve` and the CLI need no lock.
 */
export class PinStore {
  readonly pinFolder: string;
  readonly approvedFolder: string;
  readonly quarantineFolder: string;
  readonly rejectedFolder: string;

  constructor(stateDir: string) {
    this.pinFolder = join(stateDir, 'pins');
    this.approvedFolder = join(this.pinFolder, 'approved');
    this.quarantineFolder = join(stateDir, 'quarantine');
    this.rejectedFolder = join(this.quarantineFolder, 'rejected');
  }

  async serverPins(): Promise<Pin[]> {
    return (await this.readAll(this.pinFolder, serverPinsSchema)).flatMap((file) => file.pins);
  }

  async saveServerPins(server: string, pins: readonly Pin[]): Promise<void> {
    await writeJsonFileAtomic(this.file(this.pinFolder, server), { server, pins });
  }

  async approvedPins(): Promise<Pin[]> {
    return this.readAll(this.approvedFolder, pinSchema);
  }

  async saveApproved(pin: Pin): Promise<void> {
    await writeJsonFileAtomic(this.file(this.approvedFolder, pin.tool), pin);
  }

  async removeApproved(tool: string): Promise<void> {
    await rm(this.file(this.approvedFolder, tool), { force: true });
  }

  async quarantined(): Promise<QuarantineEntry[]> {
    return this.readAll(this.quarantineFolder, quarantineSchema);
  }

  async quarantineEntry(tool: string): Promise<QuarantineEntry | undefined> {
    return SAFE_NAME.test(tool) ? readJsonFile(this.file(this.quarantineFolder, tool), quarantineSchema) : undefined;
  }

  async saveQuarantine(entry: QuarantineEntry): Promise<void> {
    await writeJsonFileAtomic(this.file(this.quarantineFolder, entry.tool), entry);
  }

  async removeQuarantine(tool: string): Promise<void> {
    await rm(this.file(this.quarantineFolder, tool), { force: true });
  }

  /** `approve-tool`: the quarantined definition is approved (pinned) and the tool leaves quarantine. */
  async approve(tool: string, by: string): Promise<QuarantineEntry | undefined> {
    const entry = await this.quarantineEntry(tool);
    if (!entry) return undefined;
    await this.saveApproved({
      tool: entry.tool,
      server: entry.server,
      hash: entry.hash,
      hashVersion: entry.hashVersion,
      definition: entry.definition,
      pinnedAt: new Date().toISOString(),
      pinnedBy: `admin:${by}`,
    });
    await this.removeQuarantine(tool);
    await rm(this.file(this.rejectedFolder, tool), { force: true });
    return entry;
  }

  /**
   * `reject-tool`: records that an admin refused the quarantined definition. The tool stays quarantined (only
   * `approve-tool`, or its server going back to the pinned definition, releases it); the record covers this
   * definition only.
   */
  async reject(tool: string, by: string): Promise<QuarantineEntry | undefined> {
    const entry = await this.quarantineEntry(tool);
    if (!entry) return undefined;
    await writeJsonFileAtomic(this.file(this.rejectedFolder, tool), { tool, hash: entry.hash, by, at: new Date().toISOString() });
    return entry;
  }

  /** Quarantined tools, each with the rejection of the definition it is held for, if an admin refused it. */
  async reviewedQuarantine(): Promise<ReviewedQuarantineEntry[]> {
    const rejections = new Map((await this.readAll(this.rejectedFolder, rejectionSchema)).map((r) => [r.tool, r]));
    return (await this.quarantined()).map((entry) => {
      const rejection = rejections.get(entry.tool);
      return rejection?.hash === entry.hash ? { ...entry, rejected: { by: rejection.by, at: rejection.at } } : entry;
    });
  }

  private file(folder: string, name: string): string {
    if (!SAFE_NAME.test(name)) throw new Error(`"${name}" is not a toolscope tool or server name`);
    return join(folder, `${name}.json`);
  }

  private async readAll<T>(folder: string, schema: z.ZodType<T>): Promise<T[]> {
    const names = await readdir(folder).catch(() => [] as string[]);
    const entries = await Promise.all(
      names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => readJsonFile(join(folder, n), schema)),
    );
    return entries.filter((entry) => entry !== undefined);
  }
}
