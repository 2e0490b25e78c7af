/**
 * zod schemas for the Kling suite answers (docs/providers.md §kling-suite): the task object of every
 * video endpoint (with `task_info.parent_video` of extend / lip-sync and `videos[0].id`), and the
 * synchronous identify-face answer.
 */
import { z } from 'zod';
import { klingTaskStatusSchema } from './schemas.js';

const idString = z.union([z.string(), z.number()]).transform((v) => String(v));
const numberish = z.union([z.string(), z.number()]).transform((v) => Number(v));

export const klingSuiteVideoSchema = z.object({
  id: idString.optional(),
  url: z.string().min(1),
  watermark_url: z.string().nullish(),
  duration: z.union([z.string(), z.number()]).optional(),
});

export const klingSuiteTaskSchema = z.object({
  task_id: idString.pipe(z.string().min(1)),
  task_status: klingTaskStatusSchema,
  task_status_msg: z.string().nullish(),
  task_info: z
    .object({
      external_task_id: z.string().nullish(),
      parent_video: z
        .object({ id: idString.optional(), url: z.string().optional(), duration: z.union([z.string(), z.number()]).optional() })
        .partial()
        .nullish(),
    })
    .partial()
    .nullish(),
  task_result: z
    .object({ videos: z.array(klingSuiteVideoSchema).nullish() })
    .partial()
    .nullish(),
  created_at: z.number().optional(),
  updated_at: z.number().optional(),
  final_unit_deduction: z.union([z.string(), z.number()]).optional(),
});
export type KlingSuiteTask = z.infer<typeof klingSuiteTaskSchema>;
export const klingSuiteTaskListSchema = z.array(klingSuiteTaskSchema);

export const klingFaceSchema = z.object({
  face_id: idString.pipe(z.string().min(1)),
  face_image: z.string().optional(),
  start_time: numberish.pipe(z.number().nonnegative()),
  end_time: numberish.pipe(z.number().nonnegative()),
});

export const klingIdentifyFaceSchema = z.object({
  session_id: z.string().min(1),
  final_unit_deduction: z.union([z.string(), z.number()]).optional(),
  face_data: z.array(klingFaceSchema).default([]),
});
