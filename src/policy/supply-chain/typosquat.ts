import { distance } from 'fastest-levenshtein';
import { KNOWN_MCP_PACKAGES } from './known-packages.js';
import { packageFromArgv } from './package-from-argv.js';

export interface SimilarName {
  readonly package: string;
  readonly similarTo: string;
  readonly edits: number;
}

const normalise = (name: string) => name.toLowerCase().replace(/_/g, '-');

/** The known package `name` is one or two edits away from (and not equal to), if any. */
export function isTyposquat(name: string, known: readonly string[] = KNOWN_MCP_PACKAGES): SimilarName | undefined {
  const candidate = normalise(name);
  if (known.some((k) => normalise(k) === candidate)) return undefined;
  let best: SimilarName | undefined;
  for (const k of known) {
    const edits = distance(candidate, normalise(k));
    if (edits <= 2 && (!best || edits < best.edits)) best = { package: name, similarTo: k, edits };
  }
  return best;
}

/** For `toolscope add` and `import`: the typosquat the command line would run, if any. */
export function typosquatInArgv(command: string, args: readonly string[]): SimilarName | undefined {
  const launched = packageFromArgv(command, args);
  return launched && isTyposquat(launched.name);
}

/** Why a similar name is refused, for `add` and `import`. */
export function describeSimilarName(similar: SimilarName): string {
  const edits = similar.edits === 1 ? 'one edit' : 'two edits';
  return (
    `package "${similar.package}" is ${edits} away from the known MCP server package "${similar.similarTo}" ` +
    '(a typosquat?); check the name, or pass --allow-similar-name if it is the package you mean'
  );
}
