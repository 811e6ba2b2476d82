import { z } from 'zod';

/** MCP tool annotations (spec 2025-06-18): hints only, never a security boundary. */
export const toolAnnotationsSchema = z.strictObject({
  title: z.string().min(1).optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});

/** One line of catalog.jsonl: the canonical eval format plus title and annotations. */
export const catalogEntrySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id must be 1-64 letters, digits, "_" or "-"'),
  server: z.string().regex(/^[a-z0-9-]+$/, 'server must be lower-case kebab-case'),
  name: z.string().min(1),
  title: z.string().min(1).optional(),
  description: z.string().min(1),
  inputSchema: z.looseObject({ type: z.literal('object') }),
  annotations: toolAnnotationsSchema.optional(),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

/** The kind of difficulty a query stands for; every query has exactly one. */
export const QUERY_CATEGORIES = ['direct', 'paraphrase', 'multi-tool', 'near-miss'] as const;
export type QueryCategory = (typeof QUERY_CATEGORIES)[number];

/** Finer tags a query may carry besides its category, for breakdowns in the eval report. */
export const QUERY_DETAIL_TAGS = [
  'typo',
  'reference-server',
  'read-vs-write',
  'cross-service',
  'list-vs-get',
  'delete-vs-archive',
] as const;
export type QueryDetailTag = (typeof QUERY_DETAIL_TAGS)[number];

/** One line of queries.jsonl. `tags[0]` is the category. */
export const queryEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  query: z.string().min(1),
  relevant: z.array(z.string().min(1)).min(1),
  tags: z.tuple([z.enum(QUERY_CATEGORIES)], z.enum(QUERY_DETAIL_TAGS)),
});
export type QueryEntry = z.infer<typeof queryEntrySchema>;
