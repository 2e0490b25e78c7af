import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { renderEnvExample } from '../../src/config/env-example.js';
import { ROOT, spawnBot } from '../support/harness.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const error = (env: Record<string, string | undefined>) => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return null;
};

describe('configuration', () => {
  it('has defaults for everything but the token', () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN });
    expect(config.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(config.DATA_DIR).toBe('./data');
    expect(config.PORT).toBe(8080);
    expect(config.MAX_JOBS_PER_USER).toBe(1);
    expect(config.mode).toBe('polling');
    expect(config.kie).toBeUndefined();
    expect(config.CREDIT_PACKS.map((p) => [p.credits, p.stars])).toEqual([
      [100, 100],
      [500, 500],
      [1200, 1200],
    ]);
  });

  it('names the variable and the problem in one line', () => {
    expect(error({})).toMatch(/^BOT_TOKEN is not set\. Create a bot with @BotFather/);
    expect(error({ BOT_TOKEN: 'nope' })).toMatch(/^BOT_TOKEN does not look like a bot token/);
    expect(error({ BOT_TOKEN: TOKEN, PORT: 'eighty' })).toBe('PORT must be a whole number, got "eighty"');
    expect(error({ BOT_TOKEN: TOKEN, PORT: '70000' })).toBe('PORT must be between 0 and 65535, got 70000');
    expect(error({ BOT_TOKEN: TOKEN, DATABASE_URL: 'mysql://x' })).toBe('DATABASE_URL must start with postgres:// or postgresql://');
    expect(error({ BOT_TOKEN: TOKEN, ADMIN_IDS: '1,abc' })).toBe('ADMIN_IDS must be comma-separated Telegram user ids, got "abc"');
    expect(error({ BOT_TOKEN: TOKEN, WEBHOOK_URL: 'https://x.example/hook' })).toMatch(/^WEBHOOK_SECRET is required in webhook mode/);
    expect(error({ BOT_TOKEN: TOKEN, KLING_ACCESS_KEY: 'ak' })).toMatch(/^KLING_SECRET_KEY is not set/);
    expect(error({ BOT_TOKEN: TOKEN, LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL must be one of fatal, error/);
    expect(error({ BOT_TOKEN: TOKEN, CREDIT_PACKS: '100:x' })).toMatch(/^CREDIT_PACKS must look like/);
  });

  it('derives pack prices from STARS_PER_CREDIT unless given', () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN, CREDIT_PACKS: '100,500:400', STARS_PER_CREDIT: '0.5' });
    expect(config.CREDIT_PACKS).toEqual([
      { id: 'p100', credits: 100, stars: 50 },
      { id: 'p500', credits: 500, stars: 400 },
    ]);
  });

  it('.env.example matches the schema', () => {
    expect(readFileSync(path.join(ROOT, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  it('npm start with a bad value prints one line and exits non-zero', async () => {
    const bot = spawnBot({ BOT_TOKEN: TOKEN, PORT: 'eighty' });
    const { code } = await bot.exited;
    expect(code).toBe(2);
    expect(bot.output().trim()).toBe('Configuration error: PORT must be a whole number, got "eighty"');
  }, 30_000);

  it('reads a .env file, and the real environment wins over it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envfile-'));
    const file = path.join(dir, 'bot.env');
    writeFileSync(file, `BOT_TOKEN=${TOKEN}\nPORT=eighty\n`);
    const fromFile = spawnBot({ ENV_FILE: file });
    expect((await fromFile.exited).code).toBe(2);
    expect(fromFile.output().trim()).toBe('Configuration error: PORT must be a whole number, got "eighty"');
    const envWins = spawnBot({ ENV_FILE: file, PORT: 'ninety' });
    expect((await envWins.exited).code).toBe(2);
    expect(envWins.output().trim()).toBe('Configuration error: PORT must be a whole number, got "ninety"');
  }, 30_000);

  // npm start without BOT_TOKEN opens the sandbox: see test/e2e/sandbox.test.ts.
});
