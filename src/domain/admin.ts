/**
 * What admins do, as plain functions on the database: catalog changes, grants, bans, user
 * reports and statistics. Every change writes an AdminAuditLog row in the same transaction.
 * No Telegram types here; the bot layer parses commands and renders the results.
 */
import type { PrismaClient } from '../db/client.js';
import type { CatalogModel, Generation, Payment, User } from '../generated/prisma/client.js';
import { applyMove, inLedgerTransaction, type Tx } from './ledger.js';
import type { PriceRule } from './pricing.js';
/** Upper bound for a catalog price and for one grant (keeps typos from doing damage). */
export const MAX_PRICE = 1_000_000;
export const MAX_GRANT = 10_000_000;

type Db = PrismaClient | Tx;

export async function writeAudit(db: Db, adminId: bigint, action: string, target: string | null, details: Record<string, unknown> = {}): Promise<void> {
  await db.adminAuditLog.create({ data: { adminId, action, target, details: JSON.parse(JSON.stringify(details, bigintJson)) } });
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

// ---------------------------------------------------------------- catalog

export async function listCatalog(prisma: PrismaClient): Promise<CatalogModel[]> {
  return prisma.catalogModel.findMany({ orderBy: [{ sortOrder: 'asc' }, { slug: 'asc' }] });
}

export type CatalogChange =
  { status: 'ok'; model: CatalogModel; before: CatalogModel } | { status: 'unchanged'; model: CatalogModel } | { status: 'not_found' };

export async function setModelEnabled(prisma: PrismaClient, adminId: bigint, slug: string, enabled: boolean): Promise<CatalogChange> {
  return prisma.$transaction(async (tx) => {
    const before = await tx.catalogModel.findUnique({ where: { slug } });
    if (!before) return { status: 'not_found' } as const;
    if (before.enabled === enabled) return { status: 'unchanged', model: before } as const;
    const model = await tx.catalogModel.update({ where: { slug }, data: { enabled } });
    await writeAudit(tx, adminId, enabled ? 'model_enable' : 'model_disable', slug, { enabled });
    return { status: 'ok', model, before } as const;
  });
}

export async function setModelPrice(prisma: PrismaClient, adminId: bigint, slug: string, amount: number, rule?: PriceRule): Promise<CatalogChange> {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_PRICE) throw new Error(`bad price ${amount}`);
  return prisma.$transaction(async (tx) => {
    const before = await tx.catalogModel.findUnique({ where: { slug } });
    if (!before) return { status: 'not_found' } as const;
    const priceRule = rule ?? before.priceRule;
    if (before.priceAmount === amount && before.priceRule === priceRule) return { status: 'unchanged', model: before } as const;
    const model = await tx.catalogModel.update({ where: { slug }, data: { priceAmount: amount, priceRule } });
    await writeAudit(tx, adminId, 'model_price', slug, {
      from: { amount: before.priceAmount, rule: before.priceRule },
      to: { amount, rule: priceRule },
    });
    return { status: 'ok', model, before } as const;
  });
}

// ---------------------------------------------------------------- users

export type GrantResult =
  { status: 'applied'; balance: number } | { status: 'duplicate'; balance: number } | { status: 'insufficient'; balance: number } | { status: 'no_user' };

/**
 * Adds (or, when negative, takes) credits through the ledger, once per idempotency key (the bot
 * uses `grant:<update_id>`). A debit never takes the balance below zero: it is refused instead.
 */
export async function grantCredits(
  prisma: PrismaClient,
  input: { adminId: bigint; userId: bigint; amount: number; reason?: string; idempotencyKey: string },
): Promise<GrantResult> {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0 || Math.abs(input.amount) > MAX_GRANT) {
    throw new Error(`bad grant amount ${input.amount}`);
  }
  const outcome = await inLedgerTransaction(prisma, async (tx) => {
    const balance = await applyMove(tx, {
      userId: input.userId,
      kind: 'grant',
      amount: input.amount,
      idempotencyKey: input.idempotencyKey,
      adminId: input.adminId,
      reason: input.reason,
    });
    await writeAudit(tx, input.adminId, 'grant', input.userId.toString(), {
      amount: input.amount,
      reason: input.reason ?? null,
      key: input.idempotencyKey,
      balance,
    });
    return balance;
  });
  return outcome.ok ? { status: 'applied', balance: outcome.value } : outcome.result;
}

export type BanResult = { status: 'ok' | 'unchanged'; user: User } | { status: 'not_found' };

export async function setBanned(prisma: PrismaClient, adminId: bigint, userId: bigint, banned: boolean): Promise<BanResult> {
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) return { status: 'not_found' } as const;
    if (user.banned === banned) return { status: 'unchanged', user } as const;
    const updated = await tx.user.update({ where: { id: userId }, data: { banned } });
    await writeAudit(tx, adminId, banned ? 'ban' : 'unban', userId.toString());
    return { status: 'ok', user: updated } as const;
  });
}

export interface UserReport {
  user: User;
  generations: Pick<Generation, 'id' | 'modelSlug' | 'state' | 'price' | 'createdAt'>[];
  payments: Pick<Payment, 'telegramPaymentChargeId' | 'stars' | 'credits' | 'status' | 'createdAt'>[];
}

export async function userReport(prisma: PrismaClient, userId: bigint): Promise<UserReport | null> {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) return null;
  const [generations, payments] = await Promise.all([
    prisma.generation.findMany({
      where: { userId },
      orderBy: { createdAt: 'desc' },
      take: 5,
      select: { id: true, modelSlug: true, state: true, price: true, createdAt: true },
    }),
    prisma.payment.findMany({
      where: { userId },
      orderBy: { createdAt: 'desc' },
      take: 5,
      select: { telegramPaymentChargeId: true, stars: true, credits: true, status: true, createdAt: true },
    }),
  ]);
  return { user, generations, payments };
}

// ---------------------------------------------------------------- statistics

export interface ModelStats {
  slug: string;
  generations: number;
  succeeded: number;
  failed: number;
  /** succeeded / (succeeded + failed), null when nothing finished. */
  successRate: number | null;
  /** Mean createdAt → deliveredAt in seconds, null when nothing was delivered. */
  meanSeconds: number | null;
  /** Credits charged minus credits refunded for this model's generations, in the period. */
  creditsSpent: number;
}

export interface PeriodStats extends Omit<ModelStats, 'slug'> {
  since: Date;
  newUsers: number;
  payingUsers: number;
  payments: number;
  starsReceived: number;
  starsRefunded: number;
  /** Generation refunds (ledger rows of kind refund) and their credits. */
  refunds: number;
  refundedCredits: number;
  models: ModelStats[];
}

export interface Stats {
  today: PeriodStats;
  week: PeriodStats;
}

/** "Today" starts at 00:00 UTC; the week is the 7 × 24 hours before `now`. */
export function statsPeriods(now: Date): { today: Date; week: Date } {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { today, week: new Date(now.getTime() - 7 * 86_400_000) };
}

export async function computeStats(prisma: PrismaClient, now: Date): Promise<Stats> {
  const periods = statsPeriods(now);
  const [today, week] = await Promise.all([periodStats(prisma, periods.today, now), periodStats(prisma, periods.week, now)]);
  return { today, week };
}

interface GenRow {
  slug: string;
  generations: number;
  succeeded: number;
  failed: number;
  delivered: number;
  mean_seconds: number | null;
}

async function periodStats(prisma: PrismaClient, since: Date, until: Date): Promise<PeriodStats> {
  const [users, pay, refundedStars, gens, ledger, perModelCredits] = await Promise.all([
    prisma.user.count({ where: { createdAt: { gte: since, lte: until } } }),
    prisma.$queryRaw<{ payments: number; paying: number; stars: number }[]>`
      SELECT count(*)::int AS payments, count(DISTINCT "userId")::int AS paying, coalesce(sum("stars"), 0)::int AS stars
      FROM "Payment" WHERE "createdAt" >= ${since} AND "createdAt" <= ${until}`,
    prisma.payment.aggregate({ where: { refundedAt: { gte: since, lte: until } }, _sum: { stars: true } }),
    prisma.$queryRaw<GenRow[]>`
      SELECT "modelSlug" AS slug,
             count(*)::int AS generations,
             count(*) FILTER (WHERE "deliveredAt" IS NOT NULL OR "state" IN ('succeeded', 'delivered'))::int AS succeeded,
             count(*) FILTER (WHERE "deliveredAt" IS NULL AND "state" IN ('failed', 'refunded'))::int AS failed,
             count(*) FILTER (WHERE "deliveredAt" IS NOT NULL)::int AS delivered,
             (avg(EXTRACT(EPOCH FROM ("deliveredAt" - "createdAt"))) FILTER (WHERE "deliveredAt" IS NOT NULL))::float8 AS mean_seconds
      FROM "Generation" WHERE "createdAt" >= ${since} AND "createdAt" <= ${until}
      GROUP BY "modelSlug" ORDER BY "modelSlug"`,
    prisma.$queryRaw<{ charged: number; refunded: number; refunds: number }[]>`
      SELECT coalesce(-sum("amount") FILTER (WHERE "kind" = 'charge'), 0)::int AS charged,
             coalesce(sum("amount") FILTER (WHERE "kind" = 'refund'), 0)::int AS refunded,
             count(*) FILTER (WHERE "kind" = 'refund')::int AS refunds
      FROM "LedgerEntry" WHERE "createdAt" >= ${since} AND "createdAt" <= ${until} AND "kind" IN ('charge', 'refund')`,
    prisma.$queryRaw<{ slug: string; spent: number }[]>`
      SELECT g."modelSlug" AS slug, (-sum(l."amount"))::int AS spent
      FROM "LedgerEntry" l JOIN "Generation" g ON g."id" = l."generationId"
      WHERE l."createdAt" >= ${since} AND l."createdAt" <= ${until} AND l."kind" IN ('charge', 'refund')
      GROUP BY g."modelSlug"`,
  ]);

  const spentBySlug = new Map(perModelCredits.map((r) => [r.slug, Number(r.spent)]));
  const slugs = [...new Set([...gens.map((g) => g.slug), ...spentBySlug.keys()])].sort();
  const models: ModelStats[] = slugs.map((slug) => {
    const g = gens.find((r) => r.slug === slug);
    const succeeded = Number(g?.succeeded ?? 0);
    const failed = Number(g?.failed ?? 0);
    return {
      slug,
      generations: Number(g?.generations ?? 0),
      succeeded,
      failed,
      successRate: rate(succeeded, failed),
      meanSeconds: g?.mean_seconds == null ? null : Number(g.mean_seconds),
      creditsSpent: spentBySlug.get(slug) ?? 0,
    };
  });

  const total = (f: (m: GenRow) => number) => gens.reduce((s, g) => s + Number(f(g)), 0);
  const succeeded = total((g) => g.succeeded);
  const failed = total((g) => g.failed);
  // Mean over all delivered generations, weighted by each model's delivered count.
  let weighted = 0;
  let delivered = 0;
  for (const g of gens) {
    if (g.mean_seconds == null) continue;
    weighted += Number(g.mean_seconds) * Number(g.delivered);
    delivered += Number(g.delivered);
  }
  const l = ledger[0] ?? { charged: 0, refunded: 0, refunds: 0 };
  const p = pay[0] ?? { payments: 0, paying: 0, stars: 0 };
  return {
    since,
    newUsers: users,
    payingUsers: Number(p.paying),
    payments: Number(p.payments),
    starsReceived: Number(p.stars),
    starsRefunded: refundedStars._sum.stars ?? 0,
    generations: total((g) => g.generations),
    succeeded,
    failed,
    successRate: rate(succeeded, failed),
    meanSeconds: delivered > 0 ? weighted / delivered : null,
    creditsSpent: Number(l.charged) - Number(l.refunded),
    refunds: Number(l.refunds),
    refundedCredits: Number(l.refunded),
    models,
  };
}

function rate(succeeded: number, failed: number): number | null {
  return succeeded + failed === 0 ? null : succeeded / (succeeded + failed);
}
