import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../src/bot/i18n.js';
import { ROOT } from '../support/harness.js';
import { runNodeScript } from '../support/child-process.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

describe('translations', () => {
  const i18n = createI18n(path.join(ROOT, 'locales'));

  it('every language has the same keys', async () => {
    const check = await runNodeScript('scripts/check-locales.mjs', [], { timeoutMs: 30_000 });
    expect(check.code, check.output).toBe(0);
  });

  it('every key the code names exists', () => {
    const missing: string[] = [];
    const pattern = /\b(?:t|ctx\.t|flow\.t|i18n\.t\([^,]+,)\s*\(?\s*'([a-z][a-z0-9-]+)'|new UserError\('([a-z][a-z0-9-]+)'/g;
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(pattern)) {
        const key = m[1] ?? m[2]!;
        if (!i18n.has('en', key)) missing.push(`${path.relative(ROOT, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('picks Russian for Russian-speaking users and English otherwise', () => {
    expect(i18n.negotiate('ru')).toBe('ru');
    expect(i18n.negotiate('uk')).toBe('ru');
    expect(i18n.negotiate('en-US')).toBe('en');
    expect(i18n.negotiate(undefined)).toBe('en');
    expect(i18n.t('ru', 'balance-text', { balance: 5 })).toBe('Ваш баланс: 5 кредитов.');
  });
});
