import { z } from 'zod';
import { TOOL_HASH_VERSION } from '../catalog/tool-hash.js';

export const definitionSchema = z.object({
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

export const pinSchema = z.object({
  tool: z.string(),
  server: z.string(),
  hash: z.string(),
  hashVersion: hashVersionSchema,
  definition: definitionSchema,
  pinnedAt: z.string(),
  /** `first-sight` (recorded automatically) or `admin:<who>` (released from quarantine by `approve-tool`). */
  pinnedBy: z.string(),
});

/** `hijack`: it would take the top rank for many recent searches other tools answered (retrieval-hijack.ts). */
export const QUARANTINE_KINDS = ['changed', 'new-tool', 'poisoned', 'hijack'] as const;

export const quarantineSchema = z.object({
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
export const rejectionSchema = z.object({
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

/** One server's pins, as the state folder keeps them. */
export const serverPinsSchema = z.object({ server: z.string(), pins: z.array(pinSchema) });

/** The pin `approve-tool` makes of a quarantined definition. */
export function approvedPin(entry: QuarantineEntry, by: string): Pin {
  const { tool, server, hash, hashVersion, definition } = entry;
  return { tool, server, hash, hashVersion, definition, pinnedAt: new Date().toISOString(), pinnedBy: `admin:${by}` };
}

/** Quarantine entries with the rejection of the definition each is held for, if an admin refused it. */
export function reviewed(entries: readonly QuarantineEntry[], rejections: readonly Rejection[]): ReviewedQuarantineEntry[] {
  const byTool = new Map(rejections.map((r) => [r.tool, r]));
  return entries.map((entry) => {
    const rejection = byTool.get(entry.tool);
    return rejection?.hash === entry.hash ? { ...entry, rejected: { by: rejection.by, at: rejection.at } } : entry;
  });
}

/**
 * Pins, quarantine entries and admins' decisions on them, where every process of a deployment sees them: the
 * state folder (`FilePinStore`: one toolscope and its CLI) or Redis (`RedisPinStore`: replicas, whose quarantines
 * then hold on all of them). `ToolPinning` decides; the store only keeps.
 */
export interface PinStore {
  serverPins(): Promise<Pin[]>;
  /** Records `pins` of `server` (every pin it has: a server's pins are never removed). */
  saveServerPins(server: string, pins: readonly Pin[]): Promise<void>;
  /** Definitions an admin approved (`approve-tool`), for the serving processes to take over. */
  approvedPins(): Promise<Pin[]>;
  /** One serving process took the approval over; a store shared by replicas keeps it for the others. */
  removeApproved(tool: string): Promise<void>;
  quarantined(): Promise<QuarantineEntry[]>;
  quarantineEntry(tool: string): Promise<QuarantineEntry | undefined>;
  saveQuarantine(entry: QuarantineEntry): Promise<void>;
  removeQuarantine(tool: string): Promise<void>;
  /** `approve-tool`: the quarantined definition is approved (pinned) and the tool leaves quarantine. */
  approve(tool: string, by: string): Promise<QuarantineEntry | undefined>;
  /** `reject-tool`: an admin refused the quarantined definition; the tool stays quarantined, on record. */
  reject(tool: string, by: string): Promise<QuarantineEntry | undefined>;
  /** Quarantined tools, each with the rejection of the definition it is held for, if an admin refused it. */
  reviewedQuarantine(): Promise<ReviewedQuarantineEntry[]>;
  /**
   * Calls `listener` when another process changed quarantine or approvals, so a change takes effect at once;
   * false when the store cannot tell (the state folder: it is read every second instead).
   */
  onChange(listener: () => void): Promise<boolean>;
}
