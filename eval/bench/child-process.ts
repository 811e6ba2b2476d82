import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { buildChildren, CHILD_SOURCES, childEntryPoint, type ChildBuild, type ChildScript } from './child-build.js';
import { REPO_ROOT } from './paths.js';

/** The only parent variables a bench child gets. */
const PASSED_ENV = ['PATH', 'HOME', 'LANG'] as const;

export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

let childBuild: ChildBuild | undefined;

/**
 * Runs `work` with the children bundled for it (plain JavaScript on bare node, which starts faster than tsx), and
 * removes the bundle afterwards. Outside it, children start from their TypeScript through tsx.
 */
export async function withBundledChildren<T>(work: () => Promise<T>): Promise<T> {
  const build = await buildChildren();
  childBuild = build;
  try {
    return await work();
  } finally {
    childBuild = undefined;
    await build.remove();
  }
}

/** How to start one of the bench's processes: the node binary and its argv. */
export function childLaunch(script: ChildScript, args: readonly string[] = []): { command: string; args: string[] } {
  const entry = childBuild ? [childEntryPoint(childBuild, script)] : ['--import', 'tsx', CHILD_SOURCES[script]];
  return { command: process.execPath, args: [...entry, ...args] };
}

export interface BenchChildOptions {
  /** Kills the child when it aborts. */
  readonly signal?: AbortSignal;
}

export type ChildMessage = { readonly type: string } & Record<string, unknown>;

/**
 * A bench child process: speaks JSON lines on stdout (`{"type": …}`), exits when its stdin closes, and is killed
 * when `signal` aborts. Its stderr is kept (last lines) to explain failures.
 */
export class BenchChild {
  private readonly process: ChildProcess;
  private readonly messages: ChildMessage[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly stderrTail: string[] = [];
  private exited = false;
  private readonly exit: Promise<number | null>;

  constructor(
    private readonly script: ChildScript,
    args: readonly string[],
    options: BenchChildOptions = {},
  ) {
    const launch = childLaunch(script, args);
    this.process = spawn(launch.command, launch.args, {
      cwd: REPO_ROOT,
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      this.messages.push(JSON.parse(line) as ChildMessage);
      this.wake();
    });
    createInterface({ input: this.process.stderr! }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    this.exit = once(this.process, 'exit').then(([code]) => {
      this.exited = true;
      this.wake();
      return code as number | null;
    });
    const kill = () => this.kill();
    options.signal?.addEventListener('abort', kill, { once: true });
    void this.exit.then(() => options.signal?.removeEventListener('abort', kill));
  }

  /** The next message of `type` (earlier ones of other types are dropped); rejects if the child exits first. */
  async next(type: string): Promise<ChildMessage> {
    for (;;) {
      const index = this.messages.findIndex((message) => message.type === type);
      if (index >= 0) return this.messages.splice(0, index + 1).pop()!;
      const failure = this.messages.find((message) => message.type === 'error');
      if (failure) throw new Error(`${this.describe()}: ${String(failure.message)}`);
      if (this.exited) throw new Error(`${this.describe()} exited before sending "${type}"; stderr: ${this.stderrTail.join(' | ')}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Drains messages received so far of `type`. */
  take(type: string): ChildMessage[] {
    const taken = this.messages.filter((message) => message.type === type);
    this.messages.splice(0, this.messages.length, ...this.messages.filter((message) => message.type !== type));
    return taken;
  }

  /** Closes its stdin (the child's cue to finish) and waits for it to exit. */
  async close(): Promise<void> {
    if (!this.exited) this.process.stdin?.end();
    const timer = setTimeout(() => this.kill(), 10_000);
    await this.exit;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.process.kill('SIGKILL');
  }

  private describe(): string {
    return `bench child ${this.script} (pid ${this.process.pid})`;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
