import { effectiveCommand, programName } from './command-line.js';

type Ecosystem = 'npm' | 'pypi';

/**
 * Programs (and subcommands) that download a package by name and run it. Options may come before the subcommand
 * (`npm --yes exec pkg`, `pnpm --silent dlx pkg`).
 */
const RUNNERS: ReadonlyArray<{ command: string; subcommand?: readonly string[]; ecosystem: Ecosystem }> = [
  { command: 'npx', ecosystem: 'npm' },
  { command: 'bunx', ecosystem: 'npm' },
  { command: 'pnpx', ecosystem: 'npm' },
  { command: 'pnpm', subcommand: ['dlx'], ecosystem: 'npm' },
  { command: 'pnpm', subcommand: ['exec'], ecosystem: 'npm' },
  { command: 'yarn', subcommand: ['dlx'], ecosystem: 'npm' },
  { command: 'npm', subcommand: ['exec'], ecosystem: 'npm' },
  { command: 'npm', subcommand: ['x'], ecosystem: 'npm' },
  { command: 'npm', subcommand: ['exe'], ecosystem: 'npm' }, // npm takes an abbreviation of a command
  { command: 'bun', subcommand: ['x'], ecosystem: 'npm' },
  { command: 'uvx', ecosystem: 'pypi' },
  { command: 'uv', subcommand: ['tool', 'run'], ecosystem: 'pypi' },
  { command: 'uv', subcommand: ['tool', 'uvx'], ecosystem: 'pypi' },
  { command: 'pipx', subcommand: ['run'], ecosystem: 'pypi' },
];

/** Per ecosystem: options whose value IS the package, and options that take some other value as the next word. */
const OPTIONS: Record<Ecosystem, { package: ReadonlySet<string>; withValue: ReadonlySet<string> }> = {
  npm: {
    package: new Set(['--package', '-p']),
    withValue: new Set(['--registry', '--cache', '--call', '-c', '--userconfig', '--prefix', '-C', '--dir', '--workspace', '-w', '--loglevel']),
  },
  pypi: {
    package: new Set(['--from', '--spec']),
    withValue: new Set(['--python', '-p', '--with', '--index-url', '--extra-index-url', '--cache-dir', '--pip-args', '--index', '--directory']),
  },
};

export interface LaunchedPackage {
  readonly name: string;
  readonly ecosystem: Ecosystem;
}

/**
 * The package a package-runner command line runs, without version: `npx -y @scope/name@1.2 --flag` gives
 * `@scope/name`; `uvx --from mcp-server-git==1.0 mcp-server-git` gives `mcp-server-git`; wrappers are looked
 * through (`env npx pkg`). Undefined when the command is no package runner.
 */
export function packageFromArgv(command: string, args: readonly string[]): LaunchedPackage | undefined {
  const effective = effectiveCommand(command, args);
  const program = programName(effective.program);
  for (const runner of RUNNERS.filter((r) => r.command === program)) {
    const options = OPTIONS[runner.ecosystem];
    const rest = afterSubcommand(effective.args, runner.subcommand ?? [], options.withValue);
    if (rest) return packageIn(rest, runner.ecosystem);
  }
  return undefined;
}

/** The words after `subcommand` (options before it skipped), or undefined when the words are another subcommand. */
function afterSubcommand(args: readonly string[], subcommand: readonly string[], withValue: ReadonlySet<string>): readonly string[] | undefined {
  let i = 0;
  for (const expected of subcommand) {
    while (i < args.length && args[i]!.startsWith('-')) {
      const [option, inline] = args[i]!.split('=', 2) as [string, string | undefined];
      i += inline === undefined && withValue.has(option) ? 2 : 1;
    }
    if (args[i] !== expected) return undefined;
    i += 1;
  }
  return args.slice(i);
}

function packageIn(rest: readonly string[], ecosystem: Ecosystem): LaunchedPackage | undefined {
  const options = OPTIONS[ecosystem];
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i]!;
    if (word === '--') continue;
    const [option, inlineValue] = word.split('=', 2) as [string, string | undefined];
    if (options.package.has(option)) {
      const value = inlineValue ?? rest[i + 1];
      return value ? { name: stripVersion(value, ecosystem), ecosystem } : undefined;
    }
    if (word.startsWith('-')) {
      if (inlineValue === undefined && options.withValue.has(option)) i += 1;
      continue;
    }
    return { name: stripVersion(word, ecosystem), ecosystem };
  }
  return undefined;
}

function stripVersion(spec: string, ecosystem: Ecosystem): string {
  if (ecosystem === 'pypi') return spec.split(/[=<>!~@[;\s]/, 1)[0]!;
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at > 0 ? spec.slice(0, at) : spec;
}
