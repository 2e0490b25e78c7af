/**
 * Housekeeping of URL-only inputs (src/server/media-hosting.ts): the files of jobs that have
 * ended (delivered, failed, refunded) are deleted, then expired leftovers are swept. Kept out of
 * the job worker: a job that ends is released on the next housekeeping pass, and the TTL bounds
 * the rest.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import type { MediaHosting } from './media-hosting.js';

const ENDED = ['delivered', 'failed', 'refunded'] as const;

/** Returns how many files or generations were cleaned up. */
export async function releaseHostedMedia(prisma: PrismaClient, media: Pick<MediaHosting, 'holders' | 'release' | 'sweep'>): Promise<number> {
  const holders = await media.holders();
  let released = 0;
  if (holders.length > 0) {
    const ended = await prisma.generation.findMany({ where: { id: { in: holders }, state: { in: [...ENDED] } }, select: { id: true } });
    for (const { id } of ended) await media.release(id);
    released = ended.length;
  }
  return released + (await media.sweep());
}
