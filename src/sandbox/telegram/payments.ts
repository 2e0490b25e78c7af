/** Telegram Stars: invoice validation, pre-checkout queries, charges, refunds, transactions. */
import { randomBytes } from 'node:crypto';
import { ApiError, E, badRequest } from './errors.js';
import { bool, int, json, str, type Params } from './params.js';

export interface InvoiceRecord {
  chatId: number;
  messageId: number;
  title: string;
  description: string;
  payload: string;
  currency: 'XTR';
  amount: number;
  label: string;
}

export interface PreCheckoutRecord {
  id: string;
  userId: number;
  invoice: InvoiceRecord;
  answer: { ok: boolean; errorMessage: string | undefined } | undefined;
  expired: boolean;
}

export interface ChargeRecord {
  chargeId: string;
  providerChargeId: string;
  userId: number;
  amount: number;
  payload: string;
  date: number;
  refundedAt: number | undefined;
}

export interface InvoiceFields {
  title: string;
  description: string;
  payload: string;
  amount: number;
  label: string;
  startParameter: string;
}

/** Validate sendInvoice/createInvoiceLink parameters for a Stars invoice. */
export function validateInvoice(p: Params): InvoiceFields {
  const title = str(p.title) ?? '';
  const description = str(p.description) ?? '';
  const payload = str(p.payload) ?? '';
  if (title.length < 1 || title.length > 32) throw badRequest('INVOICE_TITLE_INVALID');
  if (description.length < 1 || description.length > 255) throw badRequest('INVOICE_DESCRIPTION_INVALID');
  const payloadBytes = Buffer.byteLength(payload, 'utf8');
  if (payloadBytes < 1 || payloadBytes > 128) throw badRequest('INVOICE_PAYLOAD_INVALID');
  if (str(p.currency) !== 'XTR') throw badRequest('CURRENCY_INVALID');
  const token = p.provider_token;
  if (token !== undefined && token !== null && token !== '') throw badRequest('PAYMENT_PROVIDER_INVALID');
  const prices = json<{ label?: unknown; amount?: unknown }[]>(p.prices);
  if (!Array.isArray(prices) || prices.length !== 1) throw badRequest('STARS_INVOICE_INVALID');
  const amount = int(prices[0]!.amount);
  const label = str(prices[0]!.label) ?? '';
  if (amount === undefined || amount < 1 || amount > 100_000) throw badRequest('STARS_INVOICE_INVALID');
  if (label === '') throw badRequest('STARS_INVOICE_INVALID');
  return { title, description, payload, amount, label, startParameter: str(p.start_parameter) ?? '' };
}

export class Payments {
  readonly invoices = new Map<string, InvoiceRecord>();
  readonly preCheckouts = new Map<string, PreCheckoutRecord>();
  readonly charges = new Map<string, ChargeRecord>();
  /** Star transactions, oldest first. */
  readonly transactions: { id: string; amount: number; date: number; userId: number; payload: string; refund: boolean }[] = [];
  private counter = 0;

  constructor(private readonly notify: () => void) {}

  static key(chatId: number, messageId: number): string {
    return `${chatId}:${messageId}`;
  }

  addInvoice(inv: InvoiceRecord): void {
    this.invoices.set(Payments.key(inv.chatId, inv.messageId), inv);
  }

  invoice(chatId: number, messageId: number): InvoiceRecord | undefined {
    return this.invoices.get(Payments.key(chatId, messageId));
  }

  newPreCheckout(userId: number, invoice: InvoiceRecord): PreCheckoutRecord {
    const id = String(BigInt(userId) * 1_000_000n + BigInt(++this.counter) + (BigInt(Date.now()) << 20n));
    const rec: PreCheckoutRecord = { id, userId, invoice, answer: undefined, expired: false };
    this.preCheckouts.set(id, rec);
    return rec;
  }

  /** Bot API answerPreCheckoutQuery. */
  answerPreCheckout(p: Params): true {
    const id = str(p.pre_checkout_query_id) ?? '';
    const rec = this.preCheckouts.get(id);
    if (!rec || rec.answer || rec.expired) throw new ApiError(400, E.queryTooOld);
    const ok = bool(p.ok);
    const errorMessage = str(p.error_message);
    if (!ok && !errorMessage) throw badRequest('error_message must be non-empty if ok is false');
    rec.answer = { ok, errorMessage: ok ? undefined : errorMessage };
    this.notify();
    return true;
  }

  charge(userId: number, invoice: InvoiceRecord): ChargeRecord {
    const rec: ChargeRecord = {
      chargeId: 'stxB' + randomBytes(48).toString('base64url'),
      providerChargeId: `${userId}_${++this.counter}`,
      userId,
      amount: invoice.amount,
      payload: invoice.payload,
      date: Math.floor(Date.now() / 1000),
      refundedAt: undefined,
    };
    this.charges.set(rec.chargeId, rec);
    this.transactions.push({ id: rec.chargeId, amount: rec.amount, date: rec.date, userId, payload: rec.payload, refund: false });
    this.notify();
    return rec;
  }

  /** Bot API refundStarPayment. */
  refund(p: Params): ChargeRecord {
    const chargeId = str(p.telegram_payment_charge_id) ?? '';
    const userId = int(p.user_id);
    const rec = this.charges.get(chargeId);
    if (!rec || rec.userId !== userId) throw new ApiError(400, E.chargeNotFound);
    if (rec.refundedAt !== undefined) throw new ApiError(400, E.chargeRefunded);
    rec.refundedAt = Math.floor(Date.now() / 1000);
    this.transactions.push({ id: rec.chargeId, amount: rec.amount, date: rec.refundedAt, userId: rec.userId, payload: rec.payload, refund: true });
    this.notify();
    return rec;
  }

  balance(): number {
    return this.transactions.reduce((sum, t) => sum + (t.refund ? -t.amount : t.amount), 0);
  }
}
