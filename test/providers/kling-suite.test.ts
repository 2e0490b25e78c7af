/**
 * Contract tests: the Kling suite client (src/providers/kling/suite.ts) against the fake Kling
 * (real HTTP on 127.0.0.1): v2.6 / v3 rules, avatar with a converted voice note, extend from a
 * kept `videos[0].id`, identify-face → advanced lip-sync (delivered and uploaded videos),
 * several photos, motion control with self-hosted URL inputs, errors and lost answers.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKlingSuiteProvider, KLING_SOURCE_EXPIRED_CODE, type KlingSuiteConfig, type KlingSuiteRequest } from '../../src/providers/kling/index.js';
import { ProviderError, type InputMedia, type SourceVideo } from '../../src/providers/types.js';
import { createMediaHosting, type MediaHosting } from '../../src/server/media-hosting.js';
import { createServer, type AppServer } from '../../src/server/http.js';
import { FakeKling, makePng, sniffAudio, type FakeKlingOptions } from '../support/fake-kling/index.js';
import { rejectionOf } from '../support/errors.js';
import { klingConnection } from '../support/kling-connection.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/media/${name}`, import.meta.url));
const VOICE = fixture('voice.ogg'); // 3 s OGG/Opus, as Telegram sends voice notes
const LONG_VOICE = fixture('long-voice.ogg'); // 20 s
const CLIP = fixture('clip-720p.mp4'); // 3 s, 1280×720
const PORTRAIT = fixture('portrait.jpg');
const DAY = 24 * 60 * 60 * 1000;

let fake: FakeKling;
let hostingDir: string;
let hosting: MediaHosting;
let server: AppServer;
let serverPort: number;
let n = 0;

function media(bytes: Buffer, mime: string, fileName = 'file', size?: { width: number; height: number }): InputMedia {
  return { open: async () => Readable.from([bytes]), size: bytes.length, mime, fileName, ...size };
}
const png = (w = 512, h = 512) => media(makePng(w, h), 'image/png', 'photo.png', { width: w, height: h });
const voice = (bytes = VOICE) => media(bytes, 'audio/ogg', 'voice.ogg');

async function startFake(options: FakeKlingOptions = {}) {
  await fake?.stop();
  fake = await FakeKling.start(options);
}

beforeAll(async () => {
  hostingDir = await mkdtemp(join(tmpdir(), 'kling-suite-hosting-'));
  // The bot's own HTTP server serves self-hosted inputs; PUBLIC_URL is learnt after listen.
  const inner = { current: undefined as MediaHosting | undefined };
  server = createServer({
    logger: pino({ level: 'silent' }),
    isReady: async () => true,
    media: { handle: (req, res) => inner.current!.handle(req, res) },
  });
  serverPort = await server.listen(0, '127.0.0.1');
  const publicUrl = `http://127.0.0.1:${serverPort}`;
  hosting = createMediaHosting({ dir: hostingDir, publicUrl });
  inner.current = hosting;
});

afterAll(async () => {
  await server.close(1_000);
  await rm(hostingDir, { recursive: true, force: true });
});

beforeEach(async () => {
  fake = await FakeKling.start();
});
afterEach(async () => {
  await fake.stop();
});

function suite(overrides: Partial<KlingSuiteConfig> = {}) {
  return createKlingSuiteProvider({
    ...klingConnection(fake, 3_000),
    urlHost: hosting,
    ...overrides,
  });
}

function req(overrides: Partial<KlingSuiteRequest> & Pick<KlingSuiteRequest, 'kind'>): KlingSuiteRequest {
  n += 1;
  return { generationId: `s${n}-${Date.now()}`, providerModel: 'kling-v1-6', options: {}, ...overrides };
}

function lastCreate(kind?: Parameters<FakeKling['createsOf']>[0]): Record<string, unknown> {
  const list = kind ? fake.createsOf(kind) : fake.requestsFor('create');
  return JSON.parse(list[list.length - 1]!.body) as Record<string, unknown>;
}

async function runToEnd(provider: ReturnType<typeof suite>, request: KlingSuiteRequest) {
  const { taskId } = await provider.submit(request);
  for (let i = 0; i < 10; i += 1) {
    const status = await provider.getStatus(taskId, request.kind);
    if (status.state !== 'pending') return { taskId, status };
  }
  throw new Error('task did not finish');
}

const rejected = (promise: Promise<unknown>) => rejectionOf(ProviderError, promise);

function token(): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ iss: fake.accessKey, exp: now + 60, nbf: now - 5 })}`;
  // Signed independently of the client under test.
  return `${head}.${createHmac('sha256', fake.secretKey).update(head).digest('base64url')}`;
}

async function raw(path: string, body: object): Promise<{ status: number; code: number; message: string; data: unknown }> {
  const response = await fetch(`${fake.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { code: number; message: string; data: unknown };
  return { status: response.status, ...json };
}

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe('text/image → video: kling-v2-6 and kling-v3 rules', () => {
  it('kling-v3 t2v: 7 s with sound "on" in std, no cfg_scale; the result keeps videos[0].id', async () => {
    const provider = suite();
    const request = req({ kind: 'text2video', providerModel: 'kling-v3', prompt: 'A fox', options: { duration: 7, sound: true, aspectRatio: '9:16' } });
    expect(provider.validate(request)).toEqual([]);
    const { status } = await runToEnd(provider, request);
    expect(lastCreate()).toMatchObject({ model_name: 'kling-v3', duration: '7', sound: 'on', mode: 'std', aspect_ratio: '9:16' });
    expect(lastCreate()).not.toHaveProperty('cfg_scale');
    expect(status).toMatchObject({ state: 'succeeded', durationSeconds: 7 });
    expect(status.state === 'succeeded' && status.providerVideoId).toMatch(/^\d{18}$/);
    expect(fake.requestsFor('create')[0]!.path).toBe('/v1/videos/text2video');
  });

  it('kling-v3 allows 3–15 s only; 5/10 only elsewhere; duration is sent as a string', async () => {
    const provider = suite();
    expect(codes(provider.validate(req({ kind: 'text2video', providerModel: 'kling-v3', prompt: 'x', options: { duration: 16 } })))).toEqual([
      'invalid-duration',
    ]);
    expect(codes(provider.validate(req({ kind: 'text2video', providerModel: 'kling-v3', prompt: 'x', options: { duration: 3 } })))).toEqual([]);
    expect(codes(provider.validate(req({ kind: 'text2video', providerModel: 'kling-v2-6', prompt: 'x', options: { duration: 7 } })))).toEqual([
      'invalid-duration',
    ]);
    expect(await raw('/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'x', duration: '7' })).toMatchObject({ status: 400, code: 1201 });
    expect(await raw('/v1/videos/text2video', { model_name: 'kling-v3', prompt: 'x', duration: 7 })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/text2video', { model_name: 'kling-v3', prompt: 'x', duration: '15' })).toMatchObject({ code: 0 });
  });

  it('kling-v2-6: sound only in pro, as the string "on"/"off"; silent std is sent as sound "off"', async () => {
    const provider = suite();
    expect(codes(provider.validate(req({ kind: 'text2video', providerModel: 'kling-v2-6', prompt: 'x', options: { mode: 'std', sound: true } })))).toEqual([
      'sound-pro-only',
    ]);
    expect(await raw('/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'x', mode: 'std', sound: 'on' })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'x', mode: 'pro', sound: true })).toMatchObject({ code: 1201 });

    await runToEnd(provider, req({ kind: 'text2video', providerModel: 'kling-v2-6', prompt: 'x', options: { mode: 'pro', sound: 'on' } }));
    expect(lastCreate()).toMatchObject({ model_name: 'kling-v2-6', mode: 'pro', sound: 'on', duration: '5' });
    await runToEnd(provider, req({ kind: 'text2video', providerModel: 'kling-v2-6', prompt: 'x', options: { mode: 'std' } }));
    expect(lastCreate()).toMatchObject({ mode: 'std', sound: 'off' });
  });

  it('cfg_scale: refused on v2.x and v3 (client and fake), sent for v1-6', async () => {
    const provider = suite();
    expect(codes(provider.validate(req({ kind: 'text2video', providerModel: 'kling-v2-6', prompt: 'x', options: { cfgScale: 0.4 } })))).toEqual([
      'cfg-scale-not-supported',
    ]);
    expect(codes(provider.validate(req({ kind: 'text2video', providerModel: 'kling-v3', prompt: 'x', options: { cfgScale: 0.4 } })))).toEqual([
      'cfg-scale-not-supported',
    ]);
    expect(await raw('/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'x', cfg_scale: 0.4 })).toMatchObject({ code: 1201 });
    await runToEnd(provider, req({ kind: 'text2video', providerModel: 'kling-v1-6', prompt: 'x', options: { cfgScale: 0.4 } }));
    expect(lastCreate()).toMatchObject({ model_name: 'kling-v1-6', cfg_scale: 0.4 });
    expect(lastCreate()).not.toHaveProperty('sound');
  });

  it('image → video: no aspect_ratio sent; end frame pro only (v2.6 also silent only), any mode on v3', async () => {
    const provider = suite();
    await runToEnd(provider, req({ kind: 'image2video', providerModel: 'kling-v2-6', image: png(), options: { aspectRatio: '16:9', mode: 'pro' } }));
    const body = lastCreate();
    expect(body).not.toHaveProperty('aspect_ratio');
    expect(typeof body.image).toBe('string');

    const tail = { image: png(), endImage: png(600, 400) };
    expect(codes(provider.validate(req({ kind: 'image2video', providerModel: 'kling-v2-6', ...tail, options: { mode: 'std' } })))).toEqual([
      'end-frame-pro-only',
    ]);
    expect(codes(provider.validate(req({ kind: 'image2video', providerModel: 'kling-v2-6', ...tail, options: { mode: 'pro', sound: 'on' } })))).toEqual([
      'end-frame-silent-only',
    ]);
    expect(codes(provider.validate(req({ kind: 'image2video', providerModel: 'kling-v2-master', ...tail })))).toEqual(['end-frame-not-supported']);
    await runToEnd(provider, req({ kind: 'image2video', providerModel: 'kling-v3', ...tail, options: { mode: 'std', sound: 'on', duration: 12 } }));
    expect(lastCreate()).toMatchObject({ model_name: 'kling-v3', mode: 'std', sound: 'on', duration: '12' });
    expect(typeof lastCreate().image_tail).toBe('string');

    const pngB64 = makePng(512, 512).toString('base64');
    expect(await raw('/v1/videos/image2video', { model_name: 'kling-v2-6', image: pngB64, image_tail: pngB64, mode: 'std' })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/image2video', { model_name: 'kling-v2-6', image: pngB64, image_tail: pngB64, mode: 'pro', sound: 'on' })).toMatchObject({
      code: 1201,
    });
    expect(await raw('/v1/videos/image2video', { model_name: 'kling-v2-6', image: pngB64, aspect_ratio: '16:9' })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/image2video', { model_name: 'kling-v3', image_tail: pngB64 })).toMatchObject({ code: 0 });
    expect(await raw('/v1/videos/image2video', { model_name: 'kling-v3' })).toMatchObject({ code: 1201 });
  });

  it('the fake checks multi_prompt durations against duration; unknown models are 1203', async () => {
    const shots = (a: string, b: string) => ({
      model_name: 'kling-v3',
      duration: '6',
      multi_shot: true,
      shot_type: 'customize',
      multi_prompt: [
        { index: 1, prompt: 'a', duration: a },
        { index: 2, prompt: 'b', duration: b },
      ],
    });
    expect(await raw('/v1/videos/text2video', shots('2', '3'))).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/text2video', shots('3', '3'))).toMatchObject({ code: 0 });
    expect(await raw('/v1/videos/text2video', { model_name: 'kling-v9', prompt: 'x' })).toMatchObject({ status: 404, code: 1203 });
    const error = await rejected(suite().submit(req({ kind: 'text2video', providerModel: 'kling-v9', prompt: 'x' })));
    expect(error).toMatchObject({ errorClass: 'final', code: 'unknown-model', userReason: 'bad_input' });
  });
});

describe('avatar /v1/videos/avatar/image2video', () => {
  it('a Telegram voice note (OGG/Opus) reaches Kling as mp3; pro from the model id; the result is as long as the voice', async () => {
    const provider = suite();
    const request = req({
      kind: 'lipsync',
      providerModel: 'kling-avatar-pro',
      image: media(PORTRAIT, 'image/jpeg', 'p.jpg'),
      audio: voice(),
      audioSeconds: 3,
      prompt: 'smiles',
    });
    expect(provider.validate(request)).toEqual([]);
    const { taskId, status } = await runToEnd(provider, request);
    expect(fake.createsOf('avatar')[0]!.path).toBe('/v1/videos/avatar/image2video');
    const body = lastCreate('avatar');
    expect(body).toMatchObject({ mode: 'pro', prompt: 'smiles', external_task_id: provider.externalTaskId(request) });
    expect(sniffAudio(Buffer.from(body.sound_file as string, 'base64'))).toBe('mp3');
    expect(body).not.toHaveProperty('audio_id');
    expect(status).toMatchObject({ state: 'succeeded' });
    expect(status.state === 'succeeded' && Math.round(status.durationSeconds!)).toBe(3);
    expect(fake.requestsFor('get').every((r) => r.path.startsWith('/v1/videos/avatar/image2video/'))).toBe(true);
    expect(taskId).toMatch(/^\d+$/);
  });

  it('OGG straight to the fake is refused; exactly one of sound_file / audio_id; a TTS audio_id works', async () => {
    const image = makePng(512, 512).toString('base64');
    expect(await raw('/v1/videos/avatar/image2video', { image, sound_file: VOICE.toString('base64') })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/avatar/image2video', { image })).toMatchObject({ code: 1201 });
    const tts = await raw('/v1/audio/tts', { text: 'Hello there, this is a test voice', voice_id: 'v1', voice_language: 'en' });
    expect(tts.code).toBe(0);
    const audioId = (tts.data as { task_result: { audios: { id: string }[] } }).task_result.audios[0]!.id;
    expect(await raw('/v1/videos/avatar/image2video', { image, audio_id: audioId, sound_file: 'x' })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/avatar/image2video', { image, audio_id: audioId })).toMatchObject({ code: 0 });
    expect(await raw('/v1/audio/tts', { text: 'x', voice_id: 'v1', voice_speed: 3 })).toMatchObject({ code: 1201 });
  });

  it('audio 2 s up to the configured cap; unreadable audio is bad input and costs no call', async () => {
    const provider = suite({ avatarMaxAudioSeconds: 10 });
    const base = { kind: 'lipsync' as const, providerModel: 'kling-avatar-std', image: png() };
    expect(codes(provider.validate(req({ ...base, audio: voice(LONG_VOICE), audioSeconds: 20 })))).toEqual(['audio-too-long']);
    expect(codes(provider.validate(req({ ...base, audio: voice(), audioSeconds: 1.5 })))).toEqual(['audio-too-short']);
    expect(provider.limits('kling-avatar-std')).toMatchObject({ maxAudioSeconds: 10, minAudioSeconds: 2 });
    const error = await rejected(provider.submit(req({ ...base, audio: media(Buffer.from('not audio at all, really'), 'audio/ogg'), audioSeconds: 3 })));
    expect(error).toMatchObject({ errorClass: 'final', code: 'audio-unreadable', userReason: 'bad_input' });
    expect(fake.requestsFor('create')).toHaveLength(0);
  });
});

describe('video extend /v1/videos/video-extend', () => {
  async function deliveredV16(provider: ReturnType<typeof suite>): Promise<SourceVideo> {
    const { status } = await runToEnd(provider, req({ kind: 'text2video', providerModel: 'kling-v1-6', prompt: 'x', options: { duration: 5 } }));
    if (status.state !== 'succeeded') throw new Error('no video');
    return { providerVideoId: status.providerVideoId!, providerModel: 'kling-v1-6', durationSeconds: status.durationSeconds!, createdAt: Date.now() };
  }

  it('extends a kept videos[0].id by 5 s; extending the extension again adds 5 more', async () => {
    const provider = suite();
    const source = await deliveredV16(provider);
    const first = await runToEnd(provider, req({ kind: 'video_extend', sourceVideo: source, prompt: 'keeps walking' }));
    expect(lastCreate('video-extend')).toMatchObject({ video_id: source.providerVideoId, prompt: 'keeps walking' });
    expect(lastCreate('video-extend')).not.toHaveProperty('model_name');
    expect(first.status).toMatchObject({ state: 'succeeded', durationSeconds: 10 });
    expect(fake.tasks.get(first.taskId)!.parentVideo).toMatchObject({ id: source.providerVideoId });
    const extendedId = first.status.state === 'succeeded' ? first.status.providerVideoId! : '';
    const second = await runToEnd(provider, req({ kind: 'video_extend', sourceVideo: { ...source, providerVideoId: extendedId, durationSeconds: 10 } }));
    expect(second.status).toMatchObject({ state: 'succeeded', durationSeconds: 15 });
  });

  it('only v1.x sources, at most 3 minutes in total, younger than 30 days — before any call', () => {
    const provider = suite();
    const source = { providerVideoId: '743211632612511839', providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() };
    expect(codes(provider.validate(req({ kind: 'video_extend', sourceVideo: { ...source, providerModel: 'kling-v2-6' } })))).toEqual([
      'extend-model-not-supported',
    ]);
    expect(codes(provider.validate(req({ kind: 'video_extend', sourceVideo: { ...source, durationSeconds: 178 } })))).toEqual(['extend-too-long']);
    expect(codes(provider.validate(req({ kind: 'video_extend', sourceVideo: { ...source, createdAt: Date.now() - 31 * DAY } })))).toEqual([
      KLING_SOURCE_EXPIRED_CODE,
    ]);
    expect(codes(provider.validate(req({ kind: 'video_extend', sourceVideo: { ...source, durationSeconds: 175 } })))).toEqual([]);
  });

  it('Kling saying the source is gone becomes the distinct source-video-expired error; the fake refuses v2/v3 sources', async () => {
    const old = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() - 31 * DAY });
    const provider = suite();
    // Our record thinks it is fresh (e.g. clocks differ): Kling's refusal is mapped.
    const error = await rejected(
      provider.submit(
        req({
          kind: 'video_extend',
          sourceVideo: { providerVideoId: old.id, providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() - 29 * DAY },
        }),
      ),
    );
    expect(error).toMatchObject({ errorClass: 'final', code: KLING_SOURCE_EXPIRED_CODE, userReason: 'bad_input' });
    const v26 = fake.registerVideo({ model: 'kling-v2-6' });
    expect(await raw('/v1/videos/video-extend', { video_id: v26.id })).toMatchObject({ code: 1201 });
    const long = fake.registerVideo({ model: 'kling-v1', durationSeconds: 177 });
    expect(await raw('/v1/videos/video-extend', { video_id: long.id })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/video-extend', { video_id: '999999999999999999' })).toMatchObject({ code: 1201 });
  });
});

describe('lip-sync a video: identify-face → advanced-lip-sync', () => {
  it('from a delivered Kling video (video_id): one face, the voice fitted into the face window and converted', async () => {
    const provider = suite();
    const source = fake.registerVideo({ model: 'kling-v2-6', durationSeconds: 10 });
    const sourceVideo = { providerVideoId: source.id, providerModel: 'kling-v2-6', durationSeconds: 10, createdAt: Date.now() };
    const request = req({ kind: 'video_lipsync', sourceVideo, audio: voice(LONG_VOICE), audioSeconds: 20 });
    expect(provider.canServe('video_lipsync', { hasSourceVideo: true })).toBe(true);
    const { status } = await runToEnd(provider, request);
    expect(fake.requestsFor('identify')).toHaveLength(1);
    expect(JSON.parse(fake.requestsFor('identify')[0]!.body)).toEqual({ video_id: source.id });
    const body = lastCreate('advanced-lip-sync');
    const face = (body.face_choose as Array<Record<string, unknown>>)[0]!;
    // 20 s of voice into a 10 s face window: trimmed to the window.
    expect(face).toMatchObject({ face_id: '0', sound_start_time: 0, sound_insert_time: 0, sound_volume: 1, original_audio_volume: 1 });
    expect(face.sound_end_time).toBeGreaterThanOrEqual(9_900);
    expect(face.sound_end_time).toBeLessThanOrEqual(10_000);
    expect(sniffAudio(Buffer.from(face.sound_file as string, 'base64'))).toBe('mp3');
    expect(status).toMatchObject({ state: 'succeeded', durationSeconds: 10 });
    expect(fake.requestsFor('get').every((r) => r.path.startsWith('/v1/videos/advanced-lip-sync/'))).toBe(true);
  });

  it('an uploaded video is served from our HTTP server at an unguessable URL and released after the job', async () => {
    const provider = suite();
    const request = req({ kind: 'video_lipsync', video: media(CLIP, 'video/mp4', 'clip.mp4'), videoSeconds: 3, audio: voice(), audioSeconds: 3 });
    expect(provider.validate(request)).toEqual([]);
    const { status } = await runToEnd(provider, request);
    const url = (JSON.parse(fake.requestsFor('identify')[0]!.body) as { video_url: string }).video_url;
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${serverPort}/media/[A-Za-z0-9_-]{43}\\.mp4$`));
    expect(fake.fetchedUrls).toContain(url);
    expect(status).toMatchObject({ state: 'succeeded', durationSeconds: 3 });
    await hosting.release(request.generationId);
    expect((await fetch(url)).status).toBe(404);
  });

  it('several faces: identifyFace lists them for the question; the chosen session and face are used without a second identify', async () => {
    await startFake({
      faces: (ms) => [
        { face_id: 'b', start_time: 2_500, end_time: ms + 4 },
        { face_id: 'a', start_time: 0, end_time: 6_000 },
      ],
    });
    const provider = suite();
    const source = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 10 });
    const sourceVideo = { providerVideoId: source.id, providerModel: 'kling-v1-6', durationSeconds: 10, createdAt: Date.now() };
    const faces = await provider.identifyFace({ generationId: 'g-faces', sourceVideo });
    expect(faces.faces.map((f) => f.faceId)).toEqual(['a', 'b']); // in order of appearance
    expect(faces.expiresAt).toBeGreaterThan(Date.now() + 23 * 60 * 60 * 1000);
    expect(faces.units).toBe('0.2');
    const chosen = faces.faces[1]!;
    await runToEnd(
      provider,
      req({
        kind: 'video_lipsync',
        sourceVideo,
        audio: voice(LONG_VOICE),
        audioSeconds: 20,
        options: { sessionId: faces.sessionId, sessionExpiresAt: faces.expiresAt, faceId: chosen.faceId, faceStartMs: chosen.startMs, faceEndMs: chosen.endMs },
      }),
    );
    expect(fake.requestsFor('identify')).toHaveLength(1);
    const face = (lastCreate('advanced-lip-sync').face_choose as Array<Record<string, number | string>>)[0]!;
    // The face end overshoots the video by 4 ms: the window is clamped to the video (10 s).
    expect(face).toMatchObject({ face_id: 'b', sound_insert_time: 2_500 });
    expect(Number(face.sound_end_time)).toBeLessThanOrEqual(7_500);
    expect(Number(face.sound_end_time)).toBeGreaterThan(7_300);
  });

  it('a session Kling no longer knows is identified again and sent once more', async () => {
    const provider = suite();
    const source = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5 });
    const sourceVideo = { providerVideoId: source.id, providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() };
    const options = { sessionId: 'stale-session', sessionExpiresAt: Date.now() + DAY, faceId: '0', faceStartMs: 0, faceEndMs: 5_000 };
    const { status } = await runToEnd(provider, req({ kind: 'video_lipsync', sourceVideo, audio: voice(), audioSeconds: 3, options }));
    expect(status.state).toBe('succeeded');
    expect(fake.createsOf('advanced-lip-sync')).toHaveLength(2);
    expect(JSON.parse(fake.createsOf('advanced-lip-sync')[0]!.body).session_id).toBe('stale-session');
    expect(fake.requestsFor('identify')).toHaveLength(1);
    expect(fake.tasks.size).toBe(1);
  });

  it('a face window under 2 s, no face, an expired session or a second face are refused', async () => {
    await startFake({ faces: () => [{ face_id: '0', start_time: 0, end_time: 1_500 }] });
    const source = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5 });
    const sourceVideo = { providerVideoId: source.id, providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() };
    const error = await rejected(suite().submit(req({ kind: 'video_lipsync', sourceVideo, audio: voice(), audioSeconds: 3 })));
    expect(error).toMatchObject({ code: 'face-window-too-short', userReason: 'bad_input' });
    expect(fake.requestsFor('create')).toHaveLength(0);

    await startFake({ faces: () => [] });
    const s2 = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5 });
    const noFace = await rejected(
      suite().submit(req({ kind: 'video_lipsync', sourceVideo: { ...sourceVideo, providerVideoId: s2.id }, audio: voice(), audioSeconds: 3 })),
    );
    expect(noFace).toMatchObject({ code: 'no-face', userReason: 'bad_input' });

    await startFake();
    const s3 = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5 });
    const identify = await raw('/v1/videos/identify-face', { video_id: s3.id });
    const session = (identify.data as { session_id: string }).session_id;
    const mp3 = (await import('../../src/media/audio-convert.js')).convertAudioToBuffer(Readable.from([VOICE]), { maxBytes: 5e6 });
    const sound = (await mp3).toString('base64');
    const choice = { face_id: '0', sound_file: sound, sound_start_time: 0, sound_end_time: 2_900, sound_insert_time: 0 };
    expect(await raw('/v1/videos/advanced-lip-sync', { session_id: 'nope', face_choose: [choice] })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/advanced-lip-sync', { session_id: session, face_choose: [choice, choice] })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/advanced-lip-sync', { session_id: session, face_choose: [{ ...choice, sound_insert_time: 4_000 }] })).toMatchObject({
      code: 1201,
    });
    expect(await raw('/v1/videos/advanced-lip-sync', { session_id: session, face_choose: [{ ...choice, sound_end_time: 3_500 }] })).toMatchObject({
      code: 1201,
    });
    expect(
      await raw('/v1/videos/advanced-lip-sync', { session_id: session, face_choose: [{ ...choice, sound_file: VOICE.toString('base64') }] }),
    ).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/advanced-lip-sync', { session_id: session, face_choose: [choice] })).toMatchObject({ code: 0 });
    expect(await raw('/v1/videos/identify-face', { video_id: s3.id, video_url: 'http://x/y.mp4' })).toMatchObject({ code: 1201 });
  });

  it('an expired source is refused before any call; an uploaded video needs a URL host', () => {
    const provider = suite({ urlHost: undefined });
    const sourceVideo = { providerVideoId: '1', providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() - 31 * DAY };
    expect(codes(provider.validate(req({ kind: 'video_lipsync', sourceVideo, audio: voice(), audioSeconds: 3 })))).toEqual([KLING_SOURCE_EXPIRED_CODE]);
    expect(provider.canServe('video_lipsync')).toBe(false);
    expect(codes(provider.validate(req({ kind: 'video_lipsync', video: media(CLIP, 'video/mp4'), videoSeconds: 3, audio: voice(), audioSeconds: 3 })))).toEqual(
      ['url-hosting-unavailable'],
    );
    expect(codes(suite().validate(req({ kind: 'video_lipsync', video: media(CLIP, 'video/mp4'), videoSeconds: 61, audio: voice(), audioSeconds: 3 })))).toEqual(
      ['video-too-long'],
    );
  });

  it('legacy /v1/videos/lip-sync: create and query in the fake', async () => {
    const s = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5 });
    expect(await raw('/v1/videos/lip-sync', { input: { video_id: s.id } })).toMatchObject({ code: 1201 });
    const created = await raw('/v1/videos/lip-sync', { input: { video_id: s.id, mode: 'text2video', text: 'hi', voice_id: 'v' } });
    expect(created.code).toBe(0);
    const id = (created.data as { task_id: string }).task_id;
    const got = await fetch(`${fake.baseUrl}/v1/videos/lip-sync/${id}`, { headers: { authorization: `Bearer ${token()}` } });
    expect(((await got.json()) as { code: number }).code).toBe(0);
  });
});

describe('several photos → video /v1/videos/multi-image2video', () => {
  it('2–4 photos and a required prompt; kling-v1-6 only', async () => {
    const provider = suite();
    const { status } = await runToEnd(
      provider,
      req({ kind: 'multi_image2video', images: [png(), png(600, 400)], prompt: 'They meet', options: { mode: 'pro', duration: 10, aspectRatio: '1:1' } }),
    );
    const body = lastCreate('multi-image2video');
    expect(body).toMatchObject({ model_name: 'kling-v1-6', prompt: 'They meet', mode: 'pro', duration: '10', aspect_ratio: '1:1' });
    expect((body.image_list as unknown[]).length).toBe(2);
    expect(status).toMatchObject({ state: 'succeeded', durationSeconds: 10 });

    expect(codes(provider.validate(req({ kind: 'multi_image2video', images: [png()], prompt: 'x' })))).toEqual(['images-count']);
    expect(codes(provider.validate(req({ kind: 'multi_image2video', images: [png(), png(), png(), png(), png()], prompt: 'x' })))).toEqual(['images-count']);
    expect(codes(provider.validate(req({ kind: 'multi_image2video', images: [png(), png()] })))).toEqual(['prompt-required']);
    expect(codes(provider.validate(req({ kind: 'multi_image2video', images: [png(), png(200, 200)], prompt: 'x' })))).toEqual(['image-too-small']);
    const img = { image: makePng(512, 512).toString('base64') };
    expect(await raw('/v1/videos/multi-image2video', { model_name: 'kling-v2-6', image_list: [img, img], prompt: 'x' })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/multi-image2video', { image_list: [img, img] })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/multi-image2video', { image_list: [img, img, img, img, img], prompt: 'x' })).toMatchObject({ code: 1201 });
  });
});

describe('motion transfer /v1/videos/motion-control', () => {
  it('photo + reference video as self-hosted URLs; output as long as the reference', async () => {
    const provider = suite();
    expect(provider.canServe('motion_control')).toBe(true);
    const request = req({
      kind: 'motion_control',
      providerModel: 'kling-v3',
      image: media(PORTRAIT, 'image/jpeg', 'p.jpg'),
      video: media(CLIP, 'video/mp4', 'dance.mp4'),
      videoSeconds: 3,
      options: { mode: 'pro', keepOriginalSound: false },
    });
    expect(provider.validate(request)).toEqual([]);
    const { status } = await runToEnd(provider, request);
    const body = lastCreate('motion-control');
    expect(body).toMatchObject({ model_name: 'kling-v3', character_orientation: 'image', mode: 'pro', keep_original_sound: 'no' });
    expect(body).not.toHaveProperty('image');
    expect(fake.fetchedUrls).toEqual(expect.arrayContaining([body.image_url, body.video_url]));
    expect(String(body.video_url)).toMatch(/\/media\/[A-Za-z0-9_-]{43}\.mp4$/);
    expect(status).toMatchObject({ state: 'succeeded', durationSeconds: 3 });
  });

  it('reference length by orientation; needs a URL host; the fake wants image_url, a reachable video and ≥3 s', async () => {
    const provider = suite();
    const base = { kind: 'motion_control' as const, providerModel: 'kling-v2-6', image: png(), video: media(CLIP, 'video/mp4') };
    expect(codes(provider.validate(req({ ...base, videoSeconds: 12 })))).toEqual(['video-too-long']);
    expect(codes(provider.validate(req({ ...base, videoSeconds: 12, options: { characterOrientation: 'video' } })))).toEqual([]);
    expect(codes(provider.validate(req({ ...base, videoSeconds: 2 })))).toEqual(['video-too-short']);
    expect(codes(provider.validate(req({ ...base, providerModel: 'kling-v1-6', videoSeconds: 5 })))).toEqual(['unknown-model']);
    const noHost = suite({ urlHost: undefined });
    expect(noHost.canServe('motion_control')).toBe(false);
    expect(codes(noHost.validate(req({ ...base, videoSeconds: 5 })))).toEqual(['url-hosting-unavailable']);

    const imageUrl = await hosting.publish(png(), { generationId: 'raw-motion', role: 'i' });
    const short = await hosting.publish(media(fixture('result.mp4'), 'video/mp4'), { generationId: 'raw-motion', role: 'v' });
    const ok = await hosting.publish(media(CLIP, 'video/mp4'), { generationId: 'raw-motion', role: 'v2' });
    const body = { image_url: imageUrl, video_url: ok, character_orientation: 'image', mode: 'std' };
    expect(await raw('/v1/videos/motion-control', { ...body, image: 'x' })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/motion-control', { ...body, video_url: short })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/motion-control', { ...body, mode: undefined })).toMatchObject({ code: 1201 });
    expect(await raw('/v1/videos/motion-control', { ...body, video_url: `http://127.0.0.1:${serverPort}/media/${'A'.repeat(43)}.mp4` })).toMatchObject({
      code: 1201,
    });
    expect(await raw('/v1/videos/motion-control', body)).toMatchObject({ code: 0 });
    await hosting.release('raw-motion');
  });
});

describe('errors and lost answers on the new endpoints', () => {
  it('a create answer lost after Kling took it: ambiguous, then found by external_task_id on that task type', async () => {
    const provider = suite({ timeoutMs: 300 });
    const request = req({ kind: 'multi_image2video', images: [png(), png()], prompt: 'x' });
    fake.failNext('create', { delayMs: 1_000 });
    const error = await rejected(provider.submit(request));
    expect(error.errorClass).toBe('ambiguous');
    expect(fake.tasks.size).toBe(1);
    const found = await provider.findTask(request);
    expect(found?.taskId).toBe([...fake.tasks.keys()][0]);
    expect(fake.requestsFor('get').at(-1)!.path).toBe(`/v1/videos/multi-image2video/${provider.externalTaskId(request)}`);
  });

  it('1201 "external_task_id already exists" on a resend is looked up, never refunded as bad input', async () => {
    const provider = suite();
    const request = req({ kind: 'lipsync', providerModel: 'kling-avatar-std', image: png(), audio: voice(), audioSeconds: 3 });
    const first = await provider.submit(request);
    const again = await provider.submit(request);
    expect(again.taskId).toBe(first.taskId);
    expect(fake.tasks.size).toBe(1);
    expect(fake.createsOf('avatar')).toHaveLength(2);
  });

  it('findTask falls back to the list when GET by external id is unknown, and answers null when nothing was created', async () => {
    const provider = suite();
    const request = req({
      kind: 'video_extend',
      sourceVideo: { providerVideoId: fake.registerVideo({ model: 'kling-v1' }).id, providerModel: 'kling-v1', durationSeconds: 5, createdAt: Date.now() },
    });
    expect(await provider.findTask(request)).toBeNull();
    expect(fake.requestsFor('list').at(-1)!.path).toMatch(/^\/v1\/videos\/video-extend\?pageNum=1&pageSize=50$/);
    const { taskId } = await provider.submit(request);
    fake.failNext('get', 1203);
    expect(await provider.findTask(request)).toEqual({ taskId });
  });

  it('transient codes are retried, account codes are final provider_unavailable, content codes content_rejected', async () => {
    const provider = suite();
    fake.failNext('create', 5000, 2);
    await provider.submit(req({ kind: 'text2video', providerModel: 'kling-v3', prompt: 'x' }));
    fake.failNext('create', 1102);
    expect(await rejected(provider.submit(req({ kind: 'text2video', providerModel: 'kling-v3', prompt: 'x' })))).toMatchObject({
      errorClass: 'final',
      code: '1102',
      userReason: 'provider_unavailable',
    });
    fake.failNext('create', 1301);
    expect(await rejected(provider.submit(req({ kind: 'multi_image2video', images: [png(), png()], prompt: 'x' })))).toMatchObject({
      code: '1301',
      userReason: 'content_rejected',
    });
    fake.failNext('identify', 5001, 1);
    const source = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5 });
    const faces = await provider.identifyFace({
      generationId: 'g',
      sourceVideo: { providerVideoId: source.id, providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() },
    });
    expect(faces.faces).toHaveLength(1);
    expect(fake.requestsFor('identify')).toHaveLength(2);
  });

  it('a failed task reports its reason; callbacks of the new endpoints parse, with parent_video', async () => {
    const provider = suite();
    const source = fake.registerVideo({ model: 'kling-v1-6', durationSeconds: 5 });
    fake.setNextOutcome({ status: 'failed', message: 'there is no human in the video' });
    const request = req({
      kind: 'video_extend',
      sourceVideo: { providerVideoId: source.id, providerModel: 'kling-v1-6', durationSeconds: 5, createdAt: Date.now() },
    });
    const { taskId, status } = await runToEnd(provider, request);
    expect(status).toMatchObject({ state: 'failed', code: 'no_face', userReason: 'bad_input' });
    const view = fake.view(fake.tasks.get(taskId)!);
    expect(view.task_info).toMatchObject({ parent_video: { id: source.id } });
    expect(provider.parseCallback({ headers: {}, query: new URLSearchParams(), rawBody: JSON.stringify(view) })).toEqual({ taskId });
    expect(provider.parseCallback({ headers: {}, query: new URLSearchParams(), rawBody: '{"nope":1}' })).toBeNull();
  });

  it('never sends the secret key; voice bytes and keys stay out of error messages', async () => {
    const provider = suite();
    await runToEnd(provider, req({ kind: 'lipsync', providerModel: 'kling-avatar-std', image: png(), audio: voice(), audioSeconds: 3 }));
    for (const r of fake.requests) {
      expect(r.body).not.toContain(fake.secretKey);
      expect(JSON.stringify(r.headers)).not.toContain(fake.secretKey);
    }
    fake.failNext('create', 1000);
    const error = await rejected(provider.submit(req({ kind: 'text2video', providerModel: 'kling-v3', prompt: 'x' })));
    expect(error.message).not.toContain(fake.secretKey);
    expect(error.message).not.toContain(fake.accessKey);
  });
});
