/** Callback data of the generation flows. */
import { z } from 'zod';
import { defineCallback } from '../../callback-data.js';
import { OPTION_KEYS } from '../../../domain/model-spec.js';
import { AFTER_DELIVERY_ACTIONS } from '../../../domain/after-delivery.js';

/** Model choice inside a flow. */
export const modelCallback = defineCallback('gm', { slug: z.string().regex(/^[a-z0-9-]{1,40}$/) });
/** Confirm / cancel of a stored quote (handled outside conversations). */
export const quoteCallback = defineCallback('gq', { action: z.enum(['ok', 'no']), id: z.string().uuid() });
/** Resend a finished video from /history. */
export const historyCallback = defineCallback('gh', { id: z.string().uuid() });
/** Catalog v2 engine: the i-th offered value of option k. */
export const engineOptionCallback = defineCallback('gp', { k: z.enum(OPTION_KEYS), i: z.coerce.number().int().min(0).max(40) });
/** Catalog v2 engine: skip an optional extra. */
export const engineSkipCallback = defineCallback('gs', { s: z.coerce.number().int() });
/** Catalog v2 engine: the photos of "several photos" are complete. */
export const enginePhotosDoneCallback = defineCallback('gd', { d: z.coerce.number().int() });
/** The buttons under a delivered video (and in /history): Again, Extend, Make it talk. */
export const afterDeliveryCallback = defineCallback('ga', { a: z.enum(AFTER_DELIVERY_ACTIONS), id: z.string().uuid() });
/** Catalog v2 engine: the i-th face of a lip-sync video. */
export const engineFaceCallback = defineCallback('gf', { i: z.coerce.number().int().min(0).max(20) });
