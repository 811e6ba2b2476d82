import { join } from 'node:path';
import { ONNX_FILE_OF_DTYPE, type TransformersDtype } from '../embedding/index.js';
import { readBuiltModel } from '../embedding/model-builder.js';
import { fileSha256 } from '../fs/file-sha256.js';
import { pathExists } from '../fs/path-exists.js';
import type { EmbedderWeights } from './eval-report.js';

/**
 * The weights file a model from a local folder runs, by hash: the embedder id names the model and precision, not the
 * build, and two builds of one model can rank differently. `builtFrom` is said only when the folder's
 * toolscope-model.json records this very file (a file replaced after the build is not that build any more).
 * Undefined for `auto`, whose file transformers.js picks.
 */
export async function embedderWeights(modelDir: string, model: string, dtype: TransformersDtype): Promise<EmbedderWeights | undefined> {
  if (dtype === 'auto') return undefined;
  const file = ONNX_FILE_OF_DTYPE[dtype];
  const path = join(modelDir, model, file);
  if (!(await pathExists(path))) return undefined;
  const sha256 = await fileSha256(path);
  const manifest = await readBuiltModel(join(modelDir, model));
  const recorded = manifest?.files[file]?.sha256 === sha256;
  return { file: `${model}/${file}`, sha256, ...(recorded && { builtFrom: manifest!.source }) };
}
