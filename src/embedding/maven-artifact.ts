import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { EnvHttpProxyAgent, fetch } from 'undici';
import { fileSha256 } from '../fs/file-sha256.js';
import { pathExists } from '../fs/path-exists.js';

export const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2';

/** A jar named by its Maven coordinates, and the sha256 it must have. */
export interface PinnedJar {
  /** `group:artifact:version` */
  readonly coordinates: string;
  readonly sha256: string;
}

/** A segment of the coordinates becomes a path segment: it may not climb out of the repository (`..`). */
const COORDINATE_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The jar's path inside a repository laid out as Maven lays them (group dots become folders). */
export function jarPath(coordinates: string): string {
  const parts = coordinates.split(':');
  if (parts.length !== 3 || !parts.every((part) => COORDINATE_PART.test(part))) {
    throw new Error(`"${coordinates}" is not Maven coordinates group:artifact:version`);
  }
  const [group, artifact, version] = parts as [string, string, string];
  return `${group.replaceAll('.', '/')}/${artifact}/${version}/${artifact}-${version}.jar`;
}

/**
 * Opens `path` of a repository given as an http(s) URL (Maven Central, a mirror) or as a folder laid out like one
 * (~/.m2/repository, or one carried onto an air-gapped host). Proxies follow HTTPS_PROXY / NO_PROXY, as pip's do.
 */
async function openInRepository(repository: string, path: string): Promise<{ readonly stream: Readable; readonly origin: string }> {
  if (/^https?:\/\//i.test(repository)) {
    const url = `${repository.replace(/\/+$/, '')}/${path}`;
    const response = await fetch(url, { dispatcher: new EnvHttpProxyAgent() }).catch((error: Error) => {
      throw new Error(`could not fetch ${url}: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`);
    });
    if (!response.ok || response.body === null) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
    return { stream: Readable.fromWeb(response.body as ReadableStream<Uint8Array>), origin: url };
  }
  const folder = resolve(repository.startsWith('file:') ? fileURLToPath(repository) : repository);
  const isFolder = await stat(folder).then(
    (found) => found.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new Error(`Maven repository ${repository} is neither an http(s) URL nor a folder`);
  const file = join(folder, path);
  if (!(await pathExists(file))) throw new Error(`${file} not found: the Maven repository ${folder} lacks ${path}`);
  return { stream: createReadStream(file), origin: file };
}

/** Removes `file` unless it has the pinned hash: a jar that is not the pinned one is neither used nor kept. */
async function refuseUnlessPinned(file: string, jar: PinnedJar, origin: string): Promise<void> {
  const actual = await fileSha256(file);
  if (actual === jar.sha256) return;
  await rm(file, { force: true });
  throw new Error(`refusing ${jar.coordinates} from ${origin}: its sha256 is ${actual}, the pinned sha256 is ${jar.sha256}`);
}

/**
 * The path of the pinned jar in `cacheDir`, fetched from `repository` when not there yet. Its hash is checked every
 * time, so a cached copy changed since is refused too; a download lands under its name only once checked.
 */
export async function fetchPinnedJar(jar: PinnedJar, repository: string, cacheDir: string, log: (line: string) => void): Promise<string> {
  const path = jarPath(jar.coordinates);
  const cached = join(cacheDir, basename(path));
  if (await pathExists(cached)) {
    await refuseUnlessPinned(cached, jar, cached);
    return cached;
  }
  await mkdir(cacheDir, { recursive: true });
  const { stream, origin } = await openInRepository(repository, path);
  log(`fetching ${jar.coordinates} from ${origin}`);
  const partial = `${cached}.partial-${process.pid}`;
  try {
    await pipeline(stream, createWriteStream(partial));
    await refuseUnlessPinned(partial, jar, origin);
    await rename(partial, cached);
  } finally {
    await rm(partial, { force: true });
  }
  return cached;
}
