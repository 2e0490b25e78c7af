/** The command lists shown in Telegram's menu, set per language at start. */
import type { Api } from 'grammy';
import type { I18n, Locale } from './i18n.js';
import { TASK_ACTIONS } from './keyboards.js';

export const USER_COMMANDS = [
  'start',
  // The generation tasks (the menu shows only those a model serves; the commands answer either way).
  ...TASK_ACTIONS,
  'balance',
  'topup',
  'history',
  'language',
  'cancel',
  'help',
  'paysupport',
  // Growth.
  'invite',
  'promo',
  'subscribe',
  'subscription',
] as const;

export function commandList(i18n: I18n, locale: Locale) {
  return USER_COMMANDS.map((command) => ({ command, description: i18n.t(locale, `command-${command}`) }));
}

export async function setCommands(api: Api, i18n: I18n): Promise<void> {
  await api.setMyCommands(commandList(i18n, 'en'));
  await api.setMyCommands(commandList(i18n, 'ru'), { language_code: 'ru' });
}
