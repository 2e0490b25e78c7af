/**
 * Catalog v2 end to end: the one conversation engine with the new KIE Market models and Veo 3.1,
 * through the fake Telegram and the fake KIE (which validates each model's wire fields).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../support/fake-telegram/index.js';
import { useBot } from '../support/bot-fixture.js';
import { buttonsOf as buttons, eventually, media, waitForVideo } from '../support/drive.js';

describe('catalog v2 through the engine', () => {
  let admin: FakeUser;
  const f = useBot({
    kie: { pollsPerStep: 1 },
    kling: true,
    env: (fx) => {
      admin = fx.tg.user({ firstName: 'Admin', languageCode: 'en' });
      return { ADMIN_IDS: String(admin.id), POLL_INTERVAL_MS: '50', POLL_TIMEOUT_MS: '15000' };
    },
  });
  const prisma = () => f.prisma();
  const { newUser, balanceOf, ledgerOf } = f;
  const generationOf = (user: FakeUser) => prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) }, orderBy: { createdAt: 'desc' } });
  const settled = (user: FakeUser) =>
    eventually(
      async () => (await prisma().generation.count({ where: { userId: BigInt(user.id), state: { notIn: ['delivered', 'refunded'] } } })) === 0,
      15_000,
      'jobs to settle',
    );

  beforeAll(async () => {
    await admin.sendCommand('/start');
    await admin.waitForMessage();
  });

  it('Kling 3.0 text → video: asks its mode, length, format and sound; the quote lists them; charged exactly; KIE gets its wire types', async () => {
    const user = await newUser(500);
    await user.sendCommand('/text2video');
    expect((await user.waitForMessage()).text).toContain('up to 5,000 characters'); // the longest prompt an offered model takes
    await user.sendText('A lighthouse in a storm, cinematic');
    const choice = await user.waitForMessage({ match: /Choose the model/ });
    const models = buttons(choice);
    expect(models).toContain('Kling 3.0 — 75 credits'); // default pro ×1.5, 5 s: 10 × 5 × 1.5
    expect(models.some((b) => b.startsWith('Sora 2') || b.startsWith('Grok'))).toBe(false); // seeded switched off
    await user.tapButton(choice, /^Kling 3\.0/);
    const mode = await user.waitForMessage({ match: /mode/ });
    expect(buttons(mode)).toEqual(['Standard', 'Pro (×1.5)', '4K (×3)']);
    await user.tapButton(mode, '4K (×3)');
    const length = await user.waitForMessage({ match: /How long/ });
    expect(buttons(length)).toEqual(['3 seconds', '5 seconds', '10 seconds', '15 seconds']);
    await user.tapButton(length, '10 seconds');
    await user.tapButton(await user.waitForMessage({ match: /format/ }), '9:16 portrait');
    const sound = await user.waitForMessage({ match: /sound/ });
    await user.tapButton(sound, '🔊 With sound (×1.5)');
    const quote = await user.waitForMessage({ match: /Price/ });
    // 10 credits/s × 10 s × 3 (4K) × 1.5 (sound) = 450.
    expect(quote.text).toContain('Kling 3.0');
    expect(quote.text).toContain('Mode: 4K');
    expect(quote.text).toContain('Length: 10 s');
    expect(quote.text).toContain('Format: 9:16');
    expect(quote.text).toContain('Sound: 🔊 With sound');
    expect(quote.text).toContain('Price: 450 credits');
    await user.tapButton(quote, /Confirm/);
    await user.waitForMessage({ match: /Started/ });
    const video = await waitForVideo(user);
    expect((video as { caption?: string }).caption).toContain('Kling 3.0');
    await settled(user);
    expect(await ledgerOf(user)).toEqual(['grant:500', 'charge:-450']);
    const generation = await generationOf(user);
    expect(generation.modelSlug).toBe('kling-3-t2v');
    const task = f.kie.tasks.get(generation.providerTaskId!)!;
    expect(task.model).toBe('kling-3.0/video');
    expect(task.input).toEqual({
      prompt: 'A lighthouse in a storm, cinematic',
      aspect_ratio: '9:16',
      sound: true,
      duration: '10',
      mode: '4K',
      multi_shots: false,
    });
  });

  it('Veo 3.1 Fast: the 8 s length is not asked; 1080p is fetched after "processing"; the quote applies the ×1.1', async () => {
    const user = await newUser(200);
    await user.sendCommand('/text2video');
    await user.waitForMessage();
    await user.sendText('A paper boat on a rainy street');
    await user.tapButton(await user.waitForMessage({ match: /Choose the model/ }), /^Veo 3\.1 Fast/);
    // Length has one value (8 s): the next question is the quality.
    const quality = await user.waitForMessage();
    expect(quality.text).toBe('Choose the quality:');
    expect(buttons(quality)).toEqual(['720p', '1080p (×1.1)']);
    await user.tapButton(quality, '1080p (×1.1)');
    await user.tapButton(await user.waitForMessage({ match: /format/ }), '9:16 portrait');
    const quote = await user.waitForMessage({ match: /Price/ });
    expect(quote.text).toContain('Length: 8 s');
    expect(quote.text).toContain('Quality: 1080p');
    expect(quote.text).toContain('Price: 72 credits'); // 65 × 1.1 = 71.5 → 72
    await user.tapButton(quote, /Confirm/);
    await waitForVideo(user, 20_000);
    await settled(user);
    expect(await balanceOf(user)).toBe(128);
    const generation = await generationOf(user);
    const task = f.kie.veo.tasks.get(generation.providerTaskId!)!;
    expect(task.request).toMatchObject({ model: 'veo3_fast', generationType: 'TEXT_2_VIDEO', aspect_ratio: '9:16', resolution: '1080p' });
    expect(task.request).not.toHaveProperty('duration');
    expect(task.hdCalls).toBeGreaterThan(f.kie.veo.processingCalls);
    expect(generation.resultUrl).toContain(`${generation.providerTaskId}-1080p.mp4`);
  }, 40_000);

  it('Veo 3.1 image → video with first and last frame: both frames uploaded to KIE, FIRST_AND_LAST_FRAMES_2_VIDEO', async () => {
    const user = await newUser(400);
    await user.sendCommand('/image2video');
    await user.waitForMessage({ match: /picture/ });
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    await user.waitForMessage({ match: /Describe/ });
    await user.sendText('She turns to the window');
    await user.tapButton(await user.waitForMessage({ match: /Choose the model/ }), /^Veo 3\.1 Quality/);
    await user.tapButton(await user.waitForMessage({ match: /quality/ }), '720p');
    await user.tapButton(await user.waitForMessage({ match: /format/ }), '16:9 landscape');
    await user.waitForMessage({ match: /last frame/ });
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    const quote = await user.waitForMessage({ match: /Price/ });
    expect(quote.text).toContain('Last frame: your picture');
    expect(quote.text).toContain('Price: 310 credits');
    await user.tapButton(quote, /Confirm/);
    await waitForVideo(user, 20_000);
    await settled(user);
    expect(await balanceOf(user)).toBe(90);
    const task = f.kie.veo.tasks.get((await generationOf(user)).providerTaskId!)!;
    expect(task.generationType).toBe('FIRST_AND_LAST_FRAMES_2_VIDEO');
    expect(task.request.imageUrls).toHaveLength(2);
    expect(JSON.stringify(task.request)).not.toContain(f.tg.token);
  }, 40_000);

  it('hides a model the picture does not fit, with the reason; Hailuo 2.3 never offers 1080p at 10 s; multipliers price the rest', async () => {
    const user = await newUser(300);
    await user.sendCommand('/image2video');
    await user.waitForMessage({ match: /picture/ });
    await user.sendPhoto(media('small.jpg'), { width: 200, height: 200 });
    await user.waitForMessage({ match: /Describe/ });
    await user.sendText('The cat blinks slowly');
    const choice = await user.waitForMessage({ match: /Choose the model/ });
    expect(choice.text).toContain('Not available for this input:');
    expect(choice.text).toMatch(/Wan 2\.6: The picture is too small: each side must be at least 256 px/);
    expect(choice.text).toMatch(/Kling image-to-video: The picture is too small/);
    expect(buttons(choice).some((b) => b.startsWith('Wan 2.6') || b.startsWith('Kling image-to-video'))).toBe(false);
    await user.tapButton(choice, /^Hailuo 2\.3/);
    await user.tapButton(await user.waitForMessage({ match: /How long/ }), '10 seconds');
    // 1080p is refused with 10 s, so the quality has one value left and is not asked.
    const quote = await user.waitForMessage();
    expect(quote.text).toContain('Price: 40 credits'); // 4 × 10 s at 768p
    expect(quote.text).toContain('Quality: 768p');
    await user.tapButton(quote, /Cancel/);
    await user.waitForMessage({ match: /Cancelled/ });

    await user.sendCommand('/image2video');
    await user.waitForMessage({ match: /picture/ });
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    await user.waitForMessage({ match: /Describe/ });
    await user.sendText('The cat blinks slowly');
    await user.tapButton(await user.waitForMessage({ match: /Choose the model/ }), /^Hailuo 2\.3/);
    await user.tapButton(await user.waitForMessage({ match: /How long/ }), '6 seconds');
    const quality = await user.waitForMessage({ match: /quality/ });
    expect(buttons(quality)).toEqual(['768p', '1080p (×2)']);
    await user.tapButton(quality, '1080p (×2)');
    const priced = await user.waitForMessage({ match: /Price/ });
    expect(priced.text).toContain('Price: 48 credits'); // 4 × 6 s × 2
    await user.tapButton(priced, /Confirm/);
    await waitForVideo(user, 20_000);
    await settled(user);
    expect(await ledgerOf(user)).toEqual(['grant:300', 'charge:-48']);
    const task = f.kie.tasks.get((await generationOf(user)).providerTaskId!)!;
    expect(task.input).toMatchObject({ duration: '6', resolution: '1080P' });
  }, 40_000);

  it('an operator offering one value takes the question away; a switched-off model appears once enabled', async () => {
    await prisma().catalogModel.update({ where: { slug: 'hailuo-02-t2v' }, data: { offeredOptions: { duration: ['10'] } } });
    const user = await newUser(100);
    await user.sendCommand('/text2video');
    await user.waitForMessage();
    await user.sendText('Waves on black sand');
    const choice = await user.waitForMessage({ match: /Choose the model/ });
    expect(buttons(choice)).toContain('Hailuo 02 — 40 credits');
    expect(buttons(choice).some((b) => b.startsWith('Sora 2'))).toBe(false);
    await user.tapButton(choice, /^Hailuo 02/);
    const quote = await user.waitForMessage();
    expect(quote.text).toContain('Length: 10 s');
    expect(quote.text).toContain('Price: 40 credits');
    await user.tapButton(quote, /Cancel/);
    await user.waitForMessage({ match: /Cancelled/ });

    await admin.sendCommand('/enable sora-2-t2v');
    expect((await admin.waitForMessage()).text).toContain('sora-2-t2v is on');
    await user.sendCommand('/text2video');
    await user.waitForMessage();
    await user.sendText('Waves on black sand');
    const again = await user.waitForMessage({ match: /Choose the model/ });
    expect(buttons(again)).toContain('Sora 2 — 30 credits');
    await user.tapButton(again, /^Sora 2/);
    await user.tapButton(await user.waitForMessage({ match: /How long/ }), '15 seconds');
    await user.tapButton(await user.waitForMessage({ match: /format/ }), '9:16 portrait');
    const sora = await user.waitForMessage({ match: /Price/ });
    expect(sora.text).toContain('Price: 45 credits');
    await user.tapButton(sora, /Confirm/);
    await waitForVideo(user, 20_000);
    await settled(user);
    const task = f.kie.tasks.get((await generationOf(user)).providerTaskId!)!;
    expect(task.input).toEqual({ prompt: 'Waves on black sand', aspect_ratio: 'portrait', n_frames: '15', remove_watermark: true, upload_method: 's3' });
    expect(await balanceOf(user)).toBe(55);
  }, 40_000);

  it('/cost sets the provider cost (audited); /models shows options with multipliers and the margin; /stats the margin per model', async () => {
    await admin.sendCommand('/cost kling-3-t2v 0.05');
    expect((await admin.waitForMessage()).text).toBe('kling-3-t2v: provider cost set to $0.05 per video s (was $0.06).');
    await admin.sendCommand('/cost kling-3-t2v abc');
    expect((await admin.waitForMessage()).text).toContain('Usage: /cost SLUG USD');
    const audit = await prisma().adminAuditLog.findFirstOrThrow({ where: { action: 'model_cost', target: 'kling-3-t2v' } });
    expect(audit.adminId).toBe(BigInt(admin.id));
    expect(audit.details).toEqual({ before: 0.06, after: 0.05 });

    await admin.sendCommand('/models');
    const first = await admin.waitForMessage({ match: /Model catalog/ });
    expect(first.text).toContain('— 🗣 Talking avatar —');
    const t2v = await admin.waitForMessage({ match: /Text to video/ });
    expect(t2v.text).toContain('kling-3-t2v — Kling 3.0: 10 credits per second of video [kie]');
    expect(t2v.text).toContain('options: mode: std, pro ×1.5, 4k ×3 · duration: 3, 5, 10, 15 · aspectRatio: 16:9, 9:16, 1:1 · sound: off, on ×1.5');
    expect(t2v.text).toMatch(/veo-3-1-fast-t2v[\s\S]*duration: 8 \(not asked\)/);
    // The Kling 3.0 video of the first test: 450 credits = $5.85 at $0.013; cost 0.05 × 10 s × 3 × 1.5 = $2.25.
    expect(t2v.text).toContain('cost $0.05/video s · today: revenue $5.85, cost $2.25, margin $3.60');

    await admin.sendCommand('/stats');
    const stats = await admin.waitForMessage({ match: /Margins/ });
    expect(stats.text).toContain('Margins (at $0.013 per ⭐):');
    expect(stats.text).toContain('• kling-3-t2v: revenue $5.85 · provider cost $2.25 · margin $3.60 (1 video)');
  });

  it('a stale choice is re-quoted at Confirm: the choice reset to the default, nothing charged; a changed multiplier re-quotes again; Confirm charges the fresh price', async () => {
    const user = await newUser(500);
    await user.sendCommand('/text2video');
    await user.waitForMessage();
    await user.sendText('A red kite over the dunes');
    await user.tapButton(await user.waitForMessage({ match: /Choose the model/ }), /^Kling 3\.0/);
    await user.tapButton(await user.waitForMessage({ match: /mode/ }), '4K (×3)');
    await user.tapButton(await user.waitForMessage({ match: /How long/ }), '5 seconds');
    await user.tapButton(await user.waitForMessage({ match: /format/ }), '16:9 landscape');
    await user.tapButton(await user.waitForMessage({ match: /sound/ }), '🔇 Without sound');
    const quote = await user.waitForMessage({ match: /Price/ });
    expect(quote.text).toContain('Price: 150 credits');
    const original = await prisma().catalogModel.findUniqueOrThrow({ where: { slug: 'kling-3-t2v' } });
    await prisma().catalogModel.update({ where: { slug: 'kling-3-t2v' }, data: { offeredOptions: { mode: ['std', 'pro'] } } });
    try {
      const tap = await user.tapButton(quote, /Confirm/);
      expect(await f.tg.waitForCallbackAnswer(tap.id)).not.toMatchObject({ show_alert: true });
      // 4K is gone: the mode falls back to the default (pro ×1.5): 10 × 5 × 1.5 = 75; the other choices stay.
      const fresh = await user.waitForMessage({ match: /no longer offered/ });
      expect(fresh.text).toContain('The mode “4K” is no longer offered, so the offer now uses “Pro”.');
      expect(fresh.text).toContain('Nothing was charged. The price is now 75 credits (it was 150)');
      expect(fresh.text).toContain('Mode: Pro');
      expect(fresh.text).toContain('Length: 5 s');
      expect(fresh.text).toContain('Format: 16:9');
      expect(fresh.text).toContain('Sound: 🔇 Without sound');
      expect(fresh.text).toContain('Price: 75 credits');
      expect(await ledgerOf(user)).toEqual(['grant:500']);

      // The operator raises the multiplier of pro before the user confirms: a second re-quote.
      await prisma().catalogModel.update({ where: { slug: 'kling-3-t2v' }, data: { optionMultipliers: { 'mode:pro': 2, 'mode:4k': 3, 'sound:on': 1.5 } } });
      await user.tapButton(fresh, /Confirm/);
      const again = await user.waitForMessage({ match: /price has changed/ });
      expect(again.text).toContain('The price has changed from 75 to 100 credits');
      expect(again.text).toContain('Price: 100 credits');
      expect(await ledgerOf(user)).toEqual(['grant:500']);
      await user.tapButton(again, /Confirm/);
      await user.waitForMessage({ match: /Started/ });
      await waitForVideo(user);
      await settled(user);
      expect(await ledgerOf(user)).toEqual(['grant:500', 'charge:-100']);
      const generation = await generationOf(user);
      expect(generation.price).toBe(100);
      expect(f.kie.tasks.get(generation.providerTaskId!)!.input).toMatchObject({ mode: 'pro', duration: '5', aspect_ratio: '16:9', sound: false });
    } finally {
      await prisma().catalogModel.update({
        where: { slug: 'kling-3-t2v' },
        data: { offeredOptions: original.offeredOptions ?? {}, optionMultipliers: original.optionMultipliers ?? {} },
      });
    }
  }, 30_000);

  it('negative prompt: an optional step with Skip for the models that take one; limits checked; shown in the quote; sent to Kling', async () => {
    const user = await newUser(500);
    await user.sendCommand('/text2video');
    await user.waitForMessage();
    await user.sendText('A paper boat on a rainy street');
    await user.tapButton(await user.waitForMessage({ match: /Choose the model/ }), /^Kling text-to-video/);
    await user.tapButton(await user.waitForMessage({ match: /How long/ }), '5 seconds');
    await user.tapButton(await user.waitForMessage({ match: /format/ }), '16:9 landscape');
    const ask = await user.waitForMessage({ match: /should avoid/ });
    expect(ask.text).toContain('up to 2,500 characters');
    expect(buttons(ask)).toEqual(['Skip']);
    await user.sendText('x'.repeat(2501));
    expect((await user.waitForMessage()).text).toContain('The negative prompt is too long: 2,501 characters, at most 2,500.');
    await user.sendText('blur, text, watermark');
    const quote = await user.waitForMessage({ match: /Price/ });
    expect(quote.text).toContain('Avoid: blur, text, watermark');
    expect(quote.text).toContain('Price: 35 credits');
    await user.tapButton(quote, /Confirm/);
    await waitForVideo(user, 20_000);
    await settled(user);
    expect(await ledgerOf(user)).toEqual(['grant:500', 'charge:-35']);
    const create = f.kling.requests.filter((r) => r.route === 'create').at(-1)!;
    expect(JSON.parse(String(create.body))).toMatchObject({ prompt: 'A paper boat on a rainy street', negative_prompt: 'blur, text, watermark' });

    // A model without a negative prompt (Kling 2.6 on KIE) never asks it.
    const other = await newUser(500);
    await other.sendCommand('/text2video');
    await other.waitForMessage();
    await other.sendText('A paper boat on a rainy street');
    await other.tapButton(await other.waitForMessage({ match: /Choose the model/ }), /^Kling 2\.6/);
    await other.tapButton(await other.waitForMessage({ match: /How long/ }), '5 seconds');
    await other.tapButton(await other.waitForMessage({ match: /format/ }), '16:9 landscape');
    await other.tapButton(await other.waitForMessage({ match: /sound/ }), '🔇 Without sound');
    const plain = await other.waitForMessage();
    expect(plain.text).toContain('Price: 45 credits');
    expect(plain.text).not.toContain('Avoid');
  }, 40_000);

  it('the menu shows a task only while an enabled, configured model serves it', async () => {
    const menu = async () => {
      const user = f.tg.user({ languageCode: 'en' });
      await user.sendCommand('/start');
      return buttons(await user.waitForMessage());
    };
    expect(await menu()).toEqual(expect.arrayContaining(['🗣 Talking avatar', '✍️ Text to video', '🖼 Image to video']));
    await prisma().catalogModel.updateMany({ where: { kind: 'image2video' }, data: { enabled: false } });
    try {
      const shown = await menu();
      expect(shown).not.toContain('🖼 Image to video');
      expect(shown).toContain('✍️ Text to video');
      await admin.sendCommand('/enable wan-2-6-i2v');
      await admin.waitForMessage();
      expect(await menu()).toContain('🖼 Image to video');
    } finally {
      await prisma().catalogModel.updateMany({ where: { kind: 'image2video', slug: { notIn: ['sora-2-i2v'] } }, data: { enabled: true } });
    }
  });
});
