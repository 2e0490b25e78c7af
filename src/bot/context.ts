/** Context types of the bot: the outside context carries the app's dependencies and the user. */
import type { Context } from 'grammy';
import type { Conversation, ConversationFlavor } from '@grammyjs/conversations';
import type { Locale, Translate } from './i18n.js';
import type { BotDeps } from './deps.js';
import type { User } from '../domain/users.js';

export interface AppFlavor {
  deps: BotDeps;
  /** The sender's user row (set for every update that has a sender). */
  user: User;
  /** The sender's first contact is already recorded (read with the user row; false = not known). */
  firstContactRecorded: boolean;
  /** Changes whenever a catalog row changes (read with the user row; see domain/catalog-cache.ts). */
  catalogStamp: string;
  locale: Locale;
  t: Translate;
}

export type BaseContext = Context & AppFlavor;
export type BotContext = ConversationFlavor<BaseContext>;
/** The context inside conversations: plain, plugins installed through `plugins` only. */
export type ConvContext = Context;
export type BotConversation = Conversation<BotContext, ConvContext>;
