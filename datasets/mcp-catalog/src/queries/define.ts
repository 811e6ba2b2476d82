import type { QueryCategory, QueryDetailTag, QueryEntry } from '../format.js';

/** `[what the user says, the tool id(s) that should be exposed, ...finer tags]`. */
export type QuerySpec = readonly [query: string, relevant: string | readonly string[], ...tags: QueryDetailTag[]];

export interface QueryGroup {
  /** Prefix of the query ids: `<prefix>-001`, `<prefix>-002`, ... */
  readonly prefix: string;
  readonly category: QueryCategory;
  /** Tags every query of the group carries. */
  readonly tags?: readonly QueryDetailTag[];
}

export function queryGroup(group: QueryGroup, specs: readonly QuerySpec[]): QueryEntry[] {
  return specs.map(([query, relevant, ...tags], index) => ({
    id: `${group.prefix}-${String(index + 1).padStart(3, '0')}`,
    query,
    relevant: typeof relevant === 'string' ? [relevant] : [...relevant],
    tags: [group.category, ...new Set([...(group.tags ?? []), ...tags])],
  }));
}
