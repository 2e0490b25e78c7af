/**
 * Quotes: a priced request waiting for Confirm. The quote id becomes the generation id, so
 * confirming is idempotent by construction.
 */
import type { PrismaClient } from '../db/client.js';
import type { GenerationKind } from '../providers/types.js';
import { generationInputsSchema, type GenerationInputs } from './generation-inputs.js';

export const QUOTE_TTL_MS = 60 * 60_000;

export interface QuoteView {
  id: string;
  userId: bigint;
  chatId: bigint;
  modelSlug: string;
  kind: GenerationKind;
  inputs: GenerationInputs;
  price: number;
  language: string;
  messageId: number | null;
  expiresAt: Date;
}

export async function saveQuote(prisma: PrismaClient, quote: Omit<QuoteView, 'messageId' | 'expiresAt'>, now: Date): Promise<QuoteView> {
  const expiresAt = new Date(now.getTime() + QUOTE_TTL_MS);
  await prisma.quote.upsert({
    where: { id: quote.id },
    create: { ...quote, inputs: quote.inputs as object, expiresAt },
    update: {},
  });
  return { ...quote, messageId: null, expiresAt };
}

export async function setQuoteMessage(prisma: PrismaClient, id: string, messageId: number): Promise<void> {
  await prisma.quote.updateMany({ where: { id }, data: { messageId } });
}

/** The quote, or null when it does not exist, belongs to someone else, or has expired. */
export async function findQuote(prisma: PrismaClient, id: string, userId: bigint, now: Date): Promise<QuoteView | null> {
  const row = await prisma.quote.findUnique({ where: { id } });
  if (!row || row.userId !== userId || row.expiresAt < now) return null;
  return { ...row, inputs: generationInputsSchema.parse(row.inputs) };
}

export async function deleteQuote(prisma: PrismaClient, id: string): Promise<void> {
  await prisma.quote.deleteMany({ where: { id } });
}

export async function pruneQuotes(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.quote.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 86_400_000) } } });
  return count;
}
