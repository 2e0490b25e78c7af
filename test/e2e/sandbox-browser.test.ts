/**
 * The sandbox page in a real headless Chromium (Debian's `chromium`, driven by playwright-core),
 * selected by role and label as an accessible page offers them (the chat a list named "Messages", the
 * input a textbox "Message", files through "Attach", keyboard buttons real buttons): a new user walks
 * /start → talking avatar (photo and voice attached) → top up and pay → Confirm → the video plays;
 * an admin changes a price with /price and the user's next quote shows it; the provider panel
 * makes the next task fail and the refund is shown (the status message edited in place); a
 * voice note recorded with the (fake) microphone is accepted; a Stars subscription is paid and
 * "Next month" renews it, credited once; the page logs no console errors.
 * Skipped (with a message) only where /usr/bin/chromium is missing; .ci/run installs it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/start.js';
import { ROOT } from '../support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`sandbox-browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it).`);
}

/** The few DOM types the page functions use (the project compiles without the DOM library). */
type Item = { getAttribute(name: string): string | null; textContent: string | null };
type Dom = { document: { querySelectorAll(selector: string): Iterable<Item> } };
type VideoElement = { muted: boolean; play(): Promise<void>; pause(): void; readyState: number; currentTime: number; duration: number };

const fixture = (name: string) => path.join(ROOT, 'test/fixtures/media', name);
const WAIT = { timeout: 30_000 };

describe.skipIf(!hasChromium)('sandbox in a browser', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sandbox-browser-'));
    sandbox = await startSandbox({
      env: {
        DATA_DIR: dataDir,
        PORT: '0',
        POLLING_TIMEOUT_SECONDS: '1',
        POLL_INTERVAL_MS: '100',
        SANDBOX_PROVIDER_DELAY_MS: '600',
        PROVIDER_TIMEOUT_MS: '5000',
      },
      logger: (config) => pino({ level: config.LOG_LEVEL, base: undefined }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // A fake microphone (a beep) that needs no permission prompt, for the voice recorder.
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(sandbox.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop(5_000);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const messages = () => page.getByRole('list', { name: 'Messages' });
  /** Id of the newest message on the page: later waits look only at messages after it. */
  let mark = 0;
  const setMark = async () => {
    mark = await page.evaluate(() =>
      Math.max(0, ...[...(globalThis as unknown as Dom).document.querySelectorAll('#messages > li')].map((li) => Number(li.getAttribute('data-id')))),
    );
  };
  /** The first message after the mark (or after `after`) whose text matches; waits for it. */
  const message = async (text: RegExp, after = mark): Promise<Locator> => {
    const handle = await page
      .waitForFunction(
        ({ source, flags, after }) => {
          const re = new RegExp(source, flags);
          const li = [...(globalThis as unknown as Dom).document.querySelectorAll('#messages > li')].find(
            (item) => Number(item.getAttribute('data-id')) > after && re.test(item.textContent ?? ''),
          );
          return li ? Number(li.getAttribute('data-id')) : undefined;
        },
        { source: text.source, flags: text.flags, after },
        WAIT,
      )
      .catch(async (error: Error) => {
        const recent = (await messages().getByRole('listitem').allTextContents()).slice(-6);
        throw new Error(`no message matching ${String(text)} after #${after}: ${error.message}\nLast messages:\n${recent.join('\n---\n')}`);
      });
    return messages().locator(`li[data-id="${await handle.jsonValue()}"]`);
  };
  const tap = async (button: Locator) => {
    await setMark();
    await button.click();
  };
  const send = async (text: string) => {
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await tap(page.getByRole('button', { name: 'Send', exact: true }));
  };
  const attach = async (file: string) => {
    await page.getByLabel('Attach').setInputFiles(fixture(file));
    await tap(page.getByRole('button', { name: 'Send', exact: true }));
  };
  const switchTo = async (name: string) => {
    const select = page.getByLabel('User', { exact: true });
    const value = await select
      .locator('option')
      .filter({ hasText: new RegExp(`^${name} `) })
      .getAttribute('value');
    await select.selectOption(value!);
    await page.getByText(`You are ${name}`).waitFor(WAIT);
  };
  /** The talking-avatar flow up to the quote for Kling AI Avatar. */
  const orderAvatar = async () => {
    await send('/lipsync');
    await message(/Send a photo/);
    await attach('portrait.jpg');
    await messages()
      .locator(`li[data-id="${mark + 1}"]`)
      .getByRole('img', { name: 'Photo' })
      .waitFor(WAIT);
    await message(/speech|voice/i);
    await attach('voice.ogg');
    await messages()
      .locator(`li[data-id="${mark + 1}"] audio`)
      .waitFor({ state: 'attached', ...WAIT });
    const choice = await message(/model/i);
    await tap(choice.getByRole('button', { name: /^Kling AI Avatar —/ }));
    const skip = await message(/describe/i);
    await tap(skip.getByRole('button', { name: /Skip/ }));
    return message(/Price: \d+ credits/);
  };

  it('a new user: /start → talking avatar → top up and pay → Confirm → the video plays', async () => {
    // Create a user with the "New user" form and act as them.
    await page.getByRole('textbox', { name: 'Name' }).fill('Dana');
    await page.getByLabel('Language').selectOption('en');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(async () => (await page.getByLabel('User', { exact: true }).locator('option:checked').textContent()) ?? '', WAIT).toMatch(/^Dana/);

    await send('/start');
    // The user's own message is in the list as they typed it, then the bot's menu.
    await message(/^\/start/);
    const menu = await message(/Pick what to make/);
    expect(await menu.getByRole('button', { name: /Talking avatar/ }).count()).toBe(1);

    const quote = await orderAvatar();
    await expect.poll(() => quote.textContent(), WAIT).toContain('Not enough credits');

    await tap(quote.getByRole('button', { name: /Top up/ }));
    const packs = await message(/Choose a pack/);
    await tap(packs.getByRole('button', { name: /^100 credits/ }));
    const invoice = await message(/100 credits/);
    // The invoice's Pay button (the bot's own `pay` button, as Telegram shows it).
    await tap(invoice.getByRole('button', { name: /^Pay/ }));
    await message(/You paid 100 ⭐/);
    await invoice.getByRole('button', { name: 'Paid' }).waitFor(WAIT);

    await tap(quote.getByRole('button', { name: /Confirm/ }));
    await message(/Started!/);
    // The result arrives as a <video> that plays in place.
    const video = messages().locator('li.bot video').last();
    await video.waitFor({ state: 'visible', timeout: 30_000 });
    const played = await video.evaluate(async (node) => {
      const v = node as unknown as VideoElement;
      v.muted = true;
      await v.play();
      const deadline = Date.now() + 10_000;
      while (v.currentTime === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      v.pause();
      return { readyState: v.readyState, currentTime: v.currentTime, duration: v.duration };
    });
    expect(played.readyState).toBeGreaterThanOrEqual(2);
    expect(played.currentTime).toBeGreaterThan(0);
    expect(played.duration).toBeGreaterThan(0);

    const balance = await sandbox.app.db.prisma.user.findFirstOrThrow({ where: { firstName: 'Dana' } });
    expect(balance.balance).toBe(50); // 100 paid in, 50 for the video
  }, 120_000);

  it("an admin changes a price with /price and the user's next quote shows it", async () => {
    await switchTo('Admin');
    await send('/price kling-ai-avatar 35');
    await message(/now 35 credits/);

    await switchTo('Dana');
    const quote = await orderAvatar();
    await expect.poll(() => quote.textContent(), WAIT).toContain('Price: 35 credits');
    expect(await quote.getByRole('button', { name: /Confirm — 35/ }).count()).toBe(1);
  }, 90_000);

  it('the provider panel makes the next task fail, and the refund is shown', async () => {
    await page.getByLabel('Next task').selectOption('fail');
    const quote = messages().getByRole('listitem').filter({ hasText: 'Price: 35 credits' }).last();
    await tap(quote.getByRole('button', { name: /Confirm/ }));
    // The job's status message is edited in place (marked "edited"); the refund notice follows.
    const status = await message(/could not be made/);
    await status.getByText('edited', { exact: true }).waitFor(WAIT);
    const notice = await message(/35 credits are back on your balance/);
    expect(Number(await notice.getAttribute('data-id'))).toBeGreaterThan(Number(await status.getAttribute('data-id')));
    expect(
      await messages()
        .getByRole('listitem')
        .filter({ hasText: /could not be made/ })
        .count(),
    ).toBe(1);
    // The script was used by that task; the panel is back to "succeeds".
    await expect.poll(() => page.getByLabel('Next task').inputValue(), WAIT).toBe('succeed');
    const user = await sandbox.app.db.prisma.user.findFirstOrThrow({ where: { firstName: 'Dana' } });
    expect(user.balance).toBe(50);
  }, 90_000);

  it('a voice note recorded in the browser is accepted by the avatar flow', async () => {
    await send('/lipsync');
    await message(/Send a photo/);
    await attach('portrait.jpg');
    await message(/speech|voice/i);
    const record = page.getByRole('button', { name: 'Record voice' });
    await record.click();
    await page.locator('#record[aria-pressed="true"]').waitFor(WAIT);
    await page.waitForTimeout(1_500); // the length of the recording
    await setMark();
    await record.click();
    const voice = await message(/Voice message/);
    expect(await voice.getAttribute('class')).toContain('user');
    await voice.locator('audio').waitFor({ state: 'attached', ...WAIT });
    // The bot took it (length and format checked) and asks for the model.
    await message(/model/i);
    await send('/cancel');
  }, 90_000);

  it('a Stars subscription: /subscribe → Pay → credits; Next month renews it once', async () => {
    const dana = () => sandbox.app.db.prisma.user.findFirstOrThrow({ where: { firstName: 'Dana' } });
    const before = (await dana()).balance;
    await send('/subscribe');
    const offer = await message(/Monthly subscription/);
    await tap(offer.getByRole('button', { name: /^600 credits a month/ }));
    // The invoice link is a payable item: what, how much, how often, and Pay.
    const item = await message(/Subscription: 600 credits a month/);
    await expect.poll(() => item.textContent(), WAIT).toContain('500 ⭐ a month');
    await tap(item.getByRole('button', { name: 'Pay 500 ⭐ a month' }));
    await message(/You subscribed to Video Bot for 500 ⭐ a month/);
    await message(/Subscription started: \+600 credits/);
    await item.getByRole('button', { name: 'Paid' }).waitFor(WAIT);
    const mine = page.getByRole('list', { name: 'Your subscriptions' });
    await mine.getByText(/600 credits a month · 500 ⭐ · active · renews \d{4}-\d{2}-\d{2} · 1 payment$/).waitFor(WAIT);
    expect((await dana()).balance).toBe(before + 600);

    await tap(page.getByRole('button', { name: 'Next month' }));
    await message(/Subscription renewed: you paid 500 ⭐/);
    const renewed = await message(/Subscription renewed: \+600 credits/);
    expect(await renewed.getAttribute('class')).toContain('bot');
    await mine.getByText(/· 2 payments$/).waitFor(WAIT);
    await expect.poll(async () => (await dana()).balance, WAIT).toBe(before + 1200);
    // Credited once: one renewal notice, and the balance stays.
    await page.waitForTimeout(500);
    expect(
      await messages()
        .getByRole('listitem')
        .filter({ hasText: /Subscription renewed: \+600 credits/ })
        .count(),
    ).toBe(1);
    expect((await dana()).balance).toBe(before + 1200);
  }, 90_000);

  it('the page logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
