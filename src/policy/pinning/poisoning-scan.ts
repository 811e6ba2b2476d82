import unhomoglyph from 'unhomoglyph';
import type { CatalogTool } from '../../catalog/tool.js';
import { HIDDEN_CHARACTERS, VARIATION_SELECTORS } from '../invisible-characters.js';

export type PoisoningRule = 'hidden-characters' | 'model-instructions' | 'markup' | 'secret-file' | 'tool-shadowing';

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

/** Text addressed to the model rather than describing the tool. */
const INSTRUCTIONS: readonly RegExp[] = [
  /\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(previous|prior|above|earlier|preceding|system|other)\b[^.\n]{0,20}\b(instructions?|prompts?|rules|directions|guidelines)\b/i,
  /\b(do not|don't|never)\b[^.\n]{0,30}\b(tell|inform|mention|reveal|disclose|notify|alert|show)\b[^.\n]{0,30}\b(user|human)s?\b/i,
  /\bwithout (telling|informing|notifying|alerting|asking) the (user|human)\b/i,
  /\bthe (user|human) (must not|should not|shouldn't|need not|needn't) (know|see|be told|notice)\b/i,
  /\byou are now\b/i,
  /\bbefore (using|calling) (this|any other|any) tool\b[^\n]{0,80}\b(read|cat|open|send|include|pass|upload)\b/i,
];

const MARKUP: readonly RegExp[] = [
  /<\s*\/?\s*(important|system|instructions?|secret|hidden|critical|admin|assistant)\b[^>]*>/i,
  /\[\/?INST\]|<\|im_(start|end)\|>|<\|(system|user|assistant)\|>/i,
];

/** Paths and files that hold credentials; legitimate tool descriptions have no reason to name them. */
const SECRET_FILES =
  /~\/\.ssh\b|\.ssh\/|\bid_(rsa|dsa|ecdsa|ed25519)\b|(^|[\s"'`(/])\.env\b|\/etc\/(shadow|passwd|sudoers)\b|\.aws\/credentials|\bcredentials\.json\b|\bcredentials? files?\b|\.git-credentials|\.npmrc\b|\.netrc\b|\.pgpass\b|\.docker\/config\.json|\.kube\/config|\bmcp\.json\b/i;

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
    const instruction = firstMatch(INSTRUCTIONS, text);
    if (instruction) findings.push({ rule: 'model-instructions', where, detail: excerpt(instruction) });
    const markup = firstMatch(MARKUP, text);
    if (markup) findings.push({ rule: 'markup', where, detail: excerpt(markup) });
    const secret = text.match(SECRET_FILES);
    if (secret) findings.push({ rule: 'secret-file', where, detail: excerpt(secret[0].trim()) });
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

function firstMatch(patterns: readonly RegExp[], text: string): string | undefined {
  for (const pattern of patterns) {
    const match = text.match(pattern);
    if (match) return match[0];
  }
  return undefined;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 77)}...` : flat);
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
