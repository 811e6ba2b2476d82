/**
 * One-line summaries of JSON Schema parameters for search results a model reads as text:
 * `path: string (required); entries: array of object{name: string, value?: number}`.
 */
export function summarizeParameters(inputSchema: Readonly<Record<string, unknown>>): string {
  const properties = asRecord(inputSchema.properties);
  if (!properties || Object.keys(properties).length === 0) return 'none';
  const required = new Set(Array.isArray(inputSchema.required) ? inputSchema.required : []);
  return Object.entries(properties)
    .map(([name, schema]) => `${name}: ${typeSummary(schema, 0)}${required.has(name) ? ' (required)' : ''}`)
    .join('; ');
}

/** Nesting shown before a nested object is summarised as just `object`. */
const MAX_DEPTH = 2;
const MAX_ENUM_VALUES = 8;

function typeSummary(value: unknown, depth: number): string {
  const schema = asRecord(value);
  if (!schema) return 'any';
  if (Array.isArray(schema.enum)) {
    const shown = schema.enum.slice(0, MAX_ENUM_VALUES).map((item) => JSON.stringify(item));
    return shown.join('|') + (schema.enum.length > MAX_ENUM_VALUES ? '|…' : '');
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) return variants.map((variant) => typeSummary(variant, depth)).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.join('|') : typeof schema.type === 'string' ? schema.type : 'any';
  if (type === 'array') return `array of ${typeSummary(schema.items, depth)}`;
  const properties = asRecord(schema.properties);
  if (type === 'object' && properties && depth < MAX_DEPTH) {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const fields = Object.entries(properties).map(
      ([name, property]) => `${name}${required.has(name) ? '' : '?'}: ${typeSummary(property, depth + 1)}`,
    );
    return `object{${fields.join(', ')}}`;
  }
  return type;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
