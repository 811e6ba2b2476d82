import { basename } from 'node:path';
import { sedRunsCommands } from './sed-script.js';

/** A program and its arguments, as a command line would start them. */
export interface CommandLine {
  readonly program: string;
  readonly args: readonly string[];
}

/** How a program reads its options' values; an option in none of these takes none. */
interface OptionSyntax {
  /** Options that take a value: glued to a short one, after `=`, or the next word (`-n5`, `-n 5`, `--adjustment=5`). */
  readonly withValue?: ReadonlySet<string>;
  /** Options that take a value only glued or after `=` (`perl -i.bak`, while `perl -i -e …` gives `-i` none). */
  readonly gluedValue?: ReadonlySet<string>;
  /** Options that take the rest of a cluster as their value only when it looks so: perl's `-d:Mod`, while `-de1` is `-d -e 1`. */
  readonly gluedIf?: ReadonlyMap<string, RegExp>;
  /**
   * Options among `gluedValue` whose glued value ends at whitespace, more switches following: perl reads `-i.bak -e`
   * in one word as `-i.bak` then `-e` (perl.c `moreswitches`). Whatever follows is read as switches, which perl does
   * only after a `-`: reading more than perl can only refuse more.
   */
  readonly endsAtSpace?: ReadonlySet<string>;
  /** Options that take no value, any other taking the next word unless it starts with `-`, as npx reads them. */
  readonly switches?: ReadonlySet<string>;
  /** GNU getopt's order: its options may follow the words that are none, up to `--` (`sed p file -n`). */
  readonly anywhere?: boolean;
}

/** GNU getopt_long: a long option may be cut short to any prefix that is its alone (`env --s` is `--split-string`). */
const GNU = { abbreviated: true } as const;

interface Wrapper extends OptionSyntax {
  /** Words before the program that are no options (`timeout 60 cmd`). */
  readonly positional?: number;
  /** env's `-S`: the value is itself a command line, split into words (`-S "sh -c x"`, `-Ssh`, `-vS"sh -c x"`). */
  readonly splitString?: ReadonlySet<string>;
  /**
   * The word that must come first among those that are no options (`uv run cmd`); with another, nothing is run
   * (`uv tool …`). With `anywhere`, it may follow such words (R's launcher finds `CMD` among any words).
   */
  readonly subcommand?: string;
  /** Options after which nothing it reads names a program: R's `--args`. */
  readonly last?: ReadonlySet<string>;
  /** Its long options may be cut short, as GNU's. */
  readonly abbreviated?: boolean;
}

/**
 * Programs that run another program given on their command line, with the options each takes a value for:
 * `env npx pkg`, `nice -n 5 sh -c …`, `timeout 60 uvx pkg`. What they run is what counts.
 */
const WRAPPERS: Readonly<Record<string, Wrapper>> = {
  env: {
    ...GNU,
    withValue: new Set(['-u', '--unset', '-C', '--chdir', '-a', '--argv0', '-S', '--split-string']),
    splitString: new Set(['-S', '--split-string']),
  },
  nice: { ...GNU, withValue: new Set(['-n', '--adjustment']) },
  nohup: { ...GNU },
  setsid: { ...GNU },
  stdbuf: { ...GNU, withValue: new Set(['-i', '--input', '-o', '--output', '-e', '--error']) },
  timeout: { ...GNU, withValue: new Set(['-s', '--signal', '-k', '--kill-after']), positional: 1 },
  ionice: { ...GNU, withValue: new Set(['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid']) },
  chrt: { ...GNU, withValue: new Set(['-T', '--sched-runtime', '-P', '--sched-period', '-D', '--sched-deadline']), positional: 1 },
  taskset: { ...GNU, positional: 1 },
  chroot: { ...GNU, withValue: new Set(['--userspec', '--groups']), positional: 1 },
  unshare: {
    ...GNU,
    withValue: new Set([
      '--setuid', '-S', '--setgid', '-G', '--root', '-R', '--wd', '-w', '-l', '--load-interp', '--propagation', '--setgroups',
      '--map-user', '--map-group', '--map-users', '--map-groups', '--monotonic', '--boottime',
    ]),
    // A namespace's file to bind it to, glued or after `=` only: `-mFILE`, `--mount=FILE`.
    gluedValue: new Set([
      '-m', '--mount', '-u', '--uts', '-i', '--ipc', '-n', '--net', '-p', '--pid', '-U', '--user', '-C', '--cgroup', '-T',
      '--time', '--kill-child', '--mount-proc', '--mount-binfmt',
    ]),
  },
  prlimit: {
    ...GNU,
    withValue: new Set(['-p', '--pid', '-o', '--output']),
    // A resource's limits, glued or after `=` only: `-n1024`, `--nofile=1024:4096`.
    gluedValue: new Set([
      '-c', '--core', '-d', '--data', '-e', '--nice', '-f', '--fsize', '-i', '--sigpending', '-l', '--memlock', '-m', '--rss',
      '-n', '--nofile', '-q', '--msgqueue', '-r', '--rtprio', '-s', '--stack', '-t', '--cpu', '-u', '--nproc', '-v', '--as',
      '-x', '--locks', '-y', '--rttime',
    ]),
  },
  // util-linux setpriv: its long options only (`-d` dumps and runs nothing).
  setpriv: {
    ...GNU,
    withValue: new Set([
      '--ruid', '--euid', '--rgid', '--egid', '--reuid', '--regid', '--groups', '--inh-caps', '--ambient-caps', '--bounding-set',
      '--securebits', '--pdeathsig', '--selinux-label', '--apparmor-profile', '--landlock-access', '--landlock-rule',
    ]),
  },
  flock: { ...GNU, withValue: new Set(['-w', '--timeout', '-E', '--conflict-exit-code']), positional: 1 },
  time: { ...GNU, withValue: new Set(['-f', '--format', '-o', '--output']) },
  sudo: {
    ...GNU,
    withValue: new Set([
      '-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-R',
      '--chroot', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user', '-a', '--auth-type', '-c',
      '--login-class',
    ]),
  },
  doas: { withValue: new Set(['-u', '-C', '-a']) },
  xargs: {
    ...GNU,
    withValue: new Set([
      '-a', '--arg-file', '-d', '--delimiter', '-E', '-I', '-L', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars',
      '--process-slot-var',
    ]),
    // GNU xargs' optional values, glued or after `=` only: `-i{}`, `--max-lines=1`.
    gluedValue: new Set(['-e', '--eof', '-i', '--replace', '-l', '--max-lines']),
  },
  // `uv run python -c …`; `uv tool run pkg` runs a package (package-from-argv.ts). Its long options are taken whole.
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
  // `R CMD prog …` runs any program, with R's environment. Its launcher (a shell script) finds `CMD` among any words
  // up to `--args`, and takes a next word only for `-g` and `-d`: in `R -f CMD sh`, `-f` goes to R, `CMD` runs `sh`.
  r: { withValue: new Set(['-g', '--gui', '-d', '--debugger']), subcommand: 'CMD', anywhere: true, last: new Set(['--args']) },
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
  // shadow's `sg GROUP CMD` (with `-c` or not) hands CMD to `/bin/sh -c`; `newgrp` starts a shell.
  'sg', 'newgrp',
]);

/** What a program reads from a string on its command line: commands for a shell, or code in its own language. */
export type Reads = 'commands' | 'code';

interface TextRule {
  readonly reads: Reads;
  /** Options that make it read text: their value (`npx -c "…"`, `python3 -c "…"`), or a shell they start (`sudo -s`). */
  readonly options: ReadonlySet<string>;
  /** Options whose value is a command line it runs, whatever `reads` is: R's debugger, run by its launcher unquoted. */
  readonly commandOptions?: ReadonlySet<string>;
  /** It reads text unless given one of these (`watch` without `-x`, `awk` without `-f`); none at all: always. */
  readonly unless?: ReadonlySet<string>;
  /** Environment variables (named in lower case) it reads as options: npm reads `npm_config_call` as `--call`. */
  readonly variables?: ReadonlyMap<string, string>;
  /**
   * Only its own options count: they end where what it runs begins, whose arguments follow (`npx pkg -c conf` gives
   * `-c` to pkg, `python3 server.py -c conf` to server.py). Without: any word counts (`script out.log -c "…"`).
   */
  readonly ownOptions?: OptionSyntax;
  /** Options after which the rest is what it runs and its arguments: `python3 -m module -c conf`. */
  readonly last?: ReadonlySet<string>;
  /** Options naming a module to load first, when that name is code, shown so: `node --import=data:text/javascript,…`. */
  readonly modules?: { readonly options: ReadonlySet<string>; readonly isCode: (name: string) => boolean; readonly shown: string };
  /** Options whose value is options for another program: npm's `--node-options` become NODE_OPTIONS. */
  readonly optionTexts?: ReadonlyMap<string, OptionText>;
  /**
   * Its script is read for what runs commands (sed's `e`): the values of `options`, or else its first word that is no
   * option, unless one of `files` reads it from a file.
   */
  readonly script?: {
    readonly options: ReadonlySet<string>;
    readonly files: ReadonlySet<string>;
    readonly runs: (script: string) => string | undefined;
  };
  /** Its long options may be cut short, as GNU's. */
  readonly abbreviated?: boolean;
}

/** Text a program reads as more of its options (NODE_OPTIONS), read by that program's rule. */
interface OptionText {
  readonly rule: TextRule;
  /** Its words, split as the program splits them. */
  readonly words: (text: string) => string[];
}

/** No options: with `unless`, a program that reads text whatever it is given (`yarn exec "…"`). */
const NONE: ReadonlySet<string> = new Set();

// Interpreters: the value of their code option is a program in a string. Their own options end at the script.
const PYTHON: TextRule = {
  reads: 'code',
  options: new Set(['-c']),
  ownOptions: { withValue: new Set(['-m', '-W', '-X', '--check-hash-based-pycs']) },
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
  // A module in a file is a script like any other; one in a `data:` URL is code in the string (`require` takes none).
  modules: { options: new Set(['--import', '--loader', '--experimental-loader']), isCode: (name) => /^data:/i.test(name), shown: 'data:' },
};
/** NODE_OPTIONS as node splits it: at spaces, except within double quotes, where a backslash escapes. */
const NODE_OPTIONS: OptionText = { rule: NODE, words: nodeOptionWords };
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
/**
 * perl splices what follows `-M`, `-m` and `-d:` into code (`-M'strict; system "id"'` is `use strict; system "id";`):
 * a module name, a version or a plain import list (`-MList::Util=sum,max`, `-d:NYTProf`) is no more than that.
 */
const PERL_MODULE = /^(?:t?[:=])?-?(?:[\w:]+(?:=[\w:,./@%+=-]*)?|v?[\d.]+)$/;
const PERL: TextRule = {
  reads: 'code',
  options: new Set(['-e', '-E']),
  ownOptions: {
    withValue: new Set(['-I']),
    gluedValue: new Set(['-M', '-m', '-x', '-i', '-C', '-F', '-D']),
    endsAtSpace: new Set(['-i', '-C', '-F', '-D']),
    // `-V:name` takes the rest of the word; a bare `-V` is a switch like any other (`-V -e …` runs code).
    gluedIf: new Map([['-d', /^t?[:=]|^t$/], ['-V', /^:/]]),
  },
  modules: { options: new Set(['-M', '-m', '-d']), isCode: (name) => !PERL_MODULE.test(name), shown: 'with code' },
};
/** PERL5OPT as perl splits it: at whitespace, each switch with its `-` or without (`Mstrict`). */
const PERL5OPT: OptionText = {
  rule: PERL,
  words: (text) => text.split(/\s+/).filter((word) => word !== '' && word !== '-').map((word) => (word.startsWith('-') ? word : `-${word}`)),
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
  ...GNU,
};
/** lua and luajit: `-e` runs a chunk, `-l` loads a library; luajit's `-b` hands the rest to its bytecode compiler. */
const LUA: TextRule = {
  reads: 'code',
  options: new Set(['-e']),
  ownOptions: { withValue: new Set(['-l', '-j']), gluedValue: new Set(['-O']) },
  last: new Set(['-b']),
};
/** julia: the options known to take no value, or one only after `=` (`-O3`, `--project`); any other takes the next word. */
const JULIA: TextRule = {
  reads: 'code',
  options: new Set(['-e', '--eval', '-E', '--print']),
  ownOptions: {
    switches: new Set([
      '-v', '--version', '-h', '--help', '--help-hidden', '-q', '--quiet', '-i', '--interactive', '--lisp', '--image-codegen',
      '--rr-detach', '--strip-metadata', '--strip-ir', '--experimental',
    ]),
    gluedValue: new Set(['-O', '--optimize', '-g', '--debug-info', '--project', '--code-coverage', '--track-allocation', '--min-optlevel', '--trim']),
  },
  last: new Set(['-m', '--module']),
  ...GNU,
};
/** GNU sed: `e` and `s///e` in its script hand text to a shell; a script from a file (`-f`) is one like any other. */
const SED: TextRule = {
  reads: 'commands',
  options: NONE,
  ownOptions: {
    withValue: new Set(['-e', '--expression', '-f', '--file', '-l', '--line-length']),
    gluedValue: new Set(['-i', '--in-place']),
    anywhere: true,
  },
  script: { options: new Set(['-e', '--expression']), files: new Set(['-f', '--file']), runs: sedRunsCommands },
  ...GNU,
};

/**
 * R's launcher runs `${debugger} ${debugger_args} R` unquoted, so split and globbed (and `${debugger} --version`
 * first): `R -d "sh -c id"` runs a shell. Whatever the debugger, it counts as a command line.
 */
const R_DEBUGGER: ReadonlySet<string> = new Set(['-d', '--debugger', '--debugger-args']);

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

/**
 * `npx -c "…"`, `npm exec --call "…"`: npm runs the string in a shell. Its `--node-options` are NODE_OPTIONS for what
 * it runs. npm reads `npm_config_NAME` in the environment (in any case) as `--NAME`.
 */
const NPM_EXEC: TextRule = {
  reads: 'commands',
  options: new Set(['-c', '--call']),
  variables: new Map([['npm_config_call', '--call'], ['npm_config_node_options', '--node-options']]),
  // npm takes a string option's value from the next word even when it starts with `-`.
  ownOptions: { switches: NPM_SWITCHES, withValue: new Set(['--node-options']) },
  optionTexts: new Map([['--node-options', NODE_OPTIONS]]),
};
/** `pnpm dlx -c "…"`, `pnpm -c exec "…"`: pnpm runs the command in a shell. */
const PNPM_SHELL_MODE: TextRule = {
  reads: 'commands',
  options: new Set(['-c', '--shell-mode']),
  ownOptions: { switches: PNPM_SWITCHES },
};

/**
 * Programs (or their subcommands) that read what they run from a string on their command line, when given one of
 * these options, or always. Shells: `script -c "…"`, `runuser -c`, `flock LOCK -c "…"`, `sudo -s`/`-i`, `doas -s`,
 * `watch` without `-x`, `npx -c`, `npm exec --call`, `pnpm dlx -c`, `yarn exec "…"` and `bun exec "…"` (their own
 * shells), sed's `e`. Code: `python3 -c`, `node -e`/`-p`, `perl -e`, `ruby -e`, `php -r`, `deno eval`, `bun -e`,
 * `awk '…'`, `lua -e`, `Rscript -e`, `julia -e`, `osascript -e`, `expect -c`. Interpreters are looked up without a
 * version (`python3.12` is `python`).
 */
const TEXT_RULES: Readonly<Record<string, TextRule>> = {
  script: { reads: 'commands', options: new Set(['-c', '--command']), ...GNU },
  runuser: { reads: 'commands', options: new Set(['-c', '--command', '--session-command', '-s', '--shell', '-', '-l', '--login']), ...GNU },
  flock: { reads: 'commands', options: new Set(['-c', '--command']), ...GNU },
  sudo: { reads: 'commands', options: new Set(['-s', '--shell', '-i', '--login']), ...GNU },
  doas: { reads: 'commands', options: new Set(['-s']) },
  watch: { reads: 'commands', options: NONE, unless: new Set(['-x', '--exec']), ...GNU },
  npx: NPM_EXEC,
  'npm exec': NPM_EXEC,
  'npm exe': NPM_EXEC,
  'npm x': NPM_EXEC,
  pnpx: PNPM_SHELL_MODE,
  'pnpm exec': PNPM_SHELL_MODE,
  'pnpm dlx': PNPM_SHELL_MODE,
  'yarn exec': { reads: 'commands', options: NONE, unless: NONE },
  'bun exec': { reads: 'commands', options: NONE, unless: NONE },
  sed: SED,
  gsed: SED,
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
  lua: LUA,
  luajit: LUA,
  // Rscript's own options are `--name` or `--name=value`: its first other word is the script, or `-e` an expression.
  // It passes them on to R's launcher, so `--debugger=…` is a command line there too.
  rscript: { reads: 'code', options: new Set(['-e']), commandOptions: R_DEBUGGER, ownOptions: {} },
  // R runs no script named on its command line: it reads its options among any other words, up to `--args`.
  r: {
    reads: 'code',
    options: new Set(['-e']),
    commandOptions: R_DEBUGGER,
    ownOptions: { withValue: new Set(['-g', '--gui', '-d', '--debugger', '-f', '--file']), anywhere: true },
    last: new Set(['--args']),
  },
  julia: JULIA,
  osascript: { reads: 'code', options: new Set(['-e']), ownOptions: { withValue: new Set(['-l', '-s']) } },
  expect: { reads: 'code', options: new Set(['-c']), ownOptions: { withValue: new Set(['-b', '-f', '-D']) } },
};

/**
 * Variables every process of an interpreter reads more options from, whatever program the server is (npx, like most
 * servers, is a node program): NODE_OPTIONS (`--import=data:…` is code), PERL5OPT (`-Mstrict;system"id"` is).
 */
const OPTION_VARIABLES: Readonly<Record<string, OptionText>> = { NODE_OPTIONS, PERL5OPT };
/** Variables whose value is code an interpreter runs: perl's debugger command, under `-d` (which PERL5OPT may give). */
const CODE_VARIABLES = ['PERL5DB'];

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The program name without folder or Windows extension, lower-case: `/usr/bin/NPX.cmd` is `npx`. */
export function programName(command: string): string {
  return basename(command.replaceAll('\\', '/')).toLowerCase().replace(/\.(exe|cmd|bat|ps1)$/, '');
}

/** An interpreter's name without its version (`python3.12t` is `python`); a one-letter name keeps it (`r2` is no R). */
const withoutVersion = (name: string) => name.replace(/(?<=..)\d+(\.\d+)*t?$/, '');

/** A table's entry for a program, never what every object inherits (a program named `constructor`). */
function entryFor<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** One program of a command line and the options it was given before the program it runs, if it is a wrapper. */
interface Level extends CommandLine {
  readonly options: readonly string[];
  /** A wrapper runs it: the word taken as its program may be the value of an option the wrapper's entry lacks. */
  readonly wrapped?: boolean;
}

/**
 * Each program a command line starts, outermost first, looking through wrappers such as `env`, `nice`, `timeout`,
 * `sudo` or `uv run` (`env -S "sh -c x"` splits its string as env would) and into `find`'s `-exec` actions. A wrapper
 * with nothing left to run ends the chain. Each program's words hold fewer characters than those of the one starting
 * it, so this ends.
 */
function commandChain(command: string, args: readonly string[]): Level[] {
  const chain: Level[] = [];
  const pending: (CommandLine & { wrapped?: boolean })[] = [{ program: command, args }];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const name = programName(current.program);
    const wrapper = entryFor(WRAPPERS, name);
    const inner = wrapper && unwrap(current, wrapper);
    const actions = entryFor(ACTIONS, name);
    chain.push({ ...current, options: inner ? current.args.slice(0, inner.at) : current.args });
    if (inner) pending.push({ ...inner.command, wrapped: true });
    else if (actions) pending.push(...actionCommands(current.args, actions).reverse());
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
  const known = wrapper.abbreviated ? longOptions(wrapper.withValue, wrapper.gluedValue) : undefined;
  let skipPositional = wrapper.positional ?? 0;
  let subcommand = wrapper.subcommand;
  for (let i = 0; i < args.length; i += 1) {
    const word = args[i]!;
    if (isOptionWord(word)) {
      const { given, next } = readOption(args, i, wrapper, known);
      // env -S "sh -c 'x'" goes on as env with the words of its string, then those after it (`-S "X=1 sh"` too).
      const split = given.find((o) => wrapper.splitString?.has(o.option));
      if (split) return { command: { program: current.program, args: [...splitStringWords(split.value ?? ''), ...args.slice(next)] }, at: i };
      if (given.some((o) => wrapper.last?.has(o.option))) return undefined;
      i = next - 1;
      continue;
    }
    if (word === '--' || ENV_ASSIGNMENT.test(word)) continue;
    if (subcommand !== undefined) {
      if (word === subcommand) subcommand = undefined;
      else if (!wrapper.anywhere) return undefined;
      continue;
    }
    if (skipPositional > 0) {
      skipPositional -= 1;
      continue;
    }
    // `env -` is `env -i`; no program is named `-`.
    if (word === '-') continue;
    return { command: { program: word, args: args.slice(i + 1) }, at: i };
  }
  return undefined;
}

/**
 * The words of env's `-S` string, quotes dropped and `\_` a space: `-S "'sh' -c x"` and `-S 'sh\_-c\_x'` run `sh`.
 * Words inside quotes split apart too, which only shows more options.
 */
function splitStringWords(text: string): string[] {
  return text.replaceAll('\\_', ' ').replace(/["'\\]/g, '').split(/\s+/).filter(Boolean);
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
  /** `sh`, `npx -c`, `npm exec --call`, `npx with npm_config_call`, `sed s///e`, `python3 -c`, `NODE_OPTIONS --import data:`. */
  readonly program: string;
  readonly reads: Reads;
}

/**
 * The script in a string a server's command line would run (looking through wrappers), if any: a shell as a program,
 * a program told to hand text to one (`script -c`, `sudo -s`, `watch`, `npx -c`, sed's `e`), or an interpreter given
 * its code (`python3 -c`, `node -e`), also through the variables it reads options from (`NODE_OPTIONS`). `env` holds
 * the variables the server is started with.
 */
export function scriptInArgv(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): InlineScript | undefined {
  // Names in lower case: npm reads its variables in any case, and Windows all of them.
  const environment = new Map(Object.entries(env).map(([name, value]) => [name.toLowerCase(), value]));
  for (const level of commandChain(command, args)) {
    const name = programName(level.program);
    if (SHELLS.has(name)) return { program: name, reads: 'commands' };
    const misread = level.wrapped ? shellAfterProgram(level.args) : undefined;
    if (misread) return { program: misread, reads: 'commands' };
    const script = textOptionIn(name, level.options, environment);
    if (script) return script;
    // `env npm_config_call=… npx`: what a wrapper sets, the programs it runs see.
    for (const word of level.options.filter((w) => ENV_ASSIGNMENT.test(w))) {
      const at = word.indexOf('=');
      environment.set(word.slice(0, at).toLowerCase(), word.slice(at + 1));
    }
  }
  return scriptInVariables(environment);
}

/**
 * A shell given an option right after the program a wrapper runs (`unshare --new-option VALUE sh -c …`): the word
 * taken as the program is then most likely the value of an option missing from the wrapper's entry, so the shell
 * counts. A program with such arguments (`strace sh -c …`) runs that shell anyway.
 */
function shellAfterProgram([word, option]: readonly string[]): string | undefined {
  const name = word === undefined ? undefined : programName(word);
  return name !== undefined && SHELLS.has(name) && option !== undefined && /^[-/]/.test(option) ? name : undefined;
}

/** What the variables every interpreter of a language reads (NODE_OPTIONS, PERL5DB) make it run as a script. */
function scriptInVariables(environment: ReadonlyMap<string, string>): InlineScript | undefined {
  for (const [variable, text] of Object.entries(OPTION_VARIABLES)) {
    const value = environment.get(variable.toLowerCase());
    const script = value === undefined ? undefined : scriptInOptionText(variable, text, value);
    if (script) return script;
  }
  const code = CODE_VARIABLES.find((variable) => environment.has(variable.toLowerCase()));
  return code === undefined ? undefined : { program: code, reads: 'code' };
}

/** Whether a program, given these words, reads what it runs from one of them, by its rule in TEXT_RULES. */
function textOptionIn(name: string, words: readonly string[], environment: ReadonlyMap<string, string>): InlineScript | undefined {
  const at = subcommandAt(name, words);
  const program = at === undefined ? name : `${name} ${words[at]}`;
  const rule = at === undefined ? (entryFor(TEXT_RULES, name) ?? entryFor(TEXT_RULES, withoutVersion(name))) : TEXT_RULES[program];
  if (!rule) return undefined;
  const { options, operands } = optionsIn(at === undefined ? words : words.slice(at + 1), rule);
  // A subcommand's options may come before it too (`pnpm -c dlx "…"`, `npm --call "…" exec`).
  const before = at === undefined ? [] : optionsIn(words.slice(0, at)).options;
  const fromEnvironment = [...(rule.variables ?? [])].flatMap(([variable, option]) => {
    const value = environment.get(variable);
    return value === undefined ? [] : [{ option, value, shown: `with ${variable}` }];
  });
  return scriptIn(program, rule, [...before, ...options, ...fromEnvironment], operands);
}

/** What text a program reads as more of its options makes it run, named after where the text is: `NODE_OPTIONS`. */
function scriptInOptionText(source: string, text: OptionText, value: string): InlineScript | undefined {
  const { options, operands } = optionsIn(text.words(value), text.rule);
  return scriptIn(source, text.rule, options, operands);
}

/** What a program reads as a script, by its rule, from the options and other words it is given. */
function scriptIn(program: string, rule: TextRule, given: readonly GivenOption[], operands: readonly string[]): InlineScript | undefined {
  const { reads, modules, script } = rule;
  const named = (o: GivenOption) => `${program} ${o.shown ?? o.option}`;
  const option = given.find((o) => rule.options.has(o.option) || rule.commandOptions?.has(o.option));
  if (option) return { program: named(option), reads: rule.commandOptions?.has(option.option) ? 'commands' : reads };
  const module = modules && given.find((o) => modules.options.has(o.option) && o.value !== undefined && modules.isCode(o.value));
  if (module) return { program: `${named(module)} ${modules.shown}`, reads };
  for (const o of given) {
    const text = rule.optionTexts?.get(o.option);
    const inText = text && o.value !== undefined ? scriptInOptionText(named(o), text, o.value) : undefined;
    if (inText) return inText;
  }
  if (script) {
    const runs = scriptRuns(script, given, operands);
    return runs === undefined ? undefined : { program: `${program} ${runs}`, reads };
  }
  if (rule.unless && !given.some((o) => rule.unless!.has(o.option))) return { program, reads };
  return undefined;
}

/** What runs commands in a script on the command line: its options' values, one a line as sed joins them, or its first operand. */
function scriptRuns(script: NonNullable<TextRule['script']>, given: readonly GivenOption[], operands: readonly string[]): string | undefined {
  const texts = given.filter((o) => script.options.has(o.option)).map((o) => o.value ?? '');
  if (texts.length > 0) return script.runs(texts.join('\n'));
  const fromFile = given.some((o) => script.files.has(o.option));
  return fromFile || operands[0] === undefined ? undefined : script.runs(operands[0]);
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
    if (entryFor(TEXT_RULES, `${name} ${word}`)) return i;
    if (!mayBeValue) return undefined;
    mayBeValue = false;
  }
  return undefined;
}

interface GivenOption {
  readonly option: string;
  readonly value?: string;
  /** How to name it when not by itself: `with npm_config_call`. */
  readonly shown?: string;
}

/** A word that is one option or a cluster of them: not `-` (standard input, or `env -`) nor `--`. */
const isOptionWord = (word: string) => word.startsWith('-') && word !== '-' && word !== '--';

/** An option syntax in which no option takes a value. */
const NO_VALUES: OptionSyntax = {};

/** Whether an option takes a value, by its program's syntax. */
function takesValue(syntax: OptionSyntax, option: string): boolean {
  if (syntax.withValue?.has(option) || syntax.gluedValue?.has(option)) return true;
  return syntax.switches !== undefined && !syntax.switches.has(option) && !option.startsWith('--no-');
}

/** Whether an option that takes a value and has none glued takes the next word: npx's not when it is an option. */
function takesNextWord(syntax: OptionSyntax, option: string, next: string | undefined): boolean {
  if (next === undefined || syntax.gluedValue?.has(option)) return false;
  return syntax.withValue?.has(option) === true || !next.startsWith('-');
}

/**
 * The options that the option word at `i` gives, each with its value where it takes one, and where the next word to
 * read is. `--name=value`, `--name value`, or a cluster of short ones (`-yc`, `-vS"sh -c x"`): the first that takes a
 * value takes the rest of the word, or else the next word. With `known` (GNU getopt_long), a long option cut short
 * is the known one it begins (`--s` is `--split-string`).
 */
function readOption(words: readonly string[], i: number, syntax: OptionSyntax, known?: readonly string[]): { given: GivenOption[]; next: number } {
  const word = words[i]!;
  const following = words[i + 1];
  const withNext = (given: GivenOption[], option: string) =>
    takesNextWord(syntax, option, following) ? { given: [...given, { option, value: following }], next: i + 2 } : { given: [...given, { option }], next: i + 1 };
  if (word.startsWith('--')) {
    const equals = word.indexOf('=');
    const option = longOption(equals < 0 ? word : word.slice(0, equals), known);
    if (equals >= 0) return { given: [{ option, value: word.slice(equals + 1) }], next: i + 1 };
    return takesValue(syntax, option) ? withNext([], option) : { given: [{ option }], next: i + 1 };
  }
  const given: GivenOption[] = [];
  for (let c = 1; c < word.length; c += 1) {
    const option = `-${word[c]}`;
    const rest = word.slice(c + 1);
    if (syntax.gluedIf?.get(option)?.test(rest)) return { given: [...given, { option, value: rest }], next: i + 1 };
    if (!takesValue(syntax, option)) {
      given.push({ option });
      continue;
    }
    const glued = rest.replace(/^=/, '');
    const space = syntax.endsAtSpace?.has(option) ? glued.search(/\s/) : -1;
    if (space < 0) return glued === '' ? withNext(given, option) : { given: [...given, { option, value: glued }], next: i + 1 };
    // perl's `-i.bak -e …` in one word: the value ends at the space, switches follow (a `-` before them is dropped).
    given.push({ option, value: glued.slice(0, space) });
    c = word.length - glued.slice(space).trimStart().replace(/^-/, '').length - 1;
  }
  return { given, next: i + 1 };
}

/** A long option as GNU getopt_long reads it, given the options known: itself, or the first known one it begins. */
function longOption(name: string, known: readonly string[] | undefined): string {
  if (known === undefined || name.length <= 2 || known.includes(name)) return name;
  return known.find((option) => option.startsWith(name)) ?? name;
}

/** The long options among these, in order: those that make a program read text first, so a prefix of one counts as it. */
function longOptions(...sets: readonly (Iterable<string> | undefined)[]): string[] {
  return sets.flatMap((set) => [...(set ?? [])]).filter((option) => option.startsWith('--'));
}

/** The long options a rule knows, for a GNU program's prefixes. */
function ruleLongOptions(rule: TextRule): string[] {
  const syntax = rule.ownOptions;
  return longOptions(rule.options, rule.unless, rule.modules?.options, rule.script?.options, rule.script?.files, rule.last,
    syntax?.withValue, syntax?.gluedValue, syntax?.switches);
}

/** The options among some words, with their values, and the words that are no options nor their values. */
interface OptionsGiven {
  readonly options: readonly GivenOption[];
  readonly operands: readonly string[];
}

/**
 * The options among `words`. With the rule's `ownOptions`, only the program's own: up to `--`, an option in `last`,
 * or the first word that is no option nor an option's value (with `anywhere`, past such words). Without, every word
 * counts and every letter of a cluster.
 */
function optionsIn(words: readonly string[], rule?: TextRule): OptionsGiven {
  const known = rule?.abbreviated ? ruleLongOptions(rule) : undefined;
  return rule?.ownOptions ? ownOptionsIn(words, rule.ownOptions, rule.last ?? NONE, known) : everyOptionIn(words, known);
}

function ownOptionsIn(words: readonly string[], syntax: OptionSyntax, last: ReadonlySet<string>, known?: readonly string[]): OptionsGiven {
  const options: GivenOption[] = [];
  const operands: string[] = [];
  for (let i = 0; i < words.length; ) {
    const word = words[i]!;
    if (word === '--') return { options, operands: [...operands, ...words.slice(i + 1)] };
    if (!isOptionWord(word)) {
      if (!syntax.anywhere) return { options, operands: words.slice(i) };
      operands.push(word);
      i += 1;
      continue;
    }
    const { given, next } = readOption(words, i, syntax, known);
    options.push(...given);
    if (given.some((o) => last.has(o.option))) return { options, operands: words.slice(next) };
    i = next;
  }
  return { options, operands };
}

function everyOptionIn(words: readonly string[], known?: readonly string[]): OptionsGiven {
  const options: GivenOption[] = [];
  const operands: string[] = [];
  for (const [i, word] of words.entries()) {
    if (isOptionWord(word)) options.push(...readOption(words, i, NO_VALUES, known).given);
    // `runuser -` starts a login shell.
    else if (word.startsWith('-')) options.push({ option: word });
    else operands.push(word);
  }
  return { options, operands };
}

/** NODE_OPTIONS' words as node splits them: at spaces, except within double quotes, where a backslash escapes. */
function nodeOptionWords(text: string): string[] {
  const words: string[] = [];
  let quoted = false;
  let startsWord = true;
  for (let i = 0; i < text.length; i += 1) {
    let c = text[i]!;
    if (c === '\\' && quoted) c = text[(i += 1)] ?? '';
    else if (c === ' ' && !quoted) {
      startsWord = true;
      continue;
    } else if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (startsWord) words.push(c);
    else words[words.length - 1] += c;
    startsWord = false;
  }
  return words;
}
