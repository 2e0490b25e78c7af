/**
 * The shipped ffmpeg/ffprobe (registry packages, no download at install): OGG/Opus voice notes
 * to mp3/m4a, streamed and time-bounded, typed errors; probing of videos for the lip-sync rules.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { AUDIO_TARGET_MIME, convertAudio, convertAudioToBuffer, convertInputMedia, MediaToolError, needsConversion } from '../../src/media/audio-convert.js';
import { mediaToolPath } from '../../src/media/ffmpeg.js';
import { checkLipSyncVideo, checkVideoMeta, LIPSYNC_VIDEO_RULES, motionVideoRules, probeMedia } from '../../src/media/probe.js';
import { rejectionOf } from '../support/errors.js';

const path = (name: string) => new URL(`../fixtures/media/${name}`, import.meta.url).pathname;
const stream = (name: string) => createReadStream(path(name));

async function duration(bytes: Buffer): Promise<number> {
  return (await parseBuffer(bytes, undefined, { duration: true })).format.duration ?? 0;
}

const failure = (promise: Promise<unknown>) => rejectionOf(MediaToolError, promise);

describe('audio conversion', () => {
  it('the binaries come from the npm packages and run', () => {
    expect(mediaToolPath('ffmpeg')).toMatch(/node_modules\/@ffmpeg-installer\//);
    expect(mediaToolPath('ffprobe')).toMatch(/node_modules\/@ffprobe-installer\//);
  });

  it('OGG/Opus voice → mp3 (the default), same length', async () => {
    const mp3 = await convertAudioToBuffer(stream('voice.ogg'), { maxBytes: 5_000_000 });
    expect(mp3.subarray(0, 3).toString('latin1') === 'ID3' || (mp3[0] === 0xff && (mp3[1]! & 0xe0) === 0xe0)).toBe(true);
    expect((await parseBuffer(mp3)).format.codec).toMatch(/MPEG/);
    expect(await duration(mp3)).toBeGreaterThan(2.9);
    expect(await duration(mp3)).toBeLessThan(3.2);
  });

  it('OGG/Opus → m4a (AAC in MP4) through a pipe', async () => {
    const m4a = await convertAudioToBuffer(stream('voice.ogg'), { maxBytes: 5_000_000, format: 'm4a' });
    expect(m4a.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const probe = await probeMedia(Readable.from([m4a]));
    expect(probe.audio?.codec).toBe('aac');
    expect(probe.video).toBeUndefined();
  });

  it('streams: input fed in chunks through a pipe, output trimmed to maxSeconds', async () => {
    const input = new PassThrough();
    const out = convertAudio(input, { maxSeconds: 5 });
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve, reject) => out.on('end', resolve).on('error', reject));
    const bytes = readFileSync(path('long-voice.ogg'));
    for (let i = 0; i < bytes.length; i += 4096) input.write(bytes.subarray(i, i + 4096));
    input.end();
    await done;
    const seconds = await duration(Buffer.concat(chunks));
    expect(seconds).toBeGreaterThan(4.9);
    expect(seconds).toBeLessThan(5.2);
  });

  it('an InputMedia of the converted voice, named and typed for the provider', async () => {
    const bytes = readFileSync(path('voice.ogg'));
    const converted = await convertInputMedia(
      { open: async () => Readable.from([bytes]), size: bytes.length, mime: 'audio/ogg', fileName: 'voice.ogg' },
      { maxBytes: 5_000_000 },
    );
    expect(converted).toMatchObject({ mime: AUDIO_TARGET_MIME.mp3, fileName: 'voice.mp3' });
    const again = Buffer.concat(await (await converted.open()).toArray());
    expect(again.length).toBe(converted.size);
    expect(needsConversion('audio/ogg')).toBe(true);
    expect(needsConversion('audio/mpeg')).toBe(false);
    expect(needsConversion('audio/mp4; codecs=mp4a')).toBe(false);
  });

  it('typed failures: not media, no audio stream, too large, timeout, abort, missing binary', async () => {
    expect((await failure(convertAudioToBuffer(stream('not-media.txt'), { maxBytes: 5e6 }))).code).toBe('invalid_input');
    expect((await failure(convertAudioToBuffer(stream('portrait.jpg'), { maxBytes: 5e6 }))).code).toBe('no_audio');
    expect((await failure(convertAudioToBuffer(stream('long-voice.ogg'), { maxBytes: 10_000 }))).code).toBe('too_large');
    // An input that never ends: killed at the deadline.
    const endless = new PassThrough();
    endless.write(readFileSync(path('voice.ogg')).subarray(0, 2000));
    const started = Date.now();
    expect((await failure(convertAudioToBuffer(endless, { maxBytes: 5e6, timeoutMs: 300 }))).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    const controller = new AbortController();
    const hanging = new PassThrough();
    setTimeout(() => controller.abort(), 100);
    expect((await failure(convertAudioToBuffer(hanging, { maxBytes: 5e6, signal: controller.signal }))).code).toBe('aborted');
    const missing = await failure(convertAudioToBuffer(stream('voice.ogg'), { maxBytes: 5e6, binaryPath: '/nonexistent/ffmpeg' }));
    expect(missing.code).toBe('tool_unavailable');
  });
});

describe('probing', () => {
  it('reads duration and size of a video from a path and from a stream', async () => {
    for (const source of [path('clip-720p.mp4'), stream('clip-720p.mp4')]) {
      const probe = await probeMedia(source);
      expect(probe.durationSeconds).toBeCloseTo(3, 1);
      expect(probe.video).toEqual({ codec: 'h264', width: 1280, height: 720 });
      expect(probe.audio?.codec).toBe('aac');
    }
    const voice = await probeMedia(path('voice.ogg'));
    expect(voice).toMatchObject({ audio: { codec: 'opus' } });
    expect(voice.durationSeconds).toBeCloseTo(3, 0);
    expect((await failure(probeMedia(path('not-media.txt')))).code).toBe('invalid_input');
  });

  it('checks the lip-sync video rules (2–60 s, sides 512–2160, ≤100 MB)', async () => {
    const ok = await probeMedia(path('clip-720p.mp4'));
    expect(checkLipSyncVideo(ok, 10_000)).toEqual([]);
    const small = await probeMedia(path('result.mp4')); // 320×240, 2 s
    expect(checkLipSyncVideo(small, 7_400).map((i) => i.code)).toEqual(['video-resolution']);
    expect(checkLipSyncVideo({ ...ok, durationSeconds: 61 }, 200 * 1024 * 1024).map((i) => i.code)).toEqual(['video-too-large', 'video-too-long']);
    expect(checkLipSyncVideo({ formatName: 'ogg', audio: { codec: 'opus' } }, 1).map((i) => i.code)).toEqual(['video-unreadable']);
  });

  it('checks Telegram metadata before any download, with whatever fields it has', () => {
    expect(checkVideoMeta({ durationSeconds: 30, width: 1280, height: 720, sizeBytes: 5e6 }, LIPSYNC_VIDEO_RULES)).toEqual([]);
    expect(checkVideoMeta({ durationSeconds: 1 }, LIPSYNC_VIDEO_RULES).map((i) => i.code)).toEqual(['video-too-short']);
    expect(checkVideoMeta({ width: 3840, height: 2160 }, LIPSYNC_VIDEO_RULES).map((i) => i.code)).toEqual(['video-resolution']);
    expect(checkVideoMeta({}, LIPSYNC_VIDEO_RULES)).toEqual([]);
    expect(checkVideoMeta({ durationSeconds: 12 }, motionVideoRules('image')).map((i) => i.code)).toEqual(['video-too-long']);
    expect(checkVideoMeta({ durationSeconds: 12, width: 3840, height: 2160 }, motionVideoRules('video'))).toEqual([]);
  });
});
