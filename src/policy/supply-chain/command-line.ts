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
  /** The word that must come first among those that are no options (`uv run cmd`); with another, nothing is run (`uv tool …`). */
  readonly subcommand?: string;
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
  // `uv run python -c …`; `uv tool run pkg` runs a package (package-from-argv.ts).
  uv: {
    withValue: new Set([
      '--directory', '--project', '--cache-dir', '--config-file', '--color', '--python-preference', '--allow-insecure-host',
      '--python', '-p', '--with', '--with-editable', '--with-requirements', '--env-file', '--package', '--extra', '--no-extra',
      '--group', '--no-group', '--only-group', '--index', '--default-index', '--index-url', '-i', '--extra-index-url',
      '--find-links', '-f', '--index-strategy', '--keyring-provider', '--resolution', '--prerelease', '--fork-strategy',
      '--exclude-newer', '--exclude-newer-package', '--link-mode', '--config-setting', '-C', '--config-settings-package',
      '--no-build-isolation-package', '--no-build-package', '--no-binary-package', '--refresh-package', '--reinstall-package',
      '--upgrade-package', '-P', '--python-platform', '--max-recursion-depth',
    ]),
    subcommand: 'run',
  },
};

/** Programs that run others named after one of these actions, each up to `;` (or `{} +`): `find DIR -exec sh -c … ';'`. */
const ACTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  find: new Set(['-exec', '-execdir', '-ok', '-okdir']),
};

/** Programs that read commands from text: as a server's command they undo "never through a shell". */
const SHELLS = new Set([
  'sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'mksh', 'pdksh', 'yash', 'fish', 'csh', 'tcsh', 'rc', 'es', 'nu', 'elvish',
  'xonsh', 'busybox', 'toybox', 'cmd', 'cmd.exe', 'command.com', 'powershell', 'powershell.exe', 'pwsh', 'pwsh.exe',
  'tmux', 'screen', 'su',
]);

/** What a program reads from a string on its command line: commands for a shell, or code in its own language. */
export type Reads = 'commands' | 'code';

/** How to tell an option's value from the first word that is no option (the script, package or command run). */
type OptionArity =
  /**
   * These options take a value: glued to a short one, after `=`, or the next word; `gluedValue` ones only what is
   * glued (`perl -i.bak`, while `perl -i -e …` gives no value to `-i`). Others take none.
   */
  | { readonly withValue: ReadonlySet<string>; readonly gluedValue?: ReadonlySet<string> }
  /** These options take no value; any other takes the next word unless it starts with `-`, as npx reads them. */
  | { readonly switches: ReadonlySet<string> };

interface TextRule {
  readonly reads: Reads;
  /** Options that make it read text: their value (`npx -c "…"`, `python3 -c "…"`), or a shell they start (`sudo -s`). */
  readonly options: ReadonlySet<string>;
  /** It reads text unless given one of these (`watch` without `-x`, `awk` without `-f`); none at all: always. */
  readonly unless?: ReadonlySet<string>;
  /** Environment variables that give it such an option: npm reads `npm_config_call` as `--call` (in any case). */
  readonly variables?: ReadonlySet<string>;
  /**
   * Only its own options count: they end where what it runs begins, whose arguments follow (`npx pkg -c conf` gives
   * `-c` to pkg, `python3 server.py -c conf` to server.py). Without: any word counts (`script out.log -c "…"`).
   */
  readonly ownOptions?: OptionArity;
  /** Options after which the rest is what it runs and its arguments: `python3 -m module -c conf`. */
  readonly last?: ReadonlySet<string>;
  /** Options naming a module to load first: a `data:` URL there is code too (`node --import=data:text/javascript,…`). */
  readonly modules?: ReadonlySet<string>;
}

/** No options: with `unless`, a program that reads text whatever it is given (`yarn exec "…"`). */
const NONE: ReadonlySet<string> = new Set();

/** npm's options that take no value (as npx reads them, any other takes the next word unless it starts with `-`). */
const NPM_SWITCHES = new Set([
  '-y', '--yes', '-q', '--quiet', '-s', '--silent', '-d', '--verbose', '-f', '--force', '-g', '--global', '--offline',
  '--prefer-offline', '--prefer-online', '--ignore-scripts', '--legacy-peer-deps', '--foreground-scripts', '--workspaces',
  '--include-workspace-root', '--dry-run', '--json', '-v', '--version', '-h', '--help',
]);
/** pnpm's options that take no value, read the same way (pnpm refuses options it does not know). */
const PNPM_SWITCHES = new Set([
  '-r', '--recursive', '-s', '--silent', '--parallel', '--stream', '--aggregate-output', '--use-stderr', '--report-summary',
  '--bail', '-w', '--workspace-root', '--include-workspace-root', '--reverse', '--sort', '--fail-if-no-match', '--offline',
  '--prefer-offline', '--ignore-scripts',
]);

/** `npx -c "…"`, `npm exec --call "…"`: npm runs the string in a shell (`npm_config_call` in the environment too). */
const NPM_CALL: TextRule = {
  reads: 'commands',
  options: new Set(['-c', '--call']),
  variables: new Set(['npm_config_call']),
  ownOptions: { switches: NPM_SWITCHES },
};
/** `pnpm dlx -c "…"`, `pnpm -c exec "…"`: pnpm runs the command in a shell. */
const PNPM_SHELL_MODE: TextRule = {
  reads: 'commands',
  options: new Set(['-c', '--shell-mode']),
  ownOptions: { switches: PNPM_SWITCHES },
};
// Interpreters: the value of their code option is a program in a string. Their own options end at the script.
const PYTHON: TextRule = {
  reads: 'code',
  options: new Set(['-c']),
  ownOptions: { withValue: new Set(['-W', '-X', '--check-hash-based-pycs']) },
  last: new Set(['-m']),
};
const NODE: TextRule = {
  reads: 'code',
  options: new Set(['-e', '--eval', '-p', '--print']),
  // node's options that take the next word as their value (V8's need `=`).
  ownOptions: {
    withValue: new Set([
      '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--env-file',
      '--env-file-if-exists', '--title', '--disable-warning', '--redirect-warnings', '--unhandled-rejections',
      '--dns-result-order', '--max-http-header-size', '--icu-data-dir', '--openssl-config', '--tls-cipher-list',
      '--tls-keylog', '--secure-heap', '--secure-heap-min', '--use-largepages', '--v8-pool-size', '--disable-proto',
      '--diagnostic-dir', '--report-dir', '--report-directory', '--report-filename', '--report-signal',
      '--heapsnapshot-signal', '--heapsnapshot-near-heap-limit', '--cpu-prof-dir', '--cpu-prof-interval', '--cpu-prof-name',
      '--heap-prof-dir', '--heap-prof-interval', '--heap-prof-name', '--inspect-publish-uid', '--trace-event-categories',
      '--trace-event-file-pattern', '--trace-require-module', '--experimental-default-type', '--experimental-policy',
      '--policy-integrity', '--experimental-sea-config', '--experimental-config-file', '--snapshot-blob',
      '--build-snapshot-config', '--allow-fs-read', '--allow-fs-write', '--watch-path', '--watch-kill-signal',
      '--localstorage-file', '--network-family-autoselection-attempt-timeout', '--run', '--test-concurrency',
      '--test-name-pattern', '--test-skip-pattern', '--test-reporter', '--test-reporter-destination', '--test-shard',
      '--test-timeout', '--test-isolation', '--test-coverage-include', '--test-coverage-exclude', '--test-global-setup',
    ]),
  },
  modules: new Set(['--import', '--loader', '--experimental-loader']),
};
const BUN: TextRule = {
  reads: 'code',
  options: new Set(['-e', '--eval', '-p', '--print']),
  ownOptions: {
    withValue: new Set([
      '-r', '--preload', '--import', '--cwd', '-c', '--config', '--env-file', '--tsconfig-override', '-d', '--define', '-l',
      '--loader', '--main-fields', '--extension-order', '--jsx-factory', '--jsx-fragment', '--jsx-import-source',
      '--jsx-runtime', '--port', '--conditions', '--console-depth', '--user-agent', '--dns-result-order', '--title',
      '--elide-lines', '-F', '--filter', '--unhandled-rejections', '--max-http-header-size', '--fetch-preconnect',
    ]),
  },
};
const PERL: TextRule = {
  reads: 'code',
  options: new Set(['-e', '-E']),
  ownOptions: { withValue: new Set(['-I']), gluedValue: new Set(['-M', '-m', '-x', '-i', '-C', '-F', '-D']) },
};
const RUBY: TextRule = {
  reads: 'code',
  options: new Set(['-e']),
  ownOptions: {
    withValue: new Set([
      '-r', '-I', '-C', '-E', '--encoding', '--external-encoding', '--internal-encoding', '--enable', '--disable', '--dump',
      '--backtrace-limit', '--crash-report', '--parser',
    ]),
    gluedValue: new Set(['-x', '-K', '-T', '-W', '-i', '-F']),
  },
};
const PHP: TextRule = {
  reads: 'code',
  options: new Set(['-r', '--run', '-B', '--process-begin', '-R', '--process-code', '-E', '--process-end']),
  ownOptions: {
    withValue: new Set([
      '-c', '--php-ini', '-d', '--define', '-f', '--file', '-F', '--process-file', '-z', '--zend-extension', '-t', '--docroot',
      '-S', '--server', '--rf', '--rfunction', '--rc', '--rclass', '--re', '--rextension', '--rz', '--rzendextension', '--ri',
      '--rextinfo',
    ]),
  },
};
/** awk's program is its first word unless it is read from a file (`-f`); gawk's `-e` adds program text. */
const AWK: TextRule = {
  reads: 'code',
  options: new Set(['-e', '--source']),
  unless: new Set(['-f', '--file', '-E', '--exec']),
  ownOptions: {
    withValue: new Set(['-F', '--field-separator', '-v', '--assign', '-f', '--file', '-E', '--exec', '-i', '--include', '-l', '--load', '-W']),
  },
};

/**
 * Programs (or their subcommands) that read what they run from a string on their command line, when given one of
 * these options, or always. Shells: `script -c "…"`, `runuser -c`, `flock LOCK -c "…"`, `sudo -s`/`-i`, `doas -s`,
 * `watch` without `-x`, `npx -c`, `npm exec --call`, `pnpm dlx -c`, `yarn exec "…"` and `bun exec "…"` (their own
 * shells). Code: `python3 -c`, `node -e`/`-p`, `perl -e`, `ruby -e`, `php -r`, `deno eval`, `bun -e`, `awk '…'`.
 * Interpreters are looked up without a version (`python3.12` is `python`).
 */
const TEXT_RULES: Readonly<Record<string, TextRule>> = {
  script: { reads: 'commands', options: new Set(['-c', '--command']) },
  runuser: { reads: 'commands', options: new Set(['-c', '--command', '--session-command', '-s', '--shell', '-', '-l', '--login']) },
  flock: { reads: 'commands', options: new Set(['-c', '--command']) },
  sudo: { reads: 'commands', options: new Set(['-s', '--shell', '-i', '--login']) },
  doas: { reads: 'commands', options: new Set(['-s']) },
  watch: { reads: 'commands', options: NONE, unless: new Set(['-x', '--exec']) },
  npx: NPM_CALL,
  'npm exec': NPM_CALL,
  'npm exe': NPM_CALL,
  'npm x': NPM_CALL,
  pnpx: PNPM_SHELL_MODE,
  'pnpm exec': PNPM_SHELL_MODE,
  'pnpm dlx': PNPM_SHELL_MODE,
  'yarn exec': { reads: 'commands', options: NONE, unless: NONE },
  'bun exec': { reads: 'commands', options: NONE, unless: NONE },
  python: PYTHON,
  pypy: PYTHON,
  py: PYTHON,
  node: NODE,
  nodejs: NODE,
  bun: BUN,
  'bun run': BUN,
  'deno eval': { reads: 'code', options: NONE, unless: NONE },
  'deno repl': { reads: 'code', options: new Set(['--eval']) },
  perl: PERL,
  ruby: RUBY,
  php: PHP,
  awk: AWK,
  gawk: AWK,
  mawk: AWK,
  nawk: AWK,
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
 * Each program a command line starts, outermost first, looking through wrappers such as `env`, `nice`, `timeout`,
 * `sudo` or `uv run` (`env -S "sh -c x"` splits its string as env would) and into `find`'s `-exec` actions. A wrapper
 * with nothing left to run ends the chain. Each program's words hold fewer characters than those of the one starting
 * it, so this ends.
 */
function commandChain(command: string, args: readonly string[]): Level[] {
  const chain: Level[] = [];
  const pending: CommandLine[] = [{ program: command, args }];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const name = programName(current.program);
    const wrapper = WRAPPERS[name];
    const inner = wrapper && unwrap(current, wrapper);
    chain.push({ ...current, options: inner ? current.args.slice(0, inner.at) : current.args });
    if (inner) pending.push(inner.command);
    else if (ACTIONS[name]) pending.push(...actionCommands(current.args, ACTIONS[name]).reverse());
  }
  return chain;
}

/** What a command line really runs once wrappers are looked through. */
export function effectiveCommand(command: string, args: readonly string[]): CommandLine {
  const { program, args: innerArgs } = commandChain(command, args).at(-1)!;
  return { program, args: innerArgs };
}

function unwrap(current: CommandLine, wrapper: Wrapper): { command: CommandLine; at: number } | undefined {
  const { args } = current;
  // env -S "sh -c 'x'" goes on as env with the words of its string, then the remaining arguments (`-S "X=1 sh"` too).
  const split = (text: string, rest: readonly string[], at: number) => ({
    command: { program: current.program, args: [...text.split(/\s+/).filter(Boolean), ...rest] },
    at,
  });
  let skipPositional = wrapper.positional ?? 0;
  let subcommand = wrapper.subcommand;
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
    if (subcommand !== undefined) {
      if (word !== subcommand) return undefined;
      subcommand = undefined;
      continue;
    }
    if (skipPositional > 0) {
      skipPositional -= 1;
      continue;
    }
    return { command: { program: word, args: args.slice(i + 1) }, at: i };
  }
  return undefined;
}

/** The programs `find`'s actions run: the word after `-exec` (or `-execdir`, `-ok`, `-okdir`) and its arguments. */
function actionCommands(args: readonly string[], actions: ReadonlySet<string>): CommandLine[] {
  const commands: CommandLine[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (!actions.has(args[i]!) || i + 1 >= args.length) continue;
    let end = i + 2;
    while (end < args.length && args[end] !== ';' && !(args[end] === '+' && args[end - 1] === '{}')) end += 1;
    commands.push({ program: args[i + 1]!, args: args.slice(i + 2, end) });
    i = end;
  }
  return commands;
}

/** A program on a server's command line that reads what it runs from a string, named with what makes it do so. */
export interface InlineScript {
  /** `sh`, `npx -c`, `npm exec --call`, `pnpm dlx -c`, `yarn exec`, `python3 -c`, `node -e`, `npx with npm_config_call`. */
  readonly program: string;
  readonly reads: Reads;
}

/**
 * The script in a string a server's command line would run (looking through wrappers), if any: a shell as a program,
 * a program told to hand text to one (`script -c`, `sudo -s`, `watch`, `npx -c`), or an interpreter given its code
 * (`python3 -c`, `node -e`). `env` holds the variables the server is started with: npm reads options from them.
 */
export function scriptInArgv(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): InlineScript | undefined {
  const variables = new Set(Object.keys(env).map((name) => name.toLowerCase()));
  for (const level of commandChain(command, args)) {
    const name = programName(level.program);
    if (SHELLS.has(name)) return { program: name, reads: 'commands' };
    const script = textOptionIn(name, level.options, variables);
    if (script) return script;
    // `env npm_config_call=… npx`: what a wrapper sets, the programs it runs see.
    for (const word of level.options) if (ENV_ASSIGNMENT.test(word)) variables.add(word.slice(0, word.indexOf('=')).toLowerCase());
  }
  return undefined;
}

/** Whether a program, given these words, reads what it runs from one of them, by its rule in TEXT_RULES. */
function textOptionIn(name: string, words: readonly string[], variables: ReadonlySet<string>): InlineScript | undefined {
  const at = subcommandAt(name, words);
  const program = at === undefined ? name : `${name} ${words[at]}`;
  const rule = at === undefined ? (TEXT_RULES[name] ?? TEXT_RULES[name.replace(/\d+(\.\d+)*t?$/, '')]) : TEXT_RULES[program];
  if (!rule) return undefined;
  // A subcommand's options may come before it too (`pnpm -c dlx "…"`, `npm --call "…" exec`).
  const given = at === undefined ? optionsIn(words, rule) : [...optionsIn(words.slice(0, at)), ...optionsIn(words.slice(at + 1), rule)];
  const reads = rule.reads;
  const option = given.find((o) => rule.options.has(o.option));
  if (option) return { program: `${program} ${option.option}`, reads };
  const module = given.find((o) => rule.modules?.has(o.option) && /^data:/i.test(o.value ?? ''));
  if (module) return { program: `${program} ${module.option} data:`, reads: 'code' };
  const variable = [...(rule.variables ?? [])].find((v) => variables.has(v));
  if (variable) return { program: `${program} with ${variable}`, reads };
  if (rule.unless && !given.some((o) => rule.unless!.has(o.option))) return { program, reads };
  return undefined;
}

/**
 * Where a subcommand with a rule of its own stands (`npm exec`, `pnpm --silent dlx`), if one does: the first word
 * that is no option, or a later one while each word before it may be an option's value (`npm --cache DIR exec`).
 */
function subcommandAt(name: string, words: readonly string[]): number | undefined {
  let mayBeValue = false;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (word === '--') return undefined;
    if (word.startsWith('-') && word !== '-') {
      mayBeValue = !word.includes('=');
      continue;
    }
    if (TEXT_RULES[`${name} ${word}`]) return i;
    if (!mayBeValue) return undefined;
    mayBeValue = false;
  }
  return undefined;
}

interface GivenOption {
  readonly option: string;
  readonly value?: string;
}

/**
 * The options among `words`, each short one of a cluster (`-yc`, `-le`) apart, with its value where that matters.
 * With the rule's `ownOptions`, only the program's own: up to `--`, an option in `last`, or the first word that is no
 * option nor an option's value. Without, every word counts and every letter of a cluster.
 */
function optionsIn(words: readonly string[], rule?: TextRule): GivenOption[] {
  const arity = rule?.ownOptions;
  const last = rule?.last ?? NONE;
  const given: GivenOption[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (!arity) {
      if (!word.startsWith('-')) continue;
      const cluster = !word.startsWith('--') && word.length > 2;
      given.push(...(cluster ? [...word.slice(1)].map((letter) => ({ option: `-${letter}` })) : [{ option: word.split('=', 1)[0]! }]));
      continue;
    }
    if (word === '--' || word === '-' || !word.startsWith('-')) break;
    const next = words[i + 1];
    const takesValue = (option: string) =>
      'withValue' in arity ? arity.withValue.has(option) || arity.gluedValue?.has(option) === true : !arity.switches.has(option) && !option.startsWith('--no-');
    // npx takes the next word as a value only when it is no option; a `gluedValue` option never takes it.
    const nextIsValue = (option: string) =>
      next !== undefined && ('withValue' in arity ? arity.gluedValue?.has(option) !== true : !next.startsWith('-'));
    if (word.startsWith('--')) {
      const [option, inline] = word.split('=', 2) as [string, string | undefined];
      const value = inline ?? (takesValue(option) && nextIsValue(option) ? next : undefined);
      given.push({ option, value });
      if (last.has(option)) break;
      if (inline === undefined && value !== undefined) i += 1;
      continue;
    }
    // A cluster of short options: the first that takes a value takes the rest of the word, or else the next word.
    // A character that is no letter or digit ends it (`perl -d:Devel::Peek`).
    for (let c = 1; c < word.length && /[A-Za-z0-9]/.test(word[c]!); c += 1) {
      const option = `-${word[c]}`;
      if (!takesValue(option)) {
        given.push({ option });
        if (last.has(option)) return given;
        continue;
      }
      const rest = word.slice(c + 1).replace(/^=/, '');
      const value = rest !== '' ? rest : nextIsValue(option) ? next : undefined;
      given.push({ option, value });
      if (last.has(option)) return given;
      if (rest === '' && value !== undefined) i += 1;
      break;
    }
  }
  return given;
}
