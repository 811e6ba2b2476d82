import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest installed PostgreSQL's bin folder (Debian layout), or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(root, versions[0], 'bin');
}

export interface Cluster {
  /** Folder of the Unix socket: the cluster listens on no TCP port at all. */
  readonly socketDir: string;
  /** Every statement the server executed (log_statement = all). */
  readonly logFile: string;
  /** `postgresql://postgres@localhost/postgres?host=<socketDir>` */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway cluster in a temp folder. PostgreSQL refuses to run as root, so as root the cluster runs as the
 * `postgres` system user the Debian package creates (spawned with its uid: no su, no shell).
 */
export async function startCluster(bin: string): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'toolscope-pg-'));
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (owner) await chown(dir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  await run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { ...as, cwd: dir });
  await appendFile(
    join(data, 'postgresql.conf'),
    [`listen_addresses = ''`, `unix_socket_directories = '${dir}'`, `log_statement = 'all'`, 'fsync = off', ''].join('\n'),
  );
  await run(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', 'start'], { ...as, cwd: dir });
  return {
    socketDir: dir,
    logFile,
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`,
    async stop() {
      await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...as, cwd: dir }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) throw new Error(`running as root needs the "${name}" user (created by the postgresql package) to run PostgreSQL`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
