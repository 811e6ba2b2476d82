/** How token vectors become one sentence vector: as the model was trained (BGE: the [CLS] token; most others: the mean). */
export const POOLINGS = ['mean', 'cls'] as const;
export type Pooling = (typeof POOLINGS)[number];

/** The pooling a model was trained with, known from its family's name; hub folders of transformers.js do not record it. */
export function defaultPooling(model: string): Pooling {
  return /(^|\/)bge-/i.test(model) ? 'cls' : 'mean';
}
