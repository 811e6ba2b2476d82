import { z } from 'zod';
import which from 'which';

/** Characters a shell would act on; a program holding any of them (or whitespace) is refused. */
const SHELL_METACHARACTERS = /[\s;&|$`<>(){}[\]*?!~'"\\#%^]/;

/** A program to spawn without a shell: a name looked up on PATH, or an absolute path. */
export const programSchema = z
  .string()
  .min(1)
  .superRefine((command, context) => {
    if (!SHELL_METACHARACTERS.test(command)) return;
    // A whole command line pasted into "command" is the usual way here: say how to write it instead.
    const [program, ...args] = command.trim().split(/\s+/);
    const split = /\s/.test(command.trim()) ? `: put its arguments in "args" ("command": ${JSON.stringify(program)}, "args": ${JSON.stringify(args)})` : '';
    context.addIssue({ code: 'custom', message: `must be a program name or absolute path with no whitespace or shell metacharacters${split}`, continue: false });
  })
  .refine((command) => !command.includes('/') || command.startsWith('/'), {
    message: 'must be a program name found on PATH or an absolute path',
  });

/** The program a stdio server names cannot be found: retrying will not make it appear. */
export class ProgramNotFound extends Error {
  constructor(
    readonly where: string,
    readonly command: string,
    searchPath: string,
  ) {
    super(
      command.startsWith('/')
        ? `${where}: "${command}" does not exist or is not executable`
        : `${where}: "${command}" not found on PATH (${searchPath || 'PATH is empty'})`,
    );
    this.name = 'ProgramNotFound';
  }
}

/** The executable `command` means with this PATH (an absolute path must itself be executable), or undefined. */
export async function findProgram(command: string, searchPath: string | undefined): Promise<string | undefined> {
  return (await which(command, { path: searchPath ?? '', nothrow: true })) ?? undefined;
}

/** Throws {@link ProgramNotFound} unless `command` can be started with this PATH. */
export async function requireProgram(where: string, command: string, searchPath: string | undefined): Promise<void> {
  if (!(await findProgram(command, searchPath))) throw new ProgramNotFound(where, command, searchPath ?? '');
}
