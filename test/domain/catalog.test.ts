import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFit, getModel, isAvailable, listModels, offeredValues, quote, validateRequest } from '../../src/domain/catalog.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import type { ProviderId } from '../../src/providers/types.js';
import { BOTH, lipsyncInputs, openTestDb, silentLogger, textInputs, type TestDb } from '../support/builders.js';

describe('catalog', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists typed models in sort order, hiding unconfigured providers unless asked', async () => {
    const all = await listModels(t.db.prisma, { configuredProviders: BOTH });
    const part1 = ['kling-ai-avatar', 'infinitalk-480p', 'infinitalk-720p', 'kling-text2video', 'kling-image2video'];
    expect(all.map((m) => m.slug).filter((slug) => part1.includes(slug))).toEqual(part1);
    // BOTH has no 'veo': the Veo rows are hidden like any unconfigured provider's.
    expect(all.some((m) => m.provider === 'veo')).toBe(false);
    const infinitalk = all.find((m) => m.slug === 'infinitalk-480p')!;
    expect(infinitalk).toMatchObject({ provider: 'kie', kind: 'lipsync', priceRule: 'per_second', priceAmount: 3, configured: true });
    expect(infinitalk.limits).toEqual({ maxAudioSeconds: 15, maxImageBytes: 10_000_000, maxAudioBytes: 10_000_000, maxPromptLength: 5000 });
    expect(infinitalk.defaults).toEqual({ resolution: '480p' });

    const kieOnly = new Set<ProviderId>(['kie']);
    expect(new Set((await listModels(t.db.prisma, { configuredProviders: kieOnly })).map((m) => m.provider))).toEqual(new Set(['kie']));
    const forAdmin = await listModels(t.db.prisma, { configuredProviders: kieOnly, includeUnconfigured: true });
    expect(forAdmin.filter((m) => !m.configured && m.provider === 'kling').map((m) => m.slug)).toEqual(
      expect.arrayContaining(['kling-text2video', 'kling-image2video', 'kling-v2-6-t2v', 'kling-v3-i2v', 'kling-avatar-std', 'kling-extend']),
    );
    expect((await listModels(t.db.prisma, { kind: 'text2video', configuredProviders: new Set<ProviderId>(['kling']) })).map((m) => m.slug)).toEqual([
      'kling-text2video',
      'kling-v2-6-t2v',
      'kling-v3-t2v',
    ]);
  });

  it('enabledOnly hides switched-off models; getModel reports availability', async () => {
    await t.db.prisma.catalogModel.update({ where: { slug: 'infinitalk-720p' }, data: { enabled: false } });
    const enabled = await listModels(t.db.prisma, { enabledOnly: true, kind: 'lipsync', configuredProviders: BOTH });
    expect(enabled.map((m) => m.slug)).toEqual(['kling-ai-avatar', 'kling-avatar-std', 'kling-ai-avatar-pro', 'kling-avatar-pro', 'infinitalk-480p']);
    const off = await getModel(t.db.prisma, 'infinitalk-720p', BOTH);
    expect(off && isAvailable(off)).toBe(false);
    const unconfigured = await getModel(t.db.prisma, 'kling-text2video', new Set(['kie']));
    expect(unconfigured?.configured).toBe(false);
    expect(await getModel(t.db.prisma, 'nope')).toBeNull();
    await t.db.prisma.catalogModel.update({ where: { slug: 'infinitalk-720p' }, data: { enabled: true } });
  });

  it('ignores malformed limits JSON instead of failing', async () => {
    await t.db.prisma.catalogModel.update({ where: { slug: 'kling-ai-avatar' }, data: { limits: { maxAudioSeconds: 'ten', maxPromptLength: 100 } } });
    const model = (await getModel(t.db.prisma, 'kling-ai-avatar', BOTH))!;
    expect(model.limits).toEqual({ maxPromptLength: 100 });
    await t.db.prisma.catalogModel.update({
      where: { slug: 'kling-ai-avatar' },
      data: { limits: { maxAudioSeconds: 15, maxImageBytes: 10_000_000, maxAudioBytes: 10_000_000, maxPromptLength: 5000 } },
    });
  });

  it('quotes by the model rule', async () => {
    const infinitalk = (await getModel(t.db.prisma, 'infinitalk-720p', BOTH))!;
    expect(quote(infinitalk, lipsyncInputs(4.2))).toBe(60);
    const t2v = (await getModel(t.db.prisma, 'kling-text2video', BOTH))!;
    expect(quote(t2v, textInputs(10))).toBe(70);
    expect(quote(t2v, { prompt: 'x', options: {} })).toBe(35);
  });

  it('checkFit reports the catalog limits', async () => {
    const infinitalk = (await getModel(t.db.prisma, 'infinitalk-480p', BOTH))!;
    expect(checkFit(infinitalk, lipsyncInputs(3))).toEqual([]);
    expect(checkFit(infinitalk, lipsyncInputs(16.2))).toEqual([{ code: 'audio-too-long', vars: { max: 15, seconds: 17 } }]);
    const big = lipsyncInputs(3);
    big.audio = { ...big.audio!, size: 12_000_000 };
    big.prompt = 'x'.repeat(5001);
    expect(checkFit(infinitalk, big).map((i) => i.code)).toEqual(['prompt-too-long', 'audio-too-large']);
    expect(checkFit(infinitalk, { options: {} }).map((i) => i.code)).toEqual(['image-missing', 'audio-missing', 'audio-duration-unknown']);

    const i2v = (await getModel(t.db.prisma, 'kling-image2video', BOTH))!;
    const small = { prompt: 'move', image: { fileId: 'f', mime: 'image/jpeg', size: 1000, fileName: 'a.jpg', width: 200, height: 400 }, options: {} };
    expect(checkFit(i2v, small)).toEqual([{ code: 'image-too-small', vars: { minSide: 300 } }]);
    const t2v = (await getModel(t.db.prisma, 'kling-text2video', BOTH))!;
    expect(checkFit(t2v, { prompt: '  ', options: {} }).map((i) => i.code)).toEqual(['prompt-required']);
  });

  it('specs: options offered by the spec and the operator, refused combinations, multipliers in the quote', async () => {
    const hailuo = (await getModel(t.db.prisma, 'hailuo-2-3-i2v', BOTH))!;
    expect(offeredValues(hailuo, 'resolution', { duration: '6' })).toEqual(['768p', '1080p']);
    expect(offeredValues(hailuo, 'resolution', { duration: '10' })).toEqual(['768p']);
    const image = { fileId: 'f', mime: 'image/png', size: 1000, fileName: 'a.png', width: 800, height: 800 };
    expect(quote(hailuo, { prompt: 'x', image, options: { duration: 6, resolution: '1080p' } })).toBe(48);
    expect(checkFit(hailuo, { prompt: 'x', image, options: { duration: 10, resolution: '1080p' } }).map((i) => i.code)).toEqual(['option-invalid']);

    const kling3 = (await getModel(t.db.prisma, 'kling-3-t2v', BOTH))!;
    expect(quote(kling3, { prompt: 'x', options: {} })).toBe(75); // defaults: pro, 5 s
    expect(quote(kling3, { prompt: 'x', options: { mode: 'std', duration: 3, sound: true } })).toBe(45);
    // An operator narrows the offer: a stale choice is refused, the default moves to what is offered.
    await t.db.prisma.catalogModel.update({
      where: { slug: 'kling-3-t2v' },
      data: { offeredOptions: { mode: ['std'] }, optionMultipliers: { 'sound:on': 2 } },
    });
    const narrowed = (await getModel(t.db.prisma, 'kling-3-t2v', BOTH))!;
    expect(offeredValues(narrowed, 'mode', {})).toEqual(['std']);
    expect(checkFit(narrowed, { prompt: 'x', options: { mode: 'pro' } }).map((i) => i.code)).toEqual(['option-invalid']);
    expect(quote(narrowed, { prompt: 'x', options: { sound: true } })).toBe(100);
    expect(checkFit(narrowed, { prompt: 'x'.repeat(2501), options: {} }).map((i) => i.code)).toEqual(['prompt-too-long']);
    expect(checkFit(narrowed, { prompt: 'x', image, options: {} }).map((i) => i.code)).toEqual(['image-not-accepted']);
  });

  it('validateRequest adds the provider checks and reports a missing provider', async () => {
    const registry = createProviderRegistry({
      kie: { apiKey: 'k', apiBaseUrl: 'http://127.0.0.1:9', uploadBaseUrl: 'http://127.0.0.1:9' },
      timeoutMs: 1000,
      logger: silentLogger,
    });
    expect([...registry.configured]).toEqual(['kie', 'veo']);
    const infinitalk = (await getModel(t.db.prisma, 'infinitalk-480p', registry.configured))!;
    expect(validateRequest(infinitalk, lipsyncInputs(3), registry.get('kie'))).toEqual([]);
    const wrong = lipsyncInputs(3);
    wrong.audio = { ...wrong.audio!, mime: 'video/mp4' };
    wrong.options = { seed: 5 };
    expect(validateRequest(infinitalk, wrong, registry.get('kie')).map((i) => i.code)).toEqual(['audio-type', 'seed-out-of-range']);
    const t2v = (await getModel(t.db.prisma, 'kling-text2video', registry.configured))!;
    expect(validateRequest(t2v, textInputs(), registry.get('kling'))).toEqual([{ code: 'model-unavailable' }]);
  });
});
