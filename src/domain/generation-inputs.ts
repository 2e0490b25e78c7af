/**
 * What a user asked for, as stored on a generation (`Generation.inputs`): the checked media
 * references (Telegram file ids: the bytes are fetched again at submit time, never by a
 * provider), the prompt and the options. Written by the bot's flows, read by the jobs.
 */
import { z } from 'zod';

export const fileRefSchema = z.object({
  /** Telegram file id (bot-specific). */
  fileId: z.string().min(1),
  fileUniqueId: z.string().optional(),
  /** Sniffed MIME type (file-type), not the one Telegram or the file name claims. */
  mime: z.string(),
  /** Bytes, from Telegram's metadata. */
  size: z.number().int().nonnegative(),
  fileName: z.string(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type FileRef = z.infer<typeof fileRefSchema>;

export const generationOptionsSchema = z.object({
  resolution: z.enum(['480p', '720p']).optional(),
  seed: z.number().int().optional(),
  /** Video length in seconds (Kling: 5 or 10). */
  duration: z.union([z.literal(5), z.literal(10)]).optional(),
  aspectRatio: z.enum(['16:9', '9:16', '1:1']).optional(),
  mode: z.enum(['std', 'pro']).optional(),
});

export const generationInputsSchema = z.object({
  image: fileRefSchema.optional(),
  audio: fileRefSchema.optional(),
  /** Audio length in seconds (from Telegram's metadata or parsed from the file). */
  audioSeconds: z.number().positive().optional(),
  prompt: z.string().optional(),
  negativePrompt: z.string().optional(),
  options: generationOptionsSchema.default({}),
});
export type GenerationInputs = z.infer<typeof generationInputsSchema>;
