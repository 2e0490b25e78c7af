/**
 * Everything an update needs from the database before its handlers run, in ONE statement:
 * mark the update as seen (drops redeliveries and a second instance's copy), create or refresh
 * the sender's user row, prefetch the chat's conversation state and whether the sender's first
 * contact is recorded. One round trip instead of four keeps the per-update cost low (see docs/benchmarks.md).
 */
import type { PrismaClient } from '../db/client.js';
import type { User } from '../domain/users.js';
import type { Contact } from '../domain/users.js';

export interface PreludeResult {
  /** False when the update was handled before. */
  fresh: boolean;
  user: User | null;
  /** Raw stored conversation state of the chat (undefined = none stored). */
  conversation: string | undefined;
  /** The user's first contact (UserOrigin) is recorded: the first-contact step has nothing to do. */
  firstContactRecorded: boolean;
}

interface Row {
  fresh: number;
  id: bigint | null;
  username: string | null;
  firstName: string | null;
  telegramLanguage: string | null;
  language: string | null;
  balance: number | null;
  unreachable: boolean | null;
  banned: boolean | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  lastSeenAt: Date | null;
  conversation: string | null;
  origin: boolean;
}

export async function updatePrelude(prisma: PrismaClient, input: { updateId: number; contact?: Contact; conversationKey?: string }): Promise<PreludeResult> {
  const { contact } = input;
  const id = contact ? BigInt(contact.id) : null;
  const rows = await prisma.$queryRaw<Row[]>`
    WITH seen AS (
      INSERT INTO "ProcessedUpdate" ("updateId") VALUES (${BigInt(input.updateId)})
      ON CONFLICT DO NOTHING RETURNING 1
    ), usr AS (
      INSERT INTO "User" ("id", "username", "firstName", "telegramLanguage", "updatedAt")
      SELECT ${id}::bigint, ${contact?.username ?? null}, ${contact?.firstName ?? ''}, ${contact?.languageCode ?? null}, now()
      WHERE ${id}::bigint IS NOT NULL
      ON CONFLICT ("id") DO UPDATE SET
        "username" = EXCLUDED."username", "firstName" = EXCLUDED."firstName",
        "telegramLanguage" = EXCLUDED."telegramLanguage", "unreachable" = false,
        "lastSeenAt" = now(), "updatedAt" = now()
      RETURNING *
    )
    SELECT (SELECT count(*) FROM seen)::int AS "fresh",
           usr."id", usr."username", usr."firstName", usr."telegramLanguage", usr."language", usr."balance",
           usr."unreachable", usr."banned", usr."createdAt", usr."updatedAt", usr."lastSeenAt",
           (SELECT "value" FROM "ConversationState" WHERE "key" = ${input.conversationKey ?? null}) AS "conversation",
           EXISTS (SELECT 1 FROM "UserOrigin" WHERE "userId" = ${id}::bigint) AS "origin"
    FROM (SELECT 1) AS one LEFT JOIN usr ON true`;
  const row = rows[0]!;
  const user: User | null =
    row.id === null
      ? null
      : {
          id: BigInt(row.id),
          username: row.username,
          firstName: row.firstName ?? '',
          telegramLanguage: row.telegramLanguage,
          language: row.language,
          balance: Number(row.balance),
          unreachable: Boolean(row.unreachable),
          banned: Boolean(row.banned),
          createdAt: new Date(row.createdAt!),
          updatedAt: new Date(row.updatedAt!),
          lastSeenAt: new Date(row.lastSeenAt!),
        };
  return { fresh: row.fresh > 0, user, conversation: row.conversation ?? undefined, firstContactRecorded: Boolean(row.origin) };
}
