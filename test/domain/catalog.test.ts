import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFit, getModel, isAvailable, listModels, quote, validateRequest } from '../../src/domain/catalog.js';
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
    expect(all.map((m) => m.slug)).toEqual(['kling-ai-avatar', 'infinitalk-480p', 'infinitalk-720p', 'kling-text2video', 'kling-image2video']);
    const infinitalk = all[1]!;
    expect(infinitalk).toMatchObject({ provider: 'kie', kind: 'lipsync', priceRule: 'per_second', priceAmount: 3, configured: true });
    expect(infinitalk.limits).toEqual({ maxAudioSeconds: 15, maxImageBytes: 10_000_000, maxAudioBytes: 10_000_000, maxPromptLength: 5000 });
    expect(infinitalk.defaults).toEqual({ resolution: '480p' });

    const kieOnly = new Set<ProviderId>(['kie']);
    expect((await listModels(t.db.prisma, { configuredProviders: kieOnly })).map((m) => m.provider)).toEqual(['kie', 'kie', 'kie']);
    const forAdmin = await listModels(t.db.prisma, { configuredProviders: kieOnly, includeUnconfigured: true });
    expect(forAdmin.filter((m) => !m.configured).map((m) => m.slug)).toEqual(['kling-text2video', 'kling-image2video']);
    expect((await listModels(t.db.prisma, { kind: 'text2video', configuredProviders: BOTH })).map((m) => m.slug)).toEqual(['kling-text2video']);
  });

  it('enabledOnly hides switched-off models; getModel reports availability', async () => {
    await t.db.prisma.catalogModel.update({ where: { slug: 'infinitalk-720p' }, data: { enabled: false } });
    const enabled = await listModels(t.db.prisma, { enabledOnly: true, kind: 'lipsync', configuredProviders: BOTH });
    expect(enabled.map((m) => m.slug)).toEqual(['kling-ai-avatar', 'infinitalk-480p']);
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

  it('validateRequest adds the provider checks and reports a missing provider', async () => {
    const registry = createProviderRegistry({
      kie: { apiKey: 'k', apiBaseUrl: 'http://127.0.0.1:9', uploadBaseUrl: 'http://127.0.0.1:9' },
      timeoutMs: 1000,
      logger: silentLogger,
    });
    expect([...registry.configured]).toEqual(['kie']);
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
