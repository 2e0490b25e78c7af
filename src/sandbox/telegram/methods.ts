/** Bot API method handlers (keyed by lower-cased method name). */
import { ApiError, E, badRequest } from './errors.js';
import { mediaObject, type FileKind, type MediaMeta } from './files.js';
import { formatText, type Entity, type Formatted } from './formatting.js';
import { isUploadedFile } from './multipart.js';
import { bool, int, json, str, type Params } from './params.js';
import { validateInvoice } from './payments.js';
import { subscriptionMethods } from './subscriptions.js';
import type { BotState, ChatRecord, Message } from './store.js';

export interface MethodContext {
  bot: BotState;
  params: Params;
  /** Aborted when the client goes away before the response is written. */
  signal: AbortSignal;
}

/** A successful result that also carries a `description` in the envelope. */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

export type Handler = (ctx: MethodContext) => unknown;

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

const clone = <T>(v: T): T => structuredClone(v);

// ---------------------------------------------------------------- validation helpers
function textOf(p: Params): Formatted {
  const f = formatText(str(p.text) ?? '', p.parse_mode, json<Entity[]>(p.entities));
  if (f.text.trim().length === 0) throw new ApiError(400, E.textEmpty);
  if (f.text.length > 4096) throw new ApiError(400, E.textTooLong);
  return f;
}

function captionOf(p: Params): Formatted | undefined {
  const raw = str(p.caption);
  if (raw === undefined || raw === '') return undefined;
  const f = formatText(raw, p.parse_mode, json<Entity[]>(p.caption_entities));
  if (f.text.length > 1024) throw new ApiError(400, E.captionTooLong);
  return f.text.length > 0 ? f : undefined;
}

function validUrl(u: unknown): boolean {
  if (typeof u !== 'string') return false;
  try {
    const parsed = new URL(u);
    return ['http:', 'https:', 'tg:', 'ton:'].includes(parsed.protocol);
  } catch {
    return false;
  }
}

/** Validate reply_markup; returns the inline keyboard to echo in the Message (others are not echoed). */
function markupOf(rec: ChatRecord | undefined, p: Params): { reply_markup?: unknown } {
  const rm = json<Record<string, unknown>>(p.reply_markup);
  if (!rm || typeof rm !== 'object') return {};
  if (Array.isArray(rm.inline_keyboard)) {
    for (const row of rm.inline_keyboard as unknown[]) {
      if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      for (const b of row as Record<string, unknown>[]) {
        if (typeof b?.text !== 'string' || b.text === '') throw badRequest('text buttons are unallowed in the inline keyboard');
        if ('callback_data' in b) {
          const bytes = Buffer.byteLength(String(b.callback_data ?? ''), 'utf8');
          if (bytes < 1 || bytes > 64) throw new ApiError(400, E.buttonDataInvalid);
        } else if ('url' in b) {
          if (!validUrl(b.url)) throw new ApiError(400, E.buttonUrlInvalid);
        } else if (
          ![
            'login_url',
            'switch_inline_query',
            'switch_inline_query_current_chat',
            'switch_inline_query_chosen_chat',
            'callback_game',
            'pay',
            'web_app',
            'copy_text',
          ].some((k) => k in b)
        ) {
          throw badRequest('text buttons are unallowed in the inline keyboard');
        }
      }
    }
    return (rm.inline_keyboard as unknown[]).length > 0 ? { reply_markup: { inline_keyboard: rm.inline_keyboard } } : {};
  }
  if (rec) {
    if (Array.isArray(rm.keyboard)) rec.replyKeyboard = rm;
    else if (rm.remove_keyboard === true) rec.replyKeyboard = undefined;
  }
  return {};
}

function replyOf(bot: BotState, rec: ChatRecord, p: Params): { reply_to_message?: unknown } {
  const rp = json<{ message_id?: unknown; allow_sending_without_reply?: unknown }>(p.reply_parameters);
  const id = int(rp?.message_id ?? p.reply_to_message_id);
  if (id === undefined) return {};
  const target = rec.messages.get(id);
  if (!target || rec.deleted.has(id)) {
    if (bool(rp?.allow_sending_without_reply ?? p.allow_sending_without_reply)) return {};
    throw new ApiError(400, E.replyNotFound);
  }
  const { reply_to_message: _nested, ...flat } = target;
  return { reply_to_message: clone(flat) };
}

function commonFields(p: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (bool(p.protect_content)) out.has_protected_content = true;
  const thread = int(p.message_thread_id);
  if (thread !== undefined) out.message_thread_id = thread;
  return out;
}

function withText(f: Formatted, textKey: 'text' | 'caption'): Record<string, unknown> {
  const out: Record<string, unknown> = { [textKey]: f.text };
  if (f.entities.length > 0) out[textKey === 'text' ? 'entities' : 'caption_entities'] = f.entities;
  return out;
}

function send(bot: BotState, rec: ChatRecord, p: Params, fields: Record<string, unknown>): Message {
  const reply = replyOf(bot, rec, p);
  const markup = markupOf(rec, p);
  return clone(bot.addMessage(rec, bot.user, { ...reply, ...commonFields(p), ...fields, ...markup }));
}

// ---------------------------------------------------------------- media
const FIELD_KIND: Record<string, FileKind> = {
  photo: 'photo',
  video: 'video',
  audio: 'audio',
  voice: 'voice',
  document: 'document',
  animation: 'animation',
  video_note: 'video_note',
  sticker: 'sticker',
};

function thumbnailOf(bot: BotState, p: Params): Record<string, unknown> | undefined {
  const t = p.thumbnail;
  if (!isUploadedFile(t)) return undefined;
  const [size] = bot.files.addPhoto(t.data).slice(-1);
  return { file_id: size!.fileId, file_unique_id: size!.fileUniqueId, file_size: size!.data.length, width: size!.width, height: size!.height };
}

function metaOf(p: Params): MediaMeta {
  const m: MediaMeta = {};
  for (const k of ['duration', 'width', 'height', 'length'] as const) {
    const v = int(p[k]);
    if (v !== undefined) m[k] = v;
  }
  const title = str(p.title);
  const performer = str(p.performer);
  if (title) m.title = title;
  if (performer) m.performer = performer;
  return m;
}

async function mediaFields(bot: BotState, field: string, value: unknown, p: Params): Promise<Record<string, unknown>> {
  const kind = FIELD_KIND[field]!;
  const { file, reused } = await bot.files.resolveInput(value, kind, field);
  const meta: MediaMeta = reused ? { ...metaOf(p), ...file.meta } : metaOf(p);
  if (!reused) file.meta = meta;
  const obj = mediaObject(file, kind, meta);
  const thumb = kind !== 'photo' ? thumbnailOf(bot, p) : undefined;
  if (thumb && obj && typeof obj === 'object' && !Array.isArray(obj)) (obj as Record<string, unknown>).thumbnail = thumb;
  const out: Record<string, unknown> = { [field]: obj };
  if (kind === 'animation') out.document = mediaObject(file, 'document');
  if (bool(p.has_spoiler)) out.has_media_spoiler = true;
  return out;
}

function sendMedia(field: string): Handler {
  return async ({ bot, params: p }) => {
    const rec = bot.writableChat(p.chat_id);
    const caption = field === 'video_note' || field === 'sticker' ? undefined : captionOf(p);
    replyOf(bot, rec, p); // validate before storing the file
    markupOf(undefined, p);
    const fields = await mediaFields(bot, field, p[field], p);
    if (caption) Object.assign(fields, withText(caption, 'caption'));
    if (caption && bool(p.show_caption_above_media)) fields.show_caption_above_media = true;
    return send(bot, rec, p, fields);
  };
}

async function sendMediaGroup({ bot, params: p }: MethodContext): Promise<Message[]> {
  const rec = bot.writableChat(p.chat_id);
  const media = json<Record<string, unknown>[]>(p.media);
  if (!Array.isArray(media) || media.length < 2 || media.length > 10) throw badRequest('wrong number of messages in a media group');
  const groupId = String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000)));
  const prepared: Record<string, unknown>[] = [];
  for (const item of media) {
    const type = str(item.type) ?? '';
    if (!['photo', 'video', 'audio', 'document'].includes(type)) throw badRequest('wrong type of InputMedia');
    const caption = captionOf({ caption: item.caption, parse_mode: item.parse_mode, caption_entities: item.caption_entities });
    const fields = await mediaFields(bot, type, item.media, item);
    if (caption) Object.assign(fields, withText(caption, 'caption'));
    prepared.push({ media_group_id: groupId, ...fields });
  }
  const reply = replyOf(bot, rec, p);
  return prepared.map((f) => clone(bot.addMessage(rec, bot.user, { ...reply, ...commonFields(p), ...f })));
}

// ---------------------------------------------------------------- edits
function editableMessage(bot: BotState, p: Params): { rec: ChatRecord; msg: Message } {
  const rec = bot.chat(p.chat_id);
  if (rec.blocked) throw new ApiError(403, E.blocked);
  const msg = bot.message(rec, p.message_id, E.editNotFound);
  if ((msg.from as { id?: number } | undefined)?.id !== bot.user.id) throw new ApiError(400, E.cantBeEdited);
  return { rec, msg };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const entitiesOrNull = (e: unknown): unknown => (Array.isArray(e) && e.length > 0 ? e : null);

function applyEdit(bot: BotState, rec: ChatRecord, msg: Message, next: Record<string, unknown>): Message {
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) delete msg[k];
    else msg[k] = v;
  }
  msg.edit_date = Math.floor(Date.now() / 1000);
  bot.recordEdit(rec, msg);
  return clone(msg);
}

function editMessageText({ bot, params: p }: MethodContext): unknown {
  if (p.inline_message_id !== undefined) {
    textOf(p);
    return true;
  }
  const { rec, msg } = editableMessage(bot, p);
  if (typeof msg.text !== 'string') throw new ApiError(400, E.noTextToEdit);
  const f = textOf(p);
  const markup = markupOf(rec, p).reply_markup;
  if (msg.text === f.text && same(entitiesOrNull(msg.entities), entitiesOrNull(f.entities)) && same(msg.reply_markup, markup))
    throw new ApiError(400, E.notModified);
  return applyEdit(bot, rec, msg, { text: f.text, entities: f.entities.length > 0 ? f.entities : undefined, reply_markup: markup });
}

function editMessageCaption({ bot, params: p }: MethodContext): unknown {
  if (p.inline_message_id !== undefined) return true;
  const { rec, msg } = editableMessage(bot, p);
  if (!['photo', 'video', 'audio', 'document', 'animation', 'voice'].some((k) => k in msg)) throw new ApiError(400, E.noCaptionToEdit);
  const f = captionOf(p);
  const markup = markupOf(rec, p).reply_markup;
  if ((msg.caption ?? '') === (f?.text ?? '') && same(entitiesOrNull(msg.caption_entities), entitiesOrNull(f?.entities)) && same(msg.reply_markup, markup))
    throw new ApiError(400, E.notModified);
  return applyEdit(bot, rec, msg, {
    caption: f?.text,
    caption_entities: f && f.entities.length > 0 ? f.entities : undefined,
    reply_markup: markup,
  });
}

function editMessageReplyMarkup({ bot, params: p }: MethodContext): unknown {
  if (p.inline_message_id !== undefined) return true;
  const { rec, msg } = editableMessage(bot, p);
  const markup = markupOf(rec, p).reply_markup;
  if (same(msg.reply_markup, markup)) throw new ApiError(400, E.notModified);
  return applyEdit(bot, rec, msg, { reply_markup: markup });
}

async function editMessageMedia({ bot, params: p }: MethodContext): Promise<unknown> {
  const media = json<Record<string, unknown>>(p.media);
  const type = str(media?.type) ?? '';
  if (!media || !FIELD_KIND[type]) throw badRequest('wrong type of InputMedia');
  if (p.inline_message_id !== undefined) return true;
  const { rec, msg } = editableMessage(bot, p);
  if (!Object.keys(FIELD_KIND).some((k) => k in msg)) throw badRequest('there is no media in the message to edit');
  const fields = await mediaFields(bot, type, media.media, media);
  const caption = captionOf({ caption: media.caption, parse_mode: media.parse_mode, caption_entities: media.caption_entities });
  const next: Record<string, unknown> = { caption: caption?.text, caption_entities: caption?.entities.length ? caption.entities : undefined };
  for (const k of Object.keys(FIELD_KIND)) next[k] = undefined;
  Object.assign(next, fields, { reply_markup: markupOf(rec, p).reply_markup });
  return applyEdit(bot, rec, msg, next);
}

// ---------------------------------------------------------------- the table
function commandsKey(p: Params): string {
  const scope = json<Record<string, unknown>>(p.scope) ?? { type: 'default' };
  return `${JSON.stringify(scope)}|${str(p.language_code) ?? ''}`;
}

const returnsTrue: Handler = () => true;

function storeSetting(name: string): Handler {
  return ({ bot, params }) => {
    bot.settings.set(`${name}|${str(params.language_code) ?? ''}`, params);
    return true;
  };
}

function readSetting(name: string, field: string): Handler {
  return ({ bot, params }) => ({
    [field]: str(bot.settings.get(`${name}|${str(params.language_code) ?? ''}`)?.[field]) ?? '',
  });
}

export const methods: Record<string, Handler> = {
  getme: ({ bot }) => bot.getMe(),
  logout: returnsTrue,
  close: returnsTrue,

  getupdates: ({ bot, params, signal }) => bot.updates.getUpdates(params, signal),
  setwebhook: ({ bot, params }) => {
    const { alreadySet } = bot.updates.setWebhook(params);
    return alreadySet ? new Described(true, 'Webhook is already set') : new Described(true, 'Webhook was set');
  },
  deletewebhook: ({ bot, params }) => {
    const had = bot.updates.webhookUrl !== undefined;
    bot.updates.deleteWebhook(params);
    return new Described(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
  },
  getwebhookinfo: ({ bot }) => bot.updates.webhookInfo(),

  sendmessage: ({ bot, params: p }) => {
    const rec = bot.writableChat(p.chat_id);
    const f = textOf(p);
    return send(bot, rec, p, withText(f, 'text'));
  },
  sendphoto: sendMedia('photo'),
  sendvideo: sendMedia('video'),
  senddocument: sendMedia('document'),
  sendaudio: sendMedia('audio'),
  sendvoice: sendMedia('voice'),
  sendanimation: sendMedia('animation'),
  sendvideonote: sendMedia('video_note'),
  sendsticker: sendMedia('sticker'),
  sendmediagroup: sendMediaGroup,

  editmessagetext: editMessageText,
  editmessagecaption: editMessageCaption,
  editmessagereplymarkup: editMessageReplyMarkup,
  editmessagemedia: editMessageMedia,
  deletemessage: ({ bot, params: p }) => {
    const rec = bot.chat(p.chat_id);
    const msg = bot.message(rec, p.message_id, E.deleteNotFound);
    rec.deleted.add(msg.message_id);
    bot.changed();
    return true;
  },
  deletemessages: ({ bot, params: p }) => {
    const rec = bot.chat(p.chat_id);
    for (const id of json<unknown[]>(p.message_ids) ?? []) {
      const n = int(id);
      if (n !== undefined && rec.messages.has(n)) rec.deleted.add(n);
    }
    bot.changed();
    return true;
  },

  answercallbackquery: ({ bot, params: p }) => {
    const rec = bot.callbackQueries.get(str(p.callback_query_id) ?? '');
    if (!rec || rec.answered) throw new ApiError(400, E.queryTooOld);
    if ((str(p.text) ?? '').length > 200) throw new ApiError(400, E.callbackTextTooLong);
    rec.answered = true;
    rec.answer = { ...p };
    bot.changed();
    return true;
  },
  sendchataction: ({ bot, params: p }) => {
    const rec = bot.writableChat(p.chat_id);
    const action = str(p.action) ?? '';
    if (!CHAT_ACTIONS.has(action)) throw new ApiError(400, E.wrongAction);
    bot.chatActions.push({ chatId: rec.chat.id, action, at: Date.now() });
    bot.changed();
    return true;
  },

  getfile: ({ bot, params }) => bot.files.getFile(params.file_id),

  getchat: ({ bot, params }) => {
    const rec = bot.chat(params.chat_id);
    return {
      ...rec.chat,
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false },
    };
  },
  getchatmember: ({ bot, params }) => {
    const rec = bot.chat(params.chat_id);
    const uid = int(params.user_id);
    if (uid === bot.user.id) return { status: 'member', user: { ...bot.user } };
    if (!rec.user || rec.user.id !== uid) throw badRequest('user not found');
    return { status: rec.blocked ? 'kicked' : 'member', user: { ...rec.user } };
  },

  setmycommands: ({ bot, params: p }) => {
    const commands = json<{ command?: unknown; description?: unknown }[]>(p.commands);
    if (!Array.isArray(commands) || commands.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
    for (const c of commands) {
      if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    }
    bot.commands.set(
      commandsKey(p),
      commands.map((c) => ({ command: c.command, description: c.description })),
    );
    return true;
  },
  getmycommands: ({ bot, params }) => clone(bot.commands.get(commandsKey(params)) ?? []),
  deletemycommands: ({ bot, params }) => {
    bot.commands.delete(commandsKey(params));
    return true;
  },
  setmydescription: storeSetting('description'),
  getmydescription: readSetting('description', 'description'),
  setmyshortdescription: storeSetting('short_description'),
  getmyshortdescription: readSetting('short_description', 'short_description'),
  setmyname: storeSetting('name'),
  getmyname: ({ bot, params }) => ({
    name: str(bot.settings.get(`name|${str(params.language_code) ?? ''}`)?.name) ?? bot.user.first_name,
  }),
  setchatmenubutton: storeSetting('menu_button'),
  getchatmenubutton: ({ bot }) => json(bot.settings.get('menu_button|')?.menu_button) ?? { type: 'default' },
  setmydefaultadministratorrights: returnsTrue,
  setmessagereaction: returnsTrue,
  pinchatmessage: returnsTrue,
  unpinchatmessage: returnsTrue,
  unpinallchatmessages: returnsTrue,

  sendinvoice: ({ bot, params: p }) => {
    const rec = bot.writableChat(p.chat_id);
    const inv = validateInvoice(p);
    const markup = markupOf(rec, p);
    const pay = markup.reply_markup ?? { inline_keyboard: [[{ text: `Pay ⭐️${inv.amount}`, pay: true }]] };
    const msg = send(
      bot,
      rec,
      { ...p, reply_markup: pay },
      {
        invoice: {
          title: inv.title,
          description: inv.description,
          start_parameter: inv.startParameter,
          currency: 'XTR',
          total_amount: inv.amount,
        },
      },
    );
    bot.payments.addInvoice({
      chatId: rec.chat.id,
      messageId: msg.message_id,
      title: inv.title,
      description: inv.description,
      payload: inv.payload,
      currency: 'XTR',
      amount: inv.amount,
      label: inv.label,
    });
    return msg;
  },
  answerprecheckoutquery: ({ bot, params }) => bot.payments.answerPreCheckout(params),
  refundstarpayment: ({ bot, params }) => {
    const charge = bot.payments.refund(params);
    const rec = bot.chats.get(charge.userId);
    if (bot.refundServiceMessage && rec?.user) {
      const msg = bot.addMessage(rec, rec.user, {
        refunded_payment: {
          currency: 'XTR',
          total_amount: charge.amount,
          invoice_payload: charge.payload,
          telegram_payment_charge_id: charge.chargeId,
          provider_payment_charge_id: charge.providerChargeId,
        },
      });
      bot.updates.push({ message: clone(msg) });
    }
    return true;
  },
  getstartransactions: ({ bot, params }) => {
    const offset = Math.max(0, int(params.offset) ?? 0);
    const limit = Math.min(100, Math.max(1, int(params.limit) ?? 100));
    const transactions = bot.payments.transactions.slice(offset, offset + limit).map((t) => {
      const user = bot.chats.get(t.userId)?.user ?? { id: t.userId, is_bot: false, first_name: 'User' };
      const partner = { type: 'user', transaction_type: 'invoice_payment', user: { ...user }, invoice_payload: t.payload };
      return t.refund ? { id: t.id, amount: t.amount, date: t.date, receiver: partner } : { id: t.id, amount: t.amount, date: t.date, source: partner };
    });
    return { transactions };
  },
  getmystarbalance: ({ bot }) => ({ amount: bot.payments.balance() }),
  // Stars subscriptions: createInvoiceLink (with subscription_period), editUserStarSubscription.
  ...subscriptionMethods,
};
