/** Callback data of the generation flows. */
import { z } from 'zod';
import { defineCallback } from '../../callback-data.js';

/** Model choice inside a flow. */
export const modelCallback = defineCallback('gm', { slug: z.string().regex(/^[a-z0-9-]{1,40}$/) });
/** Option choice inside a flow (duration, aspect ratio, skip). */
export const optionCallback = defineCallback('go', { name: z.enum(['d', 'ar', 'skip']), value: z.string().regex(/^[a-z0-9-]{1,8}$/) });
/** Confirm / cancel of a stored quote (handled outside conversations). */
export const quoteCallback = defineCallback('gq', { action: z.enum(['ok', 'no']), id: z.string().uuid() });
/** Resend a finished video from /history. */
export const historyCallback = defineCallback('gh', { id: z.string().uuid() });
