import { z } from 'zod';
import { configObject } from './strict-object.js';
import { programSchema } from './program.js';

export const SANDBOX_MODES = ['off', 'auto', 'required'] as const;

/**
 * A stdio server's sandbox (bubblewrap). `auto`: sandboxed when bubblewrap works here, otherwise run as is
 * with a warning. `required`: the server does not start without it. Folders may use `${configDir}` and
 * `${stateDir}`; relative ones are resolved against the config file's folder.
 */
export const serverSandboxSchema = configObject({
  mode: z.enum(SANDBOX_MODES).default('off'),
  /** Share toolscope's network; without it the server has no network at all (not even loopback). */
  network: z.boolean().default(false),
  /** The only folders the server may write to (they must exist). */
  writable: z.array(z.string().min(1)).default([]),
  /** Folders made readable although the sandbox hides them (anything under $HOME, /tmp or /run). */
  readable: z.array(z.string().min(1)).default([]),
  /**
   * The user the server runs as (a name from /etc/passwd or a uid), when toolscope may switch users (it runs as
   * root). Default `nobody`; `false` keeps toolscope's own user.
   */
  user: z.union([z.string().regex(/^[a-z_][a-z0-9_-]*\$?$|^\d+$/, 'must be a user name or a uid'), z.literal(false)]).optional(),
});

export type ServerSandboxConfig = z.infer<typeof serverSandboxSchema>;

/** How this machine sandboxes: the bubblewrap program (checked once at start; see `toolscope status`). */
export const sandboxHostSchema = configObject({
  bwrap: programSchema.default('bwrap'),
});

export type SandboxHostConfig = z.infer<typeof sandboxHostSchema>;
