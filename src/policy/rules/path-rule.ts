import { realpath } from 'node:fs/promises';
import { posix } from 'node:path';

export type PathCheck = { readonly path: string } | { readonly violation: string };

/**
 * A path argument must be absolute and, after `.`/`..`/`//` are resolved, lie under one of `roots`.
 * The normalised path is what gets forwarded, so the server sees exactly what was checked.
 *
 * Symlinks: by default this is a lexical check; a symlink under a root that points elsewhere is not seen, since the
 * server's filesystem may not be ours. With `resolveSymlinks` (server on this host) the existing part of the path is
 * resolved with realpath too; a link swapped between this check and the server's open is still not caught.
 */
export async function checkPathUnder(value: unknown, roots: readonly string[], resolveSymlinks: boolean): Promise<PathCheck> {
  if (typeof value !== 'string') return { violation: 'must be a path string' };
  if (value.includes('\0')) return { violation: 'contains a NUL byte' };
  if (!value.startsWith('/')) {
    return { violation: `must be an absolute path under ${roots.join(' or ')} (relative and ~ paths are not accepted)` };
  }
  const normalised = posix.resolve(value);
  const lexicalRoots = roots.map((root) => posix.resolve(root));
  if (!lexicalRoots.some((root) => isUnder(normalised, root))) {
    return { violation: `${JSON.stringify(value)} resolves to ${normalised}, outside ${roots.join(' and ')}` };
  }
  if (resolveSymlinks) {
    const real = await realpathOfExistingPart(normalised);
    const realRoots = await Promise.all(lexicalRoots.map(realpathOfExistingPart));
    if (!realRoots.some((root) => isUnder(real, root))) {
      return { violation: `${JSON.stringify(value)} leads through a symlink to ${real}, outside ${roots.join(' and ')}` };
    }
  }
  return { path: normalised };
}

function isUnder(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

/** realpath of the longest existing prefix, with the not-yet-existing rest appended (a file about to be written). */
async function realpathOfExistingPart(path: string): Promise<string> {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return posix.join(await realpath(existing), ...rest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || existing === '/') throw error;
      rest.unshift(posix.basename(existing));
      existing = posix.dirname(existing);
    }
  }
}
