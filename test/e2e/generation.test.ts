import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../support/fake-telegram/index.js';
import { useBot } from '../support/bot-fixture.js';
import { eventually, media, orderImage2Video, orderLipsync, orderText2Video, waitForVideo, onlyModels, PART1_MODELS } from '../support/drive.js';

describe('generation end to end', () => {
  const f = useBot({ kie: { pollsPerStep: 1 }, kling: true, env: { POLL_INTERVAL_MS: '50', POLL_TIMEOUT_MS: '15000' } });
  const prisma = () => f.prisma();
  const { newUser, balanceOf, ledgerOf } = f;
  // These suites test the part-1 models through the Catalog v2 engine; new models have their own suite.
  beforeAll(() => onlyModels(f.prisma(), PART1_MODELS));
  const delivered = (user: FakeUser) =>
    eventually(
      async () => (await prisma().generation.count({ where: { userId: BigInt(user.id), state: { notIn: ['delivered', 'refunded'] } } })) === 0,
      10_000,
      'jobs to settle',
    );

  it.each([
    ['Kling AI Avatar', 50],
    ['InfiniteTalk 480p', 9],
    ['InfiniteTalk 720p', 36],
  ])('talking avatar with %s: charged %i once, video delivered with the model name', async (model, price) => {
    const user = await newUser(100);
    await orderLipsync(user, model);
    const video = await waitForVideo(user);
    await delivered(user);
    expect((video as { caption?: string }).caption).toContain(model);
    expect(await balanceOf(user)).toBe(100 - price);
    expect(await ledgerOf(user)).toEqual(['grant:100', `charge:${-price}`]);
    const generation = await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
    expect(generation.state).toBe('delivered');
    expect(generation.telegramFileId).toBeTruthy();
    // The inputs reached KIE through its upload service, never as a Telegram URL.
    const task = [...f.kie.tasks.values()].find((t) => t.taskId === generation.providerTaskId)!;
    expect(String(task.input.image_url)).toContain(f.kie.uploadBaseUrl);
    expect(JSON.stringify(task.input)).not.toContain(f.tg.token);
  });

  it('text to video and image to video: charged per 5-second block, delivered', async () => {
    const user = await newUser(100);
    await orderText2Video(user);
    await waitForVideo(user);
    await delivered(user);
    expect(await balanceOf(user)).toBe(65);
    await orderImage2Video(user);
    await waitForVideo(user);
    await delivered(user);
    expect(await balanceOf(user)).toBe(30);
    expect(await ledgerOf(user)).toEqual(['grant:100', 'charge:-35', 'charge:-35']);
  });

  it('a provider failure refunds exactly once and tells the user', async () => {
    const user = await newUser(100);
    f.kie.nextTaskOutcome('fail', { failCode: '500', failMsg: 'internal error' });
    await orderLipsync(user, 'Kling AI Avatar');
    const message = await user.waitForMessage({ timeoutMs: 15_000, match: /refund|returned|back/i });
    expect(message.text).toMatch(/50/);
    await eventually(async () => (await ledgerOf(user)).includes('refund:50'), 10_000, 'the refund row');
    expect(await balanceOf(user)).toBe(100);
    expect(await ledgerOf(user)).toEqual(['grant:100', 'charge:-50', 'refund:50']);
    const generation = await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
    expect(generation.state).toBe('refunded');
  });

  it('a content-policy failure at Kling refunds and says the content was rejected', async () => {
    const user = await newUser(100);
    f.kling.setNextOutcome({ status: 'failed', message: 'risk control: content policy' });
    await orderText2Video(user);
    await user.waitForMessage({ timeoutMs: 15_000, match: /refund|returned|back/i });
    await eventually(async () => (await ledgerOf(user)).includes('refund:35'), 10_000, 'the refund row');
    expect(await ledgerOf(user)).toEqual(['grant:100', 'charge:-35', 'refund:35']);
  });

  it('/history lists the videos and sends a finished one again by its file id', async () => {
    const user = await newUser(100);
    await orderLipsync(user, 'InfiniteTalk 480p');
    await waitForVideo(user);
    await delivered(user);
    await user.sendCommand('/history');
    const list = await user.waitForMessage();
    expect(list.text).toContain('InfiniteTalk 480p');
    expect(list.text).toContain('delivered');
    const generation = await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
    await user.tapButton(list, /Send #1 again/);
    const again = await waitForVideo(user);
    expect((again as unknown as { video: { file_id: string } }).video.file_id).toBe(generation.telegramFileId);
  });

  it('the voice note is uploaded to KIE as audio/ogg bytes identical to what the user sent', async () => {
    const user = await newUser(100);
    await orderLipsync(user, 'InfiniteTalk 480p');
    await waitForVideo(user);
    const generation = await prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
    const audio = [...f.kie.uploads.values()].find((u) => u.fileName.startsWith(generation.id) && u.mimeType.startsWith('audio'));
    expect(audio?.data.equals(media('voice.ogg'))).toBe(true);
  });
});

describe('timeouts', () => {
  const f = useBot({ kie: { pollsPerStep: 0 }, env: { POLL_INTERVAL_MS: '50', POLL_TIMEOUT_MS: '1500' } });
  beforeAll(() => onlyModels(f.prisma(), PART1_MODELS));

  it('a second request while one is in flight is told to wait and charged nothing', async () => {
    const user = await f.newUser(200);
    const prisma = f.prisma();
    await orderLipsync(user, 'Kling AI Avatar');
    await user.sendCommand('/lipsync');
    expect((await user.waitForMessage({ match: /already have a video/ })).text).toContain('Please wait');
    expect((await prisma.user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).balance).toBe(150);
  });

  it('a job past POLL_TIMEOUT_MS is refunded; a late success is still delivered and not charged again', async () => {
    const user = await f.newUser(60);
    const prisma = f.prisma();
    await orderLipsync(user, 'Kling AI Avatar');
    await user.waitForMessage({ timeoutMs: 10_000, match: /refund|returned|back/i });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).balance).toBe(60);

    const generation = await prisma.generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
    f.kie.completeTask(generation.providerTaskId!, 'success');
    await waitForVideo(user, 20_000);
    await eventually(async () => (await prisma.generation.findUniqueOrThrow({ where: { id: generation.id } })).state === 'delivered');
    const after = await prisma.generation.findUniqueOrThrow({ where: { id: generation.id } });
    expect(after.state).toBe('delivered');
    const ledger = await prisma.ledgerEntry.findMany({ where: { userId: BigInt(user.id) }, orderBy: { id: 'asc' } });
    expect(ledger.map((e) => `${e.kind}:${e.amount}`)).toEqual(['grant:60', 'charge:-50', 'refund:50']);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).balance).toBe(60);
  });
});
