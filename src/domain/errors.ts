/**
 * An error meant for the user: an i18n message key plus variables. Thrown anywhere (domain or
 * bot) and rendered once, in the user's language, by the bot's error boundary.
 */
export class UserError extends Error {
  constructor(
    readonly key: string,
    readonly vars: Record<string, string | number> = {},
  ) {
    super(key);
    this.name = 'UserError';
  }
}
