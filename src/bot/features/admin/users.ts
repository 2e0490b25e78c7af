/** /grant, /user, /ban, /unban, /refund (a generation) and /refundpayment (a Stars payment). */
import { GrammyError, type Api } from 'grammy';
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import type { MessageKey } from '../../i18n.js';
import { findUser } from '../../../domain/users.js';
import { grantCredits, MAX_GRANT, setBanned, userReport } from '../../../domain/admin.js';
import { adminRefundGeneration } from '../../../jobs/generation-state.js';
import { refundPayment, type StarRefundOutcome } from '../../../domain/payments.js';
import { adminId, args, formatDate, parseInteger, usage, userLabel } from './shared.js';
import { growthUserLines } from './growth.js';
import { takeBackReward } from '../growth/invite.js';

/** Bot API refundStarPayment, its outcome classified for the domain. */
export function telegramStarRefund(api: Api) {
  return async (userId: bigint, chargeId: string): Promise<StarRefundOutcome> => {
    try {
      await api.refundStarPayment(Number(userId), chargeId);
      return { ok: true };
    } catch (error) {
      if (error instanceof GrammyError) {
        if (/CHARGE_ALREADY_REFUNDED/i.test(error.description)) return { ok: false, alreadyRefunded: true };
        // Telegram answered: a 4xx is a definite "no"; a 5xx leaves it unknown.
        return { ok: false, definite: error.error_code < 500, error: error.description };
      }
      return { ok: false, definite: false, error: error instanceof Error ? error.message : String(error) };
    }
  };
}

export function userCommands(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('grant', async (ctx) => {
    const [ref, amountText, ...reasonWords] = args(ctx);
    const amount = parseInteger(amountText);
    if (!ref || amount === null || amount === 0 || Math.abs(amount) > MAX_GRANT) return usage(ctx, 'grant');
    const user = await findUser(ctx.deps.prisma, ref);
    if (!user) return void (await ctx.reply(ctx.t('admin-user-not-found', { ref })));
    const reason = reasonWords.join(' ').slice(0, 500) || undefined;
    const result = await grantCredits(ctx.deps.prisma, {
      adminId: adminId(ctx),
      userId: user.id,
      amount,
      reason,
      idempotencyKey: `grant:${ctx.update.update_id}`,
    });
    const label = userLabel(user);
    switch (result.status) {
      case 'applied':
        return void (await ctx.reply(ctx.t('admin-grant-done', { user: label, amount: amount > 0 ? `+${amount}` : String(amount), balance: result.balance })));
      case 'duplicate':
        return void (await ctx.reply(ctx.t('admin-grant-duplicate', { balance: result.balance })));
      case 'insufficient':
        return void (await ctx.reply(ctx.t('admin-grant-insufficient', { user: label, balance: result.balance })));
      case 'no_user':
        return void (await ctx.reply(ctx.t('admin-user-not-found', { ref })));
    }
  });

  composer.command('user', async (ctx) => {
    const [ref, extra] = args(ctx);
    if (!ref || extra) return usage(ctx, 'user');
    const found = await findUser(ctx.deps.prisma, ref);
    const report = found && (await userReport(ctx.deps.prisma, found.id));
    if (!report) return void (await ctx.reply(ctx.t('admin-user-not-found', { ref })));
    const { user } = report;
    const yesNo = (v: boolean) => ctx.t(v ? 'admin-yes' : 'admin-no');
    const lines = [
      ctx.t('admin-user-card', {
        user: userLabel(user),
        balance: user.balance,
        language: user.language ?? `${user.telegramLanguage ?? '—'} (Telegram)`,
        banned: yesNo(user.banned),
        unreachable: yesNo(user.unreachable),
        created: formatDate(user.createdAt),
        seen: formatDate(user.lastSeenAt),
      }),
      '',
      ctx.t('admin-user-generations-title'),
      ...(report.generations.length
        ? report.generations.map((g) =>
            ctx.t('admin-user-generation-line', { id: g.id, model: g.modelSlug, state: g.state, price: g.price, date: formatDate(g.createdAt) }),
          )
        : [ctx.t('admin-user-none')]),
      '',
      ctx.t('admin-user-payments-title'),
      ...(report.payments.length
        ? report.payments.map((p) =>
            ctx.t('admin-user-payment-line', {
              charge: p.telegramPaymentChargeId,
              stars: p.stars,
              credits: p.credits,
              status: p.status,
              date: formatDate(p.createdAt),
            }),
          )
        : [ctx.t('admin-user-none')]),
      ...(await growthUserLines(ctx, user.id)),
    ];
    await ctx.reply(lines.join('\n'));
  });

  for (const command of ['ban', 'unban'] as const) {
    composer.command(command, async (ctx) => {
      const [ref, extra] = args(ctx);
      if (!ref || extra) return usage(ctx, command);
      const user = await findUser(ctx.deps.prisma, ref);
      if (!user) return void (await ctx.reply(ctx.t('admin-user-not-found', { ref })));
      const result = await setBanned(ctx.deps.prisma, adminId(ctx), user.id, command === 'ban');
      if (result.status === 'not_found') return void (await ctx.reply(ctx.t('admin-user-not-found', { ref })));
      const key: MessageKey = result.status === 'unchanged' ? `admin-${command}-already` : `admin-${command}-done`;
      await ctx.reply(ctx.t(key, { user: userLabel(user) }));
    });
  }

  composer.command('refund', async (ctx) => {
    const [id, extra] = args(ctx);
    if (!id || extra || id.length > 200) return usage(ctx, 'refund');
    const result = await adminRefundGeneration(ctx.deps.prisma, id, adminId(ctx), ctx.deps.now());
    switch (result.status) {
      case 'refunded':
        // The audit row was written in the refund's transaction (adminRefundGeneration).
        return void (await ctx.reply(ctx.t('admin-refund-done', { id, amount: result.amount, balance: result.balance ?? '—' })));
      case 'already_refunded':
        return void (await ctx.reply(ctx.t('admin-refund-already', { id })));
      case 'not_refundable':
        return void (await ctx.reply(ctx.t('admin-refund-not-refundable', { id, state: result.state })));
      case 'not_found': {
        const payment = await ctx.deps.prisma.payment.findUnique({ where: { telegramPaymentChargeId: id }, select: { id: true } });
        return void (await ctx.reply(ctx.t(payment ? 'admin-refund-is-payment' : 'admin-refund-not-found', { id })));
      }
    }
  });

  composer.command('refundpayment', async (ctx) => {
    const [chargeId, extra] = args(ctx);
    if (!chargeId || extra || chargeId.length > 256) return usage(ctx, 'refundpayment');
    const result = await refundPayment(ctx.deps.prisma, {
      chargeId,
      adminId: adminId(ctx),
      now: ctx.deps.now(),
      refundStars: telegramStarRefund(ctx.api),
    });
    const user = 'userId' in result ? String(result.userId) : '';
    // Growth: a refunded payment takes its referral reward back (once).
    if (result.status === 'refunded' || result.status === 'already_refunded') await takeBackReward(ctx, chargeId, adminId(ctx));
    switch (result.status) {
      case 'refunded':
        return void (await ctx.reply(ctx.t('admin-refundpayment-done', { user, stars: result.stars, credits: result.credits, balance: result.balance })));
      case 'already_refunded':
        return void (await ctx.reply(ctx.t('admin-refundpayment-already', { user, stars: result.stars })));
      case 'not_found':
        return void (await ctx.reply(ctx.t('admin-refundpayment-not-found', { charge: chargeId })));
      case 'spent':
        return void (await ctx.reply(ctx.t('admin-refundpayment-spent', { user, credits: result.credits, balance: result.balance })));
      case 'telegram_failed':
        return void (await ctx.reply(ctx.t('admin-refundpayment-telegram-failed', { error: result.error, balance: result.balance })));
      case 'uncertain':
        return void (await ctx.reply(ctx.t('admin-refundpayment-uncertain', { error: result.error, charge: chargeId })));
    }
  });

  return composer;
}
