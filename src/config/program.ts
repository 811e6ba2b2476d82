import { z } from 'zod';

/** Characters a shell would act on; a program holding any of them (or whitespace) is refused. */
const SHELL_METACHARACTERS = /[\s;&|$`<>(){}[\]*?!~'"\\#%^]/;

/** A program to spawn without a shell: a name looked up on PATH, or an absolute path. */
export const programSchema = z
  .string()
  .min(1)
  .refine((command) => !SHELL_METACHARACTERS.test(command), {
    message: 'must be a program name or absolute path with no whitespace or shell metacharacters',
  })
  .refine((command) => !command.includes('/') || command.startsWith('/'), {
    message: 'must be a program name found on PATH or an absolute path',
  });
