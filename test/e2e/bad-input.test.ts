import { beforeAll, describe, expect, it } from 'vitest';
import { useBot } from '../support/bot-fixture.js';
import { eventually, media, orderLipsync, startLipsyncWithPhoto, onlyModels, PART1_MODELS } from '../support/drive.js';
import { staysTrue } from '../support/wait.js';

describe('bad input costs nothing and gets a clear answer', () => {
  const f = useBot({ kie: { pollsPerStep: 1, resultVideo: { sizeBytes: 51 * 1024 * 1024 } }, kling: true });
  const prisma = () => f.prisma();
  const { newUser, balanceOf } = f;
  // These suites test the part-1 models through the Catalog v2 engine; new models have their own suite.
  beforeAll(() => onlyModels(f.prisma(), PART1_MODELS));

  it('refuses files over the 20 MB download limit and over the 10 MB provider limit without downloading them', async () => {
    const user = await newUser(100);
    await user.sendCommand('/lipsync');
    await user.waitForMessage();
    const before = f.tg.calls('getFile').length;
    await user.sendDocument(Buffer.alloc(21 * 1024 * 1024, 1), { fileName: 'huge.jpg', mimeType: 'image/jpeg' });
    expect((await user.waitForMessage()).text).toMatch(/This file is 21 MB; bots can only download files up to 20 MB/);
    await user.sendDocument(Buffer.alloc(11 * 1024 * 1024, 1), { fileName: 'big.png', mimeType: 'image/png' });
    expect((await user.waitForMessage()).text).toMatch(/This file is 11 MB; the limit is 10 MB/);
    expect(f.tg.calls('getFile').length).toBe(before);
  });

  it('refuses a photo where audio is expected, and a non-audio file sent as audio', async () => {
    const user = await newUser(100);
    await startLipsyncWithPhoto(user);
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    expect((await user.waitForMessage()).text).toBe('Please send a voice note or an audio file.');
    await user.sendDocument(media('not-media.txt'), { fileName: 'speech.mp3', mimeType: 'audio/mpeg' });
    expect((await user.waitForMessage()).text).toContain('This is not an audio file I can use');
    expect(await balanceOf(user)).toBe(100);
  });

  it('a model switched off after the quote charges nothing', async () => {
    const user = await newUser(100);
    const quote = await orderLipsync(user, 'Kling AI Avatar', { confirm: false });
    await prisma().catalogModel.update({ where: { slug: 'kling-ai-avatar' }, data: { enabled: false } });
    try {
      await user.tapButton(quote, /Confirm/);
      expect((await user.waitForMessage()).text).toContain('This model has just been switched off. Nothing was charged.');
      expect(await balanceOf(user)).toBe(100);
    } finally {
      await prisma().catalogModel.update({ where: { slug: 'kling-ai-avatar' }, data: { enabled: true } });
    }
  });

  it('a price changed after the quote is re-quoted before anything is charged', async () => {
    const user = await newUser(100);
    const quote = await orderLipsync(user, 'Kling AI Avatar', { confirm: false });
    await prisma().catalogModel.update({ where: { slug: 'kling-ai-avatar' }, data: { priceAmount: 60 } });
    try {
      await user.tapButton(quote, /Confirm/);
      const requote = await user.waitForMessage();
      expect(requote.text).toContain('The price has changed from 50 to 60 credits. Nothing was charged');
      expect(requote.text).toContain('Price: 60 credits');
      expect(await balanceOf(user)).toBe(100);
      await user.tapButton(requote, /Confirm — 60/);
      await user.waitForMessage({ match: /Started/ });
      expect(await balanceOf(user)).toBe(40);
      // The result is over Telegram's 50 MB upload limit: it arrives as a link, not a video.
      const link = await user.waitForMessage({ timeoutMs: 20_000, match: /http/ });
      expect(link.text).toContain(f.kie.uploadBaseUrl.replace(/\/$/, ''));
      await eventually(async () => (await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } })).state === 'delivered');
      const generation = await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
      expect(generation.deliveredAsLink).toBe(true);
    } finally {
      await prisma().catalogModel.update({ where: { slug: 'kling-ai-avatar' }, data: { priceAmount: 50 } });
    }
  }, 60_000);

  it('a user who blocked the bot is marked unreachable and the result is kept for /history', async () => {
    const user = await newUser(100);
    f.kie.nextTaskOutcome('success');
    await orderLipsync(user, 'InfiniteTalk 480p');
    user.blockBot({ notify: false });
    await eventually(
      async () => (await prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).unreachable,
      20_000,
      'the user to be marked unreachable',
    );
    await eventually(async () => Boolean((await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } })).resultUrl), 20_000, 'the result');
    const generation = await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
    await staysTrue(
      async () => {
        const g = await prisma().generation.findUniqueOrThrow({ where: { id: generation.id } });
        return g.telegramFileId === null && g.refundedAt === null;
      },
      500,
      'no delivery and no refund',
    );
    expect(generation.resultUrl).toBeTruthy();
    expect(generation.telegramFileId).toBeNull();
    expect(generation.refundedAt).toBeNull();
    expect(user.messages().some((m) => Boolean((m as { video?: unknown }).video))).toBe(false);
    // Writing again makes the user reachable; /history offers the kept result.
    user.unblockBot({ notify: false });
    await user.sendCommand('/history');
    const list = await user.waitForMessage({ match: /recent videos/ });
    await user.tapButton(list, /Send #1 again/);
    expect((await user.waitForMessage({ match: /http/ })).text).toContain(generation.resultUrl!);
    expect(await balanceOf(user)).toBe(91);
  }, 40_000);
});
