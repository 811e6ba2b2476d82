import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandPathReferences, type ConfigPaths } from '../config/path-reference.js';
import type { ServerSandboxConfig } from '../config/sandbox.js';
import { isWithin } from '../fs/is-within.js';
import type { Logger } from '../log.js';
import type { LaunchSpec } from './launch.js';

/** Whether bubblewrap can create a sandbox on this machine (user namespaces may be disabled). */
export type SandboxSupport =
  | { readonly available: true; readonly version: string }
  | { readonly available: false; readonly reason: string };

/** A user a sandboxed server runs as. */
export interface SandboxUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** What a sandboxed server may touch; folders absolute. */
export interface SandboxPolicy {
  readonly network: boolean;
  readonly writable: readonly string[];
  readonly readable: readonly string[];
  /** toolscope's own files (state folder, config file): hidden even inside readable or writable folders. */
  readonly private?: readonly string[];
  /** Run as this user instead of toolscope's. */
  readonly user?: SandboxUser;
}

/** `sandbox.mode: "required"` and bubblewrap does not work here: the server must not start (retrying cannot help). */
export class SandboxUnavailable extends Error {
  constructor(reason: string) {
    super(`sandbox.mode is "required" but the sandbox is unavailable: ${reason}`);
    this.name = 'SandboxUnavailable';
  }
}

/** One line for `toolscope status`. */
export function describeSandboxSupport(support: SandboxSupport | undefined): string {
  if (!support) return 'not checked yet';
  return support.available ? `available (${support.version})` : `unavailable: ${support.reason}`;
}

const PROBE_TIMEOUT_MS = 5_000;
const MAX_PROBE_OUTPUT = 4_096;

/** The namespaces every sandbox gets; `--share-net` is added when the server may use the network. */
const ISOLATION_ARGS = ['--unshare-all', '--die-with-parent', '--new-session'] as const;

/** The folder made private (an empty tmpfs) inside every sandbox, where programs are often unpacked or cloned. */
const PRIVATE_TMP = '/tmp';

/**
 * Host folders replaced by an empty tmpfs inside the sandbox: /tmp (a private one), /run (sockets such as
 * docker's or D-Bus reach around the network namespace) and the user's home (SSH keys, cloud credentials,
 * tokens, shell history).
 */
function hiddenFolders(home: string): string[] {
  return [PRIVATE_TMP, '/run', ...(home && home !== '/' ? [home] : [])].filter((folder) => existsSync(folder));
}

/** Credentials in a home folder, hidden even when the home itself is made visible (a working directory in it). */
const HOME_SECRET_FOLDERS = ['.ssh', '.gnupg', '.aws', '.azure', '.kube', '.docker', '.config/gcloud', '.config/gh', '.password-store'];
const HOME_SECRET_FILES = ['.netrc', '.npmrc', '.pypirc', '.pgpass', '.git-credentials', '.vault-token', '.bash_history', '.zsh_history'];

/**
 * Files and folders the command line names (the program, scripts, `--import=file:///…` modules), as canonical
 * paths: those under the private /tmp must stay visible or the server cannot even start.
 */
function namedPaths(spec: LaunchSpec): string[] {
  const words = [spec.command, ...spec.args].flatMap((word) => [word, ...(word.includes('=') ? [word.slice(word.indexOf('=') + 1)] : [])]);
  const paths = words.flatMap((word) => {
    if (word.startsWith('file://')) {
      try {
        return [fileURLToPath(word)];
      } catch {
        return [];
      }
    }
    return word.startsWith('/') ? [word] : [];
  });
  return paths.filter((path) => existsSync(path)).map(canonical);
}

/**
 * What of the private /tmp the server needs: for each named path under it, the folder right below /tmp that holds
 * it (a program needs the files beside it: its modules, its package), read-only.
 */
function visibleTmpFolders(spec: LaunchSpec): string[] {
  const tmp = canonical(PRIVATE_TMP);
  const tops = namedPaths(spec)
    .filter((path) => path !== tmp && isWithin(path, tmp))
    .map((path) => join(tmp, path.slice(tmp.length + 1).split(sep)[0]!));
  return [...new Set(tops)];
}

interface Mount {
  readonly path: string;
  readonly args: readonly string[];
}

/**
 * The bubblewrap command line: the whole system read-only, /dev and /proc of its own, the hidden folders empty
 * (and known credential files in the home blanked), the working directory and `readable` folders read-only,
 * `writable` folders read-write, with the most specific path winning; every namespace unshared (network too
 * unless allowed), killed with toolscope, in its own session (no terminal injection).
 *
 * The environment is not passed as `--setenv` arguments (any local user can read a process's argv):
 * bwrap is spawned with exactly the child's environment and hands it on unchanged (adding PWD).
 */
export function bubblewrapArgs(spec: LaunchSpec, policy: SandboxPolicy, home: string = homedir()): string[] {
  const hidden = hiddenFolders(home);
  const cwd = canonical(spec.cwd);
  const bind = (flag: string) => (path: string) => ({ path, args: [flag, path, path] });
  const mounts: Mount[] = [
    ...hidden.map((path) => ({ path, args: ['--tmpfs', path] })),
    ...existing(home, HOME_SECRET_FOLDERS).map((path) => ({ path, args: ['--tmpfs', path] })),
    ...existing(home, HOME_SECRET_FILES).map((path) => ({ path, args: ['--ro-bind', '/dev/null', path] })),
    bind('--ro-bind')(cwd),
    ...visibleTmpFolders(spec).map(bind('--ro-bind')),
    ...policy.readable.map(bind('--ro-bind')),
    ...policy.writable.map(bind('--bind')),
  ];
  // Only what would otherwise be seen needs hiding (under a hidden folder, bwrap could not even create the mount point).
  const granted = [cwd, ...visibleTmpFolders(spec), ...policy.readable, ...policy.writable];
  const seen = (path: string) =>
    (granted.some((folder) => isWithin(path, folder)) || !hidden.some((folder) => isWithin(path, folder))) &&
    (!policy.user || permits(dirname(path), policy.user, 0o1));
  // Last, so at equal depth the hiding wins; folders granted below them (a server's own state folder) stay granted.
  for (const path of existingPaths(policy.private ?? []).filter(seen)) {
    mounts.push(statSync(path).isDirectory() ? { path, args: ['--tmpfs', path] } : { path, args: ['--ro-bind', '/dev/null', path] });
  }
  if (policy.network) {
    // /etc/resolv.conf often points into /run (systemd-resolved); name resolution needs it.
    const resolver = canonical('/etc/resolv.conf');
    if (hidden.some((folder) => isWithin(resolver, folder))) mounts.push(bind('--ro-bind')(resolver));
  }
  // Shallowest first (a stable sort keeps hiding before granting at equal depth), so the most specific path wins.
  mounts.sort((a, b) => depth(a.path) - depth(b.path));
  return [
    '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc',
    ...mounts.flatMap((mount) => mount.args),
    ...ISOLATION_ARGS,
    ...(policy.network ? ['--share-net'] : []),
    '--chdir', cwd, '--', spec.command, ...spec.args,
  ];
}

/**
 * A server's sandbox folders as canonical absolute paths: `${configDir}`/`${stateDir}` expanded, relative ones
 * resolved against the config file's folder. A missing folder is an error: bubblewrap would refuse it less clearly.
 * toolscope's state folder and config file are hidden; when toolscope runs as root the server runs as `user`
 * (default `nobody`), and each writable folder must be writable by that user.
 */
export function sandboxPolicy(server: string, config: ServerSandboxConfig, paths: ConfigPaths): SandboxPolicy {
  const folders = (key: 'writable' | 'readable') =>
    config[key].map((folder, index) => {
      const absolute = resolve(paths.configDir, expandPathReferences(folder, paths));
      if (!existsSync(absolute)) {
        throw new Error(`servers.${server}.sandbox.${key}.${index}: ${absolute} does not exist`);
      }
      return canonical(absolute);
    });
  const user = sandboxUser(server, config.user);
  const writable = folders('writable');
  if (user) {
    writable.forEach((folder, index) => {
      if (!permits(folder, user, 0o2)) {
        throw new Error(
          `servers.${server}.sandbox.writable.${index}: ${folder} is not writable by ${user.name} (uid ${user.uid}), ` +
            `whom the sandboxed server runs as: give it to that user (chown ${user.uid}:${user.gid} ${folder}) or set sandbox.user`,
        );
      }
    });
  }
  const privateFiles = [paths.stateDir, ...(paths.configFile ? [paths.configFile] : [])].map(canonical);
  return { network: config.network, writable, readable: folders('readable'), private: privateFiles, ...(user && { user }) };
}

/** The user to run as: none unless toolscope is root (only root may switch users) and the config does not say `false`. */
function sandboxUser(server: string, configured: string | false | undefined): SandboxUser | undefined {
  if (configured === false || process.getuid?.() !== 0) return undefined;
  const wanted = configured ?? 'nobody';
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === wanted || (/^\d+$/.test(wanted) && fields[2] === wanted));
  if (entry) return { name: entry[0]!, uid: Number(entry[2]), gid: Number(entry[3]) };
  if (/^\d+$/.test(wanted)) return { name: wanted, uid: Number(wanted), gid: Number(wanted) };
  throw new Error(`servers.${server}.sandbox.user: no user "${wanted}" in /etc/passwd`);
}

/**
 * Whether `user` has the permission `bits` (0o2 write, 0o1 search) on `path` by its owner, group or other bits
 * (toolscope is root, so access() would always say yes).
 */
function permits(path: string, user: SandboxUser, bits: number): boolean {
  const { uid, gid, mode } = statSync(path);
  if (uid === user.uid) return (mode & (bits << 6)) !== 0;
  if (gid === user.gid) return (mode & (bits << 3)) !== 0;
  return (mode & bits) !== 0;
}

/**
 * toolscope's bubblewrap: checks once whether it works here, and wraps a server's launch according to its
 * `sandbox.mode`.
 */
export class Bubblewrap {
  private checking: Promise<SandboxSupport> | undefined;
  private known: SandboxSupport | undefined;
  private readonly warned = new Set<string>();

  constructor(
    readonly program: string,
    private readonly logger: Logger,
  ) {}

  /** The result of the check, once it has finished. */
  get support(): SandboxSupport | undefined {
    return this.known;
  }

  /** Runs `bwrap --version` and a trial sandbox, once; later calls share the answer. */
  check(): Promise<SandboxSupport> {
    this.checking ??= probe(this.program).then((support) => {
      this.known = support;
      this.logger.info({ sandbox: describeSandboxSupport(support) }, 'sandbox check');
      return support;
    });
    return this.checking;
  }

  /**
   * What to spawn for `spec`: itself when the mode is `off` (or `auto` without a working bubblewrap, with a
   * warning once per server), otherwise bwrap around it. `required` without bubblewrap throws SandboxUnavailable.
   */
  async confine(
    server: string,
    spec: LaunchSpec,
    mode: ServerSandboxConfig['mode'],
    policy: () => SandboxPolicy,
  ): Promise<LaunchSpec> {
    if (mode === 'off') return spec;
    const support = await this.check();
    if (!support.available) {
      if (mode === 'required') throw new SandboxUnavailable(support.reason);
      if (!this.warned.has(server)) {
        this.warned.add(server);
        this.logger.warn(
          { server, reason: support.reason },
          'sandbox.mode is "auto" and the sandbox is unavailable: running the server without it',
        );
      }
      return spec;
    }
    const confined = policy();
    return {
      ...spec,
      command: this.program,
      args: bubblewrapArgs(spec, confined),
      sandboxed: true,
      ...(confined.user && { uid: confined.user.uid, gid: confined.user.gid }),
    };
  }
}

async function probe(program: string): Promise<SandboxSupport> {
  const version = await run(program, ['--version']);
  if (version.error !== undefined) return { available: false, reason: `cannot run ${program} (${version.error})` };
  if (version.code !== 0) {
    return { available: false, reason: `${program} --version failed: ${firstLine(version.stderr) ?? `exit code ${version.code}`}` };
  }
  const trial = await run(program, [
    '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
    ...ISOLATION_ARGS, '--', process.execPath, '--version',
  ]);
  if (trial.error !== undefined || trial.code !== 0) {
    const why = trial.error ?? firstLine(trial.stderr) ?? `exit code ${trial.code}`;
    return { available: false, reason: `${program} cannot create a sandbox here: ${why}` };
  }
  return { available: true, version: firstLine(version.stdout) ?? 'bubblewrap' };
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

function run(program: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(program, [...args], {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeout: PROBE_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(0, MAX_PROBE_OUTPUT)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(0, MAX_PROBE_OUTPUT)));
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolvePromise({ code: null, stdout, stderr, error: SPAWN_ERRORS[error.code ?? ''] ?? error.message }),
    );
    child.once('close', (code, signal) =>
      resolvePromise({ code, stdout, stderr, ...(signal && { error: `killed by ${signal}` }) }),
    );
  });
}

const SPAWN_ERRORS: Readonly<Record<string, string>> = { ENOENT: 'not found', EACCES: 'not executable' };

function firstLine(text: string): string | undefined {
  return text.split('\n').find((line) => line.trim())?.trim();
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function existingPaths(paths: readonly string[]): string[] {
  return paths.filter((path) => existsSync(path));
}

function existing(home: string, relative: readonly string[]): string[] {
  if (!home || home === '/') return [];
  return relative.map((path) => join(home, path)).filter((path) => existsSync(path));
}

function depth(path: string): number {
  return path.split(sep).filter(Boolean).length;
}
