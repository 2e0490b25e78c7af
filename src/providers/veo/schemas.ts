/** zod schemas of KIE's Veo 3.1 answers (docs/providers.md §veo). Unknown keys are ignored. */
import { z } from 'zod';

export const veoGenerateDataSchema = z.object({ taskId: z.string().min(1) });

/** `createTime`/`completeTime` are numbers in the schema and "2025-06-06 10:30:00" in the example: both parse. */
const timeSchema = z.union([z.number(), z.string()]).nullish();

export const veoRecordInfoSchema = z.object({
  taskId: z.string().optional(),
  /** JSON string of our request. */
  paramJson: z.string().nullish(),
  /** 0 generating, 1 success, 2 failed, 3 created but upstream generation failed. */
  successFlag: z.number().int(),
  response: z
    .object({
      resultUrls: z.array(z.string()).nullish(),
      originUrls: z.array(z.string()).nullish(),
      resolution: z.string().nullish(),
    })
    .nullish(),
  errorCode: z.union([z.number(), z.string()]).nullish(),
  errorMessage: z.string().nullish(),
  createTime: timeSchema,
  completeTime: timeSchema,
});
export type VeoRecordInfo = z.infer<typeof veoRecordInfoSchema>;

export const veo1080pDataSchema = z.object({ resultUrl: z.string().min(1) });

/** Our own request as echoed in `paramJson`: only what we read back. */
export const veoParamSchema = z.object({ resolution: z.string().optional() });

/** A time field as epoch ms, or undefined. */
export function timeMs(value: number | string | null | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Date.parse(value.includes('T') ? value : `${value.replace(' ', 'T')}Z`);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
