/** Per-bot state: the bot user, chats with their messages, callback queries, commands, chat actions. */
import { ApiError, E } from './errors.js';
import { type FileStore } from './files.js';
import { int, type Params } from './params.js';
import { Payments } from './payments.js';
import { UpdateQueue, type UpdateQueueOptions } from './updates.js';

export type Message = Record<string, unknown> & { message_id: number; date: number; chat: ChatInfo };

export interface ChatInfo {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  first_name?: string;
  last_name?: string;
  username?: string;
  title?: string;
}

export interface UserInfo {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface ChatAction {
  chatId: number;
  action: string;
  at: number;
}

export interface EditEvent {
  messageId: number;
  message: Message;
  at: number;
}

export interface ChatRecord {
  chat: ChatInfo;
  user: UserInfo | undefined;
  nextMessageId: number;
  messages: Map<number, Message>;
  deleted: Set<number>;
  /** Append-only ids of messages the bot sent, in order (for waitForMessage cursors). */
  botSent: number[];
  /** Append-only log of edits to bot messages. */
  edits: EditEvent[];
  blocked: boolean;
  /** false → the user never wrote to the bot: sends fail with 403 "can't initiate conversation". */
  started: boolean;
  replyKeyboard: unknown;
}

export interface CallbackQueryRecord {
  id: string;
  userId: number;
  answered: boolean;
  answer: Params | undefined;
  at: number;
}

export interface BotStateOptions extends Omit<UpdateQueueOptions, 'executeWebhookReply'> {
  token: string;
  username: string;
  firstName: string;
  files: FileStore;
  /** Queue a `refunded_payment` service message after refundStarPayment (as Telegram does). */
  refundServiceMessage: boolean;
  executeWebhookReply: (bot: BotState, method: string, params: Params) => Promise<void>;
}

export class BotState {
  readonly token: string;
  readonly user: UserInfo & { username: string };
  readonly files: FileStore;
  readonly updates: UpdateQueue;
  readonly payments: Payments;
  readonly chats = new Map<number, ChatRecord>();
  readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  readonly chatActions: ChatAction[] = [];
  readonly commands = new Map<string, unknown[]>();
  readonly settings = new Map<string, Params>();
  readonly refundServiceMessage: boolean;
  private readonly notify: () => void;

  constructor(opts: BotStateOptions) {
    this.token = opts.token;
    this.files = opts.files;
    this.notify = opts.onChange;
    this.refundServiceMessage = opts.refundServiceMessage;
    this.user = { id: Number(opts.token.split(':')[0]), is_bot: true, first_name: opts.firstName, username: opts.username };
    this.updates = new UpdateQueue({ ...opts, executeWebhookReply: (m, p) => opts.executeWebhookReply(this, m, p) });
    this.payments = new Payments(opts.onChange);
  }

  changed(): void {
    this.notify();
  }

  getMe(): Record<string, unknown> {
    return {
      ...this.user,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
  }

  // ---------------------------------------------------------------- chats
  privateChat(user: UserInfo, started = true): ChatRecord {
    let rec = this.chats.get(user.id);
    if (!rec) {
      const chat: ChatInfo = { id: user.id, type: 'private', first_name: user.first_name };
      if (user.last_name) chat.last_name = user.last_name;
      if (user.username) chat.username = user.username;
      rec = {
        chat,
        user,
        nextMessageId: 1,
        messages: new Map(),
        deleted: new Set(),
        botSent: [],
        edits: [],
        blocked: false,
        started,
        replyKeyboard: undefined,
      };
      this.chats.set(user.id, rec);
    }
    return rec;
  }

  /** Resolve `chat_id` (integer or "@username") to a chat, or throw "chat not found". */
  chat(chatId: unknown): ChatRecord {
    const id = int(chatId);
    if (id !== undefined) {
      const rec = this.chats.get(id);
      if (rec) return rec;
    } else if (typeof chatId === 'string' && chatId.startsWith('@')) {
      const name = chatId.slice(1).toLowerCase();
      for (const rec of this.chats.values()) if (rec.chat.username?.toLowerCase() === name && rec.chat.type !== 'private') return rec;
    } else if (chatId === undefined || chatId === '') {
      throw new ApiError(400, 'Bad Request: chat_id is empty');
    }
    throw new ApiError(400, E.chatNotFound);
  }

  /** The chat the bot is about to write to: must exist, must not have blocked the bot. */
  writableChat(chatId: unknown): ChatRecord {
    const rec = this.chat(chatId);
    if (rec.blocked) throw new ApiError(403, E.blocked);
    if (!rec.started) throw new ApiError(403, E.cantInitiate);
    return rec;
  }

  message(rec: ChatRecord, messageId: unknown, notFound: string): Message {
    const id = int(messageId);
    const m = id === undefined ? undefined : rec.messages.get(id);
    if (!m || rec.deleted.has(m.message_id)) throw new ApiError(400, notFound);
    return m;
  }

  /** Store a new message in the chat with the next message_id. */
  addMessage(rec: ChatRecord, from: UserInfo | undefined, fields: Record<string, unknown>): Message {
    const msg = {
      message_id: rec.nextMessageId++,
      ...(from ? { from: { ...from } } : {}),
      chat: { ...rec.chat },
      date: Math.floor(Date.now() / 1000),
      ...fields,
    } as Message;
    rec.messages.set(msg.message_id, msg);
    if (from?.id === this.user.id) rec.botSent.push(msg.message_id);
    this.notify();
    return msg;
  }

  recordEdit(rec: ChatRecord, msg: Message): void {
    rec.edits.push({ messageId: msg.message_id, message: structuredClone(msg), at: Date.now() });
    this.notify();
  }

  /** All bot messages in the chat (current state, deleted ones left out). */
  botMessages(rec: ChatRecord): Message[] {
    return rec.botSent.filter((id) => !rec.deleted.has(id)).map((id) => structuredClone(rec.messages.get(id)!));
  }
}
