/**
 * What the shell check knows of each program: how it reads its options, which programs run another (wrappers), and
 * which read what they run from text on their command line or in their environment. Data only; command-line.ts reads
 * a server's command line by it.
 */
import { sedRunsCommands } from './sed-script.js';

/** How a program reads its options' values; an option in none of these takes none. */
export interface OptionSyntax {
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
  /** getopt_long_only: one `-` starts a long option too, never a cluster (`gdb -ex` is `--ex`); named with `--`. */
  readonly longOnly?: boolean;
  /** Options that take more than the next word: bwrap's `--bind SRC DEST` takes two. */
  readonly valueWords?: ReadonlyMap<string, number>;
}

/** GNU getopt_long: a long option may be cut short to any prefix that is its alone (`env --s` is `--split-string`). */
export const GNU = { abbreviated: true } as const;

export interface Wrapper extends OptionSyntax {
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
  /** Options after which the next word is the program, no word before naming one: `gdb FILE --args prog …`. */
  readonly programAfter?: ReadonlySet<string>;
  /** Its long options may be cut short, as GNU's. */
  readonly abbreviated?: boolean;
}

/** gdb's options (getopt_long_only: `-ex` is `--ex`), anywhere before `--args`: those taking a value, by gdb's main.c. */
const GDB_OPTIONS: OptionSyntax = {
  longOnly: true,
  anywhere: true,
  withValue: new Set([
    '--ex', '--eval-command', '--iex', '--init-eval-command', '--eiex', '--early-init-eval-command', '--x', '--command', '--ix',
    '--init-command', '--eix', '--early-init-command', '--e', '--exec', '--se', '--s', '--symbols', '--c', '--core', '--p', '--pid',
    '--annotate', '--i', '--interpreter', '--ui', '--d', '--directory', '--D', '--data-directory', '--cd', '--tty', '--b', '--baud',
    '--l',
  ]),
};
/** strace's options that take a value (it stops at the program it runs). */
const STRACE_OPTIONS: OptionSyntax = {
  withValue: new Set([
    '-e', '-E', '-p', '-u', '-I', '-P', '-a', '-o', '-s', '-X', '-O', '-S', '-U', '-b', '--env', '--attach', '--user',
    '--interruptible', '--trace-path', '--columns', '--output', '--string-limit', '--const-print-style',
    '--summary-syscall-overhead', '--summary-sort-by', '--summary-columns', '--trace', '--trace-fds', '--signal', '--status',
    '--abbrev', '--verbose', '--raw', '--read', '--write', '--decode-fds', '--inject', '--fault', '--detach-on',
  ]),
};
/** systemd-run's options that take a value; `-p`'s may be a unit property that runs a command line (`ExecStartPre=`). */
const SYSTEMD_RUN_OPTIONS: OptionSyntax = {
  withValue: new Set([
    '-H', '--host', '-M', '--machine', '-u', '--unit', '-p', '--property', '--description', '--slice', '--service-type', '--uid',
    '--gid', '--nice', '--working-directory', '-E', '--setenv', '--path-property', '--socket-property', '--timer-property',
    '--on-active', '--on-boot', '--on-startup', '--on-unit-active', '--on-unit-inactive', '--on-calendar',
  ]),
};

/**
 * Programs that run another program given on their command line, with the options each takes a value for:
 * `env npx pkg`, `nice -n 5 sh -c …`, `timeout 60 uvx pkg`. What they run is what counts.
 */
export const WRAPPERS: Readonly<Record<string, Wrapper>> = {
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
  // Sandboxes, supervisors, tracers and session starters: each runs the program after its options.
  nsenter: {
    ...GNU,
    withValue: new Set(['-t', '--target', '-S', '--setuid', '-G', '--setgid', '-W', '--wdns', '-e', '--env']),
    // A namespace's file, or a directory, glued or after `=` only: `-m/proc/1/ns/mnt`, `--root=/srv`.
    gluedValue: new Set([
      '-m', '--mount', '-u', '--uts', '-i', '--ipc', '-n', '--net', '-p', '--pid', '-C', '--cgroup', '-U', '--user', '-T', '--time',
      '-r', '--root', '-w', '--wd',
    ]),
  },
  // bubblewrap reads whole option words only, some taking two or three.
  bwrap: {
    withValue: new Set([
      '--args', '--argv0', '--userns', '--userns2', '--pidns', '--uid', '--gid', '--hostname', '--chdir', '--unsetenv',
      '--lock-file', '--sync-fd', '--remount-ro', '--exec-label', '--file-label', '--proc', '--dev', '--tmpfs', '--mqueue', '--dir',
      '--seccomp', '--add-seccomp-fd', '--block-fd', '--userns-block-fd', '--info-fd', '--json-status-fd', '--cap-add',
      '--cap-drop', '--perms', '--size', '--overlay-src', '--tmp-overlay', '--ro-overlay',
    ]),
    valueWords: new Map([
      ...['--setenv', '--bind', '--bind-try', '--dev-bind', '--dev-bind-try', '--ro-bind', '--ro-bind-try', '--bind-fd',
        '--ro-bind-fd', '--file', '--bind-data', '--ro-bind-data', '--symlink', '--chmod'].map((option) => [option, 2] as const),
      ['--overlay', 3],
    ]),
  },
  'xvfb-run': {
    ...GNU,
    withValue: new Set(['-e', '--error-file', '-f', '--auth-file', '-n', '--server-num', '-p', '--xauth-protocol', '-s', '--server-args', '-w', '--wait']),
  },
  'dbus-run-session': { withValue: new Set(['--config-file', '--dbus-daemon']) },
  'systemd-run': { ...GNU, ...SYSTEMD_RUN_OPTIONS },
  runuser: {
    ...GNU,
    withValue: new Set(['-u', '--user', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment', '-s', '--shell', '-c', '--command', '--session-command']),
  },
  strace: { ...GNU, ...STRACE_OPTIONS },
  ltrace: { ...GNU, withValue: new Set(['-a', '--align', '-A', '-D', '--debug', '-e', '-F', '--config', '-l', '--library', '-n', '--indent', '-o', '--output', '-p', '-s', '-u', '-w', '--where', '-x']) },
  // valgrind's and firejail's options take their values after `=` only.
  valgrind: {},
  firejail: {},
  catchsegv: {},
  tini: { withValue: new Set(['-p', '-e']) },
  'dumb-init': { ...GNU, withValue: new Set(['-r', '--rewrite']) },
  setarch: { ...GNU, positional: 1 },
  // `gdb -x run.gdb --args prog …` runs prog when its commands say `run`; the file it debugs otherwise is not run by itself.
  gdb: { ...GDB_OPTIONS, ...GNU, programAfter: new Set(['--args']) },
};

/** Programs that run others named after one of these actions, each up to `;` (or `{} +`): `find DIR -exec sh -c … ';'`. */
export const ACTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  find: new Set(['-exec', '-execdir', '-ok', '-okdir']),
};

/** Programs that read commands from text: as a server's command they undo "never through a shell". */
export const SHELLS = new Set([
  'sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'mksh', 'pdksh', 'yash', 'fish', 'csh', 'tcsh', 'rc', 'es', 'nu', 'elvish',
  'xonsh', 'busybox', 'toybox', 'cmd', 'cmd.exe', 'command.com', 'powershell', 'powershell.exe', 'pwsh', 'pwsh.exe',
  'tmux', 'screen', 'su',
  // shadow's `sg GROUP CMD` (with `-c` or not) hands CMD to `/bin/sh -c`; `newgrp` starts a shell.
  'sg', 'newgrp',
]);

/** What a program reads from a string on its command line: commands for a shell, or code in its own language. */
export type Reads = 'commands' | 'code';

export interface TextRule {
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
  /**
   * Options whose value is code when it looks so, shown so: a module to load first (`node --import=data:text/javascript,…`,
   * `perl -M'…;code'`), strace's output to a command (`-o '|cmd'`), a systemd unit's `ExecStartPre=` property.
   */
  readonly codeValues?: { readonly options: ReadonlySet<string>; readonly isCode: (value: string) => boolean; readonly shown: string };
  /** Options setting `key=value` (or `key=VARIABLE`) configuration: a key for which `runs` holds is a command (`git -c core.pager=…`). */
  readonly settings?: { readonly options: ReadonlySet<string>; readonly runs: (key: string) => boolean };
  /** Words that are no options but code when this names them so, as shown: vim's `+cmd`, make's `X:=$(shell …)`. */
  readonly codeOperands?: (word: string) => string | undefined;
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
export interface OptionText {
  readonly rule: TextRule;
  /** Its words, split as the program splits them. */
  readonly words: (text: string) => string[];
}

/** No options: with `unless`, a program that reads text whatever it is given (`yarn exec "…"`). */
export const NONE: ReadonlySet<string> = new Set();

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
  codeValues: { options: new Set(['--import', '--loader', '--experimental-loader']), isCode: (name) => /^data:/i.test(name), shown: 'data:' },
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
  codeValues: { options: new Set(['-M', '-m', '-d']), isCode: (name) => !PERL_MODULE.test(name), shown: 'with code' },
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
 * git's settings whose value is a command it runs, most through a shell (`*` any subsection): an alias (a shell command
 * after `!`, else git's own command line, whose `-c` sets more), a pager, an editor, ssh, fsmonitor's hook, diff and
 * merge drivers, filters, credential helpers, upload-pack and receive-pack, trailer commands. `submodule.NAME.update`
 * runs one after `!`, and `protocol.allow` lets an `ext::` URL run its own: counted whatever value they are given. A
 * setting naming a program that git runs without a shell, given git's own arguments (`gpg.program`, `core.askPass`,
 * `core.gitProxy`), or a file (`core.hooksPath`, `include.path`), is like a script file.
 */
const GIT_COMMAND_SETTINGS = new RegExp(
  `^(?:${[
    'alias.*', 'pager.*', 'core.pager', 'core.editor', 'sequence.editor', 'core.sshCommand', 'core.fsmonitor',
    'core.alternateRefsCommand', 'diff.external', 'diff.*.command', 'diff.*.textconv', 'filter.*.clean', 'filter.*.smudge',
    'filter.*.process', 'merge.*.driver', 'difftool.*.cmd', 'mergetool.*.cmd', 'browser.*.cmd', 'man.*.cmd', 'guitool.*.cmd',
    'trailer.*.command', 'trailer.*.cmd', 'credential.*helper', 'remote.*.uploadpack', 'remote.*.receivepack',
    'uploadpack.packObjectsHook', 'interactive.diffFilter', 'gpg.ssh.defaultKeyCommand', 'sendemail.*cmd', 'submodule.*.update',
    'protocol.allow', 'protocol.ext.allow',
  ].map((key) => key.replaceAll('.', '\\.').replaceAll('*', '.*')).join('|')})$`,
  // Section and variable names are read in any case.
  'i',
);
/** A `-c key=value` (or `--config-env key=VARIABLE`) whose key is one of them. */
const gitSettingRuns = (setting: string) => GIT_COMMAND_SETTINGS.test(setting.split('=', 1)[0]!);

/** git's own options, before its subcommand (git.c takes them whole). */
const GIT: TextRule = {
  reads: 'commands',
  options: NONE,
  settings: { options: new Set(['-c', '--config-env']), runs: gitSettingRuns },
  ownOptions: { withValue: new Set(['-C', '-c', '--config-env', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--attr-source']) },
};
/** `git fetch`/`pull`/`ls-remote --upload-pack "…"`: run through a shell (for a local or ssh remote). */
const GIT_UPLOAD_PACK: TextRule = { reads: 'commands', options: new Set(['--upload-pack', '--exec']), ...GNU };
/** A subcommand that runs its words through a shell whatever they are: `git submodule foreach "…"`, `git bisect run …`. */
const ALWAYS_COMMANDS: TextRule = { reads: 'commands', options: NONE, unless: NONE };

/** GNU make: a make variable given on its command line runs `$(shell …)` (as any `$…` may) when expanded, `!=` at once. */
function makeAssignment(word: string): string | undefined {
  const assignment = /^([^=]*?)(:{1,3}=|[?+!]?=)/.exec(word);
  return assignment && (assignment[2] === '!=' || word.includes('$')) ? assignment[0] : undefined;
}
/** GNU make: `--eval`/`-E` text is a makefile, as are command-line variables with `$` (`X:=$(shell …)`) or `!=`. */
const MAKE: TextRule = {
  reads: 'code',
  options: new Set(['-E', '--eval']),
  ownOptions: {
    withValue: new Set([
      '-E', '--eval', '-C', '--directory', '-f', '--file', '--makefile', '-I', '--include-dir', '-o', '--old-file', '--assume-old',
      '-W', '--what-if', '--new-file', '--assume-new',
    ]),
    gluedValue: new Set(['-j', '--jobs', '-l', '--load-average', '--max-load', '-O', '--output-sync', '--debug', '--jobserver-auth', '--jobserver-style', '--shuffle']),
    anywhere: true,
  },
  codeOperands: makeAssignment,
  ...GNU,
};
/** MAKEFLAGS as make splits it: at whitespace not escaped by `\`; a first word without `-` is a cluster of its letters. */
const MAKEFLAGS: OptionText = {
  rule: MAKE,
  words: (text) =>
    text
      .split(/(?<!\\)\s+/)
      .filter(Boolean)
      .map((word, i) => (i === 0 && !word.startsWith('-') && !word.includes('=') ? `-${word}` : word).replace(/\\(.)/g, '$1')),
};

/**
 * vim, ex, nvim: `-c`/`--cmd` commands (`:!id`, `:py3 …`) and `+cmd` words (`+LINE` is a line number), options and
 * files in any order. Only options that always take a value are listed (`-s` is a switch after `-e`).
 */
const VIM: TextRule = {
  reads: 'code',
  options: new Set(['-c', '--cmd', '--remote-send', '--remote-expr']),
  ownOptions: {
    withValue: new Set(['-c', '--cmd', '-u', '-U', '-i', '-T', '--startuptime', '--servername', '--remote-send', '--remote-expr', '--log']),
    anywhere: true,
  },
  codeOperands: (word) => (/^\+(?!\d*$)/.test(word) ? '+cmd' : undefined),
};
/** emacs: `--eval`/`--execute` (also after one `-`, or cut short after two) Lisp; `-l FILE` and `--script FILE` are files. */
const EMACS: TextRule = {
  reads: 'code',
  options: new Set(['--eval', '--execute']),
  ownOptions: {
    longOnly: true,
    anywhere: true,
    withValue: new Set([
      '--eval', '--execute', '--load', '--funcall', '--directory', '--insert', '--script', '--chdir', '--init-directory', '--dump-file',
      '--user', '--terminal', '--display', '--name', '--title', '--font', '--geometry',
    ]),
  },
  ...GNU,
};

/**
 * Programs (or their subcommands) that read what they run from a string on their command line, when given one of
 * these options, or always. Shells: `script -c "…"`, `runuser -c`, `flock LOCK -c "…"`, `sudo -s`/`-i`, `doas -s`,
 * `watch` without `-x`, `npx -c`, `npm exec --call`, `pnpm dlx -c`, `yarn exec "…"` and `bun exec "…"` (their own
 * shells), sed's `e`. Code: `python3 -c`, `node -e`/`-p`, `perl -e`, `ruby -e`, `php -r`, `deno eval`, `bun -e`,
 * `awk '…'`, `lua -e`, `Rscript -e`, `julia -e`, `osascript -e`, `expect -c`, `gdb -ex`, `make --eval`, `vim -c`,
 * `emacs --eval`. Interpreters are looked up without a version (`python3.12` is `python`). A program's rule reads its
 * options before its subcommand, whose rule (if any) reads the rest: `git -c core.pager=… log`, `git rebase -x …`.
 */
export const TEXT_RULES: Readonly<Record<string, TextRule>> = {
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
  // gdb runs its `-ex`/`-iex`/`-eiex` commands (`shell …`, `python …`); `-x FILE` is a script file.
  gdb: {
    reads: 'code',
    options: new Set(['--ex', '--eval-command', '--iex', '--init-eval-command', '--eiex', '--early-init-eval-command']),
    ownOptions: GDB_OPTIONS,
    last: new Set(['--args']),
    ...GNU,
  },
  git: GIT,
  'git clone': {
    reads: 'commands',
    options: new Set(['-u', '--upload-pack']),
    settings: { options: new Set(['-c', '--config']), runs: gitSettingRuns },
    ownOptions: {
      withValue: new Set([
        '-c', '--config', '-u', '--upload-pack', '-o', '--origin', '-b', '--branch', '--template', '--reference', '--reference-if-able',
        '--depth', '--shallow-since', '--shallow-exclude', '--separate-git-dir', '-j', '--jobs', '--filter', '--server-option', '--bundle-uri',
      ]),
      anywhere: true,
    },
    ...GNU,
  },
  'git fetch': GIT_UPLOAD_PACK,
  'git pull': GIT_UPLOAD_PACK,
  'git ls-remote': GIT_UPLOAD_PACK,
  'git push': { reads: 'commands', options: new Set(['--receive-pack', '--exec']), ...GNU },
  'git archive': { reads: 'commands', options: new Set(['--exec']), ...GNU },
  'git rebase': { reads: 'commands', options: new Set(['-x', '--exec']), ...GNU },
  'git grep': { reads: 'commands', options: new Set(['-O', '--open-files-in-pager']), ...GNU },
  'git difftool': { reads: 'commands', options: new Set(['-x', '--extcmd']), ...GNU },
  'git filter-branch': {
    reads: 'commands',
    options: new Set(['--setup', '--env-filter', '--tree-filter', '--index-filter', '--parent-filter', '--msg-filter', '--commit-filter', '--tag-name-filter']),
  },
  'git submodule foreach': ALWAYS_COMMANDS,
  'git bisect run': ALWAYS_COMMANDS,
  make: MAKE,
  gmake: MAKE,
  vim: VIM,
  vi: VIM,
  view: VIM,
  ex: VIM,
  vimdiff: VIM,
  rvim: VIM,
  gvim: VIM,
  nvim: VIM,
  'vim.basic': VIM,
  'vim.tiny': VIM,
  'vim.nox': VIM,
  emacs: EMACS,
  emacsclient: {
    reads: 'code',
    options: new Set(['-e', '--eval']),
    ownOptions: {
      withValue: new Set(['-a', '--alternate-editor', '-s', '--socket-name', '-f', '--server-file', '-d', '--display', '-T', '--tramp', '-F', '--frame-parameters', '--parent-id', '-w', '--timeout']),
      anywhere: true,
    },
    ...GNU,
  },
  // strace writes its trace to a command when the file begins with `|` or `!`.
  strace: { reads: 'commands', options: NONE, codeValues: { options: new Set(['-o', '--output']), isCode: (file) => /^[|!]/.test(file), shown: '|command' }, ownOptions: STRACE_OPTIONS, ...GNU },
  // systemd-run's `-S` starts a shell; an `Exec…=` property is a command line for the unit.
  'systemd-run': {
    reads: 'commands',
    options: new Set(['-S', '--shell']),
    codeValues: { options: new Set(['-p', '--property', '--path-property', '--socket-property', '--timer-property']), isCode: (property) => /^\s*Exec/i.test(property), shown: 'Exec…' },
    ownOptions: SYSTEMD_RUN_OPTIONS,
    ...GNU,
  },
};

/**
 * Variables every process of an interpreter reads more options from, whatever program the server is (npx, like most
 * servers, is a node program): NODE_OPTIONS (`--import=data:…` is code), PERL5OPT (`-Mstrict;system"id"` is), and
 * MAKEFLAGS, make's (`-E …`, `-- X:=$(shell …)`).
 */
export const OPTION_VARIABLES: Readonly<Record<string, OptionText>> = { NODE_OPTIONS, PERL5OPT, MAKEFLAGS };
/** Variables whose value is code an interpreter runs: perl's debugger command, under `-d` (which PERL5OPT may give). */
export const CODE_VARIABLES = ['PERL5DB'];

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
