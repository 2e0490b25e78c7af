/** Growth figures for /stats and /user: referrals, promo codes, subscriptions. */
import type { PrismaClient } from '../db/client.js';
import type { StarSubscription, User } from '../generated/prisma/client.js';

export interface GrowthPeriodStats {
  referredUsers: number;
  /** Referral rewards credited in the period, minus what was taken back. */
  referralCredits: number;
  promoRedemptions: number;
  promoCredits: number;
  subscriptionPayments: number;
  subscriptionStars: number;
}

export interface GrowthStats {
  today: GrowthPeriodStats;
  week: GrowthPeriodStats;
  /** Subscriptions not yet expired (renewing or cancelled to the end of the period). */
  subscribers: number;
  renewing: number;
  /** Stars a month from the subscriptions that will renew. */
  monthlyStars: number;
}

async function period(prisma: PrismaClient, since: Date, until: Date): Promise<GrowthPeriodStats> {
  const range = { gte: since, lte: until };
  const [referred, rewards, promos, subs] = await Promise.all([
    prisma.userOrigin.count({ where: { invitedBy: { not: null }, createdAt: range } }),
    prisma.referralReward.aggregate({ where: { createdAt: range }, _sum: { credits: true, reversed: true } }),
    prisma.promoRedemption.aggregate({ where: { createdAt: range }, _count: { _all: true }, _sum: { credits: true } }),
    prisma.payment.aggregate({ where: { createdAt: range, packId: { startsWith: 'sub-' } }, _count: { _all: true }, _sum: { stars: true } }),
  ]);
  return {
    referredUsers: referred,
    referralCredits: (rewards._sum.credits ?? 0) - (rewards._sum.reversed ?? 0),
    promoRedemptions: promos._count._all,
    promoCredits: promos._sum.credits ?? 0,
    subscriptionPayments: subs._count._all,
    subscriptionStars: subs._sum.stars ?? 0,
  };
}

export async function growthStats(prisma: PrismaClient, periods: { today: Date; week: Date }, now: Date): Promise<GrowthStats> {
  const [today, week, running, renewing] = await Promise.all([
    period(prisma, periods.today, now),
    period(prisma, periods.week, now),
    prisma.starSubscription.count({ where: { expiresAt: { gt: now }, state: { in: ['active', 'canceled'] } } }),
    prisma.starSubscription.aggregate({ where: { expiresAt: { gt: now }, state: 'active' }, _count: { _all: true }, _sum: { stars: true } }),
  ]);
  return { today, week, subscribers: running, renewing: renewing._count._all, monthlyStars: renewing._sum.stars ?? 0 };
}

export interface UserGrowthReport {
  invitedBy: Pick<User, 'id' | 'firstName' | 'username'> | null;
  invitedCount: number;
  invited: Pick<User, 'id' | 'firstName' | 'username'>[];
  referralEarned: number;
  subscriptions: StarSubscription[];
}

export async function userGrowthReport(prisma: PrismaClient, userId: bigint): Promise<UserGrowthReport> {
  const select = { id: true, firstName: true, username: true } as const;
  const [origin, invitedRows, invitedCount, rewards, subscriptions] = await Promise.all([
    prisma.userOrigin.findUnique({ where: { userId } }),
    prisma.userOrigin.findMany({ where: { invitedBy: userId }, orderBy: { createdAt: 'desc' }, take: 5, select: { userId: true } }),
    prisma.userOrigin.count({ where: { invitedBy: userId } }),
    prisma.referralReward.aggregate({ where: { inviterId: userId }, _sum: { credits: true, reversed: true } }),
    prisma.starSubscription.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
  ]);
  const [inviter, invited] = await Promise.all([
    origin?.invitedBy ? prisma.user.findUnique({ where: { id: origin.invitedBy }, select }) : null,
    prisma.user.findMany({ where: { id: { in: invitedRows.map((r) => r.userId) } }, select }),
  ]);
  return {
    invitedBy: inviter,
    invitedCount,
    invited,
    referralEarned: (rewards._sum.credits ?? 0) - (rewards._sum.reversed ?? 0),
    subscriptions,
  };
}
