/**
 * What the broadcast worker needs from the messaging side, in its own terms (no Telegram types):
 * the bot layer implements it (src/bot/broadcast-messenger.ts), as it does the job messenger.
 */
export type SendOutcome =
  | { status: 'sent' }
  /** The API asked to wait (429): every send pauses that long. */
  | { status: 'rate_limited'; retryAfterSeconds: number }
  /** The user blocked the bot (403). */
  | { status: 'blocked'; error: string }
  /** Refused for good (another 4xx). */
  | { status: 'rejected'; error: string }
  /** Server or network trouble: worth another try later. */
  | { status: 'transient'; error: string };

/** An optional button under a broadcast message: its label and the URL it opens. */
export interface BroadcastButton {
  text: string;
  url: string;
}

export interface BroadcastCounts {
  total: number;
  sent: number;
  blocked: number;
  failed: number;
}

export interface BroadcastAdmin {
  language: string | null;
  telegramLanguage: string | null;
}

export interface BroadcastMessenger {
  /** Sends one broadcast text (with an optional URL button under it) to a user's private chat. */
  send(chatId: bigint, text: string, button?: BroadcastButton | null): Promise<SendOutcome>;
  /** Sends the end report to the admin's chat, in the admin's language. */
  report(chatId: bigint, admin: BroadcastAdmin | null, counts: BroadcastCounts): Promise<SendOutcome>;
}
