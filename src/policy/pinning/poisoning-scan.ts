import type { CatalogTool } from '../../catalog/tool.js';

export type PoisoningRule = 'hidden-characters' | 'model-instructions' | 'markup' | 'secret-file' | 'tool-shadowing';

/** Tool names to look for in a description: only `has` is needed, so callers can answer from an index. */
export interface NameLookup {
  has(name: string): boolean;
}

export interface PoisoningFinding {
  readonly rule: PoisoningRule;
  /** Where in the tool: `description`, `inputSchema.properties.path.description`, ... */
  readonly where: string;
  readonly detail: string;
}

/** Zero-width and invisible formatting characters, bidi controls, and Unicode tag characters (invisible ASCII). */
const HIDDEN = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u180E\u{E0000}-\u{E007F}]/gu;

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

/** Every string a model reads about a tool: its description, title, and every string value inside its inputSchema. */
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
  walk(tool.inputSchema, 'inputSchema');
  return found;
}

/**
 * Looks for signs of a poisoned tool definition. `otherToolNames` are names of tools on OTHER servers
 * (see `shadowableNames`): a description that talks about them is trying to steer how those tools are used.
 */
export function scanTool(tool: CatalogTool, otherToolNames?: NameLookup): PoisoningFinding[] {
  const findings: PoisoningFinding[] = [];
  for (const { where, text } of texts(tool)) {
    const hidden = [...new Set(text.match(HIDDEN) ?? [])];
    if (hidden.length > 0) findings.push({ rule: 'hidden-characters', where, detail: hidden.map(codePoint).join(' ') });
    if (where.endsWith('(key)')) continue;
    const instruction = firstMatch(INSTRUCTIONS, text);
    if (instruction) findings.push({ rule: 'model-instructions', where, detail: excerpt(instruction) });
    const markup = firstMatch(MARKUP, text);
    if (markup) findings.push({ rule: 'markup', where, detail: excerpt(markup) });
    const secret = text.match(SECRET_FILES);
    if (secret) findings.push({ rule: 'secret-file', where, detail: excerpt(secret[0].trim()) });
    const mention = otherToolNames && text.match(IDENTIFIER)?.find((word) => otherToolNames.has(word));
    if (mention) findings.push({ rule: 'tool-shadowing', where, detail: `mentions another server's tool "${mention}"` });
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
    for (const word of text.match(IDENTIFIER) ?? []) if (/[_-]/.test(word)) names.add(word);
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
