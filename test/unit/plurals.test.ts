/**
 * Counted messages read correctly: every message is rendered in ru and en with each of its
 * variables set to 1, 2, 5, 11 and 21, and every counted noun right after a number must take
 * the form the language's plural rules ask for (ru: 1/21 кредит, 2 кредита, 5/11 кредитов;
 * en: 1 credit, 2/5/11/21 credits). A message without a plural selector fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FluentResource } from '@fluent/bundle';
import { describe, expect, it } from 'vitest';
import { createI18n, type Locale, type MessageKey } from '../../src/bot/i18n.js';
import { ROOT } from '../support/harness.js';

const COUNTS = [1, 2, 5, 11, 21];

/** Each counted noun's forms by plural category (nominative/accusative counting). */
const NOUNS: Record<Locale, Array<Partial<Record<Intl.LDMLPluralRule, string>>>> = {
  ru: [
    { one: 'кредит', few: 'кредита', many: 'кредитов' },
    { one: 'секунда', few: 'секунды', many: 'секунд' },
    { one: 'символ', few: 'символа', many: 'символов' },
    { one: 'пиксель', few: 'пикселя', many: 'пикселей' },
    { one: 'пользователь', few: 'пользователя', many: 'пользователей' },
    { one: 'платёж', few: 'платежа', many: 'платежей' },
    { one: 'генерация', few: 'генерации', many: 'генераций' },
    { one: 'минута', few: 'минуты', many: 'минут' },
    { one: 'видео', few: 'видео', many: 'видео' },
  ],
  en: [
    { one: 'credit', other: 'credits' },
    { one: 'second', other: 'seconds' },
    { one: 'character', other: 'characters' },
    { one: 'pixel', other: 'pixels' },
    { one: 'user', other: 'users' },
    { one: 'payment', other: 'payments' },
    { one: 'generation', other: 'generations' },
    { one: 'minute', other: 'minutes' },
    { one: 'video', other: 'videos' },
  ],
};

/** Messages of every .ftl file of a language with the variables each one uses. */
function messagesOf(locale: Locale): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const dir = path.join(ROOT, 'locales', locale);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ftl'))) {
    const resource = new FluentResource(readFileSync(path.join(dir, file), 'utf8'));
    for (const entry of resource.body) {
      if (!('value' in entry) || entry.id.startsWith('-')) continue;
      const vars = new Set<string>();
      collect(entry.value, vars);
      out.set(entry.id, vars);
    }
  }
  return out;
}

function collect(node: unknown, vars: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => collect(n, vars));
  const rec = node as Record<string, unknown>;
  if (rec.type === 'var' && typeof rec.name === 'string') vars.add(rec.name);
  for (const value of Object.values(rec)) collect(value, vars);
}

/** Mistakes in one rendered text: a counted noun in the wrong form after a number. */
function wrongForms(locale: Locale, text: string): string[] {
  const rules = new Intl.PluralRules(locale);
  const wrong: string[] = [];
  for (const m of text.matchAll(/(?<![\d.,:])(\d+) ([\p{L}]+)/gu)) {
    const n = Number(m[1]);
    const word = m[2]!.toLowerCase();
    const noun = NOUNS[locale].find((forms) => Object.values(forms).includes(word));
    if (!noun) continue;
    const expected = noun[rules.select(n)] ?? noun.other ?? noun.many;
    if (word !== expected) wrong.push(`"${m[0]}" (want "${n} ${expected}")`);
  }
  return wrong;
}

describe('plural forms', () => {
  const i18n = createI18n(path.join(ROOT, 'locales'));

  it('the checker itself catches a wrong form', () => {
    expect(wrongForms('ru', 'Ваш баланс: 1 кредитов.')).toHaveLength(1);
    expect(wrongForms('ru', 'Цена: 3 кредитов')).toHaveLength(1);
    expect(wrongForms('ru', 'Списано 21 кредит')).toEqual([]);
    expect(wrongForms('en', '1 credits')).toHaveLength(1);
    expect(wrongForms('en', '21 credits')).toEqual([]);
  });

  for (const locale of ['ru', 'en'] as const) {
    it(`every message with a number reads right in ${locale} for ${COUNTS.join(', ')}`, () => {
      const problems: string[] = [];
      let checked = 0;
      for (const [key, vars] of messagesOf(locale)) {
        if (vars.size === 0) continue;
        for (const n of COUNTS) {
          const text = i18n.t(locale, key as MessageKey, Object.fromEntries([...vars].map((v) => [v, n])));
          const wrong = wrongForms(locale, text);
          if (wrong.length) problems.push(`${key} (${n}): ${wrong.join(', ')}`);
          if (/\d+ [\p{L}]+/u.test(text)) checked++;
        }
      }
      expect(problems).toEqual([]);
      // Not vacuous: a good share of messages render a number followed by a word.
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('the counted messages use their plural selector (spot checks)', () => {
    expect(i18n.t('ru', 'balance-text', { balance: 1 })).toBe('Ваш баланс: 1 кредит.');
    expect(i18n.t('ru', 'balance-text', { balance: 2 })).toBe('Ваш баланс: 2 кредита.');
    expect(i18n.t('ru', 'balance-text', { balance: 5 })).toBe('Ваш баланс: 5 кредитов.');
    expect(i18n.t('ru', 'balance-text', { balance: 11 })).toBe('Ваш баланс: 11 кредитов.');
    expect(i18n.t('ru', 'balance-text', { balance: 21 })).toBe('Ваш баланс: 21 кредит.');
    expect(i18n.t('en', 'quote-price', { price: 1 })).toBe('Price: 1 credit');
    expect(i18n.t('en', 'quote-price', { price: 21 })).toBe('Price: 21 credits');
    expect(i18n.t('ru', 'confirm-charged', { price: 3 })).toBe('Списано: 3 кредита');
  });
});
