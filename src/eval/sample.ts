import { sha256Hex } from '../catalog/canonical-json.js';

const DEFAULT_SEED = 'toolscope-eval';

/** Items ranked by the hash of seed + id: a fixed shuffle, independent of the input order. */
export function deterministicOrder<T extends { readonly id: string }>(items: readonly T[], seed = DEFAULT_SEED): T[] {
  return items
    .map((item) => ({ item, rank: sha256Hex(`${seed}\u0000${item.id}`) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map(({ item }) => item);
}

/** A deterministic sample of `size` items (the first of `deterministicOrder`), returned in their original order. */
export function deterministicSample<T extends { readonly id: string }>(items: readonly T[], size: number, seed = DEFAULT_SEED): T[] {
  if (size >= items.length) return [...items];
  const chosen = new Set(deterministicOrder(items, seed).slice(0, size));
  return items.filter((item) => chosen.has(item));
}
