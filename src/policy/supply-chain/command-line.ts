import { basename } from 'node:path';
import {
  ACTIONS,
  CODE_VARIABLES,
  NONE,
  OPTION_VARIABLES,
  SHELLS,
  TEXT_RULES,
  WRAPPERS,
  type OptionSyntax,
  type OptionText,
  type Reads,
  type TextRule,
  type Wrapper,
} from './program-rules.js';

export type { Reads } from './program-rules.js';

/** A program and its arguments, as a command line would start them. */
export interface CommandLine {
  readonly program: string;
  readonly args: readonly string[];
}


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
  const known = wrapper.abbreviated ? longOptions(wrapper.programAfter, wrapper.withValue, wrapper.gluedValue) : undefined;
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
      if (given.some((o) => wrapper.programAfter?.has(o.option))) {
        return next < args.length ? { command: { program: args[next]!, args: args.slice(next + 1) }, at: next } : undefined;
      }
      i = next - 1;
      continue;
    }
    if (word === '--' || ENV_ASSIGNMENT.test(word) || wrapper.programAfter) continue;
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
function textOptionIn(
  name: string,
  words: readonly string[],
  environment: ReadonlyMap<string, string>,
  before: readonly GivenOption[] = [],
): InlineScript | undefined {
  // Its own rule first, for its options before any subcommand (`git -c core.pager=… log`).
  const rule = entryFor(TEXT_RULES, name) ?? entryFor(TEXT_RULES, withoutVersion(name));
  if (rule) {
    const { options, operands } = optionsIn(words, rule);
    const fromEnvironment = [...(rule.variables ?? [])].flatMap(([variable, option]) => {
      const value = environment.get(variable);
      return value === undefined ? [] : [{ option, value, shown: `with ${variable}` }];
    });
    const script = scriptIn(name, rule, [...before, ...options, ...fromEnvironment], operands);
    if (script) return script;
  }
  const at = subcommandAt(name, words);
  // A subcommand's options may come before it too (`pnpm -c dlx "…"`, `npm --call "…" exec`), and it may have its own
  // (`git submodule foreach`).
  return at === undefined ? undefined : textOptionIn(`${name} ${words[at]}`, words.slice(at + 1), environment, [...before, ...optionsIn(words.slice(0, at)).options]);
}

/** What text a program reads as more of its options makes it run, named after where the text is: `NODE_OPTIONS`. */
function scriptInOptionText(source: string, text: OptionText, value: string): InlineScript | undefined {
  const { options, operands } = optionsIn(text.words(value), text.rule);
  return scriptIn(source, text.rule, options, operands);
}

/** What a program reads as a script, by its rule, from the options and other words it is given. */
function scriptIn(program: string, rule: TextRule, given: readonly GivenOption[], operands: readonly string[]): InlineScript | undefined {
  const { reads, codeValues, settings, script } = rule;
  const named = (o: GivenOption) => `${program} ${o.shown ?? o.option}`;
  const option = given.find((o) => rule.options.has(o.option) || rule.commandOptions?.has(o.option));
  if (option) return { program: named(option), reads: rule.commandOptions?.has(option.option) ? 'commands' : reads };
  const code = codeValues && given.find((o) => codeValues.options.has(o.option) && o.value !== undefined && codeValues.isCode(o.value));
  if (code) return { program: `${named(code)} ${codeValues.shown}`, reads };
  const setting = settings && given.find((o) => settings.options.has(o.option) && o.value !== undefined && settings.runs(o.value));
  if (setting) return { program: `${named(setting)} ${setting.value!.split('=', 1)[0]}`, reads };
  const operand = rule.codeOperands && operands.map(rule.codeOperands).find((shown) => shown !== undefined);
  if (operand) return { program: `${program} ${operand}`, reads };
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

/** Each program and subcommand with a rule, or whose subcommand has one (`git submodule` for `git submodule foreach`). */
const WITH_RULES = new Set(Object.keys(TEXT_RULES).flatMap((key) => key.split(' ').map((_, i, words) => words.slice(0, i + 1).join(' '))));

/**
 * Where a subcommand with a rule of its own stands (`npm exec`, `pnpm --silent dlx`, `git submodule`), if one does: the
 * first word that is no option, or a later one while each word before it may be an option's value (`npm --cache DIR exec`).
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
    if (WITH_RULES.has(`${name} ${word}`)) return i;
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
  if (syntax.withValue?.has(option) || syntax.gluedValue?.has(option) || syntax.valueWords?.has(option)) return true;
  return syntax.switches !== undefined && !syntax.switches.has(option) && !option.startsWith('--no-');
}

/** Whether an option that takes a value and has none glued takes the next word: npx's not when it is an option. */
function takesNextWord(syntax: OptionSyntax, option: string, next: string | undefined): boolean {
  if (next === undefined || syntax.gluedValue?.has(option)) return false;
  return syntax.withValue?.has(option) === true || syntax.valueWords?.has(option) === true || !next.startsWith('-');
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
  // bwrap's `--bind SRC DEST`: the words after the first are the option's too.
  const withNext = (given: GivenOption[], option: string) =>
    takesNextWord(syntax, option, following)
      ? { given: [...given, { option, value: following }], next: i + 1 + (syntax.valueWords?.get(option) ?? 1) }
      : { given: [...given, { option }], next: i + 1 };
  if (word.startsWith('--') || syntax.longOnly) {
    const equals = word.indexOf('=');
    const written = equals < 0 ? word : word.slice(0, equals);
    const option = longOption(written.startsWith('--') ? written : `-${written}`, known);
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
  return longOptions(rule.options, rule.unless, rule.codeValues?.options, rule.settings?.options, rule.script?.options, rule.script?.files, rule.last,
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
