import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import type { CatalogTool } from '../../catalog/tool.js';

const addFormats = formatsModule.default;

type Compiled = { readonly validate: ValidateFunction } | { readonly error: string };

/**
 * Validates call arguments against each tool's inputSchema. A schema is compiled once per tool content hash;
 * the cache holds one entry per tool name, so a server that keeps changing its tools cannot grow it.
 */
export class SchemaValidator {
  private readonly draft7 = withFormats(new Ajv(ajvOptions));
  private readonly draft2019 = withFormats(new Ajv2019(ajvOptions));
  private readonly draft2020 = withFormats(new Ajv2020(ajvOptions));
  private readonly cache = new Map<string, { hash: string; compiled: Compiled }>();

  /** Every violation, as `/path: message` lines; empty when the arguments conform. */
  violations(tool: CatalogTool, args: Record<string, unknown>): string[] {
    const compiled = this.compiled(tool);
    if ('error' in compiled) return [`the tool's inputSchema cannot be used: ${compiled.error}`];
    if (compiled.validate(args)) return [];
    return (compiled.validate.errors ?? []).map(describeError);
  }

  private compiled(tool: CatalogTool): Compiled {
    const cached = this.cache.get(tool.exposedName);
    if (cached?.hash === tool.hash) return cached.compiled;
    const compiled = this.compile(tool.inputSchema);
    this.cache.set(tool.exposedName, { hash: tool.hash, compiled });
    return compiled;
  }

  private compile(schema: Record<string, unknown>): Compiled {
    const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
    const [ajv, copy] = dialect.includes('2020-12')
      ? [this.draft2020, schema]
      : dialect.includes('2019-09')
        ? [this.draft2019, schema]
        : // draft-07 and the drafts before it validate alike for tool arguments; an unknown meta-schema would not load.
          [this.draft7, withoutKey(schema, '$schema')];
    try {
      return { validate: ajv.compile(copy) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
}

// strict: false because downstream schemas carry keywords ajv does not know; they are the server's, not ours.
const ajvOptions = { allErrors: true, strict: false, validateFormats: true } as const;

function withFormats<T extends Ajv>(ajv: T): T {
  addFormats(ajv);
  return ajv;
}

function withoutKey(schema: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = schema;
  return rest;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || '(arguments)';
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
      : error.keyword === 'enum'
        ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})`
        : '';
  return `${where}: ${error.message ?? error.keyword}${extra}`;
}
