/**
 * Benchmarks spell parameter types their own way (`str`, `STRING`, `dict`, `DATE (YYYY-MM-DD)`, ...);
 * this maps them to JSON Schema type names. Unknown or `any` gives undefined: the property stays untyped.
 */
const JSON_SCHEMA_TYPES: Readonly<Record<string, string>> = {
  str: 'string',
  string: 'string',
  enum: 'string',
  date: 'string',
  time: 'string',
  binary: 'string',
  int: 'integer',
  integer: 'integer',
  float: 'number',
  number: 'number',
  bool: 'boolean',
  boolean: 'boolean',
  list: 'array',
  array: 'array',
  tuple: 'array',
  dict: 'object',
  object: 'object',
};

export function jsonSchemaType(benchmarkType: string): string | undefined {
  const word = benchmarkType.trim().toLowerCase().split(/[\s(]/, 1)[0] ?? '';
  return JSON_SCHEMA_TYPES[word];
}

/** Rewrites every `type` keyword of an OpenAI-style parameter schema to JSON Schema names, recursively. */
export function normaliseSchemaTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normaliseSchemaTypes);
  if (schema === null || typeof schema !== 'object') return schema;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') {
      const type = jsonSchemaType(value);
      if (type !== undefined) result.type = type;
    } else {
      result[key] = normaliseSchemaTypes(value);
    }
  }
  return result;
}
