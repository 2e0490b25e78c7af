/** /stats: today (since 00:00 UTC) and the last 7 days, overall and per model. */
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { computeStats, statsPeriods, type PeriodStats } from '../../../domain/admin.js';
import { growthStatsLines } from './growth.js';
import { computeMargins, type ModelMargin } from '../../../domain/margins.js';

function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}

function seconds(value: number | null): string {
  if (value === null) return '—';
  if (value < 120) return `${Math.round(value)} s`;
  return `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

function renderPeriod(ctx: BotContext, title: string, s: PeriodStats): string[] {
  const lines = [
    title,
    ctx.t('admin-stats-users', { newUsers: s.newUsers, payingUsers: s.payingUsers }),
    ctx.t('admin-stats-stars', { stars: s.starsReceived, payments: s.payments, refunded: s.starsRefunded }),
    ctx.t('admin-stats-generations', {
      generations: s.generations,
      succeeded: s.succeeded,
      failed: s.failed,
      rate: percent(s.successRate),
      mean: seconds(s.meanSeconds),
    }),
    ctx.t('admin-stats-credits', { spent: s.creditsSpent, refunds: s.refunds, refunded: s.refundedCredits }),
  ];
  if (s.models.length) {
    lines.push(ctx.t('admin-stats-models-title'));
    for (const m of s.models) {
      lines.push(
        ctx.t('admin-stats-model-line', {
          slug: m.slug,
          generations: m.generations,
          rate: percent(m.successRate),
          mean: seconds(m.meanSeconds),
          spent: m.creditsSpent,
        }),
      );
    }
  }
  return lines;
}

/** Revenue, provider cost and margin per model (Catalog v2). */
function renderMargins(ctx: BotContext, margins: ModelMargin[], rate: number): string[] {
  if (margins.length === 0) return [];
  return [
    ctx.t('admin-stats-margin-title', { rate: String(rate) }),
    ...margins.map((m) =>
      ctx.t('admin-stats-margin-line', {
        slug: m.slug,
        revenue: m.revenueUsd.toFixed(2),
        cost: m.costUsd.toFixed(2),
        margin: m.marginUsd.toFixed(2),
        count: m.count,
      }),
    ),
  ];
}

export function statsCommand(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('stats', async (ctx) => {
    const stats = await computeStats(ctx.deps.prisma, ctx.deps.now());
    const { config } = ctx.deps;
    const margins = await computeMargins(ctx.deps.prisma, ctx.deps.now(), { starsPerCredit: config.STARS_PER_CREDIT, starUsdRate: config.STAR_USD_RATE });
    const text = [
      ...renderPeriod(ctx, ctx.t('admin-stats-today'), stats.today),
      ...renderMargins(ctx, margins.today, config.STAR_USD_RATE),
      '',
      ...renderPeriod(ctx, ctx.t('admin-stats-week'), stats.week),
      ...renderMargins(ctx, margins.week, config.STAR_USD_RATE),
      '',
      ...(await growthStatsLines(ctx, statsPeriods(ctx.deps.now()))),
    ].join('\n');
    await ctx.reply(text);
  });
  return composer;
}
