/** Small helpers of the growth features. */
import type { I18n, Locale } from '../../i18n.js';

/** The locale a user reads when the bot writes first (no update of theirs at hand). */
export function userLocale(i18n: I18n, user: { language: string | null; telegramLanguage: string | null } | null | undefined): Locale {
  return i18n.isLocale(user?.language) ? user.language : i18n.negotiate(user?.telegramLanguage);
}

/** "2026-01-02" in UTC. */
export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
