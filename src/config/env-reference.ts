const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `value` with its `${env:NAME}` references taken out: what of it is written in the config itself. */
export function withoutEnvReferences(value: string): string {
  return value.replace(REFERENCE, '');
}

export class MissingEnvError extends Error {
  constructor(
    readonly where: string,
    readonly variable: string,
  ) {
    super(`${where} references \${env:${variable}}, which is not set in toolscope's environment`);
    this.name = 'MissingEnvError';
  }
}

/** Replaces `${env:NAME}` with the admin's environment value; a missing variable is an error naming `where`. */
export function expandEnvReferences(value: string, where: string, source: NodeJS.ProcessEnv = process.env): string {
  return value.replace(REFERENCE, (_match, name: string) => {
    const resolved = source[name];
    if (resolved === undefined) throw new MissingEnvError(where, name);
    return resolved;
  });
}

export function expandEnvRecord(
  record: Readonly<Record<string, string>>,
  where: string,
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, expandEnvReferences(value, `${where}.${key}`, source)]),
  );
}

/** The values `${env:…}` references resolve to: secrets the logs and audit must never show. */
export function referencedSecretValues(
  records: Iterable<Readonly<Record<string, string>>>,
  source: NodeJS.ProcessEnv = process.env,
): string[] {
  const secrets = new Set<string>();
  for (const record of records) {
    for (const value of Object.values(record)) {
      for (const match of value.matchAll(REFERENCE)) {
        const resolved = source[match[1]!];
        if (resolved) secrets.add(resolved);
      }
    }
  }
  return [...secrets];
}
