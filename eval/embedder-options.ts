import { Option, type Command } from 'commander';
import { TRANSFORMERS_DTYPES } from '../src/embedding/index.js';
import type { EvalEmbedderContext } from '../src/eval/eval-embedder.js';
import type { Logger } from '../src/log.js';

/** The eval scripts measure the shipped default model unless told otherwise (`loadEvalEmbedder`). */
export const SCRIPT_DEFAULT_BACKEND = 'transformers';

/** How a script with `addEmbedderOptions` loads its embedder. */
export function scriptEmbedderContext(logger: Logger): EvalEmbedderContext {
  return { defaultBackend: SCRIPT_DEFAULT_BACKEND, hasEmbedderOption: true, logger };
}

export function addEmbedderOptions(command: Command): Command {
  return command
    .addOption(new Option('--embedder <backend>', `embedding backend (default: ${SCRIPT_DEFAULT_BACKEND})`).choices(['use-lite', 'transformers']))
    .option('--model <id>', 'transformers model (hub id, or folder name under --model-dir); default: the shipped default')
    .option('--model-dir <dir>', 'folder of offline models (npm run models:offline); forbids hub downloads')
    .addOption(new Option('--dtype <dtype>', 'transformers weights variant (default q8)').choices(TRANSFORMERS_DTYPES));
}
