/** Growth lines of /user (who invited whom, subscriptions) and /stats (referrals, promo codes, subscriptions). */
import type { BotContext } from '../../context.js';
import { growthStats, userGrowthReport } from '../../../domain/growth-stats.js';
import { isRunning } from '../../../domain/subscriptions.js';
import { formatDate, userLabel } from './shared.js';

export async function growthUserLines(ctx: BotContext, userId: bigint): Promise<string[]> {
  const r = await userGrowthReport(ctx.deps.prisma, userId);
  const now = ctx.deps.now();
  return [
    '',
    ctx.t('admin-user-invited-by', { inviter: r.invitedBy ? userLabel(r.invitedBy) : '—' }),
    ctx.t('admin-user-invited', { count: r.invitedCount, earned: r.referralEarned, users: r.invited.map(userLabel).join(', ') || '—' }),
    '',
    ctx.t('admin-user-subscriptions-title'),
    ...(r.subscriptions.length
      ? r.subscriptions.map((s) =>
          ctx.t('admin-user-subscription-line', {
            credits: s.credits,
            stars: s.stars,
            state: isRunning(s, now) ? s.state : 'expired',
            until: s.expiresAt ? formatDate(s.expiresAt) : '—',
            payments: s.payments,
          }),
        )
      : [ctx.t('admin-user-none')]),
  ];
}

export async function growthStatsLines(ctx: BotContext, periods: { today: Date; week: Date }): Promise<string[]> {
  const g = await growthStats(ctx.deps.prisma, periods, ctx.deps.now());
  const line = (title: string, p: typeof g.today) =>
    ctx.t('admin-stats-growth-period', {
      title,
      referred: p.referredUsers,
      rewards: p.referralCredits,
      promos: p.promoRedemptions,
      promoCredits: p.promoCredits,
      subPayments: p.subscriptionPayments,
      subStars: p.subscriptionStars,
    });
  return [
    ctx.t('admin-stats-growth-title'),
    line(ctx.t('admin-stats-today'), g.today),
    line(ctx.t('admin-stats-week'), g.week),
    ctx.t('admin-stats-subscribers', { subscribers: g.subscribers, renewing: g.renewing, stars: g.monthlyStars }),
  ];
}
