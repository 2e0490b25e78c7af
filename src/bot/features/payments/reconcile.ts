/**
 * Payment reconciliation (docs/providers.md §failure-model): Telegram's own list of Stars transactions
 * (getStarTransactions, oldest first) is compared with the Payment rows; a charge id with no row
 * is credited once through the same idempotent creditPayment (unique charge id + ledger key), and
 * the payer is told. It is the backstop for a payment update that was acknowledged (long
 * polling) or lost while its credit failed. Runs at start and every PAYMENT_RECONCILE_INTERVAL_MS.
 *
 * The scan keeps a cursor: the offset up to which every transaction is known to be settled. A
 * charge that cannot be credited now stops the cursor there, so the next pass tries it again.
 */
import type { Api } from 'grammy';
import type { StarTransaction } from 'grammy/types';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../../db/client.js';
import { creditPayment } from '../../../domain/payments.js';
import { creditSubscriptionPayment, isSubscriptionPayload } from '../../../domain/subscriptions.js';
import type { I18n } from '../../i18n.js';

export interface ReconcileDeps {
  api: Pick<Api, 'getStarTransactions' | 'sendMessage'>;
  prisma: PrismaClient;
  i18n: I18n;
  logger: Logger;
  /** Page size, 1–100 (default 100). */
  pageSize?: number;
  /** Stars subscription period (a renewal's expiry when the transaction does not carry one). */
  subscriptionPeriodSeconds?: number;
}

export interface ReconcileResult {
  scanned: number;
  credited: string[];
  /** Charges that could not be credited this pass (they are tried again). */
  failed: string[];
}

export interface PaymentReconciler {
  /** One pass from the cursor to the newest transaction; passes never overlap. */
  run(signal?: AbortSignal): Promise<ReconcileResult>;
}

interface UserPartner {
  type: 'user';
  transaction_type?: string;
  user: { id: number };
  invoice_payload?: string;
  subscription_period?: number;
}

function invoicePayment(t: StarTransaction): UserPartner | undefined {
  const source = t.source as Partial<UserPartner> | undefined;
  if (!source || source.type !== 'user' || !source.user) return undefined;
  if (source.transaction_type !== undefined && source.transaction_type !== 'invoice_payment') return undefined;
  return source as UserPartner;
}

export function createPaymentReconciler(deps: ReconcileDeps): PaymentReconciler {
  const pageSize = Math.min(100, Math.max(1, deps.pageSize ?? 100));
  const log = deps.logger.child({ component: 'payments-reconcile' });
  let cursor = 0;
  let running: Promise<ReconcileResult> | undefined;

  async function tell(userId: bigint, credits: number, balance: number): Promise<void> {
    const user = await deps.prisma.user.findUnique({ where: { id: userId }, select: { language: true, telegramLanguage: true } });
    const locale = deps.i18n.isLocale(user?.language) ? user.language : deps.i18n.negotiate(user?.telegramLanguage);
    await deps.api
      .sendMessage(Number(userId), deps.i18n.t(locale, 'payment-credited', { credits, balance }))
      .catch((err: unknown) => log.warn({ err, userId: String(userId) }, 'could not tell the payer about a reconciled payment'));
  }

  async function pass(signal?: AbortSignal): Promise<ReconcileResult> {
    const result: ReconcileResult = { scanned: 0, credited: [], failed: [] };
    // Everything from `cursor` on, in pages; refunds appear after their charge, so read it all first.
    const seen: StarTransaction[] = [];
    for (let offset = cursor; ; offset += pageSize) {
      const page = await deps.api.getStarTransactions({ offset, limit: pageSize }, signal as Parameters<Api['getStarTransactions']>[1]);
      seen.push(...page.transactions);
      if (page.transactions.length < pageSize) break;
    }
    result.scanned = seen.length;
    const refunded = new Set(seen.filter((t) => t.receiver).map((t) => t.id));
    const charges = seen.map((t, index) => ({ t, index, payer: invoicePayment(t) }));
    const ids = charges.filter((c) => c.payer).map((c) => c.t.id);
    const known = new Set(
      (await deps.prisma.payment.findMany({ where: { telegramPaymentChargeId: { in: ids } }, select: { telegramPaymentChargeId: true } })).map(
        (p) => p.telegramPaymentChargeId,
      ),
    );
    let settledUpTo = seen.length; // index of the first unsettled transaction
    for (const { t, index, payer } of charges) {
      if (!payer || known.has(t.id) || refunded.has(t.id)) continue;
      const payerId = BigInt(payer.user.id);
      try {
        const user = await deps.prisma.user.findUnique({ where: { id: payerId }, select: { id: true } });
        if (!user) await deps.prisma.user.create({ data: { id: payerId, firstName: '' } }).catch(() => undefined);
        const payload = payer.invoice_payload ?? '';
        const credit = isSubscriptionPayload(payload)
          ? await creditSubscriptionPayment(deps.prisma, {
              payerId,
              currency: 'XTR',
              totalAmount: t.amount,
              payload,
              telegramChargeId: t.id,
              isFirstRecurring: false,
              expiresAt: new Date((t.date + (payer.subscription_period ?? deps.subscriptionPeriodSeconds ?? 2_592_000)) * 1000),
            })
          : await creditPayment(deps.prisma, { payerId, currency: 'XTR', totalAmount: t.amount, payload, telegramChargeId: t.id });
        if (credit.status === 'credited') {
          result.credited.push(t.id);
          log.warn({ chargeId: t.id, userId: String(payerId), credits: credit.credits }, 'reconciliation credited a stars payment that had no ledger row');
          await tell(payerId, credit.credits, credit.balance);
        } else if (credit.status === 'bad_payload') {
          // Not a credit pack (e.g. another product): nothing to credit here.
          log.debug({ chargeId: t.id }, 'reconciliation skipped a transaction with another payload');
        }
      } catch (err) {
        result.failed.push(t.id);
        settledUpTo = Math.min(settledUpTo, index);
        log.error({ err, chargeId: t.id }, 'reconciliation could not credit a stars payment; will retry');
      }
    }
    cursor += settledUpTo;
    return result;
  }

  return {
    run(signal) {
      running ??= pass(signal).finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
