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

/**
 * The user's option choices (Catalog v2: the values a model spec allows, checked against the spec
 * when quoting). Domain spellings: resolution "480p"…"1080p", mode "std" | "pro" | "4k",
 * aspect ratios as "16:9"; the providers map them to their wire types.
 */
export const generationOptionsSchema = z.object({
  resolution: z
    .string()
    .regex(/^[0-9]{3,4}p$/)
    .optional(),
  seed: z.number().int().optional(),
  /** Video length in seconds. */
  duration: z.number().int().positive().max(600).optional(),
  aspectRatio: z
    .string()
    .regex(/^[0-9]{1,2}:[0-9]{1,2}$/)
    .optional(),
  mode: z.enum(['std', 'pro', '4k']).optional(),
  /** Sound / generated audio on. */
  sound: z.boolean().optional(),
});
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;

/** A video the bot delivered earlier, as the input of Extend / Make it talk (issue 11). */
export const sourceVideoSchema = z.object({
  /** Our generation that made it. */
  generationId: z.string().min(1),
  /** The provider's video id (Kling `videos[0].id`). */
  providerVideoId: z.string().min(1),
  providerModel: z.string().min(1),
  durationSeconds: z.number().positive(),
  /** When the provider made it (ISO time); Kling deletes videos after 30 days. */
  createdAt: z.iso.datetime(),
});
export type SourceVideoRef = z.infer<typeof sourceVideoSchema>;

export const generationInputsSchema = z.object({
  image: fileRefSchema.optional(),
  /** The last frame (image → video with first + last frame). */
  endImage: fileRefSchema.optional(),
  audio: fileRefSchema.optional(),
  /** Audio length in seconds (from Telegram's metadata or parsed from the file). */
  audioSeconds: z.number().positive().optional(),
  prompt: z.string().optional(),
  negativePrompt: z.string().optional(),
  /** Several photos (several photos → video: 2–4). */
  images: z.array(fileRefSchema).max(10).optional(),
  /** A user's video (lip-sync a video, the motion-transfer reference). */
  video: fileRefSchema.optional(),
  /** Its length in seconds (Telegram's metadata, checked by a probe). */
  videoSeconds: z.number().positive().optional(),
  /** A delivered video (Extend, Make it talk). */
  sourceVideo: sourceVideoSchema.optional(),
  /** Lip-sync of a video with several faces: the face the user chose (Kling identify-face session, valid 24 h). */
  face: z
    .object({ sessionId: z.string().min(1), expiresAt: z.number().int(), faceId: z.string().min(1), startMs: z.number().int(), endMs: z.number().int() })
    .optional(),
  options: generationOptionsSchema.default({}),
});
export type GenerationInputs = z.infer<typeof generationInputsSchema>;
