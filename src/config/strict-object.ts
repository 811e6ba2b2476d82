import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';

/**
 * A config section's object schema: unknown keys are refused (a typo must not be silently ignored), each named with
 * the known key it most likely meant. Every object of `toolscope.json` is built with this, and so are request bodies
 * checked the same way (`POST /v1/route`).
 */
export function configObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, { error: unknownKeysMessage });
}

function unknownKeysMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  // The schema that refused the keys, which may be an extension of the one built here.
  const known = Object.keys((issue.inst as z.ZodObject | undefined)?._zod.def.shape ?? {});
  return issue.keys.map((key) => describeUnknownKey(key, known)).join('; ');
}

/** `unknown key "server" (did you mean "servers"?)`, or the known keys when none is close. */
export function describeUnknownKey(key: string, known: readonly string[]): string {
  const suggestion = didYouMean(key, known);
  if (suggestion) return `unknown key "${key}" (did you mean "${suggestion}"?)`;
  return `unknown key "${key}" (known keys: ${known.join(', ')})`;
}

/** The known name closest to `name`, if close enough to be a typo of it. */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lowered = name.toLowerCase();
  const byLowercase = new Map(known.map((candidate) => [candidate.toLowerCase(), candidate]));
  const nearest = closest(lowered, [...byLowercase.keys()]);
  // A third of the name's letters (at least 2) may differ: "server"/"servers", "comand"/"command", "tokenHash"/"tokenHashes".
  return distance(lowered, nearest) <= Math.max(2, Math.floor(lowered.length / 3)) ? byLowercase.get(nearest) : undefined;
}
