import { identifierWords } from './document.js';

/**
 * What kind of change an action makes, as far as choosing between sibling tools goes ("create_entities" vs
 * "delete_entities"). `null` when a word names no known action.
 */
export type ActionKind = 'create' | 'read' | 'update' | 'delete';

/** Verbs by the kind of action they ask for; requests' everyday verbs ("remember", "forget") included. */
const ACTION_VERBS: Readonly<Record<ActionKind, readonly string[]>> = {
  create: ['add', 'append', 'create', 'insert', 'make', 'new', 'note', 'post', 'put', 'record', 'register', 'remember', 'save', 'store', 'write'],
  read: ['browse', 'fetch', 'find', 'get', 'list', 'load', 'look', 'lookup', 'open', 'query', 'read', 'recall', 'retrieve', 'search', 'show', 'view'],
  update: ['change', 'edit', 'modify', 'patch', 'rename', 'replace', 'set', 'update'],
  delete: ['clear', 'delete', 'destroy', 'drop', 'erase', 'forget', 'purge', 'remove', 'unset', 'wipe'],
};

const KIND_OF = new Map(
  (Object.entries(ACTION_VERBS) as Array<[ActionKind, readonly string[]]>).flatMap(([kind, verbs]) =>
    verbs.map((verb) => [verb, kind] as const),
  ),
);

/** The kind of action a request asks for: that of its first action verb (a request leads with its verb). */
export function requestedAction(query: string): ActionKind | null {
  for (const word of identifierWords(query)) {
    const kind = KIND_OF.get(word);
    if (kind) return kind;
  }
  return null;
}

/** The kind of action a tool performs, read from its name's first known verb (`delete_entities` -> delete). */
export function toolAction(name: string): ActionKind | null {
  for (const word of identifierWords(name)) {
    const kind = KIND_OF.get(word);
    if (kind) return kind;
  }
  return null;
}

/** A domain a request's verb names without its word, and the kind of action the verb asks of it. */
export interface ImpliedDomain {
  /** Words of the domain: a request to "remember" something is about a memory (or a store). */
  readonly terms: readonly string[];
  /** What the verb asks of that domain: "remember that …" adds to it, "forget …" deletes from it, "recall …" reads it. */
  readonly action: ActionKind;
}

/**
 * Verbs whose plain meaning names a domain (`implied-domain.ts`). A Map, not an object literal: a request's words
 * must never reach `Object.prototype` ("constructor", "toString").
 */
const IMPLYING_VERBS: ReadonlyMap<string, ImpliedDomain> = new Map([
  ['remember', { terms: ['memory', 'store'], action: 'create' }],
  ['recall', { terms: ['memory'], action: 'read' }],
  ['forget', { terms: ['memory'], action: 'delete' }],
  ['note', { terms: ['memory'], action: 'create' }],
]);

/**
 * Words after which an implying word asks for nothing: a determiner makes it a noun ("leave a note", "drop them a
 * note"), a negation makes it no request ("write it up so we don't forget", "I never remember which repo": the
 * request is elsewhere). "don't" splits into "don" and "t".
 */
const NOT_A_REQUESTED_VERB_AFTER = new Set(
  ('a an the this that these those my your our their his her its some any another each every no ' +
    'not never dont don t doesnt didnt wont cant cannot').split(' '),
);

/**
 * The domain a request's verbs imply ("remember ..." -> memory, store), with the action its first implying verb asks
 * for; undefined for most requests. What "you remember" is asked for is read ("what do you remember about everyone?",
 * "look up what you remember about Phoenix"), unless a "that" clause follows: "can you remember that …" adds.
 */
export function impliedDomain(query: string): ImpliedDomain | undefined {
  const words = identifierWords(query);
  const terms = new Set<string>();
  let action: ActionKind | undefined;
  words.forEach((word, index) => {
    const implied = IMPLYING_VERBS.get(word);
    if (!implied || NOT_A_REQUESTED_VERB_AFTER.has(words[index - 1] ?? '')) return;
    for (const term of implied.terms) terms.add(term);
    const recalled = implied.action === 'create' && words[index - 1] === 'you' && words[index + 1] !== 'that';
    action ??= recalled ? 'read' : implied.action;
  });
  return action === undefined ? undefined : { terms: [...terms], action };
}

/**
 * +1 when the tool does the kind of action asked for, -1 when it deletes and the request asked for something else
 * (a destructive tool must not win a request that never asked to destroy), else 0.
 */
export function actionAgreement(requested: ActionKind | null, tool: ActionKind | null): number {
  if (requested === null || tool === null) return 0;
  if (requested === tool) return 1;
  return tool === 'delete' ? -1 : 0;
}

/** True when both kinds are known and differ: a tool that reads does not answer a request to create, and so on. */
export function actionsConflict(requested: ActionKind | null, tool: ActionKind | null): boolean {
  return requested !== null && tool !== null && requested !== tool;
}
