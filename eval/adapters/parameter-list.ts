import { jsonSchemaType } from './json-schema-types.js';

/** One parameter as flat-list benchmarks describe it. */
export interface ListedParameter {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly default?: unknown;
}

/** Builds an object inputSchema from a flat parameter list; empty defaults and descriptions are left out. */
export function objectSchemaFromParameters(
  parameters: readonly ListedParameter[],
  required: readonly string[],
): { type: 'object'; [key: string]: unknown } {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const parameter of parameters) {
    const type = jsonSchemaType(parameter.type);
    properties[parameter.name] = {
      ...(type !== undefined && { type }),
      ...(parameter.description ? { description: parameter.description } : {}),
      ...(parameter.default !== undefined && parameter.default !== '' && { default: parameter.default }),
    };
  }
  const listed = required.filter((name) => name in properties);
  return { type: 'object', properties, ...(listed.length > 0 && { required: listed }) };
}
