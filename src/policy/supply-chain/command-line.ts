import { basename } from 'node:path';

/** A program and its arguments, as a command line would start them. */
export interface CommandLine {
  readonly program: string;
  readonly args: readonly string[];
}

interface Wrapper {
  /** Options that take a value: `-n 5`, `-n5`, `--adjustment=5`, and short ones at the end of a cluster (`-vn 5`). */
  readonly withValue: ReadonlySet<string>;
  /** Words before the program that are no options (`timeout 60 cmd`). */
  readonly positional?: number;
  /** env's `-S`: the value is itself a command line, split into words (`-S "sh -c x"`, `-Ssh`, `-vS"sh -c x"`). */
  readonly splitString?: ReadonlySet<string>;
}

/**
 * Programs that run another program given on their command line, with the options each takes a value for:
 * `env npx pkg`, `nice -n 5 sh -c …`, `timeout 60 uvx pkg`. What they run is what counts.
 */
const WRAPPERS: Readonly<Record<string, Wrapper>> = {
  env: { withValue: new Set(['-u', '--unset', '-C', '--chdir']), splitString: new Set(['-S', '--split-string']) },
  nice: { withValue: new Set(['-n', '--adjustment']) },
  nohup: { withValue: new Set() },
  setsid: { withValue: new Set() },
  stdbuf: { withValue: new Set(['-i', '-o', '-e']) },
  timeout: { withValue: new Set(['-s', '--signal', '-k', '--kill-after']), positional: 1 },
  ionice: { withValue: new Set(['-c', '--class', '-n', '--classdata', '-p', '--pid']) },
  chrt: { withValue: new Set(), positional: 1 },
  taskset: { withValue: new Set(), positional: 1 },
  chroot: { withValue: new Set(['--userspec', '--groups']), positional: 1 },
  unshare: { withValue: new Set(['--setuid', '-S', '--setgid', '-G', '--root', '-R', '--wd', '-w']) },
  prlimit: { withValue: new Set(['-p', '--pid']) },
  flock: { withValue: new Set(['-w', '--timeout', '-E', '--conflict-exit-code']), positional: 1 },
  time: { withValue: new Set(['-f', '--format', '-o', '--output']) },
  sudo: { withValue: new Set(['-u', '--user', '-g', '--group', '-C', '-D', '--chdir', '-h', '--host', '-p', '--prompt']) },
  doas: { withValue: new Set(['-u', '-C']) },
  xargs: { withValue: new Set(['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s']) },
};

/** Programs that read commands from text: as a server's command they undo "never through a shell". */
const SHELLS = new Set([
  'sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'mksh', 'pdksh', 'yash', 'fish', 'csh', 'tcsh', 'rc', 'es', 'nu', 'elvish',
  'xonsh', 'busybox', 'toybox', 'cmd', 'cmd.exe', 'command.com', 'powershell', 'powershell.exe', 'pwsh', 'pwsh.exe',
  'tmux', 'screen', 'su',
]);

/**
 * Programs that hand text to a shell when given one of these options: `script -c "…"`, `runuser -c`,
 * `flock LOCK -c "…"`, `sudo -s`/`-i`, `doas -s`. `watch` always does, unless told `-x`.
 */
const SHELL_OPTIONS: Readonly<Record<string, { readonly options: ReadonlySet<string>; readonly unless?: ReadonlySet<string> }>> = {
  script: { options: new Set(['-c', '--command']) },
  runuser: { options: new Set(['-c', '--command', '--session-command', '-s', '--shell', '-', '-l', '--login']) },
  flock: { options: new Set(['-c', '--command']) },
  sudo: { options: new Set(['-s', '--shell', '-i', '--login']) },
  doas: { options: new Set(['-s']) },
  watch: { options: new Set(), unless: new Set(['-x', '--exec']) },
};

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The program name without folder or Windows extension, lower-case: `/usr/bin/NPX.cmd` is `npx`. */
export function programName(command: string): string {
  return basename(command.replaceAll('\\', '/')).toLowerCase().replace(/\.(exe|cmd|bat|ps1)$/, '');
}

/** One program of a command line and the options it was given before the program it runs, if it is a wrapper. */
interface Level extends CommandLine {
  readonly options: readonly string[];
}

/**
 * Each program a command line starts, outermost first, looking through wrappers such as `env`, `nice`, `timeout` or
 * `sudo` (`env -S "sh -c x"` splits its string as env would). A wrapper with nothing left to run ends the chain.
 */
function commandChain(command: string, args: readonly string[]): Level[] {
  const chain: Level[] = [];
  let current: CommandLine = { program: command, args };
  for (let depth = 0; depth < 16; depth += 1) {
    const wrapper = WRAPPERS[programName(current.program)];
    const inner = wrapper && unwrap(current.args, wrapper);
    chain.push({ ...current, options: inner ? current.args.slice(0, inner.at) : current.args });
    if (!inner) break;
    current = inner.command;
  }
  return chain;
}

/** What a command line really runs once wrappers are looked through. */
export function effectiveCommand(command: string, args: readonly string[]): CommandLine {
  const { program, args: innerArgs } = commandChain(command, args).at(-1)!;
  return { program, args: innerArgs };
}

function unwrap(args: readonly string[], wrapper: Wrapper): { command: CommandLine; at: number } | undefined {
  const split = (text: string, rest: readonly string[], at: number) => {
    // env -S "sh -c 'x'" runs the words of its string, followed by the remaining arguments.
    const [program, ...splitArgs] = [...text.split(/\s+/).filter(Boolean), ...rest];
    return program === undefined ? undefined : { command: { program, args: splitArgs }, at };
  };
  let skipPositional = wrapper.positional ?? 0;
  for (let i = 0; i < args.length; i += 1) {
    const word = args[i]!;
    if (word === '--') continue;
    if (word.startsWith('--')) {
      const [option, inline] = word.split('=', 2) as [string, string | undefined];
      if (wrapper.splitString?.has(option)) return inline === undefined ? split(args[i + 1] ?? '', args.slice(i + 2), i) : split(inline, args.slice(i + 1), i);
      if (inline === undefined && wrapper.withValue.has(option)) i += 1;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      // A cluster of short options: the first that takes a value takes the rest of the word, or the next word.
      for (let c = 1; c < word.length; c += 1) {
        const option = `-${word[c]}`;
        const value = word.slice(c + 1).replace(/^=/, '');
        if (wrapper.splitString?.has(option)) return value === '' ? split(args[i + 1] ?? '', args.slice(i + 2), i) : split(value, args.slice(i + 1), i);
        if (wrapper.withValue.has(option)) {
          if (value === '') i += 1;
          break;
        }
      }
      continue;
    }
    if (ENV_ASSIGNMENT.test(word)) continue;
    if (skipPositional > 0) {
      skipPositional -= 1;
      continue;
    }
    return { command: { program: word, args: args.slice(i + 1) }, at: i };
  }
  return undefined;
}

/**
 * The shell a server's command line would start (looking through wrappers), if any: a shell as a program, or a
 * program told to hand text to one (`script -c`, `sudo -s`, `watch`), named with that option.
 */
export function shellIn(command: string, args: readonly string[]): string | undefined {
  for (const level of commandChain(command, args)) {
    const name = programName(level.program);
    if (SHELLS.has(name)) return name;
    const runner = SHELL_OPTIONS[name];
    if (!runner) continue;
    const given = level.options.find((word) => runner.options.has(word.split('=', 1)[0]!) || clusterHas(word, runner.options));
    if (given !== undefined) return `${name} ${given}`;
    if (runner.unless && !level.options.some((word) => runner.unless!.has(word) || clusterHas(word, runner.unless!))) return name;
  }
  return undefined;
}

/** Whether a cluster of short options (`-qc`, `-lc`) holds one of `options`. */
function clusterHas(word: string, options: ReadonlySet<string>): boolean {
  return /^-[A-Za-z]{2,}/.test(word) && [...word.slice(1)].some((letter) => options.has(`-${letter}`));
}
