/**
 * The official Kling suite end to end (issue 11): fake Telegram + fake Kling (+ fake KIE, whose
 * upload host serves the URL-only inputs) and a real database. Each new task and each new model
 * makes a video for exactly the quoted price; refused inputs end with a clear message and no
 * charge; a voice note reaches Kling converted (the fake sniffs the format).
 */
import { describe, expect, it } from 'vitest';
import { useBot } from '../support/bot-fixture.js';
import { answerToQuoteAndConfirm, buttonsOf, eventually, media, orderText2Video, waitForVideo } from '../support/drive.js';
import { sniffAudio } from '../support/fake-kling/index.js';
import type { FakeUser, Message } from '../support/fake-telegram/index.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Kling official suite', { timeout: 60_000 }, () => {
  const f = useBot({ kie: { pollsPerStep: 1 }, kling: true, env: { POLL_INTERVAL_MS: '50', POLL_TIMEOUT_MS: '15000' } });

  async function prefer(family: string, provider: 'kie' | 'kling') {
    await f.prisma().providerPreference.upsert({ where: { family }, create: { family, provider }, update: { provider } });
  }

  /** Picks `model` when asked, then answers every question with `picks` (else the first button / Skip) up to the quote; confirms. */
  async function toQuoteAndConfirm(user: FakeUser, first: Message, model: string | null, picks: RegExp[] = []): Promise<number> {
    let message = first;
    if (model !== null && buttonsOf(message).some((b) => new RegExp(`^${escape(model)} — `).test(b))) {
      await user.tapButton(message, new RegExp(`^${escape(model)} — `));
      message = await user.waitForMessage();
    }
    return answerToQuoteAndConfirm(user, message, picks);
  }

  async function expectCharged(user: FakeUser, price: number, slug: string) {
    const { generation } = await f.deliveredWithOneCharge(user, price);
    expect(generation).toMatchObject({ modelSlug: slug, price });
    expect(generation.providerVideoId).toMatch(/^\d+$/);
    return generation;
  }

  it.each([
    ['kling-v2-6-t2v', 'kling-2.6', 'Kling 2.6', 'text', [/^10 /, /With sound/]],
    ['kling-v3-t2v', 'kling-3.0', 'Kling 3.0', 'text', [/^Standard/, /^3 /]],
    ['kling-v2-6-i2v', 'kling-2.6', 'Kling 2.6', 'image', []],
    ['kling-v3-i2v', 'kling-3.0', 'Kling 3.0', 'image', []],
  ] as const)('%s (official Kling preferred): a video for exactly the quoted price', async (slug, family, name, input, picks) => {
    await prefer(family, 'kling');
    const user = await f.newUser(1000);
    await user.sendCommand(input === 'text' ? '/text2video' : '/image2video');
    await user.waitForMessage();
    if (input === 'image') {
      await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
      await user.waitForMessage({ match: /Describe/ });
    }
    await user.sendText('A calm lake at dawn, gentle motion');
    const choice = await user.waitForMessage({ match: /Choose the model/ });
    // One entry per family: the official row, not KIE's, and only once.
    expect(buttonsOf(choice).filter((b) => b.startsWith(`${name} — `))).toHaveLength(1);
    const price = await toQuoteAndConfirm(user, choice, name, [...picks]);
    const generation = await expectCharged(user, price, slug);
    const create = f.kling.requests.filter((r) => r.route === 'create').at(-1)!;
    const body = JSON.parse(create.body) as Record<string, unknown>;
    expect(body.model_name).toBe(slug.startsWith('kling-v3') ? 'kling-v3' : 'kling-v2-6');
    expect(body.external_task_id).toBe(`gen-${generation.id}`);
    if (slug === 'kling-v2-6-t2v') expect(body).toMatchObject({ sound: 'on', mode: 'pro', duration: '10' });
    await prefer(family, 'kie');
  });

  it.each([
    ['kling-avatar-std', 'Kling AI Avatar'],
    ['kling-avatar-pro', 'Kling AI Avatar Pro'],
  ] as const)('%s: photo + voice note; the voice reaches Kling converted from OGG', async (slug, name) => {
    await prefer('kling-avatar', 'kling');
    const user = await f.newUser(1000);
    await user.sendCommand('/lipsync');
    await user.waitForMessage();
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    await user.waitForMessage({ match: /speech/ });
    await user.sendVoice(media('voice.ogg'), { duration: 3 });
    const choice = await user.waitForMessage({ match: /Choose the model/ });
    expect(buttonsOf(choice).filter((b) => b.startsWith(`${name} — `))).toHaveLength(1);
    const price = await toQuoteAndConfirm(user, choice, name, [/Skip/]);
    await expectCharged(user, price, slug);
    const create = f.kling.requests.filter((r) => r.route === 'create' && r.kind === 'avatar').at(-1)!;
    const body = JSON.parse(create.body) as { sound_file: string; mode: string };
    expect(sniffAudio(Buffer.from(body.sound_file, 'base64'))).toBe('mp3');
    expect(body.mode).toBe(slug.endsWith('pro') ? 'pro' : 'std');
    await prefer('kling-avatar', 'kie');
  });

  it('several photos → video: photos collected until Done, a required prompt', async () => {
    const user = await f.newUser(1000);
    await user.sendCommand('/multi_image2video');
    await user.waitForMessage({ match: /2 to 4 photos/ });
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    const one = await user.waitForMessage({ match: /Photo 1 added/ });
    expect(buttonsOf(one)).toEqual([]);
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    const two = await user.waitForMessage({ match: /Photo 2 added/ });
    await user.tapButton(two, /Done/);
    await user.waitForMessage({ match: /Describe/ });
    await user.sendText('The two of them walk on a beach');
    const price = await toQuoteAndConfirm(user, await user.waitForMessage(), null, [/Skip/]);
    await expectCharged(user, price, 'kling-multi-image');
    const body = JSON.parse(f.kling.requests.filter((r) => r.route === 'create' && r.kind === 'multi-image2video').at(-1)!.body) as { image_list: unknown[] };
    expect(body.image_list).toHaveLength(2);
  });

  it('motion transfer: a photo and a reference video (by URL)', async () => {
    const user = await f.newUser(1000);
    await user.sendCommand('/motion_control');
    await user.waitForMessage();
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    await user.waitForMessage({ match: /reference video/ });
    // Too short on Telegram's metadata: refused before any download.
    await user.sendVideo(media('clip-720p.mp4'), { duration: 2, width: 1280, height: 720 });
    expect((await user.waitForMessage()).text).toMatch(/too short/);
    await user.sendVideo(media('clip-720p.mp4'), { duration: 3, width: 1280, height: 720 });
    const choice = await user.waitForMessage({ match: /Choose the model/ });
    const price = await toQuoteAndConfirm(user, choice, 'Kling 2.6 motion', [/Skip/]);
    await expectCharged(user, price, 'kling-motion-v2-6');
    // Priced per second of the 3 s reference: 10 ⭐/s std.
    expect(price).toBe(30);
  });

  it('lip-sync of an uploaded video with a voice note', async () => {
    const user = await f.newUser(1000);
    await user.sendCommand('/video_lipsync');
    await user.waitForMessage({ match: /video to lip-sync/ });
    // Too long on Telegram's metadata: refused before download, no charge.
    await user.sendVideo(media('clip-720p.mp4'), { duration: 75, width: 1280, height: 720 });
    expect((await user.waitForMessage()).text).toMatch(/too long/);
    await user.sendVideo(media('clip-720p.mp4'), { duration: 3, width: 1280, height: 720 });
    await user.waitForMessage({ match: /voice/ });
    await user.sendVoice(media('voice.ogg'), { duration: 3 });
    const price = await toQuoteAndConfirm(user, await user.waitForMessage(), null);
    await expectCharged(user, price, 'kling-lipsync');
    const body = JSON.parse(f.kling.requests.filter((r) => r.route === 'create' && r.kind === 'advanced-lip-sync').at(-1)!.body) as {
      face_choose: { sound_file: string }[];
    };
    expect(sniffAudio(Buffer.from(body.face_choose[0]!.sound_file, 'base64'))).toBe('mp3');
  });

  it('lip-sync of a video with several faces asks which face; the chosen one goes to Kling', async () => {
    const faces = f.kling.faces;
    f.kling.faces = (ms) => [
      { face_id: '0', start_time: 0, end_time: ms },
      { face_id: '1', start_time: 0, end_time: ms },
    ];
    try {
      const user = await f.newUser(1000);
      await user.sendCommand('/video_lipsync');
      await user.waitForMessage({ match: /video to lip-sync/ });
      await user.sendVideo(media('clip-720p.mp4'), { duration: 3, width: 1280, height: 720 });
      const question = await user.waitForMessage({ match: /several faces/ });
      expect(buttonsOf(question)).toEqual(['Face 1 (0–3 s)', 'Face 2 (0–3 s)']);
      await user.tapButton(question, /Face 2/);
      await user.waitForMessage({ match: /voice/ });
      await user.sendVoice(media('voice.ogg'), { duration: 3 });
      const price = await toQuoteAndConfirm(user, await user.waitForMessage(), null);
      await expectCharged(user, price, 'kling-lipsync');
      const body = JSON.parse(f.kling.requests.filter((r) => r.route === 'create' && r.kind === 'advanced-lip-sync').at(-1)!.body) as {
        session_id: string;
        face_choose: { face_id: string }[];
      };
      expect(body.face_choose[0]!.face_id).toBe('1');
    } finally {
      f.kling.faces = faces;
    }
  });

  it('refused inputs end with a clear message and no charge', async () => {
    const user = await f.newUser(1000);
    await user.sendCommand('/multi_image2video');
    await user.waitForMessage({ match: /2 to 4 photos/ });
    await user.sendPhoto(media('small.jpg'), { width: 100, height: 100 });
    expect((await user.waitForMessage()).text).toMatch(/at least 300|too small/i);
    await user.sendCommand('/cancel');
    await user.waitForMessage();
    expect(await f.ledgerOf(user)).toEqual(['grant:1000']);
  });

  describe('after delivery', () => {
    /** A kling-v1-6 text → video, delivered; returns the video message and the generation. */
    async function deliveredV16(user: FakeUser) {
      const quote = await orderText2Video(user);
      const price = Number(/Price: (\d+) credits/.exec(String(quote.text))![1]);
      const { video, generation } = await f.deliveredWithOneCharge(user, price);
      expect(generation.providerVideoId).toMatch(/^\d+$/);
      return { video, generation, price };
    }

    it('➕ Extend and 🗣 Make it talk under a delivered v1.6 video; 🔁 Again re-quotes the same inputs', async () => {
      const user = await f.newUser(1000);
      const { video, generation, price } = await deliveredV16(user);
      expect(buttonsOf(video)).toEqual(['🔁 Again', '➕ Extend', '🗣 Make it talk']);

      await user.tapButton(video, /Extend/);
      const extendPrice = await toQuoteAndConfirm(user, await user.waitForMessage(), null, [/Skip/]);
      await waitForVideo(user, 20_000);
      await eventually(async () => (await f.prisma().generation.count({ where: { userId: BigInt(user.id), state: 'delivered' } })) === 2, 15_000, 'extend');
      const extend = JSON.parse(f.kling.requests.filter((r) => r.route === 'create' && r.kind === 'video-extend').at(-1)!.body) as { video_id: string };
      expect(extend.video_id).toBe(generation.providerVideoId);

      await user.tapButton(video, /Make it talk/);
      await user.waitForMessage({ match: /voice/ });
      await user.sendVoice(media('voice.ogg'), { duration: 3 });
      const talkPrice = await toQuoteAndConfirm(user, await user.waitForMessage(), null);
      await waitForVideo(user, 20_000);
      await eventually(async () => (await f.prisma().generation.count({ where: { userId: BigInt(user.id), state: 'delivered' } })) === 3, 15_000, 'talk');
      const talk = JSON.parse(f.kling.requests.filter((r) => r.route === 'create' && r.kind === 'advanced-lip-sync').at(-1)!.body) as { session_id: string };
      expect(talk.session_id).toBeTruthy();

      await user.tapButton(video, /Again/);
      const again = await user.waitForMessage({ match: /Price: \d+ credits/ });
      expect(again.text).toContain(`Price: ${price} credits`);
      expect(await f.ledgerOf(user)).toEqual(['grant:1000', `charge:${-price}`, `charge:${-extendPrice}`, `charge:${-talkPrice}`]);
    });

    it('from /history; a source older than 30 days can no longer be extended (no charge)', async () => {
      const user = await f.newUser(1000);
      const { video, generation, price } = await deliveredV16(user);
      await user.sendCommand('/history');
      const history = await user.waitForMessage({ match: /Your recent videos/ });
      expect(buttonsOf(history)).toEqual(expect.arrayContaining(['🔁 Again 1', '➕ Extend 1', '🗣 Make it talk 1']));
      await user.tapButton(history, /Extend 1/);
      const extendPrice = await toQuoteAndConfirm(user, await user.waitForMessage(), null, [/Skip/]);
      await eventually(async () => (await f.prisma().generation.count({ where: { userId: BigInt(user.id), state: 'delivered' } })) === 2, 15_000, 'extend');

      await f.prisma().generation.update({ where: { id: generation.id }, data: { completedAt: new Date(Date.now() - 31 * 86_400_000) } });
      await user.tapButton(video, /Extend/);
      expect((await user.waitForMessage({ match: /can no longer/ })).text).toContain('This video can no longer be extended');
      expect(await f.ledgerOf(user)).toEqual(['grant:1000', `charge:${-price}`, `charge:${-extendPrice}`]);
    });
  });
});
