/**
 * The fake KIE's per-model input schemas for the Market video models (docs/providers.md §market,
 * checked as docs/providers.md §fakes says): field types (string vs integer durations), enums (`4K` vs `4k`, `768P` vs
 * `768p`, `portrait`/`landscape`), prompt limits, array sizes, refused combinations and mutually
 * exclusive inputs. A failed check is answered 422 with `msg`, like KIE.
 */

type FieldRule =
  | { type: 'string'; enum?: readonly string[]; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'number' | 'integer'; min?: number; max?: number }
  /** Array of uploaded image URLs. */
  | { type: 'images'; min: number; max: number };

export interface MarketSchema {
  required: readonly string[];
  fields: Readonly<Record<string, FieldRule>>;
  /** Cross-field rules; returns the refusal message. */
  check?: (input: Record<string, unknown>) => string | undefined;
}

const KLING_DURATIONS_3_15 = Array.from({ length: 13 }, (_, i) => String(i + 3));
const SEEDANCE_ASPECTS = ['1:1', '4:3', '3:4', '16:9', '9:16', '21:9'];

export const MARKET_SCHEMAS: Readonly<Record<string, MarketSchema>> = {
  'kling-2.6/text-to-video': {
    required: ['prompt', 'sound', 'aspect_ratio', 'duration'],
    fields: {
      prompt: { type: 'string', min: 1, max: 1000 },
      sound: { type: 'boolean' },
      aspect_ratio: { type: 'string', enum: ['1:1', '16:9', '9:16'] },
      duration: { type: 'string', enum: ['5', '10'] },
    },
  },
  'kling-2.6/image-to-video': {
    required: ['prompt', 'image_urls', 'sound', 'duration'],
    fields: {
      prompt: { type: 'string', min: 1, max: 1000 },
      image_urls: { type: 'images', min: 1, max: 1 },
      sound: { type: 'boolean' },
      duration: { type: 'string', enum: ['5', '10'] },
    },
  },
  'kling-3.0/video': {
    required: ['prompt', 'sound', 'duration', 'mode', 'multi_shots'],
    fields: {
      prompt: { type: 'string', min: 1, max: 2500 },
      image_urls: { type: 'images', min: 1, max: 2 },
      sound: { type: 'boolean' },
      duration: { type: 'string', enum: KLING_DURATIONS_3_15 },
      aspect_ratio: { type: 'string', enum: ['16:9', '9:16', '1:1'] },
      mode: { type: 'string', enum: ['std', 'pro', '4K'] },
      multi_shots: { type: 'boolean' },
    },
    check: (input) => {
      if (input.multi_shots === true && Array.isArray(input.image_urls) && input.image_urls.length > 1) return 'multi-shot allows only the first frame';
      if (input.kling_elements !== undefined && !Array.isArray(input.image_urls)) return 'kling_elements requires image_urls';
      if (typeof input.prompt === 'string' && /@\w+/.test(input.prompt) && input.kling_elements !== undefined && !input.image_urls)
        return 'referencing elements requires image_urls';
      return undefined;
    },
  },
  'hailuo/02-text-to-video-standard': {
    required: ['prompt'],
    fields: {
      prompt: { type: 'string', min: 1, max: 1500 },
      duration: { type: 'string', enum: ['6', '10'] },
      prompt_optimizer: { type: 'boolean' },
    },
  },
  'hailuo/2-3-image-to-video-standard': {
    required: ['prompt', 'image_url'],
    fields: {
      prompt: { type: 'string', min: 1, max: 5000 },
      image_url: { type: 'string', min: 1 },
      duration: { type: 'string', enum: ['6', '10'] },
      resolution: { type: 'string', enum: ['768P', '1080P'] },
    },
    check: (input) => (input.duration === '10' && input.resolution === '1080P' ? '10 s is not supported at 1080P' : undefined),
  },
  'bytedance/seedance-1.5-pro': {
    required: ['prompt', 'aspect_ratio'],
    fields: {
      prompt: { type: 'string', min: 3, max: 2500 },
      input_urls: { type: 'images', min: 0, max: 2 },
      aspect_ratio: { type: 'string', enum: SEEDANCE_ASPECTS },
      resolution: { type: 'string', enum: ['480p', '720p', '1080p'] },
      duration: { type: 'string', enum: ['4', '8', '12'] },
      fixed_lens: { type: 'boolean' },
      generate_audio: { type: 'boolean' },
    },
  },
  'wan/2-6-text-to-video': {
    required: ['prompt'],
    fields: {
      prompt: { type: 'string', min: 1, max: 5000 },
      duration: { type: 'string', enum: ['5', '10', '15'] },
      resolution: { type: 'string', enum: ['720p', '1080p'] },
    },
  },
  'wan/2-6-image-to-video': {
    required: ['prompt', 'image_urls'],
    fields: {
      prompt: { type: 'string', min: 1, max: 5000 },
      image_urls: { type: 'images', min: 1, max: 1 },
      duration: { type: 'string', enum: ['5', '10', '15'] },
      resolution: { type: 'string', enum: ['720p', '1080p'] },
    },
  },
  'sora-2-text-to-video': {
    required: ['prompt', 'upload_method'],
    fields: {
      prompt: { type: 'string', min: 1, max: 10000 },
      aspect_ratio: { type: 'string', enum: ['portrait', 'landscape'] },
      n_frames: { type: 'string', enum: ['10', '15'] },
      remove_watermark: { type: 'boolean' },
      upload_method: { type: 'string', enum: ['s3', 'oss'] },
    },
  },
  'sora-2-image-to-video': {
    required: ['prompt', 'image_urls', 'upload_method'],
    fields: {
      prompt: { type: 'string', min: 1, max: 10000 },
      image_urls: { type: 'images', min: 1, max: 1 },
      aspect_ratio: { type: 'string', enum: ['portrait', 'landscape'] },
      n_frames: { type: 'string', enum: ['10', '15'] },
      remove_watermark: { type: 'boolean' },
      upload_method: { type: 'string', enum: ['s3', 'oss'] },
    },
  },
  'grok-imagine/text-to-video': {
    required: ['prompt'],
    fields: {
      prompt: { type: 'string', min: 1, max: 5000 },
      aspect_ratio: { type: 'string', enum: ['2:3', '3:2', '1:1', '16:9', '9:16'] },
      mode: { type: 'string', enum: ['fun', 'normal', 'spicy'] },
      duration: { type: 'number', min: 6, max: 30 },
      resolution: { type: 'string', enum: ['480p', '720p'] },
    },
  },
  'grok-imagine/image-to-video': {
    required: [],
    fields: {
      prompt: { type: 'string', max: 5000 },
      image_urls: { type: 'images', min: 1, max: 7 },
      task_id: { type: 'string', min: 1 },
      index: { type: 'integer', min: 0, max: 5 },
      duration: { type: 'string' },
    },
    check: (input) => ((input.image_urls === undefined) === (input.task_id === undefined) ? 'exactly one of image_urls or task_id is required' : undefined),
  },
};

export const MARKET_VIDEO_MODELS = Object.keys(MARKET_SCHEMAS);

/**
 * Checks `input` against the model's schema; `isImage(url)` says whether a URL is an uploaded
 * image. Returns the 422 message, or undefined when valid.
 */
export function checkMarketInput(model: string, input: Record<string, unknown>, isImage: (url: string) => boolean): string | undefined {
  const schema = MARKET_SCHEMAS[model];
  if (!schema) return `model ${model} is not supported`;
  for (const key of Object.keys(input)) {
    if (!(key in schema.fields) && key !== 'kling_elements' && key !== 'nsfw_checker') return `input.${key} is not a field of ${model}`;
  }
  for (const key of schema.required) if (input[key] === undefined) return `input.${key} is required`;
  for (const [key, rule] of Object.entries(schema.fields)) {
    const value = input[key];
    if (value === undefined) continue;
    switch (rule.type) {
      case 'string':
        if (typeof value !== 'string') return `input.${key} must be a string`;
        if (rule.enum && !rule.enum.includes(value)) return `input.${key} must be one of ${rule.enum.join(', ')}`;
        if (rule.min !== undefined && value.length < rule.min) return `input.${key} must have at least ${rule.min} characters`;
        if (rule.max !== undefined && value.length > rule.max) return `input.${key} must be at most ${rule.max} characters`;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return `input.${key} must be a boolean`;
        break;
      case 'number':
      case 'integer':
        if (typeof value !== 'number' || (rule.type === 'integer' && !Number.isInteger(value)))
          return `input.${key} must be ${rule.type === 'integer' ? 'an integer' : 'a number'}`;
        if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) return `input.${key} is out of range`;
        break;
      case 'images':
        if (!Array.isArray(value) || value.length < rule.min || value.length > rule.max) return `input.${key} must hold ${rule.min}–${rule.max} image URLs`;
        for (const url of value) if (typeof url !== 'string' || !isImage(url)) return `input.${key} holds a URL that is not a reachable image`;
        break;
    }
  }
  if (typeof input.image_url === 'string' && !isImage(input.image_url)) return 'input.image_url is not a reachable image';
  return schema.check?.(input);
}
