import { z } from 'zod';
import { configObject } from './strict-object.js';
import { DEFAULT_TRANSFORMERS_DTYPE, DEFAULT_TRANSFORMERS_MODEL, POOLINGS, TRANSFORMERS_DTYPES } from '../embedding/index.js';
import { RETRIEVER_KINDS } from '../retrieval/tool-index.js';
import { DEFAULT_MAX_USAGE_RECORDS } from '../retrieval/usage-history.js';

/** `retrieval.embedder`: which model embeds tools and queries. */
export const embedderSchema = configObject({
  /** `auto` / `transformers`: the transformers.js model, or use-lite (offline, shipped in npm) if it cannot load. */
  backend: z.enum(['auto', 'transformers', 'use-lite']).default('auto'),
  /** Hugging Face hub id, or a folder name under `modelDir`. */
  model: z.string().min(1).default(DEFAULT_TRANSFORMERS_MODEL),
  dtype: z.enum(TRANSFORMERS_DTYPES).default(DEFAULT_TRANSFORMERS_DTYPE),
  /** How a sentence vector is pooled; default: as the model family was trained (BGE: `cls`, others: `mean`). */
  pooling: z.enum(POOLINGS).optional(),
  /** Folder holding model folders (`toolscope models build --out`); relative to the config file. */
  modelDir: z.string().min(1).optional(),
  /** false: never download a model from the hub. */
  allowRemoteModels: z.boolean().default(true),
  /** Where downloaded models are kept; relative to the config file. Default: `<stateDir>/models`. */
  cacheDir: z.string().min(1).optional(),
});

/** `retrieval`: how tools are ranked for a request. */
export const retrievalSchema = configObject({
  /** `hybrid` (BM25 + dense, fused) unless measuring the parts. */
  retriever: z.enum(RETRIEVER_KINDS).default('hybrid'),
  /** Split requests that name several actions and give each its tools. */
  decompose: z.boolean().default(true),
  embedder: embedderSchema.prefault({}),
  /** Second-stage reranker over the first stage's best 30 (src/retrieval/rerank.ts; eval/reports/ranking.md). */
  rerank: z.boolean().default(false),
  /**
   * Learning from use (opt-in): which tool a principal called after a search is recorded (query redacted, at most
   * `maxRecords`, in the state folder's usage-history.json) and boosts that tool for similar later requests.
   */
  learning: z
    .strictObject({
      enabled: z.boolean().default(false),
      maxRecords: z.number().int().min(1).max(100_000).default(DEFAULT_MAX_USAGE_RECORDS),
    })
    .prefault({}),
  /**
   * Retrieval hijack check: a new or changed tool that would take the top rank for at least `minRequests` recent
   * searches, and at least `share` of those replayed, that other tools answered before is quarantined for review.
   */
  hijackCheck: z
    .strictObject({
      enabled: z.boolean().default(true),
      minRequests: z.number().int().min(1).default(3),
      share: z.number().gt(0).max(1).default(0.3),
    })
    .prefault({}),
});

export type RetrievalConfig = z.infer<typeof retrievalSchema>;
export type EmbedderConfig = z.infer<typeof embedderSchema>;
