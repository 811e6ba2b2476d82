import { z } from 'zod';

/** MCP tool annotations (hints); other keys are kept as they are. */
const toolAnnotationsSchema = z.looseObject({
  title: z.string().optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});

/** One tool line of an eval `catalog.jsonl`. */
export const evalToolSchema = z.object({
  id: z.string().min(1),
  /** The MCP server the tool belongs to. Benchmarks whose tools belong to none leave it out rather than name one server for all. */
  server: z.string().min(1).optional(),
  name: z.string().min(1),
  title: z.string().optional(),
  description: z.string(),
  inputSchema: z.looseObject({ type: z.literal('object') }),
  annotations: toolAnnotationsSchema.optional(),
});

/** One query line of an eval `queries.jsonl`: the tools a correct router must expose for it. */
export const evalQuerySchema = z.object({
  id: z.string().min(1),
  query: z.string().trim().min(1),
  relevant: z
    .array(z.string().min(1))
    .min(1)
    .refine((ids) => new Set(ids).size === ids.length, 'lists the same tool id twice'),
});

export type EvalTool = z.infer<typeof evalToolSchema>;
export type EvalQuery = z.infer<typeof evalQuerySchema>;

/** A catalog and its labelled queries, as loaded and checked. */
export interface EvalDataset {
  readonly name: string;
  readonly tools: readonly EvalTool[];
  readonly queries: readonly EvalQuery[];
}
