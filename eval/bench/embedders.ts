import { join } from 'node:path';
import { loadEmbedder, type Embedder, type EmbedderLogger, type EmbedderSettings } from '../../src/embedding/index.js';
import { SHARED_ROOT } from './paths.js';

/** How the bench routes: BM25 only, or hybrid with one of the two embedding backends. */
export const EMBEDDER_CHOICES = ['lexical', 'use-lite', 'transformers'] as const;
export type EmbedderChoice = (typeof EMBEDDER_CHOICES)[number];
export type DenseChoice = Exclude<EmbedderChoice, 'lexical'>;

/** all-MiniLM-L6-v2's architecture and tokenizer with random weights: the real model's cost, no download. */
export const TRANSFORMERS_MODEL = 'minilm-l6-random';

export function embedderSettings(choice: DenseChoice): EmbedderSettings {
  if (choice === 'use-lite') return { backend: 'use-lite' };
  return {
    backend: 'transformers',
    model: TRANSFORMERS_MODEL,
    dtype: 'fp32',
    modelDir: join(SHARED_ROOT, 'models'),
    allowRemoteModels: false,
  };
}

export function isEmbedderChoice(value: string): value is EmbedderChoice {
  return (EMBEDDER_CHOICES as readonly string[]).includes(value);
}

/**
 * Loads the backend a measurement names. toolscope falls back to use-lite when a transformers model cannot load;
 * a benchmark must not silently measure the other backend, so that fallback is an error here.
 */
export async function loadBenchEmbedder(choice: DenseChoice): Promise<Embedder> {
  const warnings: string[] = [];
  const logger: EmbedderLogger = {
    info: () => undefined,
    warn: (fields: unknown, message?: string) => void warnings.push(message ?? String(fields)),
  } as EmbedderLogger;
  const embedder = await loadEmbedder(embedderSettings(choice), logger);
  const loaded = embedder.id === 'use-lite' ? 'use-lite' : 'transformers';
  if (loaded !== choice) throw new Error(`the ${choice} embedder did not load (${warnings.join('; ') || embedder.id})`);
  return embedder;
}
