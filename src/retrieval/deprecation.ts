import type { IndexableTool, Retriever, ScoredTool, SearchOptions } from './types.js';

const DEPRECATED = /\bdeprecated\b/i;
/** "Use read_text_file instead", "use `read_text_file` instead", "replaced by read_text_file". */
const REPLACEMENT = /\b(?:use\s+[`'"]?([A-Za-z0-9_.-]+)[`'"]?\s+instead|replaced\s+by\s+[`'"]?([A-Za-z0-9_.-]+))/i;

/** The name of the tool that replaces `tool` when its title or description says it is deprecated; else undefined. */
export function replacementName(tool: IndexableTool): string | undefined {
  const text = `${tool.title ?? ''}\n${tool.description}`;
  if (!DEPRECATED.test(text)) return undefined;
  const match = REPLACEMENT.exec(text);
  return match?.[1] ?? match?.[2] ?? undefined;
}

export interface DeprecationParts {
  readonly base: Retriever;
  readonly tool: (id: string) => IndexableTool | undefined;
  /** The id of `name` on `server` (catalog ids are namespaced by server). */
  readonly idOf: (server: string, name: string) => string | undefined;
}

/**
 * A deprecated tool never outranks the tool its description names as its replacement: the replacement takes the
 * deprecated tool's place, score and signals (moved up, or drawn in when the first stage missed it and the caller may
 * use it), and the deprecated tool follows it directly. Deprecated tools without a named replacement keep their place.
 */
export function preferringReplacements(parts: DeprecationParts): Retriever {
  return {
    name: parts.base.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const found = await parts.base.search(query, options);
      const ranked: ScoredTool[] = [];
      const placed = new Set<string>();
      for (const hit of found) {
        if (placed.has(hit.id)) continue;
        const replacement = replacementOf(hit.id, parts, options);
        if (replacement !== undefined && !placed.has(replacement)) {
          const later = found.find(({ id }) => id === replacement);
          // It takes the deprecated tool's signals too, what matched being a text that sends callers to it: drawn in
          // without them, its confidence would read as no match; moved up with its own, below the tool that follows it.
          ranked.push({ ...(later ?? { id: replacement }), score: hit.score, ...(hit.signals && { signals: hit.signals }) });
          placed.add(replacement);
        }
        ranked.push(hit);
        placed.add(hit.id);
      }
      return ranked.slice(0, options.limit);
    },
  };
}

function replacementOf(id: string, parts: DeprecationParts, options: SearchOptions): string | undefined {
  const tool = parts.tool(id);
  const name = tool && replacementName(tool);
  if (!tool || name === undefined) return undefined;
  const replacement = parts.idOf(tool.server, name);
  if (replacement === undefined || replacement === id) return undefined;
  return !options.filter || options.filter(replacement) ? replacement : undefined;
}
