/**
 * What a user can do with a delivered video (docs/kling-suite.md "After delivery"; issue 11): 🔁 Again
 * (same inputs, fresh quote), ➕ Extend (a Kling v1.x video, `checkKlingExtend` ok) and 🗣 Make
 * it talk (lip-sync a Kling video of at most 60 s with a new voice). Pure rules plus the lookup
 * of a user's delivered generation as a source video; no Telegram types.
 */
import type { PrismaClient } from '../db/client.js';
import { checkKlingExtend, isKlingVideoExpired } from '../providers/kling/suite-rules.js';
import type { ProviderId } from '../providers/types.js';
import { toCatalogEntry } from './catalog.js';
import type { SourceVideoRef } from './generation-inputs.js';
import { familyAlternate } from './model-families.js';

export const AFTER_DELIVERY_ACTIONS = ['again', 'extend', 'talk'] as const;
export type AfterDeliveryAction = (typeof AFTER_DELIVERY_ACTIONS)[number];

/** The longest video Kling's advanced lip-sync takes. */
const LIPSYNC_MAX_SECONDS = 60;

export interface DeliveredVideo {
  id: string;
  provider: string;
  providerModel: string;
  providerVideoId: string | null;
  resultDurationSeconds: number | null;
  /** When the provider made it (the generation's completion). */
  madeAt: Date;
}

/** The delivered video as the source of Extend / Make it talk, or null when it has no provider video id. */
export function sourceOf(video: DeliveredVideo): SourceVideoRef | null {
  if (video.provider !== 'kling' || !video.providerVideoId || !video.resultDurationSeconds) return null;
  return {
    generationId: video.id,
    providerVideoId: video.providerVideoId,
    providerModel: video.providerModel,
    durationSeconds: video.resultDurationSeconds,
    createdAt: video.madeAt.toISOString(),
  };
}

/** The buttons under a delivered video, in order. Extend/Make it talk only while Kling keeps the video. */
export function actionsFor(video: DeliveredVideo, now: Date): AfterDeliveryAction[] {
  const actions: AfterDeliveryAction[] = ['again'];
  const source = sourceOf(video);
  if (!source) return actions;
  const asProvider = { ...source, createdAt: Date.parse(source.createdAt) };
  if (checkKlingExtend(asProvider, now.getTime()).ok) actions.push('extend');
  if (!isKlingVideoExpired(asProvider.createdAt, now.getTime()) && source.durationSeconds <= LIPSYNC_MAX_SECONDS) actions.push('talk');
  return actions;
}

/** A user's delivered generation (any user's when `userId` is null), with the provider and model it really ran on. */
export async function deliveredVideo(prisma: PrismaClient, userId: bigint | null, id: string): Promise<(DeliveredVideo & { userId: bigint }) | null> {
  const g = await prisma.generation.findUnique({ where: { id }, include: { model: true } });
  if (!g || (userId !== null && g.userId !== userId) || !g.resultUrl) return null;
  const own = toCatalogEntry(g.model);
  // A job that moved to the other provider of its family ran on that provider's row.
  const ran = g.provider && g.provider !== own.provider ? ((await familyAlternate(prisma, own, g.provider as ProviderId, new Set())) ?? own) : own;
  return {
    id: g.id,
    userId: g.userId,
    provider: ran.provider,
    providerModel: ran.providerModel,
    providerVideoId: g.providerVideoId,
    resultDurationSeconds: g.resultDurationSeconds,
    madeAt: g.completedAt ?? g.createdAt,
  };
}
