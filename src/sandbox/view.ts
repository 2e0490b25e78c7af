/**
 * What the page shows of one private chat: the emulated Telegram's stored messages (the user's
 * and the bot's, in order, in their current state) turned into plain JSON for the browser, the
 * reply keyboard on screen and the chat action ("typing…") if one is showing.
 */
import type { BotState, ChatRecord, Message } from './telegram/store.js';
import type { LinkView } from './subscriptions.js';

/** What an invoice link (a Stars subscription offer) in a button is, for this chat's user. */
export type LinkLookup = (url: string) => LinkView | undefined;

export interface ViewButton {
  text: string;
  /** callback_data of a callback button. */
  data?: string;
  url?: string;
  /** The invoice's Pay button (Telegram: the first button of an invoice, `pay: true`). */
  pay?: boolean;
  /** The url is an invoice link of this bot: the page shows it as a payable item. */
  link?: LinkView;
}

export interface ViewMedia {
  kind: 'photo' | 'video' | 'animation' | 'video_note' | 'audio' | 'voice' | 'document' | 'sticker';
  /** Page URL of the bytes. */
  url: string;
  fileName?: string;
  mimeType?: string;
  duration?: number;
  width?: number;
  height?: number;
}

export interface ViewMessage {
  id: number;
  from: 'bot' | 'user';
  date: number;
  edited: boolean;
  text: string;
  entities: unknown[];
  media?: ViewMedia;
  invoice?: { title: string; description: string; amount: number; currency: string; paid: boolean };
  /** A service line such as "You paid 100 ⭐". */
  service?: string;
  buttons: ViewButton[][];
  /** Changes whenever anything the page shows of the message changes. */
  version: string;
}

export interface ChatView {
  messages: ViewMessage[];
  replyKeyboard: { text: string }[][] | undefined;
  /** The chat action on screen and how long it stays, as Telegram shows it (5 s or until the bot writes). */
  action: { action: string; label: string; remainingMs: number } | undefined;
}

const ACTION_LABELS: Record<string, string> = {
  typing: 'typing…',
  upload_photo: 'sending a photo…',
  record_video: 'recording a video…',
  upload_video: 'uploading video…',
  record_voice: 'recording a voice message…',
  upload_voice: 'sending a voice message…',
  upload_document: 'sending a file…',
  choose_sticker: 'choosing a sticker…',
  find_location: 'finding a location…',
  record_video_note: 'recording a video message…',
  upload_video_note: 'sending a video message…',
};

/** Telegram clients show a chat action for 5 s unless the bot sends a message first. */
export const CHAT_ACTION_MS = 5_000;

const MEDIA_KINDS: ViewMedia['kind'][] = ['photo', 'video', 'animation', 'video_note', 'audio', 'voice', 'document', 'sticker'];

export function fileUrl(fileId: string): string {
  return `/sandbox/api/files/${encodeURIComponent(fileId)}`;
}

function mediaOf(m: Message): ViewMedia | undefined {
  for (const kind of MEDIA_KINDS) {
    const value = m[kind];
    if (value === undefined) continue;
    const obj = (kind === 'photo' ? (value as Record<string, unknown>[]).at(-1) : value) as Record<string, unknown> | undefined;
    if (!obj || typeof obj.file_id !== 'string') continue;
    const media: ViewMedia = { kind, url: fileUrl(obj.file_id) };
    if (typeof obj.file_name === 'string') media.fileName = obj.file_name;
    if (typeof obj.mime_type === 'string') media.mimeType = obj.mime_type;
    if (typeof obj.duration === 'number') media.duration = obj.duration;
    if (typeof obj.width === 'number') media.width = obj.width;
    if (typeof obj.height === 'number') media.height = obj.height;
    return media;
  }
  return undefined;
}

function buttonsOf(m: Message, links: LinkLookup | undefined): ViewButton[][] {
  const rows = (m.reply_markup as { inline_keyboard?: Record<string, unknown>[][] } | undefined)?.inline_keyboard ?? [];
  return rows.map((row) =>
    row.map((b) => {
      const button: ViewButton = { text: String(b.text ?? '') };
      if (typeof b.callback_data === 'string') button.data = b.callback_data;
      if (typeof b.url === 'string') {
        button.url = b.url;
        const link = links?.(b.url);
        if (link) button.link = link;
      }
      if (b.pay === true) button.pay = true;
      return button;
    }),
  );
}

function stars(amount: unknown): string {
  return `${String(amount)} ⭐`;
}

function serviceOf(m: Message, bot: BotState): string | undefined {
  const paid = m.successful_payment as { total_amount?: number; is_recurring?: boolean; is_first_recurring?: boolean } | undefined;
  if (paid?.is_recurring && paid.is_first_recurring) return `You subscribed to ${bot.user.first_name} for ${stars(paid.total_amount)} a month`;
  if (paid?.is_recurring) return `Subscription renewed: you paid ${stars(paid.total_amount)} to ${bot.user.first_name}`;
  if (paid) return `You paid ${stars(paid.total_amount)} to ${bot.user.first_name}`;
  const refunded = m.refunded_payment as { total_amount?: number } | undefined;
  if (refunded) return `${stars(refunded.total_amount)} refunded`;
  return undefined;
}

export function viewMessage(bot: BotState, rec: ChatRecord, m: Message, links?: LinkLookup): ViewMessage {
  const fromBot = (m.from as { id?: number } | undefined)?.id === bot.user.id;
  const text = typeof m.text === 'string' ? m.text : typeof m.caption === 'string' ? m.caption : '';
  const entities = (Array.isArray(m.entities) ? m.entities : Array.isArray(m.caption_entities) ? m.caption_entities : []) as unknown[];
  const view: ViewMessage = {
    id: m.message_id,
    from: fromBot ? 'bot' : 'user',
    date: m.date,
    edited: m.edit_date !== undefined,
    text,
    entities,
    buttons: buttonsOf(m, links),
    version: '',
  };
  const media = mediaOf(m);
  if (media) view.media = media;
  const invoice = m.invoice as { title?: string; description?: string; total_amount?: number; currency?: string } | undefined;
  if (invoice) {
    const paid = [...bot.payments.charges.values()].some(
      (c) => c.userId === rec.chat.id && bot.payments.invoice(rec.chat.id, m.message_id)?.payload === c.payload,
    );
    view.invoice = {
      title: String(invoice.title ?? ''),
      description: String(invoice.description ?? ''),
      amount: Number(invoice.total_amount ?? 0),
      currency: String(invoice.currency ?? 'XTR'),
      paid,
    };
  }
  const service = serviceOf(m, bot);
  if (service) view.service = service;
  view.version = JSON.stringify([view.edited, m.edit_date, text, entities, view.buttons, media?.url, view.invoice]);
  return view;
}

/**
 * `botMessageSeenAt` gives the time (ms) the sandbox first saw a bot message, so a chat action
 * older than the bot's last message is no longer shown.
 */
export function chatView(
  bot: BotState,
  rec: ChatRecord,
  botMessageSeenAt: (chatId: number, messageId: number) => number | undefined,
  now = Date.now(),
  links?: LinkLookup,
): ChatView {
  const messages = [...rec.messages.values()]
    .filter((m) => !rec.deleted.has(m.message_id))
    .sort((a, b) => a.message_id - b.message_id)
    .map((m) => viewMessage(bot, rec, m, links));
  const keyboard = (rec.replyKeyboard as { keyboard?: unknown[][] } | undefined)?.keyboard;
  const replyKeyboard = keyboard?.map((row) => row.map((b) => ({ text: typeof b === 'string' ? b : String((b as { text?: unknown }).text ?? '') })));
  let action: ChatView['action'];
  const last = bot.chatActions.findLast((a) => a.chatId === rec.chat.id);
  if (last && now - last.at < CHAT_ACTION_MS) {
    const lastBotId = rec.botSent.at(-1);
    const lastBotAt = lastBotId === undefined ? undefined : botMessageSeenAt(rec.chat.id, lastBotId);
    if (lastBotAt === undefined || lastBotAt < last.at) {
      action = { action: last.action, label: ACTION_LABELS[last.action] ?? `${last.action}…`, remainingMs: CHAT_ACTION_MS - (now - last.at) };
    }
  }
  return { messages, replyKeyboard, action };
}
