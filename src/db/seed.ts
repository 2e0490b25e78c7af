/**
 * The default model catalog, inserted once. A restart never overwrites an admin's change:
 * existing rows are left alone (INSERT … ON CONFLICT DO NOTHING).
 */
import type { PrismaClient } from '../generated/prisma/client.js';

export const DEFAULT_CATALOG = [
  {
    slug: 'kling-ai-avatar',
    displayName: 'Kling AI Avatar',
    provider: 'kie',
    providerModel: 'kling/ai-avatar-standard',
    kind: 'lipsync',
    priceRule: 'fixed',
    priceAmount: 50,
    limits: { maxAudioSeconds: 15, maxImageBytes: 10_000_000, maxAudioBytes: 10_000_000, maxPromptLength: 5000 },
    defaults: {},
    sortOrder: 10,
  },
  {
    slug: 'infinitalk-480p',
    displayName: 'InfiniteTalk 480p',
    provider: 'kie',
    providerModel: 'infinitalk/from-audio',
    kind: 'lipsync',
    priceRule: 'per_second',
    priceAmount: 3,
    limits: { maxAudioSeconds: 15, maxImageBytes: 10_000_000, maxAudioBytes: 10_000_000, maxPromptLength: 5000 },
    defaults: { resolution: '480p' },
    sortOrder: 20,
  },
  {
    slug: 'infinitalk-720p',
    displayName: 'InfiniteTalk 720p',
    provider: 'kie',
    providerModel: 'infinitalk/from-audio',
    kind: 'lipsync',
    priceRule: 'per_second',
    priceAmount: 12,
    limits: { maxAudioSeconds: 15, maxImageBytes: 10_000_000, maxAudioBytes: 10_000_000, maxPromptLength: 5000 },
    defaults: { resolution: '720p' },
    sortOrder: 30,
  },
  {
    slug: 'kling-text2video',
    displayName: 'Kling text-to-video',
    provider: 'kling',
    providerModel: 'kling-v1-6',
    kind: 'text2video',
    priceRule: 'per_5s',
    priceAmount: 35,
    limits: { maxPromptLength: 2500 },
    defaults: { mode: 'std' },
    sortOrder: 40,
  },
  {
    slug: 'kling-image2video',
    displayName: 'Kling image-to-video',
    provider: 'kling',
    providerModel: 'kling-v1-6',
    kind: 'image2video',
    priceRule: 'per_5s',
    priceAmount: 35,
    limits: { maxPromptLength: 2500, maxImageBytes: 10_000_000, minImageSide: 300 },
    defaults: { mode: 'std' },
    sortOrder: 50,
  },
] as const;

/** Inserts the catalog models that are missing; returns how many were inserted. */
export async function seedCatalog(prisma: PrismaClient): Promise<number> {
  const result = await prisma.catalogModel.createMany({
    data: DEFAULT_CATALOG.map((m) => ({ ...m, limits: { ...m.limits }, defaults: { ...m.defaults } })),
    skipDuplicates: true,
  });
  return result.count;
}
