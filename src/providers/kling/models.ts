/**
 * What each official Kling `model_name` accepts on text2video / image2video (docs/providers.md
 * §kling-suite): modes, durations, sound, end frame, cfg_scale. Pure data plus one checker that turns
 * a request's options into the exact body fields, or into validation issues before any call.
 */
import type { ValidationIssue } from '../types.js';

export type KlingVideoKind = 'text2video' | 'image2video';
export type KlingMode = 'std' | 'pro';

export interface KlingModelRule {
  kinds: readonly KlingVideoKind[];
  /** Empty: the model takes no `mode` (v2-master, v2-1-master). */
  modes: readonly KlingMode[];
  durations: readonly string[];
  /** `sound` "on": never, only in pro (v2.6), or always allowed (v3). */
  sound: 'none' | 'pro' | 'any';
  /** `image_tail` (end frame): never, pro only, any mode, or only 5 s (v1). */
  endFrame: 'none' | 'pro' | 'any' | 'five-seconds';
  /** v2.6: an end frame only on a silent video. */
  endFrameSilentOnly?: boolean;
  /** `cfg_scale` is not supported by v2.x (and not documented for v3). */
  cfgScale: boolean;
  /** video-extend takes videos of V1.0/V1.5/V1.6 models only. */
  extendable: boolean;
}

const FIVE_TEN = ['5', '10'] as const;
const THREE_TO_FIFTEEN = Array.from({ length: 13 }, (_, i) => String(i + 3));

export const KLING_MODEL_RULES: Readonly<Record<string, KlingModelRule>> = {
  'kling-v1': {
    kinds: ['text2video', 'image2video'],
    modes: ['std', 'pro'],
    durations: FIVE_TEN,
    sound: 'none',
    endFrame: 'five-seconds',
    cfgScale: true,
    extendable: true,
  },
  'kling-v1-5': { kinds: ['image2video'], modes: ['std', 'pro'], durations: FIVE_TEN, sound: 'none', endFrame: 'pro', cfgScale: true, extendable: true },
  'kling-v1-6': {
    kinds: ['text2video', 'image2video'],
    modes: ['std', 'pro'],
    durations: FIVE_TEN,
    sound: 'none',
    endFrame: 'pro',
    cfgScale: true,
    extendable: true,
  },
  'kling-v2-master': {
    kinds: ['text2video', 'image2video'],
    modes: [],
    durations: FIVE_TEN,
    sound: 'none',
    endFrame: 'none',
    cfgScale: false,
    extendable: false,
  },
  'kling-v2-1': { kinds: ['image2video'], modes: ['std', 'pro'], durations: FIVE_TEN, sound: 'none', endFrame: 'pro', cfgScale: false, extendable: false },
  'kling-v2-1-master': {
    kinds: ['text2video', 'image2video'],
    modes: [],
    durations: FIVE_TEN,
    sound: 'none',
    endFrame: 'none',
    cfgScale: false,
    extendable: false,
  },
  'kling-v2-5-turbo': {
    kinds: ['text2video', 'image2video'],
    modes: ['std', 'pro'],
    durations: FIVE_TEN,
    sound: 'none',
    endFrame: 'pro',
    cfgScale: false,
    extendable: false,
  },
  'kling-v2-6': {
    kinds: ['text2video', 'image2video'],
    modes: ['std', 'pro'],
    durations: FIVE_TEN,
    sound: 'pro',
    endFrame: 'pro',
    endFrameSilentOnly: true,
    cfgScale: false,
    extendable: false,
  },
  'kling-v3': {
    kinds: ['text2video', 'image2video'],
    modes: ['std', 'pro'],
    durations: THREE_TO_FIFTEEN,
    sound: 'any',
    endFrame: 'any',
    cfgScale: false,
    extendable: false,
  },
};

/** Models a video of which `/v1/videos/video-extend` accepts (and the extend result inherits). */
export const KLING_EXTENDABLE_MODELS: readonly string[] = Object.entries(KLING_MODEL_RULES)
  .filter(([, rule]) => rule.extendable)
  .map(([model]) => model);

export const KLING_T2V_ASPECT_RATIOS = ['16:9', '9:16', '1:1'] as const;

export type KlingOptionValue = string | number | boolean | undefined;

/** "on"/"off" from a boolean or a string option; undefined when not given; null when invalid. */
export function parseSound(value: KlingOptionValue): 'on' | 'off' | undefined | null {
  if (value === undefined) return undefined;
  if (value === true || value === 'on' || value === 'true') return 'on';
  if (value === false || value === 'off' || value === 'false') return 'off';
  return null;
}

export interface KlingVideoFields {
  model_name: string;
  duration: string;
  mode?: KlingMode;
  sound?: 'on' | 'off';
  aspect_ratio?: string;
  cfg_scale?: number;
}

export interface KlingVideoOptionsInput {
  model: string;
  kind: KlingVideoKind;
  options: Record<string, KlingOptionValue>;
  hasEndFrame: boolean;
}

/**
 * Checks options against the model's rules and returns the body fields to send. Defaults:
 * duration "5", mode std (when the model has modes), sound "off" where the model has sound.
 */
export function resolveKlingVideoOptions(input: KlingVideoOptionsInput): { fields: KlingVideoFields; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const rule = KLING_MODEL_RULES[input.model];
  const fields: KlingVideoFields = { model_name: input.model, duration: '5' };
  if (!rule) return { fields, issues: [{ code: 'unknown-model', vars: { model: input.model } }] };
  if (!rule.kinds.includes(input.kind)) {
    issues.push({ code: 'unsupported-kind', vars: { kind: input.kind, model: input.model } });
  }
  const { options } = input;

  const duration = options.duration === undefined ? (rule.durations[0] === '3' ? '5' : rule.durations[0]!) : String(options.duration);
  if (!rule.durations.includes(duration)) {
    issues.push({ code: 'invalid-duration', vars: { allowed: describeDurations(rule.durations) } });
  }
  fields.duration = duration;

  const modeRaw = options.mode === undefined ? undefined : String(options.mode);
  let mode: KlingMode | undefined;
  if (rule.modes.length === 0) {
    if (modeRaw !== undefined) issues.push({ code: 'invalid-mode', vars: { allowed: '-' } });
  } else {
    mode = (modeRaw ?? 'std') as KlingMode;
    if (!rule.modes.includes(mode)) issues.push({ code: 'invalid-mode', vars: { allowed: rule.modes.join(', ') } });
    fields.mode = mode;
  }

  const sound = parseSound(options.sound);
  if (sound === null) issues.push({ code: 'invalid-sound', vars: { allowed: 'on, off' } });
  if (rule.sound === 'none') {
    if (sound === 'on') issues.push({ code: 'sound-not-supported', vars: { model: input.model } });
  } else {
    const effective = sound ?? 'off';
    if (effective === 'on' && rule.sound === 'pro' && mode !== 'pro') issues.push({ code: 'sound-pro-only' });
    fields.sound = effective;
  }

  if (input.hasEndFrame) {
    if (input.kind !== 'image2video') issues.push({ code: 'end-frame-not-supported', vars: { model: input.model } });
    else if (rule.endFrame === 'none') issues.push({ code: 'end-frame-not-supported', vars: { model: input.model } });
    else if (rule.endFrame === 'pro' && mode !== 'pro') issues.push({ code: 'end-frame-pro-only' });
    else if (rule.endFrame === 'five-seconds' && duration !== '5') issues.push({ code: 'end-frame-five-seconds-only' });
    if (rule.endFrameSilentOnly && fields.sound === 'on') issues.push({ code: 'end-frame-silent-only' });
  }

  if (input.kind === 'text2video') {
    if (options.aspectRatio !== undefined) {
      const ratio = String(options.aspectRatio);
      if (!(KLING_T2V_ASPECT_RATIOS as readonly string[]).includes(ratio)) {
        issues.push({ code: 'invalid-aspect-ratio', vars: { allowed: KLING_T2V_ASPECT_RATIOS.join(', ') } });
      }
      fields.aspect_ratio = ratio;
    }
  }
  // image2video has no aspect_ratio: the image decides it, so any given value is not sent.

  if (options.cfgScale !== undefined) {
    const cfg = Number(options.cfgScale);
    if (!rule.cfgScale) issues.push({ code: 'cfg-scale-not-supported', vars: { model: input.model } });
    else if (!Number.isFinite(cfg) || cfg < 0 || cfg > 1) issues.push({ code: 'invalid-cfg-scale' });
    else fields.cfg_scale = cfg;
  }
  return { fields, issues };
}

function describeDurations(durations: readonly string[]): string {
  return durations.length > 3 ? `${durations[0]}–${durations[durations.length - 1]}` : durations.join(', ');
}
