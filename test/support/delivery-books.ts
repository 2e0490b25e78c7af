/**
 * The books of a proof run (chaos, two instances), checked from the database and the fake
 * Telegram's record: every generation delivered or refunded, charged once, refunded at most once,
 * delivered at most once, and sum(ledger) == balance for every user.
 */
import type { Database } from '../../src/db/client.js';
import type { FakeTelegram } from './fake-telegram/index.js';

export const LINK_MARK = 'too large to send here';
export const REFUND_MARK = 'credits are back on your balance';

const chatOf = (params: Record<string, unknown>) => Number(params.chat_id);

/** Deliveries seen by the fake Telegram per chat: successful sendVideo calls + result links. */
export function deliveriesByChat(tg: FakeTelegram): Map<number, number> {
  const out = new Map<number, number>();
  for (const call of tg.calls()) {
    if (!call.ok) continue;
    const method = call.method.toLowerCase();
    const isVideo = method === 'sendvideo';
    const isLink = method === 'sendmessage' && String(call.params.text ?? '').includes(LINK_MARK);
    if (!isVideo && !isLink) continue;
    const chat = chatOf(call.params);
    out.set(chat, (out.get(chat) ?? 0) + 1);
  }
  return out;
}

/** Chats that were told about a refund (failure notice). */
export function refundNoticesByChat(tg: FakeTelegram): Map<number, number> {
  const out = new Map<number, number>();
  for (const call of tg.calls('sendMessage')) {
    if (!call.ok || !String(call.params.text ?? '').includes(REFUND_MARK)) continue;
    const chat = chatOf(call.params);
    out.set(chat, (out.get(chat) ?? 0) + 1);
  }
  return out;
}

export interface BooksCheck {
  generations: number;
  delivered: number;
  refunded: number;
  /** Refunded after a timeout, then delivered anyway (free): allowed. */
  lateDeliveredFree: number;
  /** Neither delivered nor refunded, or delivered per the database but never seen by Telegram. */
  lost: string[];
  /** Generations with a number of charge rows other than one. */
  doubleCharges: string[];
  doubleRefunds: string[];
  /** More than one delivery seen by Telegram for one generation. */
  duplicateDeliveries: string[];
  /** Delivered to the user AND refunded, not as a late success after a timeout refund. */
  deliveredAndRefunded: string[];
  /** Users whose sum(ledger.amount) differs from the balance. */
  ledgerMismatches: string[];
  /** Ledger rows total vs balances total (credits). */
  ledgerTotal: number;
  balanceTotal: number;
  chargeRows: number;
  refundRows: number;
  /** errorCode of refunded generations, counted. */
  refundReasons: Record<string, number>;
  /** Deliveries seen by Telegram in chats that have generations. */
  telegramDeliveries: number;
}

/**
 * Checks every generation of the database against the ledger and the fake Telegram's delivery
 * record. `chatGenerations` maps a chat to the number of generations it has (deliveries are
 * counted per chat, so the check needs the generations of a chat to be told apart by count).
 */
export async function checkBooks(prisma: Database['prisma'], deliveries: Map<number, number>): Promise<BooksCheck> {
  const generations = await prisma.generation.findMany({ orderBy: { createdAt: 'asc' } });
  const ledger = await prisma.ledgerEntry.findMany();
  const users = await prisma.user.findMany();
  const byGeneration = new Map<string, { charges: number; refunds: number }>();
  for (const row of ledger) {
    if (!row.generationId) continue;
    const entry = byGeneration.get(row.generationId) ?? { charges: 0, refunds: 0 };
    if (row.kind === 'charge') entry.charges++;
    if (row.kind === 'refund') entry.refunds++;
    byGeneration.set(row.generationId, entry);
  }
  const perChat = new Map<string, typeof generations>();
  for (const g of generations) {
    const key = String(g.chatId);
    perChat.set(key, [...(perChat.get(key) ?? []), g]);
  }
  const out: BooksCheck = {
    generations: generations.length,
    delivered: 0,
    refunded: 0,
    lateDeliveredFree: 0,
    lost: [],
    doubleCharges: [],
    doubleRefunds: [],
    duplicateDeliveries: [],
    deliveredAndRefunded: [],
    ledgerMismatches: [],
    ledgerTotal: ledger.reduce((s, r) => s + r.amount, 0),
    balanceTotal: users.reduce((s, u) => s + u.balance, 0),
    chargeRows: ledger.filter((r) => r.kind === 'charge').length,
    refundRows: ledger.filter((r) => r.kind === 'refund').length,
    refundReasons: {},
    telegramDeliveries: 0,
  };
  for (const g of generations) {
    const money = byGeneration.get(g.id) ?? { charges: 0, refunds: 0 };
    if (g.price > 0 && money.charges !== 1) out.doubleCharges.push(`${g.id} charges=${money.charges}`);
    if (money.refunds > 1) out.doubleRefunds.push(`${g.id} refunds=${money.refunds}`);
    const sameChat = perChat.get(String(g.chatId))!;
    // Deliveries are seen per chat; with one generation per chat they are this generation's.
    const seen = sameChat.length === 1 ? (deliveries.get(Number(g.chatId)) ?? 0) : undefined;
    const sentToUser = g.state === 'delivered' && g.errorCode === null;
    if (g.state === 'delivered') out.delivered++;
    if (g.state === 'refunded') {
      out.refunded++;
      out.refundReasons[g.errorCode ?? 'none'] = (out.refundReasons[g.errorCode ?? 'none'] ?? 0) + 1;
    }
    if (g.state !== 'delivered' && g.state !== 'refunded') out.lost.push(`${g.id} state=${g.state}`);
    else if (g.state === 'refunded' && money.refunds === 0 && g.price > 0) out.lost.push(`${g.id} refunded without a refund row`);
    else if (sentToUser && seen === 0) out.lost.push(`${g.id} delivered per the database, never sent`);
    else if (g.state === 'delivered' && g.errorCode !== null) out.lost.push(`${g.id} delivered with ${g.errorCode}`);
    if (seen !== undefined) {
      out.telegramDeliveries += seen;
      if (seen > 1) out.duplicateDeliveries.push(`${g.id} sent ${seen} times`);
    }
    const refundedToo = money.refunds > 0 || g.refundedAt !== null;
    if (refundedToo && ((seen ?? 0) > 0 || g.state === 'delivered')) {
      if (g.errorCode === 'timeout') out.lateDeliveredFree++;
      else out.deliveredAndRefunded.push(`${g.id} state=${g.state} errorCode=${g.errorCode}`);
    }
  }
  const sums = new Map<string, number>();
  for (const row of ledger) sums.set(String(row.userId), (sums.get(String(row.userId)) ?? 0) + row.amount);
  for (const u of users) {
    const sum = sums.get(String(u.id)) ?? 0;
    if (sum !== u.balance) out.ledgerMismatches.push(`${u.id} ledger=${sum} balance=${u.balance}`);
  }
  return out;
}
