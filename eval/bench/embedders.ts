import { join, resolve } from 'node:path';
import {
  DEFAULT_TRANSFORMERS_DTYPE,
  DEFAULT_TRANSFORMERS_MODEL,
  loadEmbedder,
  type Embedder,
  type EmbedderLogger,
  type EmbedderSettings,
  type TransformersDtype,
} from '../../src/embedding/index.js';
import { SHARED_ROOT } from './paths.js';

/** How the bench routes: BM25 only, or hybrid with one of the two embedding backends. */
export const EMBEDDER_CHOICES = ['lexical', 'use-lite', 'transformers'] as const;
export type EmbedderChoice = (typeof EMBEDDER_CHOICES)[number];
export type DenseChoice = Exclude<EmbedderChoice, 'lexical'>;

/** The model the `transformers` choice loads, always from a local folder (the bench never downloads). */
export interface TransformersModel {
  readonly modelDir: string;
  readonly model: string;
  readonly dtype: TransformersDtype;
}

/** all-MiniLM-L6-v2's architecture and tokenizer with random weights: the real model's cost, no download. */
export const STAND_IN_MODEL: TransformersModel = { modelDir: join(SHARED_ROOT, 'models'), model: 'minilm-l6-random', dtype: 'fp32' };

/** `--model-dir DIR` (`npm run models:offline`): the shipped default model, or `model` / `dtype`, from DIR. */
export function builtModel(modelDir: string, model = DEFAULT_TRANSFORMERS_MODEL, dtype: TransformersDtype = DEFAULT_TRANSFORMERS_DTYPE): TransformersModel {
  return { modelDir: resolve(modelDir), model, dtype };
}

/** The options a bench child reads back into the same model (see `modelFromArgs`). */
export function modelArgs(model: TransformersModel): string[] {
  return ['--model-dir', model.modelDir, '--model', model.model, '--dtype', model.dtype];
}

export const MODEL_ARG_OPTIONS = {
  'model-dir': { type: 'string' },
  model: { type: 'string' },
  dtype: { type: 'string' },
} as const;

export function modelFromArgs(values: { 'model-dir'?: string; model?: string; dtype?: string }): TransformersModel {
  if (values['model-dir'] === undefined || values.model === undefined || values.dtype === undefined) {
    throw new Error('a bench child needs --model-dir, --model and --dtype (modelArgs)');
  }
  return { modelDir: values['model-dir'], model: values.model, dtype: values.dtype as TransformersDtype };
}

/**
 * The folder name the bench keeps the `transformers` choice's warm state under: the stand-in keeps `transformers`
 * (caches from before models could be chosen stay valid); another model gets its own, so a cache filled with one
 * model never passes for another's.
 */
export function stateKey(choice: DenseChoice, model: TransformersModel): string {
  if (choice === 'use-lite' || (model.model === STAND_IN_MODEL.model && model.dtype === STAND_IN_MODEL.dtype)) return choice;
  return `transformers-${model.model.replace(/[^A-Za-z0-9.-]+/g, '_')}-${model.dtype}`;
}

export function embedderSettings(choice: DenseChoice, model: TransformersModel): EmbedderSettings {
  if (choice === 'use-lite') return { backend: 'use-lite' };
  return { backend: 'transformers', model: model.model, dtype: model.dtype, modelDir: model.modelDir, allowRemoteModels: false };
}

export function isEmbedderChoice(value: string): value is EmbedderChoice {
  return (EMBEDDER_CHOICES as readonly string[]).includes(value);
}

/**
 * Loads the backend a measurement names. toolscope falls back to use-lite when a transformers model cannot load;
 * a benchmark must not silently measure the other backend, so that fallback is an error here.
 */
export async function loadBenchEmbedder(choice: DenseChoice, model: TransformersModel): Promise<Embedder> {
  const warnings: string[] = [];
  const logger: EmbedderLogger = {
    info: () => undefined,
    warn: (fields: unknown, message?: string) => void warnings.push(message ?? String(fields)),
  } as EmbedderLogger;
  const embedder = await loadEmbedder(embedderSettings(choice, model), logger);
  const loaded = embedder.id === 'use-lite' ? 'use-lite' : 'transformers';
  if (loaded !== choice) throw new Error(`the ${choice} embedder did not load (${warnings.join('; ') || embedder.id})`);
  return embedder;
}
