/**
 * The fake Kling's rules for the suite endpoints (docs/providers.md §kling-suite, §fakes), kept apart from
 * the client's own tables so the fake checks the client instead of agreeing with it by
 * construction: the model × mode × duration × sound matrix of t2v/i2v, the avatar, video-extend,
 * identify-face sessions, advanced lip-sync windows, multi-image2video, motion-control, legacy
 * lip-sync and TTS; audio formats are sniffed from the bytes, mp4 lengths read from `mvhd`.
 */
import { parseBuffer } from 'music-metadata';
import { fakeImageInfo } from './image.js';

export class FakeKlingRuleError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string) => new FakeKlingRuleError(1201, message);

interface MatrixRow {
  t2v: boolean;
  modes: string[];
  durations: string[];
  /** sound "on" allowed: never / pro only / any mode. */
  sound: 'no' | 'pro' | 'yes';
  /** image_tail: never / pro only / any / 5 s only. */
  tail: 'no' | 'pro' | 'yes' | '5s';
  tailSilentOnly?: boolean;
  cfg: boolean;
  extendable: boolean;
}

const STD_PRO = ['std', 'pro'];
const FIVE_TEN = ['5', '10'];

/** The model matrix of docs/providers.md §kling-suite, written out by hand. */
export const FAKE_KLING_MATRIX: Record<string, MatrixRow> = {
  'kling-v1': { t2v: true, modes: STD_PRO, durations: FIVE_TEN, sound: 'no', tail: '5s', cfg: true, extendable: true },
  'kling-v1-5': { t2v: false, modes: STD_PRO, durations: FIVE_TEN, sound: 'no', tail: 'pro', cfg: true, extendable: true },
  'kling-v1-6': { t2v: true, modes: STD_PRO, durations: FIVE_TEN, sound: 'no', tail: 'pro', cfg: true, extendable: true },
  'kling-v2-master': { t2v: true, modes: [], durations: FIVE_TEN, sound: 'no', tail: 'no', cfg: false, extendable: false },
  'kling-v2-1': { t2v: false, modes: STD_PRO, durations: FIVE_TEN, sound: 'no', tail: 'pro', cfg: false, extendable: false },
  'kling-v2-1-master': { t2v: true, modes: [], durations: FIVE_TEN, sound: 'no', tail: 'no', cfg: false, extendable: false },
  'kling-v2-5-turbo': { t2v: true, modes: STD_PRO, durations: FIVE_TEN, sound: 'no', tail: 'pro', cfg: false, extendable: false },
  'kling-v2-6': { t2v: true, modes: STD_PRO, durations: FIVE_TEN, sound: 'pro', tail: 'pro', tailSilentOnly: true, cfg: false, extendable: false },
  'kling-v3': {
    t2v: true,
    modes: STD_PRO,
    durations: ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15'],
    sound: 'yes',
    tail: 'yes',
    cfg: false,
    extendable: false,
  },
};

// ------------------------------------------------------------------------------ media sniffing

export type FakeAudioFormat = 'mp3' | 'wav' | 'm4a' | 'aac';

export function sniffAudio(bytes: Buffer): FakeAudioFormat | 'ogg' | null {
  if (bytes.length < 12) return null;
  if (bytes.toString('latin1', 0, 4) === 'OggS') return 'ogg';
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WAVE') return 'wav';
  if (bytes.toString('latin1', 4, 8) === 'ftyp') return 'm4a';
  if (bytes.toString('latin1', 0, 3) === 'ID3') return 'mp3';
  if (bytes[0] === 0xff && (bytes[1]! & 0xf6) === 0xf0) return 'aac'; // ADTS
  if (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0) return 'mp3'; // MPEG frame sync
  return null;
}

/** Length (ms) of an audio file, or null when it cannot be read. */
export async function audioDurationMs(bytes: Buffer): Promise<number | null> {
  try {
    const seconds = (await parseBuffer(bytes, undefined, { duration: true })).format.duration;
    return seconds && Number.isFinite(seconds) ? Math.round(seconds * 1000) : null;
  } catch {
    return null;
  }
}

/** Duration (ms, from `mvhd`) and the largest track size (from `tkhd`) of an MP4/MOV. */
export function mp4Info(bytes: Buffer): { durationMs: number; width: number; height: number } | null {
  if (bytes.length < 16 || bytes.toString('latin1', 4, 8) !== 'ftyp') return null;
  let durationMs: number | null = null;
  let width = 0;
  let height = 0;
  const walk = (start: number, end: number) => {
    let i = start;
    while (i + 8 <= end) {
      let size = bytes.readUInt32BE(i);
      const type = bytes.toString('latin1', i + 4, i + 8);
      let header = 8;
      if (size === 1) {
        size = Number(bytes.readBigUInt64BE(i + 8));
        header = 16;
      } else if (size === 0) size = end - i;
      if (size < header || i + size > end) return;
      const body = i + header;
      if (type === 'moov' || type === 'trak') walk(body, i + size);
      if (type === 'mvhd') {
        const version = bytes[body]!;
        const timescale = version === 1 ? bytes.readUInt32BE(body + 20) : bytes.readUInt32BE(body + 12);
        const duration = version === 1 ? Number(bytes.readBigUInt64BE(body + 24)) : bytes.readUInt32BE(body + 16);
        if (timescale > 0) durationMs = Math.round((duration / timescale) * 1000);
      }
      if (type === 'tkhd') {
        const version = bytes[body]!;
        const at = body + (version === 1 ? 88 : 76);
        if (at + 8 <= i + size) {
          width = Math.max(width, bytes.readUInt32BE(at) >>> 16);
          height = Math.max(height, bytes.readUInt32BE(at + 4) >>> 16);
        }
      }
      i += size;
    }
  };
  walk(0, bytes.length);
  return durationMs === null ? null : { durationMs, width, height };
}

// ------------------------------------------------------------------------------ field checks

const len = (v: string) => [...v].length;

export function checkPrompt(body: Record<string, unknown>, required: boolean): void {
  const prompt = body.prompt;
  if (required && (typeof prompt !== 'string' || prompt.trim() === '')) throw bad('prompt is required');
  if (prompt !== undefined && typeof prompt !== 'string') throw bad('prompt must be a string');
  if (typeof prompt === 'string' && len(prompt) > 2500) throw bad('prompt length must be at most 2500');
  const negative = body.negative_prompt;
  if (negative !== undefined && (typeof negative !== 'string' || len(negative) > 2500)) throw bad('negative_prompt length must be at most 2500');
}

/** A base64 (no data: prefix) or URL image, checked like Kling (jpg/png, ≤10 MB, ≥300 px, 1:2.5–2.5:1). */
export function checkImageField(value: unknown, field: string): void {
  if (typeof value !== 'string' || value === '') throw bad(`${field} is required`);
  if (/^https?:\/\//.test(value)) return;
  if (value.startsWith('data:')) throw bad(`${field}: base64 must not carry a data: prefix`);
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw bad(`${field} is not valid base64`);
  checkImageBytes(Buffer.from(value, 'base64'), field);
}

export function checkImageBytes(bytes: Buffer, field: string): void {
  if (bytes.length > 10 * 1024 * 1024) throw bad(`${field} must be at most 10MB`);
  const info = fakeImageInfo(bytes);
  if (!info) throw bad(`${field} format must be jpg, jpeg or png`);
  if (Math.min(info.width, info.height) < 300) throw bad(`${field} width and height must be at least 300px`);
  const ratio = info.width / info.height;
  if (ratio < 1 / 2.5 || ratio > 2.5) throw bad(`${field} aspect ratio must be between 1:2.5 and 2.5:1`);
}

/** A `sound_file` (base64 or URL): format sniffed, ≤5 MB, length within [minS, maxS]. Returns ms. */
export async function checkSoundFile(value: unknown, minS: number, maxS: number, fetchBytes: (url: string) => Promise<Buffer>): Promise<number> {
  if (typeof value !== 'string' || value === '') throw bad('sound_file must be a string');
  let bytes: Buffer;
  if (/^https?:\/\//.test(value)) bytes = await fetchBytes(value);
  else {
    if (value.startsWith('data:')) throw bad('sound_file: base64 must not carry a data: prefix');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw bad('sound_file is not valid base64');
    bytes = Buffer.from(value, 'base64');
  }
  if (bytes.length > 5 * 1024 * 1024) throw bad('sound_file must be at most 5MB');
  const format = sniffAudio(bytes);
  if (format === null || format === 'ogg') throw bad('sound_file format must be mp3, wav, m4a or aac');
  const ms = await audioDurationMs(bytes);
  if (ms === null) throw bad('sound_file could not be decoded');
  if (ms < minS * 1000 || ms > maxS * 1000) throw bad(`sound_file duration must be between ${minS}s and ${maxS}s`);
  return ms;
}

export function checkCfg(body: Record<string, unknown>): void {
  const cfg = body.cfg_scale;
  if (cfg !== undefined && (typeof cfg !== 'number' || cfg < 0 || cfg > 1)) throw bad('cfg_scale must be a number in [0, 1]');
}

/** text2video / image2video against the model matrix (docs/providers.md §kling-suite) (the model is known at this point). */
export function checkVideoMatrix(kind: 'text2video' | 'image2video', model: string, body: Record<string, unknown>): void {
  const row = FAKE_KLING_MATRIX[model];
  if (!row) return; // the model allow-list already answered 1203 for truly unknown models
  if (kind === 'text2video' && !row.t2v) throw bad(`model_name ${model} does not support text2video`);
  const duration = body.duration ?? '5';
  if (typeof duration !== 'string') throw bad('duration must be a string');
  if (!row.durations.includes(duration)) throw bad(`duration: allowed values: ${row.durations.join(', ')}`);
  const mode = body.mode;
  if (mode !== undefined && !row.modes.includes(mode as string)) throw bad(`mode: allowed values for ${model}: ${row.modes.join(', ') || 'none'}`);
  const effectiveMode = mode ?? 'std';
  const sound = body.sound;
  if (sound !== undefined) {
    if (typeof sound !== 'string') throw bad('sound must be a string: on or off');
    if (sound !== 'on' && sound !== 'off') throw bad('sound: allowed values: on, off');
    if (sound === 'on' && row.sound === 'no') throw bad(`sound is not supported by ${model}`);
    if (sound === 'on' && row.sound === 'pro' && effectiveMode !== 'pro') throw bad(`sound on requires mode pro for ${model}`);
  }
  if (body.cfg_scale !== undefined && !row.cfg) throw bad(`cfg_scale is not supported by ${model}`);
  checkCfg(body);
  if (body.multi_shot !== undefined && typeof body.multi_shot !== 'boolean') throw bad('multi_shot must be a boolean');
  if (body.multi_shot === true) {
    if (body.image_tail !== undefined || (kind === 'image2video' && body.image !== undefined && body.shot_type === 'customize')) {
      throw bad('multi_shot does not allow start/end frames');
    }
    if (body.shot_type !== 'customize' && body.shot_type !== 'intelligence') throw bad('shot_type is required with multi_shot');
    if (body.shot_type === 'customize') {
      const shots = body.multi_prompt;
      if (!Array.isArray(shots) || shots.length < 1 || shots.length > 6) throw bad('multi_prompt must have 1-6 shots');
      let sum = 0;
      for (const shot of shots as Array<Record<string, unknown>>) {
        if (typeof shot.prompt !== 'string' || len(shot.prompt) > 512) throw bad('multi_prompt.prompt must be a string of at most 512');
        if (typeof shot.duration !== 'string' || Number(shot.duration) < 1) throw bad('multi_prompt.duration must be a string >= 1');
        sum += Number(shot.duration);
      }
      if (sum !== Number(duration)) throw bad('multi_prompt durations must sum to duration');
    }
  }
  if (kind === 'text2video') {
    if (body.image_tail !== undefined) throw bad('image_tail is not supported for text2video');
    return;
  }
  if (body.aspect_ratio !== undefined) throw bad('aspect_ratio is not supported for image2video');
  if (body.image === undefined && body.image_tail === undefined) throw bad('image or image_tail is required');
  if (body.image !== undefined) checkImageField(body.image, 'image');
  if (body.image_tail !== undefined) {
    checkImageField(body.image_tail, 'image_tail');
    if (row.tail === 'no') throw bad(`image_tail is not supported by ${model}`);
    if (row.tail === 'pro' && effectiveMode !== 'pro') throw bad(`image_tail requires mode pro for ${model}`);
    if (row.tail === '5s' && duration !== '5') throw bad(`image_tail requires duration 5 for ${model}`);
    if (row.tailSilentOnly && sound === 'on') throw bad(`image_tail requires sound off for ${model}`);
  }
}
