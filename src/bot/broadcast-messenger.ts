/** The Telegram side of broadcasts: sends through the Bot API and sorts its errors for the worker. */
import { GrammyError, type Api } from 'grammy';
import type { BroadcastMessenger, SendOutcome } from '../broadcast/ports.js';
import type { I18n } from './i18n.js';

export interface BroadcastMessengerDeps {
  /** A Bot API client. Prefer one without auto-retry so 429s pause the whole queue. */
  api: Api;
  i18n: I18n;
}

export function createBroadcastMessenger({ api, i18n }: BroadcastMessengerDeps): BroadcastMessenger {
  async function attempt(send: () => Promise<unknown>): Promise<SendOutcome> {
    try {
      await send();
      return { status: 'sent' };
    } catch (error) {
      if (!(error instanceof GrammyError)) return { status: 'transient', error: String(error) };
      if (error.error_code === 429) return { status: 'rate_limited', retryAfterSeconds: Math.max(1, error.parameters.retry_after ?? 1) };
      if (error.error_code === 403) return { status: 'blocked', error: error.description };
      if (error.error_code >= 400 && error.error_code < 500) return { status: 'rejected', error: error.description };
      return { status: 'transient', error: error.description };
    }
  }

  return {
    send(chatId, text, button) {
      return attempt(() =>
        api.sendMessage(Number(chatId), text, {
          link_preview_options: { is_disabled: true },
          ...(button ? { reply_markup: { inline_keyboard: [[{ text: button.text, url: button.url }]] } } : {}),
        }),
      );
    },
    report(chatId, admin, counts) {
      const locale = i18n.isLocale(admin?.language) ? admin.language : i18n.negotiate(admin?.telegramLanguage);
      return attempt(() => api.sendMessage(Number(chatId), i18n.t(locale, 'admin-broadcast-report', { ...counts })));
    },
  };
}
