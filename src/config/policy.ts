import { z } from 'zod';
import { configObject, didYouMean } from './strict-object.js';
import { RELAYABLE_REQUESTS, SERVER_NAME } from './servers.js';
import { approvalWebhookSchema } from '../policy/approval/webhook.js';

/** What a tool may do, from its annotations or the admin's override. `read`/`write`/`destructive` exclude each other. */
export const CAPABILITY_CLASSES = ['read', 'write', 'destructive', 'open-world'] as const;
export type CapabilityClass = (typeof CAPABILITY_CLASSES)[number];
export const EFFECT_CLASSES = ['read', 'write', 'destructive'] as const;

const isCapabilityClass = (value: string): value is CapabilityClass =>
  (CAPABILITY_CLASSES as readonly string[]).includes(value);

/**
 * `server:tool` with globs on either side (`filesystem:read_*`, `*:*`); a server's resources are `server:resource:URI`
 * (`everything:resource:demo://static/*`) and its prompts `server:prompt:NAME`.
 */
const toolPattern = z
  .string()
  .regex(
    /^[^:\s]+:(?:resource:\S+|prompt:[^:\s]+|[^:\s]+)$/,
    'must be "server:tool", "server:resource:URI" or "server:prompt:NAME" (globs allowed, e.g. "filesystem:read_*")',
  );

/** A scope rule: a capability class or a `server:tool` glob. */
export const scopeRuleSchema = z.string().refine((rule) => isCapabilityClass(rule) || toolPattern.safeParse(rule).success, {
  error: (issue) => {
    // A word without a colon was meant as a class: "reed", "destrutive".
    const meant = typeof issue.input === 'string' && !issue.input.includes(':') ? didYouMean(issue.input, CAPABILITY_CLASSES) : undefined;
    const rule = `a capability class (${CAPABILITY_CLASSES.join(', ')}) or a "server:tool" glob (resources "server:resource:URI", prompts "server:prompt:NAME")`;
    return meant ? `"${String(issue.input)}" is no capability class (did you mean "${meant}"?): a rule is ${rule}` : `must be ${rule}`;
  },
});

/** A relay rule: a request kind (`sampling`, `elicitation`, `roots`), optionally for servers matching a glob (`everything:sampling`). */
const relayRuleSchema = z.string().regex(new RegExp(`^([^:\\s]+:)?(${RELAYABLE_REQUESTS.join('|')})$`), {
  message: `must be ${RELAYABLE_REQUESTS.join(', ')}, or "server:<one of them>" (globs allowed on the server)`,
});

const tokenHash = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lowercase hex digits, the sha-256 of the whole token (`printf %s "$TOKEN" | sha256sum`)');

export const principalSchema = configObject({
  allow: z.array(scopeRuleSchema).default([]),
  deny: z.array(scopeRuleSchema).default([]),
  /** Bearer tokens as `sha256:<hex>`; tokens made by `toolscope token create` live in the state folder instead. */
  tokenHashes: z.array(tokenHash).default([]),
  /** May answer approvals over the admin HTTP endpoints and use the web console. */
  admin: z.boolean().default(false),
  /**
   * What downstream servers may ask of this principal's client mid-call (relayed sampling, elicitation, roots). None
   * by default: a server's prompt or form reaches a client only when its principal was given this scope.
   */
  relay: z.array(relayRuleSchema).default([]),
  /** May answer other principals' approvals over `/v1/approvals`, never its own calls' (unless a human approver). */
  approver: z.boolean().default(false),
});

/** A class override: exactly one of read/write/destructive, optionally with open-world. */
const classOverride = z
  .array(z.enum(CAPABILITY_CLASSES))
  .min(1)
  .refine((classes) => classes.filter((c) => (EFFECT_CLASSES as readonly string[]).includes(c)).length === 1, {
    message: 'must name exactly one of read, write, destructive (plus "open-world" if the tool reaches outside)',
  });

export const capabilitiesSchema = configObject({
  /** Servers whose missing annotation hints take the MCP spec defaults instead of "unannotated means write". */
  trustedServers: z.array(z.string().regex(SERVER_NAME)).default([]),
  /** Classes for every tool of a server, whatever its annotations say. */
  servers: z.record(z.string().regex(SERVER_NAME), classOverride).default({}),
  /** Classes for one tool (`server:tool`, no globs); wins over a server override. */
  tools: z
    .record(
      z.string().regex(/^[^:\s*?]+:(?:resource:[^\s*?]+|prompt:[^:\s*?]+|[^:\s*?]+)$/, 'must be "server:tool" (or server:resource:URI, server:prompt:NAME) without globs'),
      classOverride,
    )
    .default({}),
});

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const absolutePath = z.string().refine((p) => p.startsWith('/'), { message: 'must be an absolute path' });

/** Constraints on one argument; for an array value, each element is checked. */
export const argumentRuleSchema = configObject({
    /** Always sent with this value, whatever the caller passed. */
    fixed: z.unknown().optional(),
    allowed: z.array(z.unknown()).min(1).optional(),
    pattern: regexSource.optional(),
    maxLength: z.number().int().positive().optional(),
    /** The value must be an absolute path that stays under one of these roots after normalisation. */
    pathUnder: z.union([absolutePath, z.array(absolutePath).min(1)]).optional(),
    /**
     * Also resolve symlinks of the existing part of the path. Default: yes for stdio servers (they share toolscope's
     * filesystem), no for HTTP servers (their files are elsewhere).
     */
    resolveSymlinks: z.boolean().optional(),
    /** A single read-only SQL statement (PostgreSQL grammar). */
    sqlReadOnly: z.literal(true).optional(),
  })
  .refine((rule) => !rule.resolveSymlinks || rule.pathUnder !== undefined, {
    message: 'resolveSymlinks only applies together with pathUnder',
  });

/** Per `server:tool` glob: argument name -> constraints. */
export const argumentRulesSchema = z.record(toolPattern, z.record(z.string().min(1), argumentRuleSchema)).default({});

const bucketSchema = configObject({
  /** Calls allowed in a burst. */
  capacity: z.number().int().positive(),
  /** Sustained calls per second. */
  refillPerSecond: z.number().positive(),
});

const limitPairSchema = configObject({
  /** One bucket per principal over all its calls. */
  principal: bucketSchema.optional(),
  /** One bucket per principal and tool. */
  tool: bucketSchema.optional(),
});

/** A search bucket, or `"off"` for unlimited searches. */
const searchLimitSchema = z.union([bucketSchema, z.literal('off')], {
  error: 'must be {"capacity": <searches in a burst>, "refillPerSecond": <searches per second>} or "off"',
});

/** Generous for agents (a search per step), yet one principal cannot keep the embedder busy. */
const DEFAULT_SEARCH_BUCKET = { capacity: 60, refillPerSecond: 1 };

export const rateLimitsSchema = limitPairSchema.extend({
  principals: z.record(z.string(), limitPairSchema.extend({ search: searchLimitSchema.optional() })).default({}),
  /** The per-tool bucket for tools matching a `server:tool` glob; first match, ahead of `principals.X.tool` and `tool`. */
  tools: z.record(toolPattern, bucketSchema).default({}),
  /**
   * One bucket per principal over its searches (`search_tools`, `tools/list` with a query, `POST /v1/route`): each
   * runs retrieval outside the call pipeline, an embedding per query.
   */
  search: searchLimitSchema.default(DEFAULT_SEARCH_BUCKET),
});

export const approvalSchema = configObject({
  /** Capability classes or `server:tool` globs whose calls wait for a human. */
  required: z.array(scopeRuleSchema).default(['destructive']),
  timeoutSeconds: z.number().positive().max(86_400).default(120),
  /**
   * Calls of one principal that may wait in the queue at once; more are refused at once. A looping or throttled agent
   * must not bury the approvers (nor page them through the webhook) under requests.
   */
  maxWaitingPerPrincipal: z.number().int().positive().max(1_000).default(10),
  /**
   * Principals whose clients a person answers: their own calls are put to their client by elicitation, and they may
   * answer their own queued calls. Anyone else's calls wait for another principal, an approver or the CLI: a script
   * holding a token must not approve what it asked for.
   */
  humanApprovers: z.array(z.string().regex(SERVER_NAME, 'principal names use letters, digits, "_" and "-"')).default([]),
  /** Told of every call that starts waiting (see policy/approval/webhook.ts). */
  webhook: approvalWebhookSchema.optional(),
});

export const PINNING_MODES = ['off', 'on', 'strict'] as const;

export const pinningSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { mode: value } : value),
  configObject({
    /** `on`: quarantine changed tools; `strict`: also new tools on an already known server. */
    mode: z.enum(PINNING_MODES).default('on'),
    /** Quarantine tools whose descriptions look poisoned. */
    scanDescriptions: z.boolean().default(true),
  }),
);

/**
 * When a call's answer may go, as to its audit line. `fsync`: once the line is on disk (it survives a power loss).
 * `write`: once the kernel holds it (it survives a crash of toolscope, not of the machine), which spares each call
 * the wait for an fsync; the fsync follows at once, shared by every line written meanwhile.
 */
export const AUDIT_DURABILITY = ['fsync', 'write'] as const;
export type AuditDurability = (typeof AUDIT_DURABILITY)[number];

export const auditSchema = configObject({
  enabled: z.boolean().default(true),
  durability: z.enum(AUDIT_DURABILITY).default('fsync'),
  /** Relative to the state folder. */
  file: z.string().min(1).default('audit.jsonl'),
  /** Extra regular expressions whose matches are redacted from recorded arguments. */
  redactPatterns: z.array(regexSource).default([]),
});

/** The policy sections of `toolscope.json`, spread into the root schema. */
export const policySections = {
  principals: z.record(z.string().regex(SERVER_NAME, 'principal names use letters, digits, "_" and "-"'), principalSchema).default({}),
  capabilities: capabilitiesSchema.prefault({}),
  argumentRules: argumentRulesSchema,
  approval: approvalSchema.prefault({}),
  rateLimits: rateLimitsSchema.prefault({}),
  pinning: pinningSchema.prefault({}),
  audit: auditSchema.prefault({}),
};

export type PrincipalConfig = z.infer<typeof principalSchema>;
export type CapabilitiesConfig = z.infer<typeof capabilitiesSchema>;
export type ArgumentRule = z.infer<typeof argumentRuleSchema>;
export type ArgumentRulesConfig = z.infer<typeof argumentRulesSchema>;
export type Bucket = z.infer<typeof bucketSchema>;
export type RateLimitsConfig = z.infer<typeof rateLimitsSchema>;
export type ApprovalConfig = z.infer<typeof approvalSchema>;
export type PinningConfig = z.infer<typeof pinningSchema>;
export type AuditConfig = z.infer<typeof auditSchema>;
export { isCapabilityClass };
