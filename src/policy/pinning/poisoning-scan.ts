import unhomoglyph from 'unhomoglyph';
import type { CatalogTool } from '../../catalog/tool.js';
import { HIDDEN_CHARACTERS, VARIATION_SELECTORS } from '../invisible-characters.js';

export type PoisoningRule = 'hidden-characters' | 'model-instructions' | 'markup' | 'secret-file' | 'exfiltration' | 'tool-shadowing';

/** Tool names to look for in a description: only `has` is needed, so callers can answer from an index. */
export interface NameLookup {
  has(name: string): boolean;
}

/** The names a tool's texts are checked against for shadowing. */
export interface ShadowingNames {
  /** Names of other servers' tools that the tool's own server does not use: any mention is suspect. */
  readonly foreign: NameLookup;
  /**
   * Names other servers' tools go by, the tool's own server's included: steering away from one of them
   * ("use this instead of send_email") is suspect even when the tool's own server has a tool of that name.
   */
  readonly elsewhere?: NameLookup;
}

export interface PoisoningFinding {
  readonly rule: PoisoningRule;
  /** Where in the tool: `description`, `inputSchema.properties.path.description`, ... */
  readonly where: string;
  readonly detail: string;
}

/** Characters that render as nothing and have no business in a tool's text, each one a finding. */
const HIDDEN = new RegExp(`[${HIDDEN_CHARACTERS}]`, 'gu');

/** Variation selectors in a row: a character takes one, so a run of them carries something else (hidden bytes). */
const VARIATION_RUN = new RegExp(`[${VARIATION_SELECTORS}]{2,}`, 'u');

/** Distinct hidden characters shown in a finding, at most: a smuggled payload holds hundreds. */
const SHOWN_HIDDEN = 8;

/** A pattern and what a finding calls it ("instruction override"), so the admin reading the reason knows what matched. */
interface Pattern {
  readonly what: string;
  readonly pattern: RegExp;
}

/** Verbs that move data somewhere: into an argument, a URL, a message. */
const SEND = String.raw`(?:put|include|insert|send|append|add|attach|pass|paste|copy|embed|upload|post|forward|place|supply|provide|fill|encode|set)`;
/** Verbs that fetch data to be sent on: what a poisoned description asks the model to do first. */
const FETCH = String.raw`(?:read|load|open|cat|dump|collect|gather|grab|extract|copy|send|include|pass|upload|attach|append|put|post|forward|email)`;
/** A character of the same sentence: a full stop ends one only when a space or the end follows (`~/.ssh/id_rsa` does not). */
const SAME_SENTENCE = String.raw`(?:[^.\n]|\.(?=\S))`;
/** Someone a poisoned description wants kept in the dark. */
const THE_USER = String.raw`(?:the |your )?(?:user|human)s?\b`;

/**
 * Text addressed to the model rather than describing the tool. Each pattern needs the wording of an order to the
 * model, not a single word: "Ignore case", "override the default", "before calling this tool, list the tables" and
 * "use X instead" (a deprecation note) describe tools. Over the ~10,000 real tools of the public benchmark catalogs
 * and datasets/mcp-catalog, the patterns here flag no tool the earlier, narrower list left alone.
 */
const INSTRUCTIONS: readonly Pattern[] = [
  {
    what: 'instruction override',
    pattern:
      /\b(?:ignore|disregard|forget|override|overrule)\b[^.\n]{0,40}?\b(?:previous|previously|prior|above|earlier|preceding|foregoing|system|original|initial|other)\b[^.\n]{0,30}?\b(?:instructions?|guidance|guidelines?|directions?|directives?|rules|prompts?|context|system (?:message|prompt)s?|constraints)\b|\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?your\s+(?:instructions?|guidance|guidelines?|directions?|rules|prompts?|system)\b/i,
  },
  {
    what: 'instruction override',
    pattern:
      /\b(?:ignore|disregard|forget)\s+(?:everything|anything|all|whatever)(?:\s+(?:you(?:'ve| have)?\s+)?(?:read|seen|been told|were told))?\s+(?:above|previously|so far|until now|before now)\b|\b(?:ignore|disregard|forget)\s+(?:what|whatever|everything|anything)\s+(?:you\s+)?(?:were|have been|had been|are|was)\s+(?:told|given|instructed|asked)\b/i,
  },
  { what: 'role change', pattern: /\byou are now\b|\bfrom now on,? you\b|\byour new (?:task|role|instructions?|goal) (?:is|are)\b/i },
  {
    what: 'ordering demand',
    pattern: new RegExp(
      String.raw`\b(?:before|prior to|ahead of)\s+(?:you\s+)?(?:using|calling|invoking|running|executing|use|call|invoke|run)\s+(?:this|the|any|any other|each|every)\s+(?:\w+\s+)?(?:tool|function|action|endpoint|api|command)s?\b[^.\n]{0,80}?\b${FETCH}\b`,
      'i',
    ),
  },
  {
    what: 'ordering demand',
    pattern: new RegExp(
      String.raw`\b${FETCH}\b[^.\n]{0,80}?\b(?:before|prior to|ahead of)\s+(?:you\s+)?(?:using|calling|invoking|running|executing|use|call|invoke|run)\s+(?:this|the|any|any other)\s+(?:tool|function|action|endpoint|api|command)s?\b`,
      'i',
    ),
  },
  {
    what: 'ordering demand',
    // A tool name: quoted, or with a `_`, `-`, `.` or digit in it ("always use UTC instead" names no tool).
    pattern:
      /\balways\s+(?:use|call|invoke|run|prefer|try)\s+(?:the\s+)?(?:[`"'“‘][\w.-]+[`"'”’]|(?=[\w.-]*[_.\d-])[\w.-]+)(?:\s+(?:tool|function))?\s+(?:first|instead|beforehand)\b/i,
  },
  { what: 'ordering demand', pattern: /\b(?:use|call|invoke|run)\s+(?:the\s+)?[`"'“‘]?\w+__\w+[`"'”’]?(?:\s+(?:tool|function))?\s+(?:first|instead|beforehand)\b/i },
  {
    what: 'secrecy towards the user',
    pattern: new RegExp(
      String.raw`\b(?:do not|don't|dont|never|must not|should not|shouldn't)\b[^.\n]{0,30}?\b(?:tell|inform|mention|reveal|disclose|notify|alert|show)\b[^.\n]{0,30}?\b${THE_USER}`,
      'i',
    ),
  },
  {
    what: 'secrecy towards the user',
    pattern: new RegExp(
      String.raw`\bwithout\s+(?:telling|informing|notifying|alerting|asking|mentioning)\b[^.\n]{0,20}?\b${THE_USER}|\b(?:hide|conceal|withhold)\s+(?:this|it|that|these|them|the\s+(?:step|instruction|request|action)s?)\s+from\s+${THE_USER}|\bthe (?:user|human) (?:must not|should not|shouldn't|need not|needn't|does not need to|doesn't need to) (?:know|see|be told|notice|be informed)\b`,
      'i',
    ),
  },
  {
    what: 'secrecy towards the user',
    pattern:
      /\bkeep\s+(?:this|that|it|these|the)\b(?:\s+(?:step|instruction|part|action|request|note|detail)s?)?\s+(?:to\s+yourself|secret|hidden|confidential|between us)\b/i,
  },
  {
    what: 'secrecy towards the user',
    pattern:
      /\bsilently\b[^.,;:\n]{0,12}?\b(?:send|upload|read|load|include|append|attach|forward|copy|post|email|transmit|collect|pass|call|invoke|exfiltrate|share|leak|cat|open)\b|\b(?:do (?:this|it|so)|proceed|act|perform (?:this|these) steps?) silently\b/i,
  },
];

const MARKUP: readonly Pattern[] = [
  { what: 'tag addressed to the model', pattern: /<\s*\/?\s*(important|system|instructions?|secret|hidden|critical|admin|assistant)\b[^>]*>/i },
  { what: 'chat template token', pattern: /\[\/?INST\]|<\|im_(start|end)\|>|<\|(system|user|assistant)\|>/i },
];

/**
 * Paths and files that hold credentials: legitimate tool descriptions have no reason to name them. Matched as path
 * fragments, so `~/.ssh`, `$HOME/.ssh`, `/home/me/.ssh` and `%USERPROFILE%\.ssh` all count; the finding quotes
 * the whole path.
 */
const SECRET_FILES: readonly Pattern[] = [
  { what: 'SSH keys', pattern: /(?:^|[^\w.-])\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?\b/i },
  { what: 'AWS credentials', pattern: /\.aws[\\/](?:credentials|config)\b/i },
  { what: 'GitHub CLI token', pattern: /\.config[\\/]gh\b|\bgh[\\/]hosts\.ya?ml\b/i },
  { what: 'Google Cloud credentials', pattern: /\.config[\\/]gcloud\b|\bapplication_default_credentials\.json\b/i },
  { what: 'Azure credentials', pattern: /\.azure[\\/]/i },
  { what: 'Kubernetes credentials', pattern: /\.kube[\\/]config\b/i },
  { what: 'Docker credentials', pattern: /\.docker[\\/]config\.json\b/i },
  { what: 'netrc credentials', pattern: /(?:^|[^\w.-])[._]netrc\b/i },
  { what: 'npm token', pattern: /\.npmrc\b/i },
  { what: 'PyPI token', pattern: /\.pypirc\b/i },
  { what: 'git credentials', pattern: /\.git-credentials\b/i },
  { what: 'PostgreSQL passwords', pattern: /\.pgpass\b/i },
  { what: 'GnuPG keys', pattern: /\.gnupg\b/i },
  { what: '.env file', pattern: /(?:^|[\s"'`(/\\=:])\.env\b/i },
  { what: 'shell history', pattern: /\.(?:bash|zsh|sh|ksh|python|node_repl|psql|mysql|sqlite)_history\b|\bfish_history\b|\bConsoleHost_history\.txt\b/i },
  { what: 'system password file', pattern: /\/etc\/(?:shadow|gshadow|passwd|master\.passwd|sudoers)\b/i },
  { what: 'credentials file', pattern: /\bcredentials\.json\b|\bcredentials? files?\b/i },
  { what: 'MCP client config', pattern: /\bmcp\.json\b|\bclaude_desktop_config\.json\b/i },
];

/**
 * Asks to move data into the tool's arguments or out through a URL: "put its contents in the `context` field",
 * "include the output of `cat ~/.bash_history`". The source must be a file, a command or the user's own data, not
 * the data the tool exists to handle ("the content to write").
 */
const EXFILTRATION: readonly Pattern[] = [
  {
    what: 'data moved into an argument',
    pattern: new RegExp(
      String.raw`\b${SEND}\b${SAME_SENTENCE}{0,30}?(?:\b(?:its|their|that file's|the file's|the command's)\s+(?:(?:full|entire|complete|raw|whole)\s+)?(?:contents?|output|data)\b|\b(?:contents?|output)\s+of\s+(?:running\s+)?(?:(?:the\s+)?(?:[~$/\\]|\.\w|%\w)|(?:(?:the|your|all|any|every)\s+)?(?:user's\s+)?(?:(?:ssh|private|api|access|secret|aws|cloud|github)\s+)?(?:environment|env\b|shell|terminal|history|conversation|chat|system prompt|secrets?|credentials?|keys?|tokens?|passwords?|dotfiles?|home (?:directory|folder)|config(?:uration)? files?|files? (?:you|the user)|any files?|every files?)))${SAME_SENTENCE}{0,60}?(?:\b(?:in|into|to|as|inside|within|under|via)\b${SAME_SENTENCE}{0,30}?\b(?:parameter|param|field|argument|arg|property|url|query string|querystring|header)s?\b|\bas\s+[\x60"'“‘][\w.-]+[\x60"'”’])`,
      'i',
    ),
  },
  {
    what: 'shell command',
    pattern:
      /\bcat\s+(?:~|\$\{?HOME\b|%USERPROFILE%|\/etc\/|\/root\b|\/home\/|\/Users\/|\/proc\/)[^\s`"')]*|\$\(\s*(?:cat|printenv|env|history|whoami|id|hostname|base64|curl|wget|head|tail|less|more|gpg|aws|gh|gcloud|kubectl|security)\b[^)\n]{0,80}\)|`\s*(?:printenv|base64)\s+[^`\n]{1,80}`/i,
  },
];

/** The rules whose patterns run over the normalised text, in the order their findings are listed. */
const PATTERN_RULES: ReadonlyArray<readonly [PoisoningRule, readonly Pattern[]]> = [
  ['model-instructions', INSTRUCTIONS],
  ['markup', MARKUP],
  ['secret-file', SECRET_FILES],
  ['exfiltration', EXFILTRATION],
];

/** Characters that render as nothing: stripped before the patterns are matched (they are findings themselves). */
const INVISIBLE = new RegExp(`[${HIDDEN_CHARACTERS}${VARIATION_SELECTORS}]`, 'gu');

/**
 * The text as the patterns should see it: compatibility forms folded (NFKC: fullwidth and mathematical letters),
 * invisible characters removed, accents dropped, and every other non-ASCII letter replaced by the ASCII letter it
 * is confusable with (Unicode TR39 confusables, via unhomoglyph), case kept: Cyrillic "Іgnоrе" reads "Ignore".
 */
export function normaliseForScan(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x00-\x7F]/gu, (char) => {
      const lower = char.toLowerCase();
      return lower === char ? unhomoglyph(char) : unhomoglyph(lower).toUpperCase();
    });
}

/**
 * Every string a client sees about a tool: description, title, and every string (keys included) in its
 * annotations, inputSchema and outputSchema.
 */
function texts(tool: CatalogTool): Array<{ where: string; text: string }> {
  const found: Array<{ where: string; text: string }> = [{ where: 'description', text: tool.description }];
  if (tool.title) found.push({ where: 'title', text: tool.title });
  const walk = (value: unknown, where: string): void => {
    if (typeof value === 'string') found.push({ where, text: value });
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${where}[${i}]`));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        found.push({ where: `${where} (key)`, text: key });
        walk(item, `${where}.${key}`);
      }
    }
  };
  walk(tool.annotations, 'annotations');
  walk(tool.inputSchema, 'inputSchema');
  walk(tool.outputSchema, 'outputSchema');
  return found;
}

/** "Use this instead of X": a name the text steers the model away from. */
const STEERING_AWAY =
  /\b(?:instead of|rather than|in place of|in preference to|replaces|supersedes|better than|not|never|avoid|(?:do not|don't|never) (?:use|call))\s+(?:using\s+|calling\s+)?(?:the\s+)?[`"'“‘]?([A-Za-z0-9_-]+)/gi;

/**
 * Looks for signs of a poisoned tool definition, in the text as written (hidden characters) and normalised
 * (everything else). `names` are other servers' tool names (see `shadowableNames`): a text that talks about them,
 * or steers the model away from them, is trying to change how those tools are used.
 */
export function scanTool(tool: CatalogTool, otherNames?: ShadowingNames | NameLookup): PoisoningFinding[] {
  // A bare lookup is the foreign names alone.
  const names = otherNames && ('foreign' in otherNames ? otherNames : { foreign: otherNames });
  const findings: PoisoningFinding[] = [];
  for (const { where, text: raw } of texts(tool)) {
    const hidden = [...new Set(raw.match(HIDDEN) ?? [])];
    if (hidden.length > 0) {
      const more = hidden.length > SHOWN_HIDDEN ? ` and ${hidden.length - SHOWN_HIDDEN} more` : '';
      findings.push({ rule: 'hidden-characters', where, detail: `${hidden.slice(0, SHOWN_HIDDEN).map(codePoint).join(' ')}${more}` });
    }
    const run = raw.match(VARIATION_RUN)?.[0];
    if (run) findings.push({ rule: 'hidden-characters', where, detail: `${[...run].length} variation selectors in a row` });
    if (where.endsWith('(key)')) continue;
    const text = normaliseForScan(raw);
    for (const [rule, patterns] of PATTERN_RULES) {
      for (const [what, matched] of matches(patterns, text, rule === 'secret-file')) findings.push({ rule, where, detail: `${excerpt(matched)} (${what})` });
    }
    const mention = names && text.match(IDENTIFIER)?.find((word) => names.foreign.has(word));
    if (mention) findings.push({ rule: 'tool-shadowing', where, detail: `mentions another server's tool "${mention}"` });
    const avoided = names?.elsewhere && [...text.matchAll(STEERING_AWAY)].map((match) => match[1]!).find((word) => names.elsewhere!.has(word));
    if (avoided && avoided !== mention) {
      findings.push({ rule: 'tool-shadowing', where, detail: `steers the model away from another server's tool "${avoided}"` });
    }
  }
  return findings;
}

/** Identifier-like words; tool names are looked up among them (a set lookup per word, whatever the catalog size). */
const IDENTIFIER = /[A-Za-z0-9_-]+/g;

/**
 * The words of a tool's texts that could be another tool's shadowable name: those with a `_` or `-` in them, as every
 * namespaced name and every distinctive plain name has.
 */
export function mentionedNames(tool: CatalogTool): Set<string> {
  const names = new Set<string>();
  for (const { where, text } of texts(tool)) {
    if (where.endsWith('(key)')) continue;
    for (const word of normaliseForScan(text).match(IDENTIFIER) ?? []) if (/[_-]/.test(word)) names.add(word);
  }
  return names;
}

/**
 * The names by which a description could refer to `tool` from another server: its namespaced name always, and its
 * own name when it is distinctive (a compound identifier such as `send_email` or `get-env`, not a plain word
 * like `echo` or `query`, which a description may well use in its ordinary sense).
 */
export function shadowableNames(tool: CatalogTool): string[] {
  const names = [tool.exposedName];
  if (/^[A-Za-z0-9]+([_-][A-Za-z0-9]+)+$/.test(tool.name) && tool.name.length >= 6) names.push(tool.name);
  return names;
}

export function describeFinding(finding: PoisoningFinding): string {
  return `${finding.rule} in ${finding.where}: ${finding.detail}`;
}

/**
 * What each kind of pattern (`what`) first matched in `text`, one entry per kind, in the order they appear in the
 * text. With `wholePath`, a match is widened to the path it is part of: `.ssh` in `$HOME/.ssh/id_rsa` is quoted as
 * the whole path.
 */
function matches(patterns: readonly Pattern[], text: string, wholePath: boolean): Array<[what: string, matched: string]> {
  const found = new Map<string, { at: number; matched: string }>();
  for (const { what, pattern } of patterns) {
    if (found.has(what)) continue;
    const match = pattern.exec(text);
    if (!match) continue;
    let [start, end] = [match.index, match.index + match[0].length];
    if (wholePath) {
      while (start < end && !PATH_CHARACTER.test(text[start]!)) start++;
      while (start > 0 && PATH_CHARACTER.test(text[start - 1]!)) start--;
      while (end < text.length && PATH_CHARACTER.test(text[end]!)) end++;
    }
    found.set(what, { at: start, matched: text.slice(start, end).trim().replace(/[.,:;!?]+$/, '') });
  }
  return [...found].sort(([, a], [, b]) => a.at - b.at).map(([what, { matched }]) => [what, matched]);
}

/** Characters a path is made of, for quoting the whole of one: anything but spaces, quotes and brackets. */
const PATH_CHARACTER = /[^\s"'`,;()<>[\]]/;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 77)}...` : flat);
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
