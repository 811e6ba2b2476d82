import type { Embedder, TransformersDtype } from './index.js';
import { defaultPooling, type Pooling } from './pooling.js';

export interface TransformersModelSettings {
  readonly model: string;
  readonly dtype: TransformersDtype;
  /** Default: the model family's own. */
  readonly pooling?: Pooling;
  readonly allowRemoteModels: boolean;
  readonly modelDir?: string;
  readonly cacheDir?: string;
}

/** Texts per ONNX run; texts are sorted by length first so each batch pads little. */
const BATCH_SIZE = 32;

/** transformers.js keeps these settings in a process-wide `env`: loads run one at a time so they never mix. */
let loading: Promise<unknown> = Promise.resolve();
/** transformers.js's own `localModelPath`, restored for loads that do not name a folder. */
let defaultLocalModelPath: string | undefined;

/**
 * A sentence-transformers model through transformers.js `feature-extraction` (pooled as configured, L2 normalised).
 * Throws when the model cannot be loaded or run; the caller decides on a fallback.
 */
export function loadTransformersEmbedder(settings: TransformersModelSettings): Promise<Embedder> {
  const result = loading.then(() => load(settings));
  loading = result.catch(() => undefined);
  return result;
}

async function load(settings: TransformersModelSettings): Promise<Embedder> {
  const { pipeline, env } = await import('@huggingface/transformers');
  const pooling = settings.pooling ?? defaultPooling(settings.model);
  defaultLocalModelPath ??= env.localModelPath;
  env.localModelPath =
    settings.modelDir === undefined ? defaultLocalModelPath : withTrailingSlash(settings.modelDir);
  // The pipeline option `local_files_only` alone still lets some files be fetched from the hub.
  env.allowRemoteModels = settings.allowRemoteModels;
  const extractor = await pipeline('feature-extraction', settings.model, {
    dtype: settings.dtype,
    local_files_only: !settings.allowRemoteModels,
    ...(settings.cacheDir !== undefined && { cache_dir: settings.cacheDir }),
  });

  const embedBatch = async (texts: string[]): Promise<Float32Array[]> => {
    const output = await extractor(texts, { pooling, normalize: true });
    const [rows, dimensions] = output.dims as [number, number];
    const data = output.data as Float32Array;
    return Array.from({ length: rows }, (_, row) => data.slice(row * dimensions, (row + 1) * dimensions));
  };

  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    const order = texts.map((_, index) => index).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const vectors = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += BATCH_SIZE) {
      const batch = order.slice(start, start + BATCH_SIZE);
      const batchVectors = await embedBatch(batch.map((index) => texts[index]!));
      batch.forEach((index, position) => (vectors[index] = batchVectors[position]!));
    }
    return vectors;
  };

  const [probe] = await embed(['dimension probe']);
  // Mean pooling keeps the id it always had, so vectors cached before pooling was configurable stay valid.
  const poolingSuffix = pooling === 'mean' ? '' : `:${pooling}`;
  return { id: `transformers:${settings.model}:${settings.dtype}${poolingSuffix}`, dimensions: probe!.length, embed };
}

function withTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
