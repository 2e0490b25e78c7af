/**
 * Builds the bot: middleware and features in an explicit order. Nothing starts here; src/main.ts
 * decides between long polling (runner) and webhook mode.
 */
import { Bot, type Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { sequentialize } from '@grammyjs/runner';
import { conversations } from '@grammyjs/conversations';
import type { BotContext, ConvContext } from './context.js';
import type { BotDeps } from './deps.js';
import { appContext } from './middlewares/app-context.js';
import { botApiAgent, grammyFetch } from './bot-api-fetch.js';
import { renderError } from './middlewares/error-boundary.js';
import type { InFlightTracker } from './middlewares/in-flight.js';
import { blockedTransformer, retryTransformer } from './api-transformers.js';
import { CONVERSATION_STORAGE_VERSION, prismaConversationAdapter } from './conversation-storage.js';
import { startFeature } from './features/start.js';
import { balanceFeature } from './features/balance.js';
import { languageFeature } from './features/language.js';
import { cancelFeature } from './features/cancel.js';
import { unknownFeature } from './features/unknown.js';
import { membershipFeature } from './features/membership.js';
import { paymentsFeature } from './features/payments/index.js';
import { adminFeature } from './features/admin/index.js';
import { generationConversations, generationFeature } from './features/generate/index.js';
import { firstContact } from './features/growth/first-contact.js';
import { inviteFeature, referralPaymentHooks } from './features/growth/invite.js';
import { promoFeature } from './features/growth/promo.js';
import { subscriptionFeature } from './features/growth/subscription.js';
import { markUnreachable } from '../domain/users.js';
import { updateMetrics } from './middlewares/update-metrics.js';
import { paymentFailureAlert } from './middlewares/payment-alert.js';

export interface CreateBotOptions {
  token: string;
  apiRoot: string;
  botInfo?: UserFromGetMe;
  deps: BotDeps;
  /** Counts updates in progress (for a graceful stop). */
  inFlight?: InFlightTracker;
  /** Called when an admin queues a broadcast (wakes the broadcast worker). */
  onBroadcastQueued?: () => void;
}

/** Updates of one chat (or, without a chat, one user) run one after another. */
export function updateKey(ctx: { chat?: { id: number }; from?: { id: number } }): string | undefined {
  return ctx.chat?.id.toString() ?? (ctx.from ? `u${ctx.from.id}` : undefined);
}

export function createBot(options: CreateBotOptions): Bot<BotContext> {
  const { deps } = options;
  const bot = new Bot<BotContext>(options.token, {
    botInfo: options.botInfo,
    client: { apiRoot: options.apiRoot, timeoutSeconds: 60, fetch: grammyFetch, baseFetchConfig: { agent: botApiAgent(options.apiRoot) } },
  });
  const transformers: Transformer[] = [retryTransformer(), blockedTransformer((chatId) => markUnreachable(deps.prisma, BigInt(chatId)))];
  bot.api.config.use(...transformers);

  if (options.inFlight) bot.use(options.inFlight.middleware);
  bot.catch((err) => deps.logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'unhandled bot error'));
  const guarded = bot.errorBoundary(renderError);
  if (deps.metrics) guarded.use(updateMetrics(deps.metrics));
  if (deps.alerts) guarded.use(paymentFailureAlert(deps.alerts));

  guarded.use(sequentialize(updateKey));
  guarded.use(appContext(deps));
  guarded.use(membershipFeature());
  // Growth: a new user's first contact; referral rewards around payments; subscription payments.
  guarded.use(firstContact());
  guarded.use(referralPaymentHooks());
  guarded.use(subscriptionFeature());
  // Payments first: pre_checkout_query has no chat and must be answered within 10 s.
  guarded.use(paymentsFeature());

  guarded.use(
    conversations<BotContext, ConvContext>({
      storage: { type: 'context', version: CONVERSATION_STORAGE_VERSION, adapter: prismaConversationAdapter(deps.prisma) },
      plugins: [
        async (ctx, next) => {
          ctx.api.config.use(...transformers);
          await next();
        },
      ],
    }),
  );
  guarded.use(cancelFeature());
  guarded.use(adminFeature({ onBroadcastQueued: options.onBroadcastQueued }));
  guarded.use(generationConversations(deps));

  guarded.use(inviteFeature());
  guarded.use(promoFeature());
  guarded.use(startFeature());
  guarded.use(balanceFeature());
  guarded.use(languageFeature());
  guarded.use(generationFeature());

  guarded.use(unknownFeature());
  return bot;
}
