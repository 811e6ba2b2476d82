import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadEmbedder, TRANSFORMERS_DTYPES, type Embedder, type TransformersDtype } from '../src/embedding/index.js';
import type { Logger } from '../src/log.js';

/** The embedder options of the eval scripts: the shipped default model unless told otherwise. */
export interface EmbedderOptions {
  embedder: 'use-lite' | 'transformers';
  model?: string;
  modelDir?: string;
  dtype?: TransformersDtype;
}

export function addEmbedderOptions(command: Command): Command {
  return command
    .addOption(new Option('--embedder <backend>', 'embedding backend').choices(['use-lite', 'transformers']).default('transformers'))
    .option('--model <id>', 'transformers model (hub id, or folder name under --model-dir); default: the shipped default')
    .option('--model-dir <dir>', 'folder of offline models (npm run models:offline); forbids hub downloads')
    .addOption(new Option('--dtype <dtype>', 'transformers weights variant (default q8)').choices(TRANSFORMERS_DTYPES));
}

/**
 * The embedder the options name. toolscope falls back to use-lite when a transformers model cannot load; a
 * measurement must not report one model under another's name, so that fallback is an error here.
 */
export async function loadEvalEmbedder(options: EmbedderOptions, logger: Logger): Promise<Embedder> {
  if (options.embedder === 'use-lite') return loadEmbedder({ backend: 'use-lite' }, logger);
  const embedder = await loadEmbedder(
    {
      backend: 'transformers',
      ...(options.model !== undefined && { model: options.model }),
      ...(options.dtype !== undefined && { dtype: options.dtype }),
      ...(options.modelDir !== undefined && { modelDir: resolve(options.modelDir), allowRemoteModels: false }),
    },
    logger,
  );
  if (!embedder.id.startsWith('transformers:')) {
    throw new Error(`the transformers model could not be loaded (see the warning above); refusing to report ${embedder.id} as it`);
  }
  return embedder;
}
