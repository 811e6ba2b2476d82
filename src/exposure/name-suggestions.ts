import { MAX_EXPOSED_NAME_LENGTH } from '../catalog/naming.js';
import type { CatalogTool } from '../catalog/tool.js';
import { didYouMean } from '../config/strict-object.js';

/** Most names one suggestion offers: a few to choose from, not a listing. */
const MAX_SUGGESTIONS = 3;

/**
 * Past this length a name is no typo of a tool's (exposed names have at most 64 characters): no suggestion is looked
 * for, since the edit distance to every tool would cost time in proportion to the name's length (a megabyte: seconds).
 */
const MAX_SUGGESTED_FOR = 2 * MAX_EXPOSED_NAME_LENGTH;

/**
 * The tools a caller most likely meant by a name no tool has, among `callable`: only tools the caller may call, so a
 * suggestion never names one its scopes or a quarantine keep from it. First the tools whose name is the same once
 * case, separators and surrounding space are set aside (`Everything:Echo`, `" everything__echo "`,
 * `everything__get_sum` for `everything__get-sum`) or whose own name on their server it is (`echo`); else the one
 * name a typo away.
 */
export function closestToolNames(name: string, callable: readonly CatalogTool[]): string[] {
  if (name.length > MAX_SUGGESTED_FOR) return [];
  const wanted = comparable(name);
  const same = callable.filter((tool) => comparable(tool.exposedName) === wanted || comparable(tool.name) === wanted);
  if (same.length > 0) return same.slice(0, MAX_SUGGESTIONS).map((tool) => tool.exposedName);
  const byComparable = new Map(callable.map((tool) => [comparable(tool.exposedName), tool.exposedName]));
  const typo = didYouMean(wanted, [...byComparable.keys()]);
  return typo === undefined ? [] : [byComparable.get(typo)!];
}

/** A name no tool has, as an answer shows it: a long one cut short, so the answer does not echo a megabyte back. */
export function shownName(name: string): string {
  return name.length > MAX_SUGGESTED_FOR ? `${name.slice(0, MAX_SUGGESTED_FOR)}… (${name.length} characters)` : name;
}

/** ` (did you mean "a" or "b"?)` to follow what named no tool; empty without suggestions. */
export function didYouMeanNames(names: readonly string[]): string {
  return names.length === 0 ? '' : ` (did you mean ${names.map((name) => `"${name}"`).join(' or ')}?)`;
}

/** Lower case, with each run of separators (`_`, `-`, `:`, `.`, `/`, space) as one `_`. */
function comparable(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_\-:./]+/g, '_');
}
