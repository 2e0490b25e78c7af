/**
 * /invite and the Invite menu button: the user's referral link, how many joined through it and
 * what it earned. Also the referral side of Stars payments: after a payment is credited (by the
 * payments feature or the subscription feature) the inviter is rewarded once per charge id (for
 * every paid payment of the payer without a reward, so one lost to a crash is caught up), and
 * a refunded payment (Telegram's refunded_payment service message) takes the reward back.
 */
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { menuCallback } from '../../keyboards.js';
import { referralLink, referralSummary, rewardPendingReferrals, reverseReferral } from '../../../domain/referrals.js';
import { userLocale } from './shared.js';

async function showInvite(ctx: BotContext): Promise<void> {
  const summary = await referralSummary(ctx.deps.prisma, ctx.user.id);
  await ctx.reply(
    ctx.t('growth-invite-text', {
      link: referralLink(ctx.me.username, ctx.user.id),
      percent: ctx.deps.config.REFERRAL_PERCENT,
      joined: summary.joined,
      earned: summary.earned,
    }),
    { link_preview_options: { is_disabled: true } },
  );
}

export function inviteFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  privateChat.command('invite', showInvite);
  privateChat.callbackQuery(menuCallback.filter, async (ctx, next) => {
    if (menuCallback.parse(ctx.callbackQuery.data)?.action !== 'invite') return next();
    await ctx.answerCallbackQuery();
    await showInvite(ctx);
  });
  return composer;
}

/** Rewards the inviter for the payer's payments not rewarded yet (idempotent) and tells them. */
export async function rewardInviter(ctx: BotContext, payerId: bigint): Promise<void> {
  const { prisma, config, i18n, logger } = ctx.deps;
  for (const result of await rewardPendingReferrals(prisma, { payerId, percent: config.REFERRAL_PERCENT })) {
    logger.info({ inviterId: String(result.inviterId), credits: result.credits }, 'referral reward');
    const inviter = await prisma.user.findUnique({ where: { id: result.inviterId }, select: { language: true, telegramLanguage: true } });
    await ctx.api
      .sendMessage(Number(result.inviterId), i18n.t(userLocale(i18n, inviter), 'growth-referral-reward', { credits: result.credits, balance: result.balance }))
      .catch((err: unknown) => logger.warn({ err }, 'could not tell the inviter about a reward'));
  }
}

/** Takes back the referral reward of a refunded payment (idempotent). */
export async function takeBackReward(ctx: BotContext, chargeId: string, adminId?: bigint): Promise<void> {
  const result = await reverseReferral(ctx.deps.prisma, { chargeId, adminId, now: ctx.deps.now() });
  if (result.status === 'reversed') {
    ctx.deps.logger.info({ chargeId, inviterId: String(result.inviterId), taken: result.taken, shortfall: result.shortfall }, 'referral reward taken back');
  }
}

/**
 * Installed before the payments feature: lets it (or the subscription feature) credit the
 * payment, then rewards the inviter. A redelivered payment only repeats the idempotent reward.
 */
export function referralPaymentHooks(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('message:successful_payment', async (ctx, next) => {
    await next();
    const chargeId = ctx.message.successful_payment.telegram_payment_charge_id;
    await rewardInviter(ctx, BigInt(ctx.from.id)).catch((err: unknown) => ctx.deps.logger.error({ err, chargeId }, 'referral reward failed'));
  });
  composer.on('message:refunded_payment', async (ctx, next) => {
    await next();
    const chargeId = ctx.message.refunded_payment.telegram_payment_charge_id;
    await takeBackReward(ctx, chargeId).catch((err: unknown) => ctx.deps.logger.error({ err, chargeId }, 'referral take-back failed'));
  });
  return composer;
}
