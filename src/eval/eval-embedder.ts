import { join, resolve } from 'node:path';
import {
  DEFAULT_TRANSFORMERS_DTYPE,
  DEFAULT_TRANSFORMERS_MODEL,
  loadEmbedder,
  ONNX_FILE_OF_DTYPE,
  type Embedder,
  type TransformersDtype,
} from '../embedding/index.js';
import { pathExists } from '../fs/path-exists.js';
import type { Logger } from '../log.js';
import { EvalSetupError } from './input-error.js';

export type EvalBackend = 'use-lite' | 'transformers';

/** The embedder options shared by `toolscope eval` and the eval scripts (`npm run eval`, …). */
export interface EvalEmbedderOptions {
  readonly embedder?: EvalBackend;
  readonly model?: string;
  readonly modelDir?: string;
  readonly dtype?: TransformersDtype;
}

const MODEL_FLAGS = { model: '--model', modelDir: '--model-dir', dtype: '--dtype' } as const;

/**
 * The embedder the options name, `defaultBackend` when they name none. `--model`, `--model-dir` and `--dtype` describe
 * a transformers model, so they select that backend (and are refused beside `--embedder use-lite`, which would ignore
 * them). toolscope serves with use-lite when a transformers model cannot load; a measurement must not report one
 * model under another's name, so that fallback is an error here.
 */
export async function loadEvalEmbedder(options: EvalEmbedderOptions, defaultBackend: EvalBackend, logger: Logger): Promise<Embedder> {
  const modelFlags = (Object.keys(MODEL_FLAGS) as Array<keyof typeof MODEL_FLAGS>)
    .filter((key) => options[key] !== undefined)
    .map((key) => MODEL_FLAGS[key]);
  const backend = options.embedder ?? (modelFlags.length > 0 ? 'transformers' : defaultBackend);
  if (backend === 'use-lite') {
    if (modelFlags.length > 0) {
      throw new EvalSetupError(`--embedder use-lite has no model to choose: drop ${modelFlags.join(', ')} or use --embedder transformers`);
    }
    return loadEmbedder({ backend: 'use-lite' }, logger);
  }
  const model = options.model ?? DEFAULT_TRANSFORMERS_MODEL;
  const embedder = await loadEmbedder(
    {
      backend: 'transformers',
      model,
      ...(options.dtype !== undefined && { dtype: options.dtype }),
      // A local model folder means: use what is there, never download.
      ...(options.modelDir !== undefined && { modelDir: resolve(options.modelDir), allowRemoteModels: false }),
    },
    logger,
  );
  if (embedder.id.startsWith('transformers:')) return embedder;
  const where = options.modelDir !== undefined ? ` from ${options.modelDir}` : ' (from the Hugging Face hub)';
  const dtype = options.dtype ?? DEFAULT_TRANSFORMERS_DTYPE;
  const missingWeights = options.modelDir !== undefined ? await missingDtypeAdvice(join(resolve(options.modelDir), model), dtype) : undefined;
  throw new EvalSetupError(
    `the transformers model ${model} could not be loaded${where}, as the warning above says; refusing to report ` +
      `${embedder.id}'s results as its. ` +
      (missingWeights ??
        'Build the models offline with `npm run models:offline` and pass --model-dir models, or measure use-lite with --embedder use-lite'),
  );
}

/**
 * When the model folder holds weights, but not those of `dtype`: which file is missing and which `--dtype` would load
 * what is there. Building the models would not help then, so that advice would mislead.
 */
async function missingDtypeAdvice(folder: string, dtype: TransformersDtype): Promise<string | undefined> {
  if (dtype === 'auto' || (await pathExists(join(folder, ONNX_FILE_OF_DTYPE[dtype])))) return undefined;
  const entries = Object.entries(ONNX_FILE_OF_DTYPE) as Array<[TransformersDtype, string]>;
  const held = await Promise.all(entries.map(async ([other, file]) => ((await pathExists(join(folder, file))) ? [other] : [])));
  const present = held.flat();
  if (present.length === 0) return undefined;
  return (
    `${join(folder, ONNX_FILE_OF_DTYPE[dtype])}, the ${dtype} weights, is missing; the folder holds ` +
    `${present.join(', ')}: ${present.map((other) => `--dtype ${other}`).join(' or ')} would load it`
  );
}
