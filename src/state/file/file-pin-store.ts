import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  approvedPin,
  pinSchema,
  quarantineSchema,
  rejectionSchema,
  reviewed,
  serverPinsSchema,
  type Pin,
  type PinStore,
  type QuarantineEntry,
  type ReviewedQuarantineEntry,
} from '../pin-store.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

/** Exposed and server names are `[A-Za-z0-9_-]` (see catalog/naming.ts, config/servers.ts): safe file names as they are. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Pins and quarantine entries in the state folder:
 * - `pins/<server>.json`: every pin of a server, written only by the serving process (one write per change burst);
 * - `pins/approved/<tool>.json`: a definition an admin approved (`toolscope approve-tool`), folded into the server's
 *   file by the serving process;
 * - `quarantine/<tool>.json`: one entry per quarantined tool, removed by `approve-tool`;
 * - `quarantine/rejected/<tool>.json`: the definition an admin refused (`reject-tool`), kept for the record.
 * Each file has one writer at a time and is replaced atomically, so `serve` and the CLI need no lock.
 */
export class FilePinStore implements PinStore {
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
    await this.saveApproved(approvedPin(entry, by));
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
    return reviewed(await this.quarantined(), await this.readAll(this.rejectedFolder, rejectionSchema));
  }

  /** Another process's changes are found by reading the folders (every second while serving). */
  async onChange(): Promise<boolean> {
    return false;
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
