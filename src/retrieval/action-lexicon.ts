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

/**
 * Words a request's verb implies about the tool it wants (`implied-domain.ts`): a request to "remember" something is
 * about a memory, one to "forget" too. Only verbs whose plain meaning names a domain.
 * A Map, not an object literal: a request's words must never reach `Object.prototype` ("constructor", "toString").
 */
const IMPLIED_TERMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['remember', ['memory', 'store']],
  ['recall', ['memory']],
  ['forget', ['memory']],
  ['note', ['memory']],
]);

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

/**
 * Words after which an implying word asks for nothing: a determiner makes it a noun ("leave a note", "drop them a
 * note"), a negation makes it no request ("write it up so we don't forget", "I never remember which repo": the
 * request is elsewhere). "don't" splits into "don" and "t".
 */
const NOT_A_REQUESTED_VERB_AFTER = new Set(
  ('a an the this that these those my your our their his her its some any another each every no ' +
    'not never dont don t doesnt didnt wont cant cannot').split(' '),
);

/** The domain words a request's verbs imply ("remember ..." -> memory, store); empty for most requests. */
export function impliedTerms(query: string): string[] {
  const words = identifierWords(query);
  return [
    ...new Set(words.flatMap((word, index) => (NOT_A_REQUESTED_VERB_AFTER.has(words[index - 1] ?? '') ? [] : (IMPLIED_TERMS.get(word) ?? [])))),
  ];
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
