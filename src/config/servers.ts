import { z } from 'zod';
import { configObject } from './strict-object.js';
import { serverLimitsSchema } from './limits.js';
import { scriptInArgv, type Reads } from '../policy/supply-chain/command-line.js';
import { programSchema } from './program.js';
import { serverSandboxSchema } from './sandbox.js';

const envValue = z.string();

/** Requests a downstream server may make of its client mid-call, relayed to the client whose call is in flight. */
export const RELAYABLE_REQUESTS = ['sampling', 'elicitation', 'roots'] as const;
export type RelayableRequest = (typeof RELAYABLE_REQUESTS)[number];

const common = {
  enabled: z.boolean().default(true),
  startup: z.enum(['eager', 'lazy']).default('eager'),
  timeoutMs: z.number().int().positive().max(3_600_000).default(60_000),
  /** After a call times out, ping the server; if that goes unanswered too, it is hung: restart it (its other calls fail). */
  restartWhenHung: z.boolean().default(true),
  limits: serverLimitsSchema.optional(),
  /** What the server is for, in the admin's words: tool search indexes it with each of the server's tools. */
  description: z.string().trim().min(1).max(1_000).optional(),
  /**
   * What toolscope declares to this server as its client, each request relayed to the calling client. Roots only on
   * request: they are folders on the client's machine, which is not the one the server runs on when the client
   * connects over HTTP, and a server such as filesystem would replace its configured folders with them.
   */
  relay: z.array(z.enum(RELAYABLE_REQUESTS)).default(['sampling', 'elicitation']),
  /**
   * The prefix of the server's tool and prompt names (`NAMESPACE__tool`) and resource URIs
   * (`toolscope://NAMESPACE/uri`); default the server's name. `""`: the downstream's own names, unprefixed.
   */
  namespace: z
    .union([
      z.literal(''),
      z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a namespace uses letters, digits, "_" and "-", or is "" for none')
        .refine((n) => !n.includes('__'), { message: 'a namespace must not contain "__" (it separates namespace and name)' }),
    ])
    .optional(),
};

/** Why a command line that runs a script from a string is refused, and what to give instead. */
const SCRIPT_REFUSALS: Readonly<Record<Reads, (program: string) => string>> = {
  commands: (program) =>
    `runs a shell ("${program}"), which would read its commands from text and undo "never through a shell": ` +
    'give the server\'s own program and arguments',
  code: (program) =>
    `runs code written on its command line ("${program}"), a script in a string just as a shell's commands are: ` +
    'put the code in a file and run that',
};

export const stdioServerSchema = configObject({
  type: z.literal('stdio'),
  command: programSchema,
  args: z.array(z.string()).default([]),
  cwd: z.string().optional(),
  /** The only variables the child gets beyond PATH/HOME/LANG; values may use `${env:NAME}`. */
  env: z.record(z.string(), envValue).default({}),
  sandbox: serverSandboxSchema.prefault({}),
  /** The admin means it: the command reads a script from a string, a shell's (`sh -c …`) or an interpreter's (`python3 -c …`). */
  allowShell: z.boolean().default(false),
  ...common,
}).superRefine((server, context) => {
  const script = server.allowShell ? undefined : scriptInArgv(server.command, server.args, server.env);
  if (script) {
    context.addIssue({
      code: 'custom',
      path: ['command'],
      message: `${SCRIPT_REFUSALS[script.reads](script.program)}, or set "allowShell": true if you mean it`,
    });
  }
});

/**
 * An http(s) URL without credentials: fetch refuses a URL holding them, and its error would carry them into logs and
 * status, so headers hold them. The value is never echoed: it may hold them. One check, so a URL that does not parse
 * gets one message, not an error thrown out of the parser.
 */
const serverUrl = z.string().superRefine((value, context) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    context.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL, e.g. "https://mcp.example.com/mcp"' });
  } else if (url.username !== '' || url.password !== '') {
    context.addIssue({
      code: 'custom',
      message: 'must not hold credentials (user:password@): send them in "headers", e.g. "Authorization": "Basic ${env:NAME}"',
    });
  }
});

export const httpServerSchema = configObject({
  type: z.enum(['http', 'sse']),
  url: serverUrl,
  headers: z.record(z.string(), envValue).default({}),
  sandbox: z.undefined({ error: 'only stdio servers run in a sandbox' }).optional(),
  ...common,
});

/**
 * `type` may be left out: `command` means stdio, `url` means Streamable HTTP. An entry with both is refused as such,
 * rather than as a stdio server with an unknown key `url` or an HTTP server with an unknown key `command`.
 */
function inferTransport(entry: unknown, context: z.RefinementCtx): unknown {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
  if ('command' in entry && 'url' in entry) {
    context.addIssue({
      code: 'custom',
      message: 'has both "command" (a stdio server it starts) and "url" (a server it reaches over HTTP): keep one of them',
    });
    return z.NEVER;
  }
  if ('type' in entry) return entry;
  return { ...entry, type: 'url' in entry ? 'http' : 'stdio' };
}

export const serverSchema = z.preprocess(
  inferTransport,
  z.discriminatedUnion('type', [stdioServerSchema, httpServerSchema], {
    error: 'unknown transport: `type` must be "stdio", "http" or "sse"',
  }),
);

export const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export const serversSchema = z
  .record(
    z.string().regex(SERVER_NAME, 'server names use letters, digits, "_" and "-"').refine((n) => !n.includes('__'), {
      message: 'server names must not contain "__" (it separates server and tool in exposed names)',
    }),
    serverSchema,
  )
  .superRefine((servers, context) => {
    // Two servers under one namespace would expose the same names: which server a name reaches would be a guess.
    const owners = new Map<string, string>();
    for (const [name, server] of Object.entries(servers)) {
      const namespace = serverNamespace(name, server);
      const owner = owners.get(namespace);
      if (owner === undefined) {
        owners.set(namespace, name);
        continue;
      }
      const shown = namespace === '' ? '"" (their own names, unprefixed)' : `"${namespace}"`;
      context.addIssue({
        code: 'custom',
        path: [name, 'namespace'],
        message: `servers "${owner}" and "${name}" both use the namespace ${shown}, so their names would collide: give one of them another "namespace"`,
      });
    }
  });

/** The prefix of a server's exposed names: its `namespace`, by default its name; `""` for none. */
export function serverNamespace(name: string, server: Pick<ServerConfig, 'namespace'>): string {
  return server.namespace ?? name;
}

export type StdioServerConfig = z.infer<typeof stdioServerSchema>;
export type HttpServerConfig = z.infer<typeof httpServerSchema>;
export type ServerConfig = z.infer<typeof serverSchema>;
