/**
 * An error meant for the user: an i18n message key plus variables. Thrown anywhere (domain or
 * bot) and rendered once, in the user's language, by the bot's error boundary.
 */
import type { MessageKey } from '../message-keys.js';

export class UserError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly vars: Record<string, string | number> = {},
  ) {
    super(key);
    this.name = 'UserError';
  }
}
