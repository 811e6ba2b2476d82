import { basename } from 'node:path';

/** A program and its arguments, as a command line would start them. */
export interface CommandLine {
  readonly program: string;
  readonly args: readonly string[];
}

/**
 * Programs that run another program given on their command line, with the options each takes a value for:
 * `env npx pkg`, `nice -n 5 sh -c …`, `timeout 60 uvx pkg`. What they run is what counts.
 */
const WRAPPERS: Readonly<Record<string, { readonly withValue: ReadonlySet<string>; readonly positional?: number }>> = {
  env: { withValue: new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']) },
  nice: { withValue: new Set(['-n', '--adjustment']) },
  nohup: { withValue: new Set() },
  setsid: { withValue: new Set() },
  stdbuf: { withValue: new Set(['-i', '-o', '-e']) },
  timeout: { withValue: new Set(['-s', '--signal', '-k', '--kill-after']), positional: 1 },
  ionice: { withValue: new Set(['-c', '--class', '-n', '--classdata', '-p', '--pid']) },
  chrt: { withValue: new Set(), positional: 1 },
  taskset: { withValue: new Set(), positional: 1 },
  time: { withValue: new Set(['-f', '--format', '-o', '--output']) },
  sudo: { withValue: new Set(['-u', '--user', '-g', '--group', '-C', '-D', '--chdir', '-h', '--host', '-p', '--prompt']) },
  doas: { withValue: new Set(['-u', '-C']) },
  xargs: { withValue: new Set(['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s']) },
};

/** Programs that read commands from text: as a server's command they undo "never through a shell". */
const SHELLS = new Set([
  'sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'mksh', 'pdksh', 'yash', 'fish', 'csh', 'tcsh', 'rc', 'es', 'nu', 'elvish',
  'xonsh', 'busybox', 'toybox', 'cmd', 'cmd.exe', 'command.com', 'powershell', 'powershell.exe', 'pwsh', 'pwsh.exe',
]);

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The program name without folder or Windows extension, lower-case: `/usr/bin/NPX.cmd` is `npx`. */
export function programName(command: string): string {
  return basename(command.replaceAll('\\', '/')).toLowerCase().replace(/\.(exe|cmd|bat|ps1)$/, '');
}

/**
 * What a command line really runs once wrappers such as `env`, `nice`, `timeout` or `sudo` are looked through
 * (`env -S "sh -c x"` splits its string as env would). A wrapper with nothing left to run is returned as it is.
 */
export function effectiveCommand(command: string, args: readonly string[]): CommandLine {
  let current: CommandLine = { program: command, args };
  for (let depth = 0; depth < 16; depth += 1) {
    const wrapper = WRAPPERS[programName(current.program)];
    if (!wrapper) return current;
    const inner = unwrap(current.args, wrapper.withValue, wrapper.positional ?? 0);
    if (!inner) return current;
    current = inner;
  }
  return current;
}

function unwrap(args: readonly string[], withValue: ReadonlySet<string>, positional: number): CommandLine | undefined {
  let skipPositional = positional;
  for (let i = 0; i < args.length; i += 1) {
    const word = args[i]!;
    if (word === '--') continue;
    const [option, inline] = word.split('=', 2) as [string, string | undefined];
    if (option === '-S' || option === '--split-string') {
      // env -S "sh -c 'x'" runs the words of its string, followed by the remaining arguments.
      const split = (inline ?? args[i + 1] ?? '').split(/\s+/).filter(Boolean);
      const rest = args.slice(inline === undefined ? i + 2 : i + 1);
      const [program, ...splitArgs] = [...split, ...rest];
      return program === undefined ? undefined : { program, args: splitArgs };
    }
    if (word.startsWith('-') && word.length > 1) {
      if (inline === undefined && withValue.has(option)) i += 1;
      continue;
    }
    if (ENV_ASSIGNMENT.test(word)) continue;
    if (skipPositional > 0) {
      skipPositional -= 1;
      continue;
    }
    return { program: word, args: args.slice(i + 1) };
  }
  return undefined;
}

/** The shell a server's command line would start (looking through wrappers), if any. */
export function shellIn(command: string, args: readonly string[]): string | undefined {
  const { program } = effectiveCommand(command, args);
  const name = programName(program);
  return SHELLS.has(name) ? name : undefined;
}
