/**
 * Telegram Stars top-ups: /topup and the Top up button offer the credit packs, a pack becomes an
 * XTR invoice, the pre-checkout query is checked and answered at once, and a successful payment
 * is credited once per telegram_payment_charge_id. /paysupport explains payments and refunds and
 * forwards a question to the admins.
 *
 * Installed before the conversations plugin: pre_checkout_query has no chat, and a payment made
 * while a flow waits for input must not be taken as that input.
 */
import { InlineKeyboard } from 'grammy';
import { Composer } from '../../composer.js';
import { z } from 'zod';
import type { BotContext } from '../../context.js';
import type { MessageKey } from '../../i18n.js';
import { defineCallback } from '../../callback-data.js';
import { menuCallback } from '../../keyboards.js';
import { checkPreCheckout, creditPayment, packPayload, type PreCheckoutVerdict } from '../../../domain/payments.js';
import { creditBudgetMs, creditWithRetry, paymentFields } from './credit-retry.js';

export const topupCallback = defineCallback('topup', { pack: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/) });

const PRECHECKOUT_ERRORS: Record<Exclude<PreCheckoutVerdict, { ok: true }>['reason'], MessageKey> = {
  bad_payload: 'precheckout-error-unknown-pack',
  unknown_pack: 'precheckout-error-unknown-pack',
  price_changed: 'precheckout-error-price-changed',
  wrong_user: 'precheckout-error-wrong-user',
  no_user: 'precheckout-error-generic',
  banned: 'precheckout-error-banned',
};

async function offerPacks(ctx: BotContext): Promise<void> {
  if (ctx.user.banned) {
    await ctx.reply(ctx.t('error-banned'));
    return;
  }
  const packs = ctx.deps.config.CREDIT_PACKS;
  if (packs.length === 0) {
    await ctx.reply(ctx.t('topup-no-packs'));
    return;
  }
  const keyboard = InlineKeyboard.from(
    packs.map((p) => [InlineKeyboard.text(ctx.t('topup-pack-button', { credits: p.credits, stars: p.stars }), topupCallback.pack({ pack: p.id }))]),
  );
  await ctx.reply(ctx.t('topup-choose', { balance: ctx.user.balance }), { reply_markup: keyboard });
}

export function paymentsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  // No chat here, so this is a plain handler; it answers well within Telegram's 10 s.
  composer.on('pre_checkout_query', async (ctx) => {
    const q = ctx.preCheckoutQuery;
    let verdict: PreCheckoutVerdict;
    try {
      verdict = await checkPreCheckout(ctx.deps.prisma, ctx.deps.config.CREDIT_PACKS, {
        payerId: BigInt(q.from.id),
        payload: q.invoice_payload,
        currency: q.currency,
        totalAmount: q.total_amount,
      });
    } catch (err) {
      ctx.deps.logger.error({ err }, 'pre-checkout check failed');
      await ctx.answerPreCheckoutQuery(false, { error_message: ctx.t('precheckout-error-generic') });
      return;
    }
    if (verdict.ok) {
      await ctx.answerPreCheckoutQuery(true);
    } else {
      ctx.deps.logger.info({ userId: q.from.id, reason: verdict.reason, payload: q.invoice_payload }, 'pre-checkout refused');
      await ctx.answerPreCheckoutQuery(false, { error_message: ctx.t(PRECHECKOUT_ERRORS[verdict.reason]) });
    }
  });

  composer.on('message:successful_payment', async (ctx) => {
    const sp = ctx.message.successful_payment;
    const { config, logger } = ctx.deps;
    const log = { userId: ctx.from.id, chargeId: sp.telegram_payment_charge_id, stars: sp.total_amount };
    // Never acknowledged before the credit is committed (credit-retry.ts): a database fault is
    // retried, then the error escapes the boundary (webhook: 5xx, Telegram redelivers).
    const result = await creditWithRetry(
      sp.telegram_payment_charge_id,
      () => creditPayment(ctx.deps.prisma, paymentFields(ctx.from.id, sp)),
      creditBudgetMs(config),
      (err, attempt) => logger.warn({ ...log, err, attempt }, 'crediting a stars payment failed; retrying'),
    );
    // The credit is committed: a failed reply must not make Telegram redeliver the payment.
    const reply = (text: string) => ctx.reply(text).catch((err: unknown) => logger.warn({ ...log, err }, 'could not confirm a payment'));
    if (result.status === 'credited') {
      logger.info({ ...log, credits: result.credits }, 'stars payment credited');
      await reply(ctx.t('payment-credited', { credits: result.credits, balance: result.balance }));
    } else if (result.status === 'duplicate') {
      logger.info(log, 'stars payment already credited');
    } else {
      logger.error(log, 'stars payment with an unknown payload; not credited');
      await ctx.deps.alerts?.paymentNotCredited({
        chargeId: sp.telegram_payment_charge_id,
        userId: BigInt(ctx.from.id),
        stars: sp.total_amount,
        error: 'unknown payload',
      });
      await reply(ctx.t('payment-credit-failed', { charge: sp.telegram_payment_charge_id }));
    }
  });

  // Telegram's service message after refundStarPayment.
  composer.on('message:refunded_payment', async (ctx) => {
    await ctx.reply(ctx.t('payment-refunded-notice', { stars: ctx.message.refunded_payment.total_amount }));
  });

  const privateChat = composer.chatType('private');
  privateChat.command('topup', offerPacks);
  privateChat.callbackQuery(menuCallback.filter, async (ctx, next) => {
    if (menuCallback.parse(ctx.callbackQuery.data)?.action !== 'topup') return next();
    await ctx.answerCallbackQuery();
    await offerPacks(ctx);
  });
  privateChat.callbackQuery(topupCallback.filter, async (ctx) => {
    const data = topupCallback.parse(ctx.callbackQuery.data);
    const pack = ctx.deps.config.CREDIT_PACKS.find((p) => p.id === data?.pack);
    if (!pack) {
      await ctx.answerCallbackQuery({ text: ctx.t('topup-pack-gone'), show_alert: true });
      return;
    }
    if (ctx.user.banned) {
      await ctx.answerCallbackQuery({ text: ctx.t('error-banned'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const vars = { credits: pack.credits, stars: pack.stars };
    await ctx.replyWithInvoice(
      ctx.t('topup-invoice-title', vars).slice(0, 32),
      ctx.t('topup-invoice-description', vars).slice(0, 255),
      packPayload(pack, ctx.from.id),
      'XTR',
      [{ label: ctx.t('topup-invoice-label', vars), amount: pack.stars }],
    );
  });

  privateChat.command('paysupport', async (ctx) => {
    const text = ctx.match.trim();
    if (text === '') {
      await ctx.reply(ctx.t('paysupport-text'));
      return;
    }
    const { i18n, config, logger } = ctx.deps;
    logger.info({ userId: ctx.from.id }, 'support request');
    for (const adminId of config.ADMIN_IDS) {
      const admin = await ctx.deps.prisma.user.findUnique({ where: { id: adminId }, select: { language: true, telegramLanguage: true } });
      const locale = i18n.isLocale(admin?.language) ? admin.language : i18n.negotiate(admin?.telegramLanguage);
      await ctx.api
        .sendMessage(
          Number(adminId),
          i18n.t(locale, 'paysupport-forward', {
            name: ctx.from.first_name,
            id: String(ctx.from.id),
            username: ctx.from.username ? `, @${ctx.from.username}` : '',
            balance: ctx.user.balance,
            text: text.slice(0, 3500),
          }),
        )
        .catch((err: unknown) => logger.warn({ err, adminId: adminId.toString() }, 'could not forward a support request'));
    }
    await ctx.reply(ctx.t('paysupport-sent'));
  });

  return composer;
}
