import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DEFAULT_TRANSFORMERS_DTYPE,
  DEFAULT_TRANSFORMERS_MODEL,
  loadEmbedder,
  loadTransformersModel,
  ONNX_FILE_OF_DTYPE,
  type Embedder,
  type TransformersDtype,
} from '../embedding/index.js';
import { pathExists } from '../fs/path-exists.js';
import type { Logger } from '../log.js';
import { embedderWeights } from './embedder-weights.js';
import type { EmbedderWeights } from './eval-report.js';
import { EvalSetupError } from './input-error.js';

export type EvalBackend = 'use-lite' | 'transformers';

/** The embedder options shared by `toolscope eval` and the eval scripts (`npm run eval`, …). */
export interface EvalEmbedderOptions {
  readonly embedder?: EvalBackend;
  readonly model?: string;
  readonly modelDir?: string;
  readonly dtype?: TransformersDtype;
}

/** What the measuring command is: its default backend, and whether it has `--embedder` for advice to name. */
export interface EvalEmbedderContext {
  readonly defaultBackend: EvalBackend;
  readonly hasEmbedderOption: boolean;
  readonly logger: Logger;
}

/** The embedder a measurement runs, and for a model from a folder, the weights file that is (for the report). */
export interface EvalEmbedder {
  readonly embedder: Embedder;
  readonly weights?: EmbedderWeights;
}

const MODEL_FLAGS = { model: '--model', modelDir: '--model-dir', dtype: '--dtype' } as const;

/**
 * The embedder the options name, the context's default backend when they name none. `--model`, `--model-dir` and
 * `--dtype` describe a transformers model, so they select that backend (and are refused beside `--embedder use-lite`,
 * which would ignore them). toolscope serves with use-lite when a transformers model cannot load; a measurement must
 * not report one model under another's name, so it never falls back: the model that does not load is the error.
 */
export async function loadEvalEmbedder(options: EvalEmbedderOptions, context: EvalEmbedderContext): Promise<EvalEmbedder> {
  const modelFlags = (Object.keys(MODEL_FLAGS) as Array<keyof typeof MODEL_FLAGS>)
    .filter((key) => options[key] !== undefined)
    .map((key) => MODEL_FLAGS[key]);
  const backend = options.embedder ?? (modelFlags.length > 0 ? 'transformers' : context.defaultBackend);
  if (backend === 'use-lite') {
    if (modelFlags.length > 0) {
      throw new EvalSetupError(`--embedder use-lite has no model to choose: drop ${modelFlags.join(', ')} or use --embedder transformers`);
    }
    return { embedder: await loadEmbedder({ backend: 'use-lite' }, context.logger) };
  }
  const model = options.model ?? DEFAULT_TRANSFORMERS_MODEL;
  const dtype = options.dtype ?? DEFAULT_TRANSFORMERS_DTYPE;
  const modelDir = options.modelDir !== undefined ? resolve(options.modelDir) : undefined;
  if (options.modelDir !== undefined) await refuseMissingModelDir(options.modelDir);
  try {
    const embedder = await loadTransformersModel({
      model,
      dtype,
      // A local model folder means: use what is there, never download.
      ...(modelDir !== undefined && { modelDir, allowRemoteModels: false }),
    });
    const weights = modelDir !== undefined ? await embedderWeights(modelDir, model, dtype) : undefined;
    return { embedder, ...(weights !== undefined && { weights }) };
  } catch (error) {
    const where = options.modelDir !== undefined ? ` from ${options.modelDir}` : ' (from the Hugging Face hub)';
    const advice = (modelDir !== undefined ? await missingDtypeAdvice(join(modelDir, model), dtype) : undefined) ?? buildAdvice(context);
    const reason = (error as Error).message.replace(/\.$/, '');
    throw new EvalSetupError(`the transformers model ${model} could not be loaded${where} (${reason}). ${advice}`);
  }
}

/** A --model-dir that is no folder: said as such, before transformers.js looks for a model in it. */
async function refuseMissingModelDir(given: string): Promise<void> {
  const found = await stat(resolve(given)).catch(() => undefined);
  if (found?.isDirectory()) return;
  throw new EvalSetupError(
    `--model-dir ${given} ${found === undefined ? 'does not exist' : 'is not a folder'}: give the folder \`npm run models:offline\` built the models into`,
  );
}

/** What to do when the model is not there, naming only options the command has. */
function buildAdvice(context: EvalEmbedderContext): string {
  const useLite = context.hasEmbedderOption ? ', or measure use-lite with --embedder use-lite' : '';
  return `Build the models offline with \`npm run models:offline\` and pass --model-dir models${useLite}`;
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
