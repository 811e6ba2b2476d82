import { z } from 'zod';
import { configObject } from './strict-object.js';

const MiB = 1024 * 1024;
const bytes = z.number().int().positive().max(1024 * MiB);

/** Size bounds on what one downstream server sends, overriding the global `limits` of the same names. */
export const serverLimitsSchema = configObject({
  /** One JSON-RPC message from the server (a stdio line, an HTTP response body, an SSE event). */
  maxMessageBytes: bytes.optional(),
  /** One tool result as JSON; a bigger one becomes a tool error. */
  maxResultBytes: bytes.optional(),
});

const downstreamLimitsSchema = configObject({
  maxMessageBytes: bytes.default(16 * MiB),
  maxResultBytes: bytes.default(4 * MiB),
  /** Pages one listing of a server (tools, resources, prompts) may take. */
  maxListPages: z.number().int().positive().max(1_000_000).default(1_000),
  /** Items (tools, resources, prompts) one server may list. */
  maxListItems: z.number().int().positive().max(10_000_000).default(20_000),
  /** One listed item (a tool with its schemas) as JSON. */
  maxItemBytes: bytes.default(1 * MiB),
});

/** Resource bounds: what downstream servers may send, and what HTTP clients may hold and send. */
export const limitsSchema = downstreamLimitsSchema.extend({
  /** One HTTP request body; a bigger one is answered 413. */
  maxRequestBytes: bytes.default(4 * MiB),
  /** Live Streamable HTTP sessions; an `initialize` past this is answered 503. */
  maxSessions: z.number().int().positive().max(100_000).default(256),
  /** Live sessions of one principal (once principals exist), so one token cannot take every place. */
  maxSessionsPerPrincipal: z.number().int().positive().max(100_000).default(64),
  /** Tools in the whole catalog; a server whose listing would pass it is refused. */
  maxCatalogTools: z.number().int().positive().max(10_000_000).default(200_000),
  /** An HTTP session with no request (and no open stream) for this long is closed. */
  sessionIdleMs: z.number().int().positive().default(30 * 60_000),
  /**
   * SSE events one HTTP session keeps, so a client whose stream broke resumes with `Last-Event-ID` and is sent what it
   * missed; past either bound the oldest go first.
   */
  maxReplayEvents: z.number().int().positive().max(1_000_000).default(1_000),
  /** Bytes (as JSON) of the events one HTTP session keeps for resumption: at least one result (maxResultBytes). */
  maxReplayBytes: bytes.default(4 * MiB),
  /** Items per page of the lists toolscope answers clients (tools, resources, templates, prompts); more come by `nextCursor`. */
  listPageSize: z.number().int().positive().max(100_000).default(100),
});

export type DownstreamLimits = z.infer<typeof downstreamLimitsSchema>;
export type ServerLimits = z.infer<typeof serverLimitsSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;

/** The global downstream limits with a server's overrides applied. */
export function serverLimits(global: DownstreamLimits, own: ServerLimits | undefined): DownstreamLimits {
  return {
    maxMessageBytes: own?.maxMessageBytes ?? global.maxMessageBytes,
    maxResultBytes: own?.maxResultBytes ?? global.maxResultBytes,
    maxListPages: global.maxListPages,
    maxListItems: global.maxListItems,
    maxItemBytes: global.maxItemBytes,
  };
}
