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

/** 2: one text per model run (see `embed`); revision 1 batched texts, and its q8 vectors depended on their batch. */
const VECTOR_REVISION = 2;

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

  /**
   * One text per model run. A quantized model (q8, the default) quantizes its activations with one scale per run, so
   * in a batch a text's vector would depend on the texts beside it (all-MiniLM-L6-v2 q8: cosine 0.992-0.995 between
   * a query embedded alone and in a batch of four): the same request would rank differently with the traffic around
   * it, and a tool's vector with the catalog it was indexed with. One run per text is also faster on CPU (256 tool
   * texts: 5.3 ms each one by one, 9.9 ms in length-sorted batches of 32; padding costs more than batching saves).
   */
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    const vectors: Float32Array[] = [];
    for (const text of texts) {
      const output = await extractor(text, { pooling, normalize: true });
      vectors.push(output.data as Float32Array);
    }
    return vectors;
  };

  const [probe] = await embed(['dimension probe']);
  // Mean pooling keeps the id it always had, so vectors cached before pooling was configurable stay valid.
  const poolingSuffix = pooling === 'mean' ? '' : `:${pooling}`;
  return {
    id: `transformers:${settings.model}:${settings.dtype}${poolingSuffix}`,
    dimensions: probe!.length,
    vectorRevision: VECTOR_REVISION,
    embed,
  };
}

function withTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
