/**
 * Bot API transformers, installed on bot.api and, through the conversations `plugins` option,
 * on the API objects made inside conversations (they do not inherit bot.api's transformers).
 */
import type { Transformer } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';

/** Waits out 429 retry_after (up to 60 s) and retries 5xx/network errors a few times. */
export function retryTransformer(): Transformer {
  return autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 });
}

/** Calls `onBlocked(chatId)` when Telegram says the user blocked the bot (403). */
export function blockedTransformer(onBlocked: (chatId: number) => Promise<void>): Transformer {
  return async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (!result.ok && result.error_code === 403 && payload && typeof payload === 'object' && 'chat_id' in payload) {
      const chatId = Number((payload as { chat_id: unknown }).chat_id);
      if (Number.isSafeInteger(chatId) && chatId > 0) await onBlocked(chatId).catch(() => {});
    }
    return result;
  };
}
