import { basename } from 'node:path';

type Ecosystem = 'npm' | 'pypi';

/** Programs (and subcommands) that download a package by name and run it. */
const RUNNERS: ReadonlyArray<{ command: string; subcommand?: string; ecosystem: Ecosystem }> = [
  { command: 'npx', ecosystem: 'npm' },
  { command: 'bunx', ecosystem: 'npm' },
  { command: 'pnpx', ecosystem: 'npm' },
  { command: 'pnpm', subcommand: 'dlx', ecosystem: 'npm' },
  { command: 'yarn', subcommand: 'dlx', ecosystem: 'npm' },
  { command: 'npm', subcommand: 'exec', ecosystem: 'npm' },
  { command: 'uvx', ecosystem: 'pypi' },
  { command: 'pipx', subcommand: 'run', ecosystem: 'pypi' },
];

/** Per ecosystem: options whose value IS the package, and options that take some other value as the next word. */
const OPTIONS: Record<Ecosystem, { package: ReadonlySet<string>; withValue: ReadonlySet<string> }> = {
  npm: { package: new Set(['--package', '-p']), withValue: new Set(['--registry', '--cache', '--call', '-c', '--userconfig']) },
  pypi: {
    package: new Set(['--from', '--spec']),
    withValue: new Set(['--python', '-p', '--with', '--index-url', '--extra-index-url', '--cache-dir', '--pip-args']),
  },
};

export interface LaunchedPackage {
  readonly name: string;
  readonly ecosystem: Ecosystem;
}

/**
 * The package an `npx`/`uvx`-style command line runs, without version: `npx -y @scope/name@1.2 --flag` gives
 * `@scope/name`; `uvx --from mcp-server-git==1.0 mcp-server-git` gives `mcp-server-git`. Undefined when `command`
 * is no package runner.
 */
export function packageFromArgv(command: string, args: readonly string[]): LaunchedPackage | undefined {
  const program = basename(command);
  const runner = RUNNERS.find((r) => r.command === program && (!r.subcommand || args[0] === r.subcommand));
  if (!runner) return undefined;
  const rest = runner.subcommand ? args.slice(1) : args;
  const options = OPTIONS[runner.ecosystem];
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i]!;
    if (word === '--') continue;
    const [option, inlineValue] = word.split('=', 2) as [string, string | undefined];
    if (options.package.has(option)) {
      const value = inlineValue ?? rest[i + 1];
      return value ? { name: stripVersion(value, runner.ecosystem), ecosystem: runner.ecosystem } : undefined;
    }
    if (word.startsWith('-')) {
      if (inlineValue === undefined && options.withValue.has(option)) i += 1;
      continue;
    }
    return { name: stripVersion(word, runner.ecosystem), ecosystem: runner.ecosystem };
  }
  return undefined;
}

function stripVersion(spec: string, ecosystem: Ecosystem): string {
  if (ecosystem === 'pypi') return spec.split(/[=<>!~@[;\s]/, 1)[0]!;
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at > 0 ? spec.slice(0, at) : spec;
}
