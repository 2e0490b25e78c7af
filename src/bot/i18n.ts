/**
 * Fluent translations: every `locales/<lang>/*.ftl` file is loaded into one bundle per language.
 * English is the fallback for a missing key; a missing key in both renders the key itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';

export type Locale = 'en' | 'ru';
export const LOCALES: readonly Locale[] = ['en', 'ru'];
export type TranslateVars = Record<string, string | number | bigint | undefined>;
export type Translate = (key: string, vars?: TranslateVars) => string;

export interface I18n {
  t(locale: Locale, key: string, vars?: TranslateVars): string;
  has(locale: Locale, key: string): boolean;
  /** Picks the bot language from a Telegram language_code. */
  negotiate(languageCode: string | undefined | null): Locale;
  isLocale(value: string | null | undefined): value is Locale;
}

const RUSSIAN_SPEAKERS = new Set(['ru', 'uk', 'be', 'kk', 'ky', 'uz', 'tg', 'hy', 'az']);

export function createI18n(localesDir: string): I18n {
  const bundles = new Map<Locale, FluentBundle>();
  for (const locale of LOCALES) {
    const bundle = new FluentBundle(locale, { useIsolating: false });
    const dir = path.join(localesDir, locale);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ftl')).sort()) {
      const errors = bundle.addResource(new FluentResource(readFileSync(path.join(dir, file), 'utf8')));
      if (errors.length) throw new Error(`locales/${locale}/${file}: ${errors[0]!.message}`);
    }
    bundles.set(locale, bundle);
  }

  const format = (bundle: FluentBundle, key: string, vars?: TranslateVars): string | undefined => {
    const message = bundle.getMessage(key);
    if (!message?.value) return undefined;
    const args: Record<string, FluentVariable> = {};
    for (const [k, v] of Object.entries(vars ?? {})) {
      if (v !== undefined) args[k] = typeof v === 'bigint' ? v.toString() : v;
    }
    return bundle.formatPattern(message.value, args);
  };

  return {
    t(locale, key, vars) {
      return format(bundles.get(locale)!, key, vars) ?? format(bundles.get('en')!, key, vars) ?? key;
    },
    has(locale, key) {
      return bundles.get(locale)!.hasMessage(key);
    },
    negotiate(languageCode) {
      const base = (languageCode ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
      return RUSSIAN_SPEAKERS.has(base) ? 'ru' : 'en';
    },
    isLocale(value): value is Locale {
      return value === 'en' || value === 'ru';
    },
  };
}
