import { beforeAll, describe, expect, it } from 'vitest';
import { useBot } from '../support/bot-fixture.js';
import { buttonsOf as buttons, media, startLipsyncWithPhoto, onlyModels, PART1_MODELS } from '../support/drive.js';
import { staysTrue } from '../support/wait.js';

describe('generation flows up to the charge', () => {
  const f = useBot({ kie: { pollsPerStep: 1000 }, kling: { lifecycle: { unit: 'manual' } } });
  const { newUser, balanceOf } = f;
  // These suites test the part-1 models through the Catalog v2 engine; new models have their own suite.
  beforeAll(() => onlyModels(f.prisma(), PART1_MODELS));

  it('talking avatar: re-prompts bad input, hides models the audio does not fit, charges once on a double tap', async () => {
    const user = await newUser(100);
    await user.sendCommand('/lipsync');
    expect((await user.waitForMessage()).text).toContain('Send a photo of the person');

    await user.sendText('hello');
    expect((await user.waitForMessage()).text).toContain('That is not a photo');
    await user.sendDocument(media('not-media.txt'), { fileName: 'notes.txt', mimeType: 'text/plain' });
    expect((await user.waitForMessage()).text).toContain('That is not a photo');
    await user.sendDocument(media('not-media.txt'), { fileName: 'fake.jpg', mimeType: 'image/jpeg' });
    expect((await user.waitForMessage()).text).toContain('not a JPEG, PNG or WEBP');

    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    expect((await user.waitForMessage()).text).toContain('Got the photo');
    expect((await user.waitForMessage()).text).toContain('Now send the speech');

    await user.sendVoice(media('long-voice.ogg'), { duration: 20 });
    const refusal = await user.waitForMessage();
    expect(refusal.text).toContain('None of the models can take this input');
    expect(refusal.text).toMatch(/InfiniteTalk 480p: the audio is 20 s, this model takes at most 15 s/);
    expect(refusal.text).toContain('Please send a shorter voice note');
    // An MP3 sent as a document: its length is parsed from the file (4 s → 12 credits at 480p).
    await user.sendDocument(media('speech.mp3'), { fileName: 'speech.mp3', mimeType: 'audio/mpeg' });
    const choice = await user.waitForMessage();
    expect(buttons(choice)).toEqual(['Kling AI Avatar — 50 credits', 'InfiniteTalk 480p — 15 credits', 'InfiniteTalk 720p — 60 credits']);
  });

  it('talking avatar with a short voice note: per-second price, optional prompt, quote, confirm, double tap', async () => {
    const user = await newUser(100);
    await startLipsyncWithPhoto(user);
    await user.sendVoice(media('voice.ogg'), { duration: 3 });
    const choice = await user.waitForMessage();
    expect(buttons(choice)).toEqual(['Kling AI Avatar — 50 credits', 'InfiniteTalk 480p — 9 credits', 'InfiniteTalk 720p — 36 credits']);
    await user.tapButton(choice, 'InfiniteTalk 480p — 9 credits');
    const askPrompt = await user.waitForMessage();
    expect(askPrompt.text).toContain('describe how the person should speak');
    await user.sendText('x'.repeat(5001));
    expect((await user.waitForMessage()).text).toMatch(/The text is too long: 5,001 characters, at most 5,000\./);
    await user.sendText('Smiling, friendly');
    const quote = await user.waitForMessage();
    expect(quote.text).toContain('InfiniteTalk 480p');
    expect(quote.text).toContain('Price: 9 credits');
    expect(quote.text).toContain('Your balance: 100 credits');

    await Promise.all([user.tapButton(quote, /Confirm/), user.tapButton(quote, /Confirm/)]);
    expect((await user.waitForMessage({ match: /Started/ })).text).toContain('Started! InfiniteTalk 480p is making your video');
    // The second tap must not charge again: the books stay at one charge for a while.
    const charged = () => f.prisma().ledgerEntry.count({ where: { userId: BigInt(user.id), kind: 'charge' } });
    await staysTrue(async () => (await charged()) <= 1, 300, 'at most one charge');
    expect(await balanceOf(user)).toBe(91);
    const charges = await f.prisma().ledgerEntry.findMany({ where: { userId: BigInt(user.id), kind: 'charge' } });
    expect(charges.map((c) => c.amount)).toEqual([-9]);
    const generation = await f.prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
    expect(generation.price).toBe(9);
    expect(generation.modelSlug).toBe('infinitalk-480p');
  });

  it('text to video: empty and too long prompts re-prompt; insufficient balance is not charged', async () => {
    const user = await newUser(20, 'ru');
    await user.sendCommand('/text2video');
    expect((await user.waitForMessage()).text).toContain('Опишите видео');
    await user.sendText('y'.repeat(2501));
    expect((await user.waitForMessage()).text).toMatch(/Слишком длинный текст: 2\s501 символ, максимум 2\s500\./);
    await user.sendText('A cat surfing a wave at sunset');
    const duration = await user.waitForMessage();
    await user.tapButton(duration, '10 секунд');
    const aspect = await user.waitForMessage();
    await user.tapButton(aspect, '9:16 вертикальное');
    const negative = await user.waitForMessage({ match: /чего в видео быть не должно/ });
    await user.tapButton(negative, 'Пропустить');
    const quote = await user.waitForMessage();
    expect(quote.text).toContain('Цена: 70 кредитов');
    expect(quote.text).not.toContain('Избегать');
    expect(quote.text).toContain('Не хватает кредитов: нужно ещё 50');
    await user.tapButton(quote, /Подтвердить/);
    expect((await user.waitForMessage()).text).toContain('Не хватает кредитов: цена 70, ваш баланс 20. Ничего не списано.');
    expect(await balanceOf(user)).toBe(20);
  });

  it('image to video: refuses a too small picture, then quotes per 5-second block', async () => {
    const user = await newUser(100);
    await user.sendCommand('/image2video');
    expect((await user.waitForMessage()).text).toContain('Send the picture');
    await user.sendPhoto(media('small.jpg'), { width: 200, height: 200 });
    expect((await user.waitForMessage()).text).toContain('The picture is too small');
    await user.sendDocument(media('wide.png'), { fileName: 'wide.png', mimeType: 'image/png' });
    expect((await user.waitForMessage()).text).toContain('too narrow or too wide');
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    expect((await user.waitForMessage()).text).toContain('Describe what should happen');
    await user.sendText('She waves and smiles');
    await user.tapButton(await user.waitForMessage(), '5 seconds');
    await user.tapButton(await user.waitForMessage({ match: /should avoid/ }), 'Skip');
    const quote = await user.waitForMessage();
    expect(quote.text).toContain('Price: 35 credits');
    await user.tapButton(quote, /Cancel/);
    expect((await user.waitForMessage()).text).toBe('Cancelled. Nothing was charged.');
    expect(await balanceOf(user)).toBe(100);
  });

  it('/cancel leaves a flow at any step', async () => {
    const user = await newUser(10);
    await user.sendCommand('/lipsync');
    await user.waitForMessage();
    await user.sendCommand('/cancel');
    expect((await user.waitForMessage()).text).toBe('Cancelled. Nothing was charged.');
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    expect((await user.waitForMessage()).text).toBe('Send /start to see the menu.');
  });
});
