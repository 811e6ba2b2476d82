/**
 * Which of a call's argument values are file paths, at any depth: a value is one when its schema says so
 * (`format` such as `path`, or an `x-…path…` hint set to true) or when its key names a path (`path`, `source`,
 * `destination`, `output_dir`, `filePath`, …). Array elements inherit from their key and their `items` schema.
 */

/** Formats servers use for file paths (JSON Schema has none of its own). */
const PATH_FORMATS = new Set(['path', 'file-path', 'filepath', 'file', 'directory', 'dir', 'dir-path', 'directory-path', 'folder']);

/** Key names (lower-case, separators removed) that hold paths, whole or as a suffix (`output_dir`, `srcPath`). */
const PATH_KEYS = new Set(['path', 'paths', 'file', 'files', 'filename', 'filenames', 'dir', 'dirs', 'directory', 'directories', 'folder', 'folders', 'source', 'sources', 'src', 'destination', 'destinations', 'dest', 'dst', 'target', 'cwd', 'root', 'workdir']);
const PATH_KEY_SUFFIXES = ['path', 'paths', 'file', 'files', 'dir', 'directory', 'folder', 'filename'];

export function isPathKey(key: string): boolean {
  const flat = key.toLowerCase().replace(/[^a-z]/g, '');
  return PATH_KEYS.has(flat) || PATH_KEY_SUFFIXES.some((suffix) => flat.length > suffix.length && flat.endsWith(suffix));
}

type Schema = Record<string, unknown>;

const asSchema = (value: unknown): Schema | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : undefined;

function schemaSaysPath(schema: Schema | undefined): boolean {
  if (!schema) return false;
  if (typeof schema.format === 'string' && PATH_FORMATS.has(schema.format.toLowerCase())) return true;
  return Object.entries(schema).some(([key, value]) => value === true && /^x-.*path/i.test(key));
}

/** The schemas that may describe the same value: the schema itself and its allOf/anyOf/oneOf branches. */
function branches(schema: Schema | undefined): Schema[] {
  if (!schema) return [];
  const nested = ['allOf', 'anyOf', 'oneOf'].flatMap((key) => (Array.isArray(schema[key]) ? (schema[key] as unknown[]) : []));
  return [schema, ...nested.map(asSchema).filter((s): s is Schema => s !== undefined).flatMap(branches)];
}

function propertySchemas(schemas: readonly Schema[], key: string): Schema[] {
  return schemas.flatMap((schema) => {
    const properties = asSchema(schema.properties);
    const own = asSchema(properties?.[key]);
    if (own) return branches(own);
    const additional = asSchema(schema.additionalProperties);
    return additional ? branches(additional) : [];
  });
}

function itemSchemas(schemas: readonly Schema[]): Schema[] {
  return schemas.flatMap((schema) => {
    const items = Array.isArray(schema.items) ? undefined : asSchema(schema.items);
    return items ? branches(items) : [];
  });
}

/** One path value in the arguments: where it is (keys and indexes) and the value. */
export interface PathValue {
  readonly at: ReadonlyArray<string | number>;
  readonly value: unknown;
}

/**
 * Every path value in `args` (strings, and anything else found where a path belongs, which the path check then
 * refuses). `skip` names top-level arguments left out (checked by rules of their own).
 */
export function pathValues(inputSchema: Schema, args: Record<string, unknown>, skip: ReadonlySet<string> = new Set()): PathValue[] {
  const found: PathValue[] = [];
  const walk = (value: unknown, at: Array<string | number>, schemas: Schema[], isPath: boolean): void => {
    const pathHere = isPath || schemas.some(schemaSaysPath);
    if (Array.isArray(value)) {
      const items = itemSchemas(schemas);
      value.forEach((item, index) => walk(item, [...at, index], items, pathHere));
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, [...at, key], propertySchemas(schemas, key), isPathKey(key));
      return;
    }
    if (pathHere && value !== undefined && value !== null) found.push({ at, value });
  };
  const root = branches(inputSchema);
  for (const [key, value] of Object.entries(args)) {
    if (!skip.has(key)) walk(value, [key], propertySchemas(root, key), isPathKey(key));
  }
  return found;
}

/** A copy of `args` with the value at `at` replaced. */
export function withValueAt(args: Record<string, unknown>, at: ReadonlyArray<string | number>, value: unknown): Record<string, unknown> {
  const copy = structuredClone(args);
  let container: Record<string | number, unknown> = copy;
  for (const step of at.slice(0, -1)) container = container[step] as Record<string | number, unknown>;
  container[at.at(-1)!] = value;
  return copy;
}
