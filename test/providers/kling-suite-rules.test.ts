/** Pure Kling suite rules: the D.1 model matrix, extend eligibility, the lip-sync sound window. */
import { describe, expect, it } from 'vitest';
import { checkKlingExtend, fitSoundWindow, KLING_EXTENDABLE_MODELS, resolveKlingVideoOptions } from '../../src/providers/kling/index.js';

const DAY = 24 * 60 * 60 * 1000;

describe('resolveKlingVideoOptions', () => {
  const codes = (model: string, kind: 'text2video' | 'image2video', options: Record<string, string | number | boolean>, hasEndFrame = false) =>
    resolveKlingVideoOptions({ model, kind, options, hasEndFrame }).issues.map((i) => i.code);

  it('defaults: 5 s, std where the model has modes, sound "off" only where the model has sound', () => {
    expect(resolveKlingVideoOptions({ model: 'kling-v3', kind: 'text2video', options: {}, hasEndFrame: false }).fields).toEqual({ model_name: 'kling-v3', duration: '5', mode: 'std', sound: 'off' });
    expect(resolveKlingVideoOptions({ model: 'kling-v1-6', kind: 'text2video', options: {}, hasEndFrame: false }).fields).toEqual({ model_name: 'kling-v1-6', duration: '5', mode: 'std' });
    expect(resolveKlingVideoOptions({ model: 'kling-v2-master', kind: 'text2video', options: {}, hasEndFrame: false }).fields).toEqual({ model_name: 'kling-v2-master', duration: '5' });
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
    expect(checkKlingExtend({ providerModel: 'kling-v3', durationSeconds: 5, createdAt: now }, now)).toEqual({ ok: false, code: 'extend_model_not_supported' });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 5, createdAt: now - 30 * DAY }, now)).toEqual({ ok: false, code: 'source_video_expired' });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 5, createdAt: now - 30 * DAY + 60_000 }, now)).toMatchObject({ ok: true });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 175, createdAt: now }, now)).toEqual({ ok: true, resultSeconds: 180 });
    expect(checkKlingExtend({ providerModel: 'kling-v1', durationSeconds: 176, createdAt: now }, now)).toEqual({ ok: false, code: 'extend_too_long' });
  });
});

describe('fitSoundWindow', () => {
  it('inserts at the face, cuts at the end of the face window or the voice, whichever is first', () => {
    expect(fitSoundWindow({ faceStartMs: 1_000, faceEndMs: 9_000, audioMs: 3_000 })).toEqual({ ok: true, window: { sound_start_time: 0, sound_end_time: 3_000, sound_insert_time: 1_000 } });
    expect(fitSoundWindow({ faceStartMs: 1_000, faceEndMs: 9_000, audioMs: 30_000 })).toEqual({ ok: true, window: { sound_start_time: 0, sound_end_time: 8_000, sound_insert_time: 1_000 } });
  });

  it('clamps a face end that overshoots the video; refuses windows and voices under 2 s', () => {
    expect(fitSoundWindow({ faceStartMs: 0, faceEndMs: 5_004, audioMs: 9_000, videoMs: 5_000 })).toMatchObject({ ok: true, window: { sound_end_time: 5_000 } });
    expect(fitSoundWindow({ faceStartMs: 4_000, faceEndMs: 5_900, audioMs: 9_000 })).toEqual({ ok: false, code: 'face-window-too-short' });
    expect(fitSoundWindow({ faceStartMs: 0, faceEndMs: 9_000, audioMs: 1_999 })).toEqual({ ok: false, code: 'audio-too-short' });
    expect(fitSoundWindow({ faceStartMs: 0, faceEndMs: 90_000, audioMs: 90_000 })).toMatchObject({ ok: true, window: { sound_end_time: 60_000 } });
  });
});
