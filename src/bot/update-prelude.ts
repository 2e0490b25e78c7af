/**
 * Everything an update needs from the database before its handlers run, for a whole batch of
 * updates in ONE statement: mark each update as seen (drops redeliveries and a second instance's
 * copy), create or refresh each sender's user row, prefetch each chat's conversation state,
 * whether each sender's first contact is recorded, and the catalog's stamp (domain/catalog-cache.ts).
 *
 * `createPreludeBatcher` collects the updates that reach the prelude in the same turn of the
 * event loop — the runner hands a getUpdates batch over in one go — and runs them together; a
 * lone update waits only for that turn. One round trip per batch instead of four per update is
 * what keeps the per-update cost low (docs/benchmarks.md).
 *
 * A known user's row is written only when something changed or lastSeenAt is older than
 * LAST_SEEN_PRECISION_SECONDS: a chatty user costs one row read, not a row write, per update.
 */
import type { DirectQuery } from '../db/client.js';
import { isWriteConflict } from '../db/errors.js';
import type { Contact, User } from '../domain/users.js';

export interface PreludeInput {
  updateId: number;
  contact?: Contact;
  conversationKey?: string;
}

export interface PreludeResult {
  /** False when the update was handled before. */
  fresh: boolean;
  user: User | null;
  /** Raw stored conversation state of the chat (undefined = none stored). */
  conversation: string | undefined;
  /** The user's first contact (UserOrigin) is recorded: the first-contact step has nothing to do. */
  firstContactRecorded: boolean;
  /** Changes whenever any catalog row changes. */
  catalogStamp: string;
}

/** lastSeenAt is refreshed at most this often for a user whose details did not change. */
export const LAST_SEEN_PRECISION_SECONDS = 60;

interface StoredUser {
  id: string;
  username: string | null;
  firstName: string;
  telegramLanguage: string | null;
  language: string | null;
  balance: number;
  unreachable: boolean;
  banned: boolean;
  createdAt: number;
  updatedAt: number;
  lastSeenAt: number;
}

interface Row {
  fresh: (number | string)[];
  users: StoredUser[];
  conversations: Record<string, string>;
  origins: (number | string)[];
  catalog: string;
}

const userJson = (t: string) => `json_build_object(
  'id', ${t}."id"::text, 'username', ${t}."username", 'firstName', ${t}."firstName",
  'telegramLanguage', ${t}."telegramLanguage", 'language', ${t}."language", 'balance', ${t}."balance",
  'unreachable', ${t}."unreachable", 'banned', ${t}."banned",
  'createdAt', floor(extract(epoch FROM ${t}."createdAt") * 1000), 'updatedAt', floor(extract(epoch FROM ${t}."updatedAt") * 1000),
  'lastSeenAt', floor(extract(epoch FROM ${t}."lastSeenAt") * 1000))`;

// Rows are inserted and locked in key order, so two instances' batches cannot deadlock each other.
const PRELUDE_SQL = `
  WITH seen AS (
    INSERT INTO "ProcessedUpdate" ("updateId")
    SELECT u FROM unnest($1::bigint[]) AS u ORDER BY u
    ON CONFLICT DO NOTHING RETURNING "updateId"
  ), sender AS (
    SELECT * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS s("id", "username", "firstName", "telegramLanguage")
  ), stored AS (
    SELECT * FROM "User" WHERE "id" = ANY($2::bigint[])
  ), refreshed AS (
    INSERT INTO "User" ("id", "username", "firstName", "telegramLanguage", "updatedAt")
    SELECT s."id", s."username", s."firstName", s."telegramLanguage", now()
    FROM sender s LEFT JOIN stored u ON u."id" = s."id"
    WHERE u."id" IS NULL OR u."unreachable" OR u."lastSeenAt" < now() - make_interval(secs => ${LAST_SEEN_PRECISION_SECONDS})
       OR u."username" IS DISTINCT FROM s."username" OR u."firstName" IS DISTINCT FROM s."firstName"
       OR u."telegramLanguage" IS DISTINCT FROM s."telegramLanguage"
    ORDER BY s."id"
    ON CONFLICT ("id") DO UPDATE SET
      "username" = EXCLUDED."username", "firstName" = EXCLUDED."firstName",
      "telegramLanguage" = EXCLUDED."telegramLanguage", "unreachable" = false,
      "lastSeenAt" = now(), "updatedAt" = now()
    RETURNING *
  )
  SELECT
    (SELECT coalesce(json_agg("updateId"::text), '[]') FROM seen) AS "fresh",
    (SELECT coalesce(json_agg(x.j), '[]') FROM (
       SELECT ${userJson('r')} AS j FROM refreshed r
       UNION ALL
       SELECT ${userJson('u')} FROM stored u WHERE u."id" NOT IN (SELECT "id" FROM refreshed)
    ) x) AS "users",
    (SELECT coalesce(json_object_agg("key", "value"), '{}') FROM "ConversationState" WHERE "key" = ANY($6::text[])) AS "conversations",
    (SELECT coalesce(json_agg("userId"::text), '[]') FROM "UserOrigin" WHERE "userId" = ANY($2::bigint[])) AS "origins",
    (SELECT md5(coalesce(string_agg("slug" || ':' || xmin::text, ',' ORDER BY "slug"), '')) FROM "CatalogModel") AS "catalog"`;

/** Runs the prelude of several updates in one statement (one result per input, in order). */
export async function runPreludes(query: DirectQuery, inputs: readonly PreludeInput[]): Promise<PreludeResult[]> {
  // One row per sender: the same user may write in two chats within a batch (the last details win).
  const senders = new Map<string, Contact>();
  for (const input of inputs) if (input.contact) senders.set(String(input.contact.id), input.contact);
  const contacts = [...senders.values()];
  const keys = [...new Set(inputs.flatMap((i) => (i.conversationKey ? [i.conversationKey] : [])))];
  const rows = await query<Row>(
    PRELUDE_SQL,
    [
      inputs.map((i) => String(i.updateId)),
      contacts.map((c) => String(c.id)),
      contacts.map((c) => c.username ?? null),
      contacts.map((c) => c.firstName ?? ''),
      contacts.map((c) => c.languageCode ?? null),
      keys,
    ],
    'update-prelude',
  );
  const row = rows[0]!;
  const fresh = new Set(row.fresh.map(String));
  const users = new Map(row.users.map((u) => [u.id, toUser(u)]));
  const origins = new Set(row.origins.map(String));
  return inputs.map((input) => {
    const id = input.contact ? String(input.contact.id) : undefined;
    // Two copies of one update in a batch (webhook redelivery): only the first is fresh.
    const isFresh = fresh.delete(String(input.updateId));
    return {
      fresh: isFresh,
      user: (id && users.get(id)) || null,
      conversation: input.conversationKey ? row.conversations[input.conversationKey] : undefined,
      firstContactRecorded: id !== undefined && origins.has(id),
      catalogStamp: row.catalog,
    };
  });
}

function toUser(u: StoredUser): User {
  return {
    id: BigInt(u.id),
    username: u.username,
    firstName: u.firstName ?? '',
    telegramLanguage: u.telegramLanguage,
    language: u.language,
    balance: Number(u.balance),
    unreachable: Boolean(u.unreachable),
    banned: Boolean(u.banned),
    createdAt: new Date(Number(u.createdAt)),
    updatedAt: new Date(Number(u.updatedAt)),
    lastSeenAt: new Date(Number(u.lastSeenAt)),
  };
}

export interface PreludeBatcher {
  run(input: PreludeInput): Promise<PreludeResult>;
}

/**
 * Collects preludes and runs them in batches of at most `maxBatch`, with at most `maxInFlight`
 * statements running: what arrives while one runs waits for it and goes in the next batch, so
 * batches grow with the load (updates a chat's earlier update held back are released one by one)
 * and an update on an idle bot waits for nothing but the current turn of the event loop.
 *
 * The statement is atomic, so one that lost a deadlock or a write conflict (another instance's
 * batch, a ledger transaction) is safely run once more; any other failure fails the batch's
 * updates, and Telegram's redelivery (or the error boundary) takes it from there.
 */
export function createPreludeBatcher(query: DirectQuery, options: { maxBatch?: number; maxInFlight?: number } = {}): PreludeBatcher {
  const maxBatch = options.maxBatch ?? 200;
  const maxInFlight = options.maxInFlight ?? 1;
  let queue: { input: PreludeInput; resolve(r: PreludeResult): void; reject(e: unknown): void }[] = [];
  let scheduled = false;
  let inFlight = 0;

  const schedule = () => {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };
  const flush = () => {
    scheduled = false;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    const inputs = batch.map((b) => b.input);
    inFlight++;
    runPreludes(query, inputs)
      .catch((error: unknown) => (isWriteConflict(error) ? runPreludes(query, inputs) : Promise.reject(error)))
      .then(
        (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
        (error: unknown) => batch.forEach((b) => b.reject(error)),
      )
      .finally(() => {
        inFlight--;
        schedule();
      });
    schedule();
  };
  return {
    run(input) {
      return new Promise((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
  };
}
