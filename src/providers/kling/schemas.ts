/** zod schemas of the Kling envelope and task status (the task objects: suite-schemas.ts). */
import { z } from 'zod';

export const klingEnvelopeSchema = z.object({
  code: z.number().int(),
  message: z.string().optional().default(''),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});

export const klingTaskStatusSchema = z.enum(['submitted', 'processing', 'succeed', 'failed']);
