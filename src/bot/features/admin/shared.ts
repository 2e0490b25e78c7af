/** Small helpers shared by the admin commands: argument parsing and formatting. */
import type { BotContext } from '../../context.js';
import type { User } from '../../../domain/users.js';
import type { PriceRule } from '../../../domain/pricing.js';
import type { MessageKey } from '../../i18n.js';

/** Whitespace-separated arguments of a command. */
export function args(ctx: BotContext): string[] {
  const match = typeof ctx.match === 'string' ? ctx.match : '';
  return match.trim().split(/\s+/).filter(Boolean);
}

/** The admin's Telegram id (the guard guarantees a sender). */
export function adminId(ctx: BotContext): bigint {
  return BigInt(ctx.from!.id);
}

const USAGE_KEYS = {
  enable: 'admin-usage-enable',
  disable: 'admin-usage-disable',
  price: 'admin-usage-price',
  grant: 'admin-usage-grant',
  user: 'admin-usage-user',
  refund: 'admin-usage-refund',
  refundpayment: 'admin-usage-refundpayment',
  ban: 'admin-usage-ban',
  unban: 'admin-usage-unban',
  broadcast: 'admin-usage-broadcast',
  cost: 'admin-usage-cost',
  promo: 'admin-usage-promo',
} as const satisfies Record<string, MessageKey>;
export type UsageCommand = keyof typeof USAGE_KEYS;

export async function usage(ctx: BotContext, command: UsageCommand): Promise<void> {
  await ctx.reply(ctx.t(USAGE_KEYS[command]));
}

/** A whole number with an optional sign, e.g. "100", "-50", "+5". */
export function parseInteger(text: string | undefined): number | null {
  if (!text || !/^[+-]?\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** "Ann (@ann, 123)" */
export function userLabel(user: Pick<User, 'id' | 'firstName' | 'username'>): string {
  const name = user.firstName || '—';
  return `${name} (${user.username ? `@${user.username}, ` : ''}${user.id})`;
}

/** "2026-01-02 13:45" in UTC. */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

const PRICE_RULE_KEYS: Record<PriceRule, MessageKey> = {
  fixed: 'admin-price-fixed',
  per_second: 'admin-price-per_second',
  per_5s: 'admin-price-per_5s',
  per_output_second: 'admin-price-per_output_second',
};

/** `rule` comes from the catalog table; an unknown one reads as a fixed price. */
export function priceText(ctx: BotContext, rule: string, amount: number): string {
  return ctx.t(PRICE_RULE_KEYS[rule as PriceRule] ?? 'admin-price-fixed', { amount });
}
