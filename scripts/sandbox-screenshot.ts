// Makes docs/sandbox.png: starts the sandbox, subscribes a user with Stars and walks a
// talking-avatar order as a user would on the page, and takes a screenshot of the page in
// Debian's Chromium.
//   npx tsx scripts/sandbox-screenshot.ts [out.png]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { startSandbox } from '../src/sandbox/start.js';
import { parseCli } from './cli.js';

const { positionals } = parseCli({ usage: 'npx tsx scripts/sandbox-screenshot.ts [out.png]', positionals: [{ name: 'out.png' }] });
const out = positionals[0] ?? 'docs/sandbox.png';
const media = (name: string) => readFileSync(path.join('test/fixtures/media', name));
const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-shot-'));
const sandbox = await startSandbox({
  env: { DATA_DIR: dir, PORT: '0', POLLING_TIMEOUT_SECONDS: '1', POLL_INTERVAL_MS: '200', SANDBOX_PROVIDER_DELAY_MS: '1500' },
  logger: () => pino({ level: 'silent' }),
});
try {
  const person = sandbox.people.list().find((p) => !p.admin)!;
  const user = sandbox.people.get(person.id)!;
  const wait = { timeoutMs: 20_000 };
  // A Stars subscription first (the panel lists it), then a talking-avatar video paid from it.
  await user.sendCommand('/subscribe');
  await user.tapButton(await user.waitForMessage({ ...wait, match: /Monthly subscription/ }), /^600 credits/);
  const offer = await user.waitForMessage({ ...wait, match: /Subscription:/ });
  const link = (offer.reply_markup as { inline_keyboard: { url: string }[][] }).inline_keyboard[0]![0]!.url;
  await sandbox.subscriptions.payLink(user, link);
  await user.waitForMessage({ ...wait, match: /Subscription started/ });
  await user.sendCommand('/lipsync');
  await user.waitForMessage({ ...wait, match: /photo/i });
  await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
  await user.waitForMessage({ ...wait, match: /speech|voice/i });
  await user.sendVoice(media('voice.ogg'), { duration: 3 });
  await user.tapButton(await user.waitForMessage({ ...wait, match: /model/i }), /^Kling AI Avatar —/);
  await user.tapButton(await user.waitForMessage({ ...wait, match: /describe/i }), /Skip/);
  const quote = await user.waitForMessage({ ...wait, match: /Price/ });
  await user.tapButton(quote, /Confirm/);
  await user.waitForMessage({ ...wait, match: (m) => Boolean(m.video) });

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${sandbox.url}?user=${person.id}`);
  const video = page.getByRole('list', { name: 'Messages' }).locator('video').last();
  await video.waitFor();
  await video.evaluate(async (node) => {
    const v = node as unknown as { muted: boolean; play(): Promise<void>; pause(): void; currentTime: number };
    v.muted = true;
    await v.play();
    await new Promise((r) => setTimeout(r, 400));
    v.pause();
  });
  await page.getByRole('list', { name: 'Messages' }).evaluate((list) => {
    const l = list as unknown as { scrollTop: number; scrollHeight: number };
    l.scrollTop = l.scrollHeight;
  });
  await page.screenshot({ path: out });
  await browser.close();
  process.stdout.write(`${out}\n`);
} finally {
  await sandbox.stop(5_000);
  rmSync(dir, { recursive: true, force: true });
}
