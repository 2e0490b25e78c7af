/** Pure Kling suite rules: the model matrix (docs/providers.md §kling-suite), extend eligibility, the lip-sync sound window. */
import { describe, expect, it } from 'vitest';
import { checkKlingExtend, fitSoundWindow, KLING_EXTENDABLE_MODELS, resolveKlingVideoOptions } from '../../src/providers/kling/index.js';

const DAY = 24 * 60 * 60 * 1000;

describe('resolveKlingVideoOptions', () => {
  const codes = (model: string, kind: 'text2video' | 'image2video', options: Record<string, string | number | boolean>, hasEndFrame = false) =>
    resolveKlingVideoOptions({ model, kind, options, hasEndFrame }).issues.map((i) => i.code);

  it('defaults: 5 s, std where the model has modes, sound "off" only where the model has sound', () => {
    expect(resolveKlingVideoOptions({ model: 'kling-v3', kind: 'text2video', options: {}, hasEndFrame: false }).fields).toEqual({
      model_name: 'kling-v3',
      duration: '5',
      mode: 'std',
      sound: 'off',
    });
    expect(resolveKlingVideoOptions({ model: 'kling-v1-6', kind: 'text2video', options: {}, hasEndFrame: false }).fields).toEqual({
      model_name: 'kling-v1-6',
      duration: '5',
      mode: 'std',
    });
    expect(resolveKlingVideoOptions({ model: 'kling-v2-master', kind: 'text2video', options: {}, hasEndFrame: false }).fields).toEqual({
      model_name: 'kling-v2-master',
      duration: '5',
    });
  });

  it('the matrix', () => {
    expect(codes('kling-v1-5', 'text2video', {})).toEqual(['unsupported-kind']);
    expect(codes('kling-v2-1', 'image2video', {})).toEqual([]);
    expect(codes('kling-v2-master', 'text2video', { mode: 'pro' })).toEqual(['invalid-mode']);
    expect(codes('kling-v1-6', 'text2video', { sound: 'on' })).toEqual(['sound-not-supported']);
    expect(codes('kling-v1-6', 'text2video', { sound: 'loud' })).toEqual(['invalid-sound']);
    expect(codes('kling-v1', 'image2video', { duration: 10, mode: 'pro' }, true)).toEqual(['end-frame-five-seconds-only']);
    expect(codes('kling-v1', 'image2video', { duration: 5, mode: 'std' }, true)).toEqual([]);
    expect(codes('kling-v1-6', 'text2video', {}, true)).toEqual(['end-frame-not-supported']);
    expect(codes('kling-v1-6', 'text2video', { cfgScale: 2 })).toEqual(['invalid-cfg-scale']);
    expect(codes('kling-v1-6', 'text2video', { aspectRatio: '4:3' })).toEqual(['invalid-aspect-ratio']);
    expect(codes('kling-v9', 'text2video', {})).toEqual(['unknown-model']);
  });
});

describe('checkKlingExtend', () => {
  const now = Date.now();
  it('v1.x only, 30 days, 3 minutes', () => {
    expect(KLING_EXTENDABLE_MODELS).toEqual(['kling-v1', 'kling-v1-5', 'kling-v1-6']);
    expect(checkKlingExtend({ providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: now }, now)).toEqual({ ok: true, resultSeconds: 10 });
    expect(checkKlingExtend({ providerModel: 'kling-v3', durationSeconds: 5, createdAt: now }, now)).toEqual({ ok: false, code: 'extend-model-not-supported' });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 5, createdAt: now - 30 * DAY }, now)).toEqual({
      ok: false,
      code: 'source-video-expired',
    });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 5, createdAt: now - 30 * DAY + 60_000 }, now)).toMatchObject({ ok: true });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 175, createdAt: now }, now)).toEqual({ ok: true, resultSeconds: 180 });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 176, createdAt: now }, now)).toEqual({ ok: false, code: 'extend-too-long' });
  });
});

describe('fitSoundWindow', () => {
  it('inserts at the face, cuts at the end of the face window or the voice, whichever is first', () => {
    expect(fitSoundWindow({ faceStartMs: 1_000, faceEndMs: 9_000, audioMs: 3_000 })).toEqual({
      ok: true,
      window: { sound_start_time: 0, sound_end_time: 3_000, sound_insert_time: 1_000 },
    });
    expect(fitSoundWindow({ faceStartMs: 1_000, faceEndMs: 9_000, audioMs: 30_000 })).toEqual({
      ok: true,
      window: { sound_start_time: 0, sound_end_time: 8_000, sound_insert_time: 1_000 },
    });
  });

  it('clamps a face end that overshoots the video; refuses windows and voices under 2 s', () => {
    expect(fitSoundWindow({ faceStartMs: 0, faceEndMs: 5_004, audioMs: 9_000, videoMs: 5_000 })).toMatchObject({ ok: true, window: { sound_end_time: 5_000 } });
    expect(fitSoundWindow({ faceStartMs: 4_000, faceEndMs: 5_900, audioMs: 9_000 })).toEqual({ ok: false, code: 'face-window-too-short' });
    expect(fitSoundWindow({ faceStartMs: 0, faceEndMs: 9_000, audioMs: 1_999 })).toEqual({ ok: false, code: 'audio-too-short' });
    expect(fitSoundWindow({ faceStartMs: 0, faceEndMs: 90_000, audioMs: 90_000 })).toMatchObject({ ok: true, window: { sound_end_time: 60_000 } });
  });
});

describe('every issue code the suite returns has a message in en and ru', () => {
  it('validate(), the video rules and the sound window', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { Readable } = await import('node:stream');
    const { createKlingSuiteProvider } = await import('../../src/providers/kling/index.js');
    const { checkVideoMeta, checkLipSyncVideo, LIPSYNC_VIDEO_RULES } = await import('../../src/media/probe.js');
    const keys = (lang: string) => {
      const dir = new URL(`../../locales/${lang}/`, import.meta.url);
      return new Set(
        readdirSync(dir)
          .flatMap((f) => readFileSync(new URL(f, dir), 'utf8').split('\n'))
          .map((l) => /^([a-z][a-z0-9-]*)\s*=/.exec(l)?.[1])
          .filter(Boolean),
      );
    };
    const provider = createKlingSuiteProvider({ accessKey: 'a', secretKey: 's', apiBaseUrl: 'http://127.0.0.1:9' });
    const img = (w: number, h: number, mime = 'image/png') => ({ open: async () => Readable.from([]), size: 10, mime, fileName: 'x', width: w, height: h });
    const video = { open: async () => Readable.from([]), size: 200 * 1024 * 1024, mime: 'video/mp4', fileName: 'v', width: 300, height: 300 };
    const old = { providerVideoId: '1', providerModel: 'kling-v3', durationSeconds: 178, createdAt: 0 };
    const base = { generationId: 'g', options: {} };
    const requests = [
      { ...base, kind: 'text2video', providerModel: 'kling-v9', prompt: '' },
      {
        ...base,
        kind: 'text2video',
        providerModel: 'kling-v2-6',
        prompt: 'x'.repeat(3000),
        negativePrompt: 'x'.repeat(3000),
        options: { sound: 'loud', duration: 7, mode: 'turbo', aspectRatio: '4:3', cfgScale: 0.5 },
      },
      { ...base, kind: 'text2video', providerModel: 'kling-v2-6', prompt: 'x', options: { sound: 'on', mode: 'std' } },
      { ...base, kind: 'text2video', providerModel: 'kling-v1-6', prompt: 'x', options: { sound: 'on', cfgScale: 5 } },
      { ...base, kind: 'image2video', providerModel: 'kling-v1', image: img(100, 1000, 'image/gif'), endImage: img(500, 500), options: { duration: 10 } },
      { ...base, kind: 'image2video', providerModel: 'kling-v2-6', image: img(500, 500), endImage: img(500, 500), options: { mode: 'std' } },
      { ...base, kind: 'image2video', providerModel: 'kling-v2-6', image: img(500, 500), endImage: img(500, 500), options: { mode: 'pro', sound: 'on' } },
      { ...base, kind: 'image2video', providerModel: 'kling-v2-master' },
      { ...base, kind: 'image2video', providerModel: 'kling-v2-master', image: img(500, 500), endImage: img(500, 500) },
      { ...base, kind: 'lipsync', providerModel: 'kling-avatar-std', audioSeconds: 1 },
      { ...base, kind: 'lipsync', providerModel: 'kling-avatar-std', image: img(500, 500), audioSeconds: 400, options: { mode: 'ultra' } },
      { ...base, kind: 'video_extend', providerModel: 'x' },
      { ...base, kind: 'video_extend', providerModel: 'x', sourceVideo: old, options: { cfgScale: 3 } },
      { ...base, kind: 'video_extend', providerModel: 'x', sourceVideo: { ...old, providerModel: 'kling-v1', createdAt: Date.now() } },
      { ...base, kind: 'video_extend', providerModel: 'x', sourceVideo: { ...old, providerModel: 'kling-v1' } },
      { ...base, kind: 'video_lipsync', providerModel: 'x', audioSeconds: 1 },
      { ...base, kind: 'video_lipsync', providerModel: 'x', sourceVideo: { ...old, durationSeconds: 90 } },
      { ...base, kind: 'video_lipsync', providerModel: 'x', video, videoSeconds: 1 },
      { ...base, kind: 'video_lipsync', providerModel: 'x', video, videoSeconds: 100 },
      { ...base, kind: 'multi_image2video', providerModel: 'kling-v2-6', images: [img(500, 500)], options: { duration: 7, mode: 'x', aspectRatio: '4:3' } },
      { ...base, kind: 'motion_control', providerModel: 'kling-v1-6', options: { characterOrientation: 'upside', mode: 'x' } },
      { ...base, kind: 'motion_control', providerModel: 'kling-v3', image: img(500, 500), video, videoSeconds: 2 },
      { ...base, kind: 'motion_control', providerModel: 'kling-v3', image: img(500, 500), video, videoSeconds: 40 },
    ] as Parameters<typeof provider.validate>[0][];
    const codes = new Set<string>(requests.flatMap((r) => provider.validate(r).map((i) => i.code)));
    for (const i of [...checkVideoMeta({ width: 100, height: 100, durationSeconds: 1 }, LIPSYNC_VIDEO_RULES), ...checkLipSyncVideo({ formatName: '' }, 1)])
      codes.add(i.code);
    for (const r of [fitSoundWindow({ faceStartMs: 0, faceEndMs: 1000, audioMs: 5000 }), fitSoundWindow({ faceStartMs: 0, faceEndMs: 9000, audioMs: 1000 })])
      if (!r.ok) codes.add(r.code);
    for (const code of ['no-face', 'input-too-large']) codes.add(code);
    expect(codes.size).toBeGreaterThan(35);
    const en = keys('en');
    const ru = keys('ru');
    const missing = [...codes].filter((code) => !en.has(`issue-${code}`) || !ru.has(`issue-${code}`));
    expect(missing).toEqual([]);
  });
});
