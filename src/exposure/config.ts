import { z } from 'zod';

/** `exposure` section: how clients see the catalog. */
export const exposureSchema = z.object({
  mode: z.enum(['all']).default('all'),
});

export type ExposureConfig = z.infer<typeof exposureSchema>;
