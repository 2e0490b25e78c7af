/**
 * Admin commands, behind one guard: private chats with a user listed in ADMIN_IDS. For anyone
 * else the guard does nothing at all, so their "/stats" falls through to the catch-all and gets
 * the ordinary unknown-command answer — no hint that admin commands exist.
 */
import { type Api } from 'grammy';
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import type { I18n, Locale } from '../../i18n.js';
import { LOCALES } from '../../i18n.js';
import { commandList } from '../../commands.js';
import { catalogCommands } from './catalog.js';
import { userCommands } from './users.js';
import { statsCommand } from './stats.js';
import { broadcastCommands } from './broadcast.js';
import { promoAdminCommands } from './promo.js';
import { alertsCommand } from './alerts.js';
import { providerCommand } from './provider.js';

export const ADMIN_COMMANDS = [
  'models',
  'enable',
  'disable',
  'price',
  'cost',
  'provider',
  'grant',
  'user',
  'refund',
  'refundpayment',
  'ban',
  'unban',
  'stats',
  'broadcast',
  'alerts',
] as const;

export interface AdminFeatureOptions {
  /** Called when a broadcast is queued: pass the broadcast worker's `wake`. */
  onBroadcastQueued?: () => void;
}

export function isAdmin(ctx: BotContext): boolean {
  const id = ctx.from?.id;
  return id !== undefined && ctx.deps.config.ADMIN_IDS.includes(BigInt(id));
}

export function adminFeature(options: AdminFeatureOptions = {}): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const admin = composer.chatType('private').filter(isAdmin);
  admin.use(catalogCommands(), userCommands(), statsCommand(), broadcastCommands({ onQueued: options.onBroadcastQueued }), promoAdminCommands());
  admin.use(alertsCommand(), providerCommand());
  return composer;
}

function adminCommandList(i18n: I18n, locale: Locale) {
  return [...commandList(i18n, locale), ...ADMIN_COMMANDS.map((command) => ({ command, description: i18n.t(locale, `admin-command-${command}`) }))];
}

/**
 * Shows the admin commands in Telegram's menu, in the admins' own chats only (scope `chat`).
 * An admin who has never opened the bot makes Telegram answer "chat not found": that admin is
 * skipped and returned in `failed`, the others still get their list.
 */
export async function setAdminCommands(api: Api, i18n: I18n, adminIds: readonly bigint[]): Promise<{ failed: bigint[] }> {
  const failed: bigint[] = [];
  for (const id of adminIds) {
    const scope = { type: 'chat' as const, chat_id: Number(id) };
    try {
      for (const locale of LOCALES) {
        await api.setMyCommands(adminCommandList(i18n, locale), locale === 'en' ? { scope } : { scope, language_code: locale });
      }
    } catch {
      failed.push(id);
    }
  }
  return { failed };
}
