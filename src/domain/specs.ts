/**
 * Every model the bot can sell (docs/providers.md §kie-models, §kling, §market, §veo). Adding a model is
 * a spec here plus its wire mapping in the provider (src/providers/kie/market-models.ts,
 * src/providers/veo/); seeding adds its catalog row. Default prices are at least twice the
 * provider's cost at 1 credit ≈ 1 ⭐ ≈ $0.013 (KIE: 1 credit ≈ $0.005, docs/providers.md §pricing).
 */
import type { ModelSpec } from './model-spec.js';

const MB = 1024 * 1024;
const KIE_IMAGE = { mimes: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 10 * MB } as const;
const KIE_AUDIO_MIMES = ['audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/aac', 'audio/mp4', 'audio/ogg'];
const KLING_IMAGE = { mimes: ['image/jpeg', 'image/png'], maxBytes: 10 * MB, minSide: 300, maxRatio: 2.5 } as const;
const LIPSYNC_LIMITS = { maxAudioSeconds: 15, maxImageBytes: 10_000_000, maxAudioBytes: 10_000_000, maxPromptLength: 5000 };

const soundOption = { key: 'sound', values: ['off', 'on'], default: 'off' } as const;
const KLING_VIDEO_MIMES = ['video/mp4', 'video/quicktime'];
const KLING_STD_PRO = { key: 'mode', values: ['std', 'pro'], default: 'std' } as const;

export const MODEL_SPECS: readonly ModelSpec[] = [
  // ---- part 1 (behaviour unchanged) ----------------------------------------------------------
  {
    id: 'kling-ai-avatar',
    task: 'lipsync',
    provider: 'kie',
    providerModel: 'kling/ai-avatar-standard',
    displayName: 'Kling AI Avatar',
    family: { id: 'kling-avatar', variant: 'std' },
    image: KIE_IMAGE,
    audio: { mimes: KIE_AUDIO_MIMES, maxBytes: 10 * MB, maxSeconds: 15 },
    prompt: { required: false, max: 5000 },
    options: [],
    // Part-1 price kept: ≈8 KIE credits/s ($0.04/s) × the 15 s maximum = $0.60 worst case, so 50 credits
    // ($0.65) is ≥2× only up to 8 s of audio (README §Models); `/price … 7 per_second` gives 2× always.
    price: { rule: 'fixed', amount: 50, costUsd: 0.6 },
    seed: { enabled: true, sortOrder: 10, limits: LIPSYNC_LIMITS },
  },
  {
    id: 'infinitalk-480p',
    task: 'lipsync',
    provider: 'kie',
    providerModel: 'infinitalk/from-audio',
    displayName: 'InfiniteTalk 480p',
    image: KIE_IMAGE,
    audio: { mimes: KIE_AUDIO_MIMES, maxBytes: 10 * MB, maxSeconds: 15 },
    prompt: { required: false, max: 5000 },
    options: [],
    price: { rule: 'per_second', amount: 3, costUsd: 0.015 },
    seed: { enabled: true, sortOrder: 20, defaults: { resolution: '480p' }, limits: LIPSYNC_LIMITS },
  },
  {
    id: 'infinitalk-720p',
    task: 'lipsync',
    provider: 'kie',
    providerModel: 'infinitalk/from-audio',
    displayName: 'InfiniteTalk 720p',
    image: KIE_IMAGE,
    audio: { mimes: KIE_AUDIO_MIMES, maxBytes: 10 * MB, maxSeconds: 15 },
    prompt: { required: false, max: 5000 },
    options: [],
    price: { rule: 'per_second', amount: 12, costUsd: 0.06 },
    seed: { enabled: true, sortOrder: 30, defaults: { resolution: '720p' }, limits: LIPSYNC_LIMITS },
  },
  {
    id: 'kling-text2video',
    task: 'text2video',
    provider: 'kling',
    providerModel: 'kling-v1-6',
    displayName: 'Kling text-to-video',
    prompt: { required: true, max: 2500 },
    negativePrompt: { max: 2500 },
    options: [
      { key: 'duration', values: ['5', '10'], default: '5' },
      { key: 'aspectRatio', values: ['16:9', '9:16', '1:1'], default: '16:9' },
    ],
    price: { rule: 'per_5s', amount: 35, costUsd: 0.14 },
    seed: { enabled: true, sortOrder: 40, defaults: { mode: 'std' }, limits: { maxPromptLength: 2500 } },
  },
  {
    id: 'kling-image2video',
    task: 'image2video',
    provider: 'kling',
    providerModel: 'kling-v1-6',
    displayName: 'Kling image-to-video',
    image: KLING_IMAGE,
    prompt: { required: true, max: 2500 },
    negativePrompt: { max: 2500 },
    options: [{ key: 'duration', values: ['5', '10'], default: '5' }],
    price: { rule: 'per_5s', amount: 35, costUsd: 0.14 },
    seed: { enabled: true, sortOrder: 50, defaults: { mode: 'std' }, limits: { maxPromptLength: 2500, maxImageBytes: 10_000_000, minImageSide: 300 } },
  },

  // ---- Official Kling suite (docs/providers.md §kling-suite; issue 11) ----------------------------
  // Kling 2.6 / 3.0 and the avatar are also sold by KIE: same `family`, so the user sees one entry
  // and the job runs on the admin's preferred provider (src/domain/model-families.ts). Sound comes
  // before mode, so "sound on" leaves only Pro where Kling requires it (v2.6).
  ...(['t2v', 'i2v'] as const).map((kind): ModelSpec => ({
    id: `kling-v2-6-${kind}`,
    task: kind === 't2v' ? 'text2video' : 'image2video',
    provider: 'kling',
    providerModel: 'kling-v2-6',
    displayName: 'Kling 2.6',
    family: { id: 'kling-2.6' },
    ...(kind === 'i2v' ? { image: KLING_IMAGE } : {}),
    prompt: { required: true, max: 2500 },
    negativePrompt: { max: 2500 },
    options: [
      { key: 'duration', values: ['5', '10'], default: '5' },
      ...(kind === 't2v' ? [{ key: 'aspectRatio', values: ['16:9', '9:16', '1:1'], default: '16:9' } as const] : []),
      soundOption,
      KLING_STD_PRO,
    ],
    refused: [{ sound: 'on', mode: 'std' }],
    // Kling 2.6 std ≈ $0.21 per 5 s, pro ×1.5, sound (pro) ×2: 45 ⭐ per 5 s ($0.585).
    price: { rule: 'per_5s', amount: 45, multipliers: { 'mode:pro': 1.5, 'sound:on': 2 }, costUsd: 0.21 },
    seed: { enabled: true, sortOrder: 61, limits: { maxPromptLength: 2500 } },
  })),
  ...(['t2v', 'i2v'] as const).map((kind): ModelSpec => ({
    id: `kling-v3-${kind}`,
    task: kind === 't2v' ? 'text2video' : 'image2video',
    provider: 'kling',
    providerModel: 'kling-v3',
    displayName: 'Kling 3.0',
    family: { id: 'kling-3.0' },
    ...(kind === 'i2v' ? { image: KLING_IMAGE, endImage: KLING_IMAGE } : {}),
    prompt: { required: true, max: 2500 },
    negativePrompt: { max: 2500 },
    options: [
      { key: 'mode', values: ['std', 'pro'], default: 'pro' },
      { key: 'duration', values: ['3', '5', '10', '15'], default: '5' },
      ...(kind === 't2v' ? [{ key: 'aspectRatio', values: ['16:9', '9:16', '1:1'], default: '16:9' } as const] : []),
      soundOption,
    ],
    // Kling 3.0 std ≈ $0.06/s: 10 ⭐ per output second, pro ×1.5, sound ×1.5.
    price: { rule: 'per_output_second', amount: 10, multipliers: { 'mode:pro': 1.5, 'sound:on': 1.5 }, costUsd: 0.06 },
    seed: { enabled: true, sortOrder: 71, limits: { maxPromptLength: 2500 } },
  })),
  ...(
    [
      ['std', 'Kling AI Avatar', 7, 0.04, 11],
      ['pro', 'Kling AI Avatar Pro', 13, 0.08, 16],
    ] as const
  ).map(([mode, name, amount, cost, order]): ModelSpec => ({
    id: `kling-avatar-${mode}`,
    task: 'lipsync',
    provider: 'kling',
    providerModel: `kling-avatar-${mode}`,
    displayName: name,
    family: { id: 'kling-avatar', variant: mode },
    image: KLING_IMAGE,
    // Any voice: the provider converts it to mp3 (src/media/audio-convert.ts); 2 s up to the cap.
    audio: { mimes: KIE_AUDIO_MIMES, maxBytes: 10 * MB, minSeconds: 2, maxSeconds: 300 },
    prompt: { required: false, max: 2500 },
    options: [],
    price: { rule: 'per_second', amount, costUsd: cost },
    seed: { enabled: true, sortOrder: order, limits: { maxAudioSeconds: 60, maxImageBytes: 10_000_000, minImageSide: 300 } },
  })),
  {
    id: 'kling-multi-image',
    task: 'multi_image2video',
    provider: 'kling',
    providerModel: 'kling-v1-6',
    displayName: 'Kling 1.6 (several photos)',
    images: { min: 2, max: 4, rule: KLING_IMAGE },
    prompt: { required: true, max: 2500 },
    negativePrompt: { max: 2500 },
    options: [KLING_STD_PRO, { key: 'duration', values: ['5', '10'], default: '5' }, { key: 'aspectRatio', values: ['16:9', '9:16', '1:1'], default: '16:9' }],
    price: { rule: 'per_5s', amount: 35, multipliers: { 'mode:pro': 1.75 }, costUsd: 0.14 },
    seed: { enabled: true, sortOrder: 200 },
  },
  ...(
    [
      ['v2-6', 'kling-v2-6', 'Kling 2.6 motion'],
      ['v3', 'kling-v3', 'Kling 3.0 motion'],
    ] as const
  ).map(([id, model, name], i): ModelSpec => ({
    id: `kling-motion-${id}`,
    task: 'motion_control',
    provider: 'kling',
    providerModel: model,
    displayName: name,
    image: KLING_IMAGE,
    // The character keeps the photo's orientation: a 3–10 s reference (motionVideoRules('image')).
    video: { mimes: KLING_VIDEO_MIMES, maxBytes: 100 * MB, minSeconds: 3, maxSeconds: 10, minSide: 340, maxSide: 3850 },
    prompt: { required: false, max: 2500 },
    options: [KLING_STD_PRO],
    // ≈ $0.07/s std: 10 ⭐ per second of the reference, pro ×1.5.
    price: { rule: 'per_output_second', amount: 10, multipliers: { 'mode:pro': 1.5 }, costUsd: 0.07 },
    seed: { enabled: true, sortOrder: 210 + i, defaults: { characterOrientation: 'image' } },
  })),
  {
    id: 'kling-lipsync',
    task: 'video_lipsync',
    provider: 'kling',
    providerModel: 'kling-lipsync',
    displayName: 'Kling lip-sync',
    video: { mimes: KLING_VIDEO_MIMES, maxBytes: 100 * MB, minSeconds: 2, maxSeconds: 60, minSide: 512, maxSide: 2160 },
    sourceVideo: 'accepted',
    audio: { mimes: KIE_AUDIO_MIMES, maxBytes: 10 * MB, minSeconds: 2, maxSeconds: 60 },
    prompt: { required: false, max: 0 },
    options: [],
    // ≈ $0.03 per second of video: 5 ⭐ per second.
    price: { rule: 'per_output_second', amount: 5, costUsd: 0.03 },
    seed: { enabled: true, sortOrder: 220 },
  },
  {
    id: 'kling-extend',
    task: 'video_extend',
    provider: 'kling',
    providerModel: 'kling-v1-6',
    displayName: 'Kling extend (+4–5 s)',
    sourceVideo: 'required',
    prompt: { required: false, max: 2500 },
    negativePrompt: { max: 2500 },
    options: [],
    price: { rule: 'fixed', amount: 35, costUsd: 0.14 },
    seed: { enabled: true, sortOrder: 230 },
  },

  // ---- KIE Market (docs/providers.md §market) ----------------------------------------------------
  {
    id: 'kling-ai-avatar-pro',
    task: 'lipsync',
    provider: 'kie',
    providerModel: 'kling/ai-avatar-pro',
    displayName: 'Kling AI Avatar Pro',
    family: { id: 'kling-avatar', variant: 'pro' },
    image: KIE_IMAGE,
    audio: { mimes: KIE_AUDIO_MIMES, maxBytes: 10 * MB, maxSeconds: 15 },
    prompt: { required: false, max: 5000 },
    options: [],
    // ≈16 KIE credits/s = $0.08/s → 13 credits/s ($0.169).
    price: { rule: 'per_second', amount: 13, costUsd: 0.08 },
    seed: { enabled: true, sortOrder: 15, limits: LIPSYNC_LIMITS },
  },
  {
    id: 'kling-2-6-t2v',
    task: 'text2video',
    provider: 'kie',
    providerModel: 'kling-2.6/text-to-video',
    displayName: 'Kling 2.6',
    family: { id: 'kling-2.6' },
    prompt: { required: true, max: 1000 },
    options: [{ key: 'duration', values: ['5', '10'], default: '5' }, { key: 'aspectRatio', values: ['16:9', '9:16', '1:1'], default: '16:9' }, soundOption],
    // 55 KIE credits per 5 s = $0.275 → 45 credits ($0.585); sound doubles KIE's price.
    price: { rule: 'per_5s', amount: 45, multipliers: { 'sound:on': 2 }, costUsd: 0.275 },
    seed: { enabled: true, sortOrder: 60 },
  },
  {
    id: 'kling-2-6-i2v',
    task: 'image2video',
    provider: 'kie',
    providerModel: 'kling-2.6/image-to-video',
    displayName: 'Kling 2.6',
    family: { id: 'kling-2.6' },
    image: KIE_IMAGE,
    prompt: { required: true, max: 1000 },
    options: [{ key: 'duration', values: ['5', '10'], default: '5' }, soundOption],
    price: { rule: 'per_5s', amount: 45, multipliers: { 'sound:on': 2 }, costUsd: 0.275 },
    seed: { enabled: true, sortOrder: 60 },
  },
  {
    id: 'kling-3-t2v',
    task: 'text2video',
    provider: 'kie',
    providerModel: 'kling-3.0/video',
    displayName: 'Kling 3.0',
    family: { id: 'kling-3.0' },
    prompt: { required: true, max: 2500 },
    options: [
      { key: 'mode', values: ['std', 'pro', '4k'], default: 'pro' },
      { key: 'duration', values: ['3', '5', '10', '15'], default: '5' },
      { key: 'aspectRatio', values: ['16:9', '9:16', '1:1'], default: '16:9' },
      soundOption,
    ],
    // std ≈12 KIE credits/s = $0.06/s → 10 credits/s; pro ×1.5, 4K ×3, sound ×1.5.
    price: { rule: 'per_output_second', amount: 10, multipliers: { 'mode:pro': 1.5, 'mode:4k': 3, 'sound:on': 1.5 }, costUsd: 0.06 },
    seed: { enabled: true, sortOrder: 70 },
  },
  {
    id: 'kling-3-i2v',
    task: 'image2video',
    provider: 'kie',
    providerModel: 'kling-3.0/video',
    displayName: 'Kling 3.0',
    family: { id: 'kling-3.0' },
    image: KIE_IMAGE,
    endImage: KIE_IMAGE,
    prompt: { required: true, max: 2500 },
    options: [{ key: 'mode', values: ['std', 'pro', '4k'], default: 'pro' }, { key: 'duration', values: ['3', '5', '10', '15'], default: '5' }, soundOption],
    price: { rule: 'per_output_second', amount: 10, multipliers: { 'mode:pro': 1.5, 'mode:4k': 3, 'sound:on': 1.5 }, costUsd: 0.06 },
    seed: { enabled: true, sortOrder: 70 },
  },
  {
    id: 'hailuo-02-t2v',
    task: 'text2video',
    provider: 'kie',
    providerModel: 'hailuo/02-text-to-video-standard',
    displayName: 'Hailuo 02',
    prompt: { required: true, max: 1500 },
    options: [{ key: 'duration', values: ['6', '10'], default: '6' }],
    // 4 KIE credits/s = $0.02/s → 4 credits/s ($0.052).
    price: { rule: 'per_output_second', amount: 4, costUsd: 0.02 },
    seed: { enabled: true, sortOrder: 80 },
  },
  {
    id: 'hailuo-2-3-i2v',
    task: 'image2video',
    provider: 'kie',
    providerModel: 'hailuo/2-3-image-to-video-standard',
    displayName: 'Hailuo 2.3',
    image: KIE_IMAGE,
    prompt: { required: true, max: 5000 },
    options: [
      { key: 'duration', values: ['6', '10'], default: '6' },
      { key: 'resolution', values: ['768p', '1080p'], default: '768p' },
    ],
    refused: [{ duration: '10', resolution: '1080p' }],
    price: { rule: 'per_output_second', amount: 4, multipliers: { 'resolution:1080p': 2 }, costUsd: 0.02 },
    seed: { enabled: true, sortOrder: 80 },
  },
  ...(['t2v', 'i2v'] as const).map((kind): ModelSpec => ({
    id: `seedance-1-5-pro-${kind}`,
    task: kind === 't2v' ? 'text2video' : 'image2video',
    provider: 'kie',
    providerModel: 'bytedance/seedance-1.5-pro',
    displayName: 'Seedance 1.5 Pro',
    ...(kind === 'i2v' ? { image: KIE_IMAGE, endImage: KIE_IMAGE } : {}),
    prompt: { required: true, max: 2500, min: 3 },
    options: [
      { key: 'duration', values: ['4', '8', '12'], default: '8' },
      { key: 'resolution', values: ['480p', '720p', '1080p'], default: '720p' },
      { key: 'aspectRatio', values: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'], default: '16:9' },
      soundOption,
    ],
    // 8 KIE credits/s at 720p = $0.04/s → 7 credits/s; 1080p ×2, 480p ×0.5; audio ×1.5.
    price: { rule: 'per_output_second', amount: 7, multipliers: { 'resolution:1080p': 2, 'resolution:480p': 0.5, 'sound:on': 1.5 }, costUsd: 0.04 },
    seed: { enabled: true, sortOrder: 90 },
  })),
  ...(['t2v', 'i2v'] as const).map((kind): ModelSpec => ({
    id: `wan-2-6-${kind}`,
    task: kind === 't2v' ? 'text2video' : 'image2video',
    provider: 'kie',
    providerModel: kind === 't2v' ? 'wan/2-6-text-to-video' : 'wan/2-6-image-to-video',
    displayName: 'Wan 2.6',
    ...(kind === 'i2v' ? { image: { ...KIE_IMAGE, minSide: 256 } } : {}),
    prompt: { required: true, max: 5000 },
    options: [
      { key: 'duration', values: ['5', '10', '15'], default: '5' },
      { key: 'resolution', values: ['720p', '1080p'], default: '1080p' },
    ],
    // ≈4 KIE credits/s = $0.02/s → 4 credits/s; 720p ×0.75.
    price: { rule: 'per_output_second', amount: 4, multipliers: { 'resolution:720p': 0.75 }, costUsd: 0.02 },
    seed: { enabled: true, sortOrder: 100 },
  })),
  ...(['t2v', 'i2v'] as const).map((kind): ModelSpec => ({
    id: `sora-2-${kind}`,
    task: kind === 't2v' ? 'text2video' : 'image2video',
    provider: 'kie',
    providerModel: kind === 't2v' ? 'sora-2-text-to-video' : 'sora-2-image-to-video',
    displayName: 'Sora 2',
    ...(kind === 'i2v' ? { image: KIE_IMAGE } : {}),
    prompt: { required: true, max: 10000 },
    options: [
      { key: 'duration', values: ['10', '15'], default: '10' },
      { key: 'aspectRatio', values: ['16:9', '9:16'], default: '16:9' },
    ],
    // 30 KIE credits per 10 s = $0.015/s → 3 credits/s ($0.039).
    price: { rule: 'per_output_second', amount: 3, costUsd: 0.015 },
    seed: { enabled: false, sortOrder: 110 },
  })),
  {
    id: 'grok-imagine-t2v',
    task: 'text2video',
    provider: 'kie',
    providerModel: 'grok-imagine/text-to-video',
    displayName: 'Grok Imagine',
    prompt: { required: true, max: 5000 },
    options: [
      { key: 'duration', values: ['6', '10', '15', '30'], default: '6' },
      { key: 'resolution', values: ['480p', '720p'], default: '480p' },
      { key: 'aspectRatio', values: ['16:9', '9:16', '1:1', '2:3', '3:2'], default: '16:9' },
    ],
    // 2.4 KIE credits/s at 480p = $0.012/s → 2 credits/s; 720p ×2.
    price: { rule: 'per_output_second', amount: 2, multipliers: { 'resolution:720p': 2 }, costUsd: 0.012 },
    seed: { enabled: false, sortOrder: 120 },
  },

  // ---- KIE Veo 3.1 (docs/providers.md §veo) -----------------------------------------------------
  ...(
    [
      ['fast', 'veo3_fast', 'Veo 3.1 Fast', 65, 0.4, 130],
      ['quality', 'veo3', 'Veo 3.1 Quality', 310, 2, 140],
    ] as const
  ).flatMap(([variant, model, name, amount, cost, order]) =>
    (['t2v', 'i2v'] as const).map((kind): ModelSpec => ({
      id: `veo-3-1-${variant}-${kind}`,
      task: kind === 't2v' ? 'text2video' : 'image2video',
      provider: 'veo',
      providerModel: model,
      displayName: name,
      ...(kind === 'i2v' ? { image: KIE_IMAGE, endImage: KIE_IMAGE } : {}),
      prompt: { required: true, max: 5000 },
      options: [
        // Veo makes 8 s, always: a single value, never asked.
        { key: 'duration', values: ['8'], default: '8' },
        { key: 'resolution', values: ['720p', '1080p'], default: '720p' },
        { key: 'aspectRatio', values: ['16:9', '9:16'], default: '16:9' },
      ],
      // 80 (fast) / 400 (quality) KIE credits per video; the 1080p upgrade ≈ 5 credits.
      price: { rule: 'fixed', amount, multipliers: { 'resolution:1080p': 1.1 }, costUsd: cost },
      seed: { enabled: true, sortOrder: order },
    })),
  ),
];

const BY_ID = new Map(MODEL_SPECS.map((s) => [s.id, s]));

export function specById(id: string): ModelSpec | undefined {
  return BY_ID.get(id);
}
