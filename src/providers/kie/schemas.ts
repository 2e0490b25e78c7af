/**
 * zod schemas for every KIE answer we read (docs/providers.md §kie-fields). Unknown keys are ignored;
 * `resultJson` and `param` arrive as JSON *strings* and are parsed with their own schemas.
 */
import { z } from 'zod';

/** `{ code, msg | message, data }`; `code === 200` is the only success. */
export const envelopeSchema = z.object({
  code: z.number(),
  msg: z.string().nullish(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});

export const createTaskDataSchema = z
  .object({ taskId: z.string().min(1).optional(), task_id: z.string().min(1).optional() })
  .refine((d) => d.taskId !== undefined || d.task_id !== undefined, 'taskId missing')
  .transform((d) => ({ taskId: (d.taskId ?? d.task_id) as string }));

export const taskStateSchema = z.enum(['waiting', 'queuing', 'generating', 'success', 'fail']);

export const recordInfoDataSchema = z.object({
  taskId: z.string().optional(),
  model: z.string().nullish(),
  /** Kept as a string so an unknown future state does not break polling. */
  state: z.string(),
  param: z.string().nullish(),
  resultJson: z.string().nullish(),
  failCode: z.union([z.string(), z.number()]).nullish(),
  failMsg: z.string().nullish(),
  costTime: z.number().nullish(),
  completeTime: z.number().nullish(),
  createTime: z.number().nullish(),
  updateTime: z.number().nullish(),
});
export type KieRecordInfo = z.infer<typeof recordInfoDataSchema>;

/** The parsed `resultJson` string of a finished video task. */
export const resultJsonSchema = z.object({
  resultUrls: z.array(z.url()).optional(),
});

export const creditDataSchema = z.number();

/** Upload answer: endpoint-page shape (`downloadUrl`) or the older quickstart shape (`fileUrl`). */
export const uploadResponseSchema = z.object({
  success: z.boolean().optional(),
  code: z.number().optional(),
  msg: z.string().nullish(),
  message: z.string().nullish(),
  data: z
    .object({
      downloadUrl: z.url().nullish(),
      fileUrl: z.url().nullish(),
    })
    .nullish(),
});

/** Callback body: only the task id is trusted; the job confirms the state through recordInfo. */
export const callbackBodySchema = z.object({
  data: z.object({
    taskId: z.string().min(1).optional(),
    task_id: z.string().min(1).optional(),
  }),
});

/** Parses a JSON string, returning `undefined` instead of throwing. */
export function parseJsonString(text: string | null | undefined): unknown {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
