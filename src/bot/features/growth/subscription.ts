/**
 * Telegram Stars subscriptions: /subscribe offers the plans, a plan becomes a createInvoiceLink
 * link with subscription_period; the pre-checkout is checked as for packs; each
 * successful_payment of a plan (first and renewals) is credited once per charge id; the
 * `subscription` update changes the state; /subscription shows plan, state and renewal date
 * with Cancel / Resume (editUserStarSubscription with the first payment's charge id).
 *
 * Installed before the payments feature; updates whose payload is not a subscription's go on.
 */
import type { MessageKey } from '../../../message-keys.js';
import { GrammyError, InlineKeyboard } from 'grammy';
import { Composer } from '../../composer.js';
import { z } from 'zod';
import type { BotContext } from '../../context.js';
import { defineCallback } from '../../callback-data.js';
import type { StarSubscription } from '../../../generated/prisma/client.js';
import {
  applySubscriptionUpdate,
  checkSubscriptionPreCheckout,
  creditSubscriptionPayment,
  findPlan,
  findSubscription,
  isRunning,
  isSubscriptionPayload,
  setCanceledByBot,
  subscriptionPayload,
  userSubscriptions,
  type SubscriptionPreCheckout,
} from '../../../domain/subscriptions.js';
import { formatDay } from './shared.js';
import { creditBudgetMs, creditWithRetry, paymentFields } from '../payments/credit-retry.js';

export const planCallback = defineCallback('subp', { plan: z.string().regex(/^\d{1,9}x\d{1,5}$/) });
export const manageCallback = defineCallback('subm', { action: z.enum(['cancel', 'resume']), id: z.string().uuid() });

const PRECHECKOUT_ERRORS: Record<Exclude<SubscriptionPreCheckout, { ok: true }>['reason'], MessageKey> = {
  bad_payload: 'growth-sub-precheckout-unknown',
  unknown_plan: 'growth-sub-precheckout-unknown',
  wrong_user: 'precheckout-error-wrong-user',
  no_user: 'precheckout-error-generic',
  banned: 'precheckout-error-banned',
  already_subscribed: 'growth-sub-precheckout-already',
};

async function offerPlans(ctx: BotContext): Promise<void> {
  if (ctx.user.banned) return void (await ctx.reply(ctx.t('error-banned')));
  const plans = ctx.deps.config.SUBSCRIPTION_PLANS;
  if (plans.length === 0) return void (await ctx.reply(ctx.t('growth-sub-no-plans')));
  const keyboard = InlineKeyboard.from(
    plans.map((p) => [InlineKeyboard.text(ctx.t('growth-sub-plan-button', { credits: p.credits, stars: p.stars }), planCallback.pack({ plan: p.id }))]),
  );
  await ctx.reply(ctx.t('growth-sub-choose'), { reply_markup: keyboard });
}

function stateText(ctx: BotContext, sub: StarSubscription, now: Date): string {
  if (!isRunning(sub, now)) return ctx.t('growth-sub-state-expired');
  return ctx.t(`growth-sub-state-${sub.state}`);
}

function subscriptionCard(ctx: BotContext, sub: StarSubscription, now: Date): { text: string; keyboard?: InlineKeyboard } {
  const running = isRunning(sub, now);
  const date = sub.expiresAt ? formatDay(sub.expiresAt) : '—';
  const dateKey = running && sub.state === 'active' ? 'growth-sub-renews' : 'growth-sub-ends';
  const text = [
    ctx.t('growth-sub-card', { credits: sub.credits, stars: sub.stars, state: stateText(ctx, sub, now) }),
    running ? ctx.t(dateKey, { date }) : ctx.t('growth-sub-ended', { date }),
    ...(running && sub.state === 'canceled' && !sub.canceledByBot ? [ctx.t('growth-sub-canceled-in-telegram')] : []),
    ...(running && sub.state === 'failed' ? [ctx.t('growth-sub-failed-hint')] : []),
  ].join('\n');
  if (!running || !sub.firstChargeId) return { text };
  if (sub.state === 'active' || sub.state === 'failed') {
    return {
      text,
      keyboard: InlineKeyboard.from([[InlineKeyboard.text(ctx.t('growth-sub-cancel-button'), manageCallback.pack({ action: 'cancel', id: sub.id }))]]),
    };
  }
  if (sub.state === 'canceled' && sub.canceledByBot) {
    return {
      text,
      keyboard: InlineKeyboard.from([[InlineKeyboard.text(ctx.t('growth-sub-resume-button'), manageCallback.pack({ action: 'resume', id: sub.id }))]]),
    };
  }
  return { text };
}

async function showSubscriptions(ctx: BotContext): Promise<void> {
  const now = ctx.deps.now();
  const subs = (await userSubscriptions(ctx.deps.prisma, ctx.user.id)).filter((s) => isRunning(s, now));
  if (subs.length === 0) return void (await ctx.reply(ctx.t('growth-sub-none')));
  for (const sub of subs) {
    const card = subscriptionCard(ctx, sub, now);
    await ctx.reply(card.text, card.keyboard ? { reply_markup: card.keyboard } : {});
  }
}

export function subscriptionFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on('pre_checkout_query', async (ctx, next) => {
    const q = ctx.preCheckoutQuery;
    if (!isSubscriptionPayload(q.invoice_payload)) return next();
    let verdict: SubscriptionPreCheckout;
    try {
      verdict = await checkSubscriptionPreCheckout(ctx.deps.prisma, ctx.deps.config.SUBSCRIPTION_PLANS, {
        payerId: BigInt(q.from.id),
        payload: q.invoice_payload,
        currency: q.currency,
        totalAmount: q.total_amount,
        now: ctx.deps.now(),
      });
    } catch (err) {
      ctx.deps.logger.error({ err }, 'subscription pre-checkout check failed');
      return void (await ctx.answerPreCheckoutQuery(false, { error_message: ctx.t('precheckout-error-generic') }));
    }
    if (verdict.ok) return void (await ctx.answerPreCheckoutQuery(true));
    ctx.deps.logger.info({ userId: q.from.id, reason: verdict.reason }, 'subscription pre-checkout refused');
    await ctx.answerPreCheckoutQuery(false, { error_message: ctx.t(PRECHECKOUT_ERRORS[verdict.reason]) });
  });

  composer.on('message:successful_payment', async (ctx, next) => {
    const sp = ctx.message.successful_payment;
    if (!isSubscriptionPayload(sp.invoice_payload)) return next();
    const now = ctx.deps.now();
    const expiresAt = sp.subscription_expiration_date
      ? new Date(sp.subscription_expiration_date * 1000)
      : new Date(now.getTime() + ctx.deps.config.SUBSCRIPTION_PERIOD_SECONDS * 1000);
    const log = { userId: ctx.from.id, chargeId: sp.telegram_payment_charge_id, stars: sp.total_amount, first: Boolean(sp.is_first_recurring) };
    // As for packs (payments/credit-retry.ts): never acknowledged before the credit is committed.
    const result = await creditWithRetry(
      sp.telegram_payment_charge_id,
      () => creditSubscriptionPayment(ctx.deps.prisma, { ...paymentFields(ctx.from.id, sp), isFirstRecurring: Boolean(sp.is_first_recurring), expiresAt }),
      creditBudgetMs(ctx.deps.config),
      (err, attempt) => ctx.deps.logger.warn({ ...log, err, attempt }, 'crediting a subscription payment failed; retrying'),
    );
    if (result.status === 'credited') {
      ctx.deps.logger.info({ ...log, credits: result.credits }, 'subscription payment credited');
      const key = result.first ? 'growth-sub-started' : 'growth-sub-renewed';
      await ctx.reply(ctx.t(key, { credits: result.credits, balance: result.balance, date: formatDay(result.subscription.expiresAt ?? expiresAt) }));
    } else if (result.status === 'duplicate') {
      ctx.deps.logger.info(log, 'subscription payment already credited');
    } else {
      ctx.deps.logger.error(log, 'subscription payment with an unknown payload; not credited');
      await ctx.reply(ctx.t('payment-credit-failed', { charge: sp.telegram_payment_charge_id }));
    }
  });

  composer.on('subscription', async (ctx) => {
    const update = ctx.update.subscription!;
    const sub = await applySubscriptionUpdate(ctx.deps.prisma, { userId: BigInt(update.user.id), payload: update.invoice_payload, state: update.state });
    ctx.deps.logger.info({ userId: update.user.id, state: update.state, known: Boolean(sub) }, 'subscription update');
    if (!sub) return;
    const date = sub.expiresAt ? formatDay(sub.expiresAt) : '—';
    await ctx.api
      .sendMessage(update.user.id, ctx.t(`growth-sub-update-${update.state}`, { credits: sub.credits, stars: sub.stars, date }))
      .catch((err: unknown) => ctx.deps.logger.warn({ err }, 'could not send the subscription notice'));
  });

  const privateChat = composer.chatType('private');
  privateChat.command('subscribe', offerPlans);
  privateChat.command('subscription', showSubscriptions);

  privateChat.callbackQuery(planCallback.filter, async (ctx) => {
    const data = planCallback.parse(ctx.callbackQuery.data);
    const plan = data && findPlan(ctx.deps.config.SUBSCRIPTION_PLANS, data.plan);
    if (!plan) return void (await ctx.answerCallbackQuery({ text: ctx.t('growth-sub-plan-gone'), show_alert: true }));
    if (ctx.user.banned) return void (await ctx.answerCallbackQuery({ text: ctx.t('error-banned'), show_alert: true }));
    const payload = subscriptionPayload(plan, ctx.from.id);
    const existing = await ctx.deps.prisma.starSubscription.findUnique({ where: { payload } });
    if (existing && existing.state === 'active' && isRunning(existing, ctx.deps.now())) {
      return void (await ctx.answerCallbackQuery({ text: ctx.t('growth-sub-precheckout-already'), show_alert: true }));
    }
    await ctx.answerCallbackQuery();
    const vars = { credits: plan.credits, stars: plan.stars };
    const link = await ctx.api.createInvoiceLink(
      ctx.t('growth-sub-invoice-title', vars).slice(0, 32),
      ctx.t('growth-sub-invoice-description', vars).slice(0, 255),
      payload,
      '',
      'XTR',
      [{ label: ctx.t('growth-sub-invoice-label', vars), amount: plan.stars }],
      { subscription_period: ctx.deps.config.SUBSCRIPTION_PERIOD_SECONDS },
    );
    await ctx.reply(ctx.t('growth-sub-link-text', vars), {
      reply_markup: InlineKeyboard.from([[InlineKeyboard.url(ctx.t('growth-sub-pay-button', vars), link)]]),
    });
  });

  privateChat.callbackQuery(manageCallback.filter, async (ctx) => {
    const data = manageCallback.parse(ctx.callbackQuery.data);
    const sub = data && (await findSubscription(ctx.deps.prisma, data.id));
    const now = ctx.deps.now();
    if (!data || !sub || sub.userId !== BigInt(ctx.from.id) || !sub.firstChargeId || !isRunning(sub, now)) {
      return void (await ctx.answerCallbackQuery({ text: ctx.t('growth-sub-gone'), show_alert: true }));
    }
    const cancel = data.action === 'cancel';
    if (cancel ? sub.state === 'canceled' : !(sub.state === 'canceled' && sub.canceledByBot)) {
      await ctx.answerCallbackQuery();
    } else {
      try {
        await ctx.api.editUserStarSubscription(ctx.from.id, sub.firstChargeId, cancel);
      } catch (err) {
        ctx.deps.logger.warn({ err, subscription: sub.id }, 'editUserStarSubscription failed');
        const text = err instanceof GrammyError && err.error_code < 500 ? ctx.t('growth-sub-edit-refused') : ctx.t('growth-sub-edit-failed');
        return void (await ctx.answerCallbackQuery({ text, show_alert: true }));
      }
      await setCanceledByBot(ctx.deps.prisma, sub.id, cancel);
      await ctx.answerCallbackQuery({ text: ctx.t(cancel ? 'growth-sub-canceled-alert' : 'growth-sub-resumed-alert') });
    }
    const fresh = (await findSubscription(ctx.deps.prisma, sub.id))!;
    const card = subscriptionCard(ctx, fresh, now);
    await ctx.editMessageText(card.text, { reply_markup: card.keyboard }).catch(() => {});
  });

  return composer;
}
