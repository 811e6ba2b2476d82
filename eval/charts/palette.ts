/** One colour per retriever in every chart (colour-blind-safe Dark2 hues). */
const RETRIEVER_COLORS: Readonly<Record<string, string>> = {
  bm25: '#d95f02',
  dense: '#7570b3',
  hybrid: '#1b9e77',
};

export const REFERENCE_COLOR = '#666666';

export function retrieverColor(retriever: string): string {
  return RETRIEVER_COLORS[retriever] ?? '#e7298a';
}
