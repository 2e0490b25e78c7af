/**
 * Broadcast audiences. Every segment is reachable, non-banned users, narrowed by: paying (at
 * least one Stars payment not refunded), inactive (not seen for INACTIVE_DAYS), subscribers (a
 * subscription not yet expired), ru / en (the bot language the user gets: /language, else
 * Telegram's language_code, as src/bot/i18n.ts negotiates it).
 */
import { Prisma } from '../generated/prisma/client.js';

export const SEGMENTS = ['all', 'paying', 'inactive', 'subscribers', 'ru', 'en'] as const;
export type Segment = (typeof SEGMENTS)[number];
export const INACTIVE_DAYS = 30;

export function isSegment(value: string | undefined): value is Segment {
  return (SEGMENTS as readonly string[]).includes(value ?? '');
}

/** Keep in step with RUSSIAN_SPEAKERS in src/bot/i18n.ts. */
const RUSSIAN_SPEAKERS = ['ru', 'uk', 'be', 'kk', 'ky', 'uz', 'tg', 'hy', 'az'];

/** The WHERE condition on "User" u for a segment. */
export function segmentWhere(segment: Segment, now: Date): Prisma.Sql {
  const base = Prisma.sql`u."banned" = false AND u."unreachable" = false`;
  const ru = Prisma.sql`coalesce(u."language", CASE WHEN split_part(replace(lower(coalesce(u."telegramLanguage", '')), '_', '-'), '-', 1) IN (${Prisma.join(RUSSIAN_SPEAKERS)}) THEN 'ru' ELSE 'en' END)`;
  switch (segment) {
    case 'all':
      return base;
    case 'paying':
      return Prisma.sql`${base} AND EXISTS (SELECT 1 FROM "Payment" p WHERE p."userId" = u."id" AND p."status" = 'paid')`;
    case 'inactive':
      return Prisma.sql`${base} AND u."lastSeenAt" < ${new Date(now.getTime() - INACTIVE_DAYS * 86_400_000)}`;
    case 'subscribers':
      return Prisma.sql`${base} AND EXISTS (SELECT 1 FROM "StarSubscription" s WHERE s."userId" = u."id" AND s."expiresAt" > ${now} AND s."state" IN ('active', 'canceled'))`;
    case 'ru':
      return Prisma.sql`${base} AND ${ru} = 'ru'`;
    case 'en':
      return Prisma.sql`${base} AND ${ru} <> 'ru'`;
  }
}
