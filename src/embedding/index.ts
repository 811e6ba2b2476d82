import type { Logger } from '../log.js';
import { loadTransformersEmbedder } from './transformers-embedder.js';
import type { Pooling } from './pooling.js';
import { loadUseLiteEmbedder } from './use-lite-embedder.js';

export { defaultPooling, POOLINGS, type Pooling } from './pooling.js';

/** Turns texts into L2-normalised vectors; `id` names the model exactly, so cached vectors never mix models. */
export interface Embedder {
  /** e.g. `use-lite` or `transformers:Xenova/all-MiniLM-L6-v2:q8`. */
  readonly id: string;
  readonly dimensions: number;
  /**
   * Raised when the backend starts computing other numbers for the same model and text, so vectors stored by an
   * earlier version are never served beside new ones (see `vectorSpace`).
   */
  readonly vectorRevision: number;
  /** One vector per text, in order, each of length `dimensions` and L2 norm 1. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/**
 * Names the vectors an embedder makes, for the stores that keep them (a state folder, a Redis hash): its id, and its
 * vector revision from the second on. Revision 1 keeps the bare id it was stored under before revisions were
 * counted, so those vectors stay in use.
 */
export function vectorSpace(embedder: Pick<Embedder, 'id' | 'vectorRevision'>): string {
  return embedder.vectorRevision === 1 ? embedder.id : `${embedder.id}@r${embedder.vectorRevision}`;
}

/** The vector spaces earlier revisions of `embedder` were stored under: never read again, so an admin may delete them. */
export function earlierVectorSpaces(embedder: Pick<Embedder, 'id' | 'vectorRevision'>): string[] {
  return Array.from({ length: embedder.vectorRevision - 1 }, (_, index) => vectorSpace({ id: embedder.id, vectorRevision: index + 1 }));
}

export type EmbedderBackend = 'auto' | 'transformers' | 'use-lite';

export const DEFAULT_TRANSFORMERS_MODEL = 'Xenova/all-MiniLM-L6-v2';
export const DEFAULT_TRANSFORMERS_DTYPE = 'q8';
export const TRANSFORMERS_DTYPES = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16'] as const;
export type TransformersDtype = (typeof TRANSFORMERS_DTYPES)[number];

/** The ONNX file transformers.js loads for each dtype (its DEFAULT_DTYPE_SUFFIX_MAPPING, which it does not export). */
export const ONNX_FILE_OF_DTYPE: Readonly<Record<Exclude<TransformersDtype, 'auto'>, string>> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  int8: 'onnx/model_int8.onnx',
  uint8: 'onnx/model_uint8.onnx',
  q4: 'onnx/model_q4.onnx',
  bnb4: 'onnx/model_bnb4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
};

export interface EmbedderSettings {
  /** `auto` and `transformers` load the transformers.js model and fall back to use-lite if it cannot be loaded. */
  readonly backend: EmbedderBackend;
  /** Hub id or folder name under `modelDir`. */
  readonly model?: string;
  readonly dtype?: TransformersDtype;
  /** Default: the model family's own (`defaultPooling`). */
  readonly pooling?: Pooling;
  /** Folder holding model folders (`<modelDir>/<model>/config.json`, `onnx/…`). */
  readonly modelDir?: string;
  /** false: never download from the Hugging Face hub. */
  readonly allowRemoteModels?: boolean;
  /** Where downloaded models are cached. */
  readonly cacheDir?: string;
}

export type EmbedderLogger = Pick<Logger, 'info' | 'warn'>;

/**
 * The configured embedder. A transformers model that cannot be loaded (offline, missing files, broken ONNX)
 * gives one warning naming the model and the reason, and use-lite (weights shipped in npm) takes its place.
 */
export async function loadEmbedder(settings: EmbedderSettings, logger: EmbedderLogger): Promise<Embedder> {
  let embedder: Embedder;
  if (settings.backend === 'use-lite') {
    embedder = await loadUseLiteEmbedder();
  } else {
    const model = settings.model ?? DEFAULT_TRANSFORMERS_MODEL;
    try {
      embedder = await loadTransformersModel(settings);
    } catch (error) {
      logger.warn(
        { model, reason: (error as Error).message },
        `embedding model "${model}" could not be loaded (${(error as Error).message}); falling back to use-lite`,
      );
      embedder = await loadUseLiteEmbedder();
    }
  }
  logger.info({ embedder: embedder.id, dimensions: embedder.dimensions }, `embedder ${embedder.id} active`);
  return embedder;
}

/**
 * The transformers model `settings` name, with its defaults; rejects when it cannot be loaded. `loadEmbedder` then
 * falls back to use-lite; a measurement (`toolscope eval`) must not, so it calls this directly.
 */
export function loadTransformersModel(settings: Omit<EmbedderSettings, 'backend'>): Promise<Embedder> {
  return loadTransformersEmbedder({
    model: settings.model ?? DEFAULT_TRANSFORMERS_MODEL,
    dtype: settings.dtype ?? DEFAULT_TRANSFORMERS_DTYPE,
    ...(settings.pooling !== undefined && { pooling: settings.pooling }),
    allowRemoteModels: settings.allowRemoteModels ?? true,
    ...(settings.modelDir !== undefined && { modelDir: settings.modelDir }),
    ...(settings.cacheDir !== undefined && { cacheDir: settings.cacheDir }),
  });
}
