/** zod schemas for every Kling response we read (envelope, task object, list, callback). */
import { z } from 'zod';

const idString = z.union([z.string(), z.number()]).transform((v) => String(v));

export const klingEnvelopeSchema = z.object({
  code: z.number().int(),
  message: z.string().optional().default(''),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});

export const klingTaskStatusSchema = z.enum(['submitted', 'processing', 'succeed', 'failed']);

export const klingVideoSchema = z.object({
  id: idString.optional(),
  url: z.string().min(1),
  watermark_url: z.string().optional(),
  duration: z.union([z.string(), z.number()]).optional(),
});

export const klingTaskSchema = z.object({
  task_id: idString.pipe(z.string().min(1)),
  task_status: klingTaskStatusSchema,
  task_status_msg: z.string().nullish(),
  task_info: z.object({ external_task_id: z.string().nullish() }).partial().nullish(),
  task_result: z
    .object({ videos: z.array(klingVideoSchema).nullish() })
    .partial()
    .nullish(),
  created_at: z.number().optional(),
  updated_at: z.number().optional(),
  final_unit_deduction: z.union([z.string(), z.number()]).optional(),
});
export type KlingTask = z.infer<typeof klingTaskSchema>;

export const klingTaskListSchema = z.array(klingTaskSchema);
