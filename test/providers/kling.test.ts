/**
 * Contract tests: the official Kling client against the fake Kling server (a real HTTP server).
 * Covers the happy paths, every row of the Kling retry table (docs/providers.md §kling-errors, §retry), JWT caching, image
 * checks, callbacks and a secret-leak check over all outbound traffic.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKlingSuiteProvider, KlingApiError, readImageSize, type KlingSuiteConfig } from '../../src/providers/kling/index.js';
import { ProviderError, type GenerationRequest, type InputMedia } from '../../src/providers/types.js';
import { FakeKling, makeJpegHeader, makePng, type FakeKlingOptions } from '../support/fake-kling/index.js';
import { eventually } from '../support/wait.js';
import { rejectionOf } from '../support/errors.js';
import { klingConnection } from '../support/kling-connection.js';

let fake: FakeKling;
let generation = 0;

async function startFake(options: FakeKlingOptions = {}): Promise<FakeKling> {
  await fake?.stop();
  fake = await FakeKling.start(options);
  return fake;
}

beforeEach(async () => {
  fake = await FakeKling.start();
});

afterEach(async () => {
  await fake.stop();
});

function makeProvider(overrides: Partial<KlingSuiteConfig> = {}) {
  return createKlingSuiteProvider({
    ...klingConnection(fake, 2_000),
    ...overrides,
  });
}

function media(bytes: Buffer, mime: string, size?: { width: number; height: number }): InputMedia {
  return {
    open: async () => Readable.from([bytes]),
    size: bytes.length,
    mime,
    fileName: mime === 'image/png' ? 'image.png' : 'image.jpg',
    ...size,
  };
}

function t2v(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  generation += 1;
  return {
    generationId: `g${generation}-${Date.now()}`,
    kind: 'text2video',
    providerModel: 'kling-v1-6',
    prompt: 'A red fox running through snow',
    options: { duration: 5, aspectRatio: '9:16', mode: 'std' },
    ...overrides,
  };
}

function i2v(image: InputMedia, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return t2v({ kind: 'image2video', image, prompt: 'The person smiles', options: { duration: 10 }, ...overrides });
}

const expectProviderError = (promise: Promise<unknown>) => rejectionOf(ProviderError, promise);

function jwtClaims(header: string | string[] | undefined): { iss: string; exp: number; nbf: number } {
  const token = String(header).replace(/^Bearer /, '');
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

function validToken(): string {
  // Signed independently of the client code under test.
  const now = Math.floor(Date.now() / 1000);
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ iss: fake.accessKey, exp: now + 60, nbf: now - 5 })}`;
  return `${head}.${createHmac('sha256', fake.secretKey).update(head).digest('base64url')}`;
}

function createBody(index = 0): Record<string, unknown> {
  return JSON.parse(fake.requestsFor('create')[index]!.body);
}

describe('Kling provider: success paths', () => {
  it('text2video: submit → processing → succeed, result downloadable', async () => {
    const provider = makeProvider();
    const request = t2v({ negativePrompt: 'blurry' });
    const { taskId } = await provider.submit(request);
    expect(fake.tasks.get(taskId)?.status).toBe('submitted');

    const body = createBody();
    expect(body).toMatchObject({
      model_name: 'kling-v1-6',
      prompt: request.prompt,
      negative_prompt: 'blurry',
      duration: '5',
      aspect_ratio: '9:16',
      mode: 'std',
      external_task_id: provider.externalTaskId(request),
    });
    expect(body.external_task_id).toContain(request.generationId);
    expect(fake.requestsFor('create')[0]!.path).toBe('/v1/videos/text2video');

    expect(await provider.getStatus(taskId, 'text2video')).toEqual({ state: 'pending', providerState: 'processing' });
    const done = await provider.getStatus(taskId, 'text2video');
    expect(done.state).toBe('succeeded');
    if (done.state !== 'succeeded') return;
    expect(done.durationSeconds).toBe(5);
    expect(fake.requestsFor('get')[0]!.path).toBe(`/v1/videos/text2video/${taskId}`);

    const video = await fetch(done.videoUrl);
    expect(video.status).toBe(200);
    expect(Buffer.from(await video.arrayBuffer()).equals(fake.videoBytes)).toBe(true);
  });

  it('image2video (PNG, size read from the header): raw base64, no aspect_ratio', async () => {
    const provider = makeProvider();
    const png = makePng(512, 768);
    const { taskId } = await provider.submit(i2v(media(png, 'image/png')));
    const body = createBody();
    expect(fake.requestsFor('create')[0]!.path).toBe('/v1/videos/image2video');
    expect(body.image).toBe(png.toString('base64'));
    expect(String(body.image).startsWith('data:')).toBe(false);
    expect(body).not.toHaveProperty('aspect_ratio');
    expect(body.duration).toBe('10');

    await provider.getStatus(taskId, 'image2video');
    const done = await provider.getStatus(taskId, 'image2video');
    expect(done).toMatchObject({ state: 'succeeded', durationSeconds: 10 });
    if (done.state === 'succeeded') expect((await fetch(done.videoUrl)).status).toBe(200);
  });

  it('image2video (JPEG with known size)', async () => {
    const provider = makeProvider();
    const jpeg = makeJpegHeader(768, 512);
    const { taskId } = await provider.submit(i2v(media(jpeg, 'image/jpeg', { width: 768, height: 512 })));
    expect(fake.tasks.get(taskId)?.kind).toBe('image2video');
  });

  it('fake lifecycle on a timer (ms) also completes', async () => {
    await startFake({ lifecycle: { unit: 'ms', processingAfter: 10, finishAfter: 30 } });
    const provider = makeProvider();
    const { taskId } = await provider.submit(t2v());
    await eventually(async () => (await provider.getStatus(taskId, 'text2video')).state === 'succeeded', 5_000, 'the timed lifecycle to finish');
  });
});

describe('Kling provider: retry table', () => {
  it('1302 rate limit is retried with backoff', async () => {
    const provider = makeProvider();
    fake.failNext('create', 1302, 2);
    const { taskId } = await provider.submit(t2v());
    expect(fake.requestsFor('create')).toHaveLength(3);
    expect(fake.tasks.size).toBe(1);
    expect(fake.tasks.has(taskId)).toBe(true);
  });

  it('1303 concurrency limit is retried (and gives up as retryable with the ≥ 1 s hint)', async () => {
    await startFake({ concurrencyLimit: 1 });
    const provider = makeProvider({ retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5, concurrencyDelayMs: 5 } });
    const first = await provider.submit(t2v());
    const error = await expectProviderError(provider.submit(t2v()));
    expect(error).toMatchObject({ errorClass: 'retryable', code: '1303', retryAfterMs: 5 });
    expect(error.message).toContain('parallel task over resource pack limit');
    expect(fake.requestsFor('create')).toHaveLength(4); // 1 + (1 try + 2 retries)

    fake.completeTask(first.taskId);
    fake.failNext('create', 1303, 1);
    await provider.submit(t2v());
    expect(fake.requestsFor('create')).toHaveLength(6);

    // Default initial 1303 delay follows the docs (≥ 1 s).
    const defaults = createKlingSuiteProvider({ accessKey: 'a', secretKey: 'b', apiBaseUrl: fake.baseUrl });
    expect(defaults.classifyError(new KlingApiError(1303, 'parallel task over resource pack limit', 429)).retryAfterMs).toBeGreaterThanOrEqual(1_000);
  });

  it.each([5000, 5001, 5002])('%i is retried on create and on status', async (code) => {
    const provider = makeProvider();
    fake.failNext('create', code, 2);
    const { taskId } = await provider.submit(t2v());
    expect(fake.requestsFor('create')).toHaveLength(3);
    fake.failNext('get', code, 1);
    expect((await provider.getStatus(taskId, 'text2video')).state).toBe('pending');
    expect(fake.requestsFor('get')).toHaveLength(2);
    expect(fake.tasks.size).toBe(1);
  });

  it('fake maps 5000/5001/5002 to HTTP 500/503/504', async () => {
    for (const [code, status] of [
      [5000, 500],
      [5001, 503],
      [5002, 504],
    ] as const) {
      fake.failNext('get', code);
      const response = await fetch(`${fake.baseUrl}/v1/videos/text2video/1`, {
        headers: { authorization: `Bearer ${validToken()}` },
      });
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ code });
    }
  });

  it('a network drop before any response is retried', async () => {
    const provider = makeProvider();
    fake.failNext('create', 'drop', 1);
    fake.failNext('get', 'drop', 1);
    const { taskId } = await provider.submit(t2v());
    expect(fake.requestsFor('create')).toHaveLength(2);
    expect(fake.tasks.size).toBe(1);
    expect((await provider.getStatus(taskId, 'text2video')).state).toBe('pending');
  });

  it('a connection refused is retryable', async () => {
    const provider = makeProvider({ apiBaseUrl: 'http://127.0.0.1:1', retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
    const error = await expectProviderError(provider.submit(t2v()));
    expect(error.errorClass).toBe('retryable');
  });

  it('timeout after send → ambiguous; findTask finds the created task; no second task', async () => {
    const provider = makeProvider({ timeoutMs: 250 });
    const request = t2v();
    fake.failNext('create', { delayMs: 800 });
    const error = await expectProviderError(provider.submit(request));
    expect(error.errorClass).toBe('ambiguous');
    expect(fake.requestsFor('create')).toHaveLength(1); // never re-sent blindly
    expect(fake.tasks.size).toBe(1);
    const [created] = [...fake.tasks.values()];

    expect(await provider.findTask(request)).toEqual({ taskId: created!.taskId });
    // Found directly by external_task_id on the get-one path, no list scan.
    expect(fake.requestsFor('get').at(-1)!.path).toBe(`/v1/videos/text2video/${provider.externalTaskId(request)}`);
    expect(fake.requestsFor('list')).toHaveLength(0);
    expect(await provider.findTask(t2v())).toBeNull();
    expect(fake.tasks.size).toBe(1);
  });

  it('a timed-out status query is just retried', async () => {
    const provider = makeProvider({ timeoutMs: 250 });
    const { taskId } = await provider.submit(t2v());
    fake.failNext('get', { delayMs: 800 });
    // The slow answer still counted as a poll on the fake (→ processing); the retry sees succeed.
    expect((await provider.getStatus(taskId, 'text2video')).state).toBe('succeeded');
    expect(fake.requestsFor('get')).toHaveLength(2);
  });

  it('re-submitting the same generation finds the existing task (external_task_id is unique)', async () => {
    const provider = makeProvider();
    const request = t2v();
    const first = await provider.submit(request);
    const second = await provider.submit(request);
    expect(second).toEqual(first);
    expect(fake.tasks.size).toBe(1);
  });

  it('findTask finds a task by external_task_id behind 200 newer tasks (finding 4)', async () => {
    await startFake({ concurrencyLimit: 1_000 });
    const provider = makeProvider();
    const oldest = t2v();
    const { taskId } = await provider.submit(oldest);
    for (let i = 0; i < 200; i += 1) await provider.submit(t2v());
    expect(await provider.findTask(oldest)).toEqual({ taskId });
    expect(fake.requestsFor('list')).toHaveLength(0);
    // A lost create answer: the resubmit gets 1201 "already exists" and finds the task, never bad input.
    expect(await provider.submit(oldest)).toEqual({ taskId });
    expect(fake.tasks.size).toBe(201);
  });

  it('1201 "external_task_id already exists" with the task not visible is ambiguous, never bad input', async () => {
    await startFake({ concurrencyLimit: 1_000 });
    const provider = makeProvider({ findTaskMaxPages: 1 });
    const request = t2v();
    await provider.submit(request);
    for (let i = 0; i < 55; i += 1) await provider.submit(t2v());
    fake.failNext('get', 1203, 1); // the direct query misses (indexing lag), the first list page too
    const error = await expectProviderError(provider.submit(request));
    expect(error).toMatchObject({ errorClass: 'ambiguous' });
    expect(error.userReason).not.toBe('bad_input');
  });

  it('findTask scans past the first page when the host refuses the external-id query', async () => {
    await startFake({ concurrencyLimit: 1_000 });
    const provider = makeProvider();
    const oldest = t2v();
    const { taskId } = await provider.submit(oldest);
    for (let i = 0; i < 55; i += 1) await provider.submit(t2v());
    fake.failNext('get', 1203, 1);
    expect(await provider.findTask(oldest)).toEqual({ taskId });
    expect(fake.requestsFor('list').map((r) => r.path)).toEqual(['/v1/videos/text2video?pageNum=1&pageSize=50', '/v1/videos/text2video?pageNum=2&pageSize=50']);
  });

  it.each([1004, 1003])('%i → re-sign the JWT and retry once', async (code) => {
    let clock = Date.now();
    const provider = makeProvider({ now: () => clock });
    await provider.findTask(t2v()); // caches token A
    clock += 10_000;
    fake.failNext('create', code, 1);
    await provider.submit(t2v());
    const creates = fake.requestsFor('create');
    expect(creates).toHaveLength(2);
    expect(creates[0]!.headers.authorization).toBe(fake.requestsFor('list')[0]!.headers.authorization);
    expect(creates[1]!.headers.authorization).not.toBe(creates[0]!.headers.authorization);
    expect(provider.signedTokenCount).toBe(2);
  });

  it.each([1004, 1003])('%i twice → final (retried only once)', async (code) => {
    const provider = makeProvider();
    fake.failNext('create', code, 2);
    const error = await expectProviderError(provider.submit(t2v()));
    expect(error).toMatchObject({ errorClass: 'final', code: String(code), userReason: 'provider_unavailable' });
    expect(fake.requestsFor('create')).toHaveLength(2);
  });

  it('a client clock 2 h behind gets a real 1004, re-signs once, then fails final', async () => {
    const provider = makeProvider({ now: () => Date.now() - 2 * 3600_000 });
    const error = await expectProviderError(provider.submit(t2v()));
    expect(error).toMatchObject({ errorClass: 'final', code: '1004' });
    expect(fake.requestsFor('create')).toHaveLength(2);
    expect(fake.tasks.size).toBe(0);
  });

  it.each([1000, 1001, 1002, 1100, 1101, 1102, 1103, 1304])('%i → final provider_unavailable', async (code) => {
    const provider = makeProvider();
    fake.failNext('create', code, 1);
    const error = await expectProviderError(provider.submit(t2v()));
    expect(error).toMatchObject({ errorClass: 'final', code: String(code), userReason: 'provider_unavailable' });
    expect(fake.requestsFor('create')).toHaveLength(1);
    expect(fake.tasks.size).toBe(0);
  });

  it('real auth failures: wrong secret → 1002, wrong access key → 1000 (final)', async () => {
    const wrongSecret = makeProvider({ secretKey: 'not-the-secret' });
    expect(await expectProviderError(wrongSecret.submit(t2v()))).toMatchObject({ errorClass: 'final', code: '1002' });
    const wrongKey = makeProvider({ accessKey: 'not-the-key' });
    expect(await expectProviderError(wrongKey.submit(t2v()))).toMatchObject({ errorClass: 'final', code: '1000' });
    expect(fake.requestsFor('create')).toHaveLength(2);
  });

  it('fake: missing Authorization → 1001, garbage → 1002 (HTTP 401)', async () => {
    const missing = await fetch(`${fake.baseUrl}/v1/videos/text2video/1`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 1001 });
    const garbage = await fetch(`${fake.baseUrl}/v1/videos/text2video/1`, { headers: { authorization: 'Bearer abc' } });
    expect(garbage.status).toBe(401);
    expect(await garbage.json()).toMatchObject({ code: 1002 });
  });

  it.each([
    [1200, 'bad_input'],
    [1201, 'bad_input'],
    [1202, 'provider_error'],
    [1203, 'provider_error'],
  ] as const)('%i → final %s', async (code, reason) => {
    const provider = makeProvider();
    fake.failNext('create', { code, message: 'duration: allowed values: 5, 10' }, 1);
    const error = await expectProviderError(provider.submit(t2v()));
    expect(error).toMatchObject({ errorClass: 'final', code: String(code), userReason: reason });
    expect(fake.requestsFor('create')).toHaveLength(1);
  });

  it('unknown model → final bad input before any request', async () => {
    const provider = makeProvider();
    const error = await expectProviderError(provider.submit(t2v({ providerModel: 'kling-v99' })));
    expect(error).toMatchObject({ errorClass: 'final', userReason: 'bad_input' });
    expect(fake.requestsFor('create')).toHaveLength(0);
  });

  it.each([1300, 1301])('%i → final content_rejected', async (code) => {
    const provider = makeProvider();
    fake.failNext('create', code, 1);
    const error = await expectProviderError(provider.submit(t2v()));
    expect(error).toMatchObject({ errorClass: 'final', code: String(code), userReason: 'content_rejected' });
    expect(fake.requestsFor('create')).toHaveLength(1);
  });

  it('task failed → failed status with task_status_msg', async () => {
    const provider = makeProvider();
    fake.setNextOutcome({ status: 'failed', message: 'Failure to pass the risk control system' });
    const { taskId } = await provider.submit(t2v());
    await provider.getStatus(taskId, 'text2video');
    expect(await provider.getStatus(taskId, 'text2video')).toEqual({
      state: 'failed',
      reason: 'Failure to pass the risk control system',
      code: 'task_failed',
      userReason: 'content_rejected',
    });

    const second = await provider.submit(t2v());
    fake.completeTask(second.taskId, { status: 'failed', message: 'internal error, please retry' });
    expect(await provider.getStatus(second.taskId, 'text2video')).toMatchObject({
      state: 'failed',
      reason: 'internal error, please retry',
      userReason: 'provider_error',
    });
  });

  it('an unsupported kind is final without a request', async () => {
    const provider = makeProvider();
    const error = await expectProviderError(provider.getStatus('1', 'not-a-kling-task' as never));
    expect(error.errorClass).toBe('final');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Kling provider: JWT', () => {
  it('reuses one token across calls and re-signs ~60 s before expiry', async () => {
    let clock = Date.now();
    await startFake({ now: () => clock });
    const provider = makeProvider({ now: () => clock });
    const { taskId } = await provider.submit(t2v());
    await provider.getStatus(taskId, 'text2video');
    await provider.findTask(t2v());
    const tokens = fake.requests.map((r) => r.headers.authorization);
    expect(new Set(tokens).size).toBe(1);
    expect(provider.signedTokenCount).toBe(1);

    const claims = jwtClaims(tokens[0]);
    expect(claims.iss).toBe(fake.accessKey);
    expect(claims.exp).toBe(Math.floor(clock / 1000) + 1800);
    expect(claims.nbf).toBe(Math.floor(clock / 1000) - 5);
    const header = JSON.parse(Buffer.from(String(tokens[0]).split(' ')[1]!.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });

    clock += (1800 - 70) * 1000; // still > 60 s left: reuse
    await provider.getStatus(taskId, 'text2video');
    expect(provider.signedTokenCount).toBe(1);

    clock += 15_000; // < 60 s left: re-sign
    await provider.getStatus(taskId, 'text2video');
    expect(provider.signedTokenCount).toBe(2);
    const last = fake.requests.at(-1)!.headers.authorization;
    expect(last).not.toBe(tokens[0]);
    expect(jwtClaims(last).exp).toBe(Math.floor(clock / 1000) + 1800);
  });

  it('each provider instance owns its cache', async () => {
    const a = makeProvider();
    const b = makeProvider();
    await a.findTask(t2v());
    await a.findTask(t2v());
    expect(a.signedTokenCount).toBe(1);
    expect(b.signedTokenCount).toBe(0);
  });
});

describe('Kling provider: input checks before any request', () => {
  it.each([
    ['too small (declared size)', () => media(makePng(200, 200), 'image/png', { width: 200, height: 200 }), 'image-too-small'],
    ['too small (header only)', () => media(makeJpegHeader(640, 299), 'image/jpeg'), 'image-too-small'],
    ['bad ratio 4:1', () => media(makePng(1600, 400), 'image/png'), 'image-bad-ratio'],
    ['bad ratio 1:3 (declared)', () => media(makePng(300, 900), 'image/png', { width: 300, height: 900 }), 'image-bad-ratio'],
    ['wrong type (gif mime)', () => media(Buffer.from('GIF89a........'), 'image/gif'), 'image-wrong-type'],
    ['wrong type (jpeg mime, gif bytes)', () => media(Buffer.from('GIF89a........'), 'image/jpeg'), 'image-wrong-type'],
    ['too large', () => ({ ...media(makePng(512, 512), 'image/png'), size: 11 * 1024 * 1024 }), 'image-too-large'],
  ])('image %s → bad_input, nothing sent', async (_name, build, code) => {
    const provider = makeProvider();
    const error = await expectProviderError(provider.submit(i2v(build())));
    expect(error).toMatchObject({ errorClass: 'final', userReason: 'bad_input', code });
    expect(fake.requests).toHaveLength(0);
  });

  it('real fixtures: portrait.jpg is sent, small.jpg and wide.png are refused (sizes read from headers)', async () => {
    const fixture = (name: string) => readFileSync(new URL(`../fixtures/media/${name}`, import.meta.url));
    expect(readImageSize(fixture('portrait.jpg'))).toEqual({ width: 512, height: 768 });
    expect(readImageSize(fixture('small.jpg'))).toEqual({ width: 200, height: 200 });
    expect(readImageSize(fixture('wide.png'))).toEqual({ width: 1600, height: 400 });

    const provider = makeProvider();
    const small = await expectProviderError(provider.submit(i2v(media(fixture('small.jpg'), 'image/jpeg'))));
    expect(small.code).toBe('image-too-small');
    const wide = await expectProviderError(provider.submit(i2v(media(fixture('wide.png'), 'image/png'))));
    expect(wide.code).toBe('image-bad-ratio');
    expect(fake.requests).toHaveLength(0);

    const portrait = fixture('portrait.jpg');
    await provider.submit(i2v(media(portrait, 'image/jpeg')));
    expect(createBody().image).toBe(portrait.toString('base64'));
  });

  it('validate() reports prompt, duration, ratio, mode and image issues', () => {
    const provider = makeProvider();
    expect(provider.validate(t2v())).toEqual([]);
    const codes = (r: GenerationRequest) => provider.validate(r).map((i) => i.code);
    expect(codes(t2v({ prompt: 'x'.repeat(2501) }))).toEqual(['prompt-too-long']);
    expect(codes(t2v({ prompt: '' }))).toEqual(['prompt-required']);
    expect(codes(t2v({ negativePrompt: 'x'.repeat(2501) }))).toEqual(['negative-prompt-too-long']);
    expect(codes(t2v({ options: { duration: 7 } }))).toEqual(['invalid-duration']);
    expect(codes(t2v({ options: { aspectRatio: '4:3' } }))).toEqual(['invalid-aspect-ratio']);
    expect(codes(t2v({ options: { mode: 'turbo' } }))).toEqual(['invalid-mode']);
    expect(codes(t2v({ kind: 'image2video' }))).toEqual(['image-required']);
    expect(codes(t2v({ kind: 'not-a-kling-task' as never }))).toEqual(['unsupported-kind']);
    expect(provider.limits('kling-v1-6')).toMatchObject({ maxPromptLength: 2500, minImageSide: 300 });
  });

  it('fake rejects a data: prefix, bad base64 and a wrong duration type with 1201', async () => {
    const post = (body: object) =>
      fetch(`${fake.baseUrl}/v1/videos/image2video`, {
        method: 'POST',
        headers: { authorization: `Bearer ${validToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: number; message: string } }));
    const png = makePng(512, 512).toString('base64');
    expect(await post({ image: `data:image/png;base64,${png}` })).toMatchObject({ status: 400, body: { code: 1201 } });
    expect(await post({ image: '%%%notbase64' })).toMatchObject({ body: { code: 1201 } });
    expect(await post({ image: png, duration: 5 })).toMatchObject({ body: { code: 1201 } });
    expect(await post({ image: makePng(200, 200).toString('base64') })).toMatchObject({ body: { code: 1201 } });
    expect(await post({ image: png, duration: '5' })).toMatchObject({ status: 200, body: { code: 0 } });
  });
});

describe('Kling provider: callbacks', () => {
  let receiver: Server;
  const received: string[] = [];

  beforeEach(async () => {
    received.length = 0;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('a callback arrives on every status change and parses to the task id', async () => {
    const provider = makeProvider();
    const port = (receiver.address() as AddressInfo).port;
    const request = t2v({ callbackUrl: `http://127.0.0.1:${port}/callbacks/kling?secret=s3cret` });
    const { taskId } = await provider.submit(request);
    expect(createBody().callback_url).toBe(request.callbackUrl);
    await provider.getStatus(taskId, 'text2video');
    await provider.getStatus(taskId, 'text2video');
    await fake.callbacksSettled();

    expect(received.map((b) => JSON.parse(b).task_status)).toEqual(['submitted', 'processing', 'succeed']);
    for (const rawBody of received) {
      expect(JSON.parse(rawBody)).not.toHaveProperty('code'); // no envelope
      expect(provider.parseCallback({ headers: {}, query: new URLSearchParams('secret=s3cret'), rawBody })).toEqual({ taskId });
    }
    expect(JSON.parse(received[2]!).task_result.videos[0].url).toContain(taskId);
  });

  it('parseCallback returns null for malformed bodies', () => {
    const provider = makeProvider();
    const parse = (rawBody: string) => provider.parseCallback({ headers: {}, query: new URLSearchParams(), rawBody });
    expect(parse('not json')).toBeNull();
    expect(parse('{}')).toBeNull();
    expect(parse(JSON.stringify({ task_id: '1', task_status: 'weird' }))).toBeNull();
    expect(parse(JSON.stringify({ code: 0, data: { task_id: '1', task_status: 'succeed' } }))).toBeNull();
    expect(parse(JSON.stringify({ task_id: '42', task_status: 'processing' }))).toEqual({ taskId: '42' });
  });
});

describe('Kling provider: outbound traffic', () => {
  it('never sends the secret key; the access key appears only inside the JWT', async () => {
    const logs: string[] = [];
    const logger = {
      warn: (obj: object, msg?: string) => logs.push(JSON.stringify(obj) + (msg ?? '')),
      debug: (obj: object, msg?: string) => logs.push(JSON.stringify(obj) + (msg ?? '')),
    };
    const provider = makeProvider({ logger, timeoutMs: 250 });
    const errors: string[] = [];
    const collect = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (error) {
        errors.push(String(error), JSON.stringify(error), (error as Error).stack ?? '');
      }
    };

    const t = await provider.submit(t2v());
    await provider.getStatus(t.taskId, 'text2video');
    await provider.getStatus(t.taskId, 'text2video');
    await provider.submit(i2v(media(makePng(512, 768), 'image/png')));
    fake.failNext('create', 1004);
    fake.failNext('create', 1302);
    await provider.submit(t2v());
    const ambiguous = t2v();
    fake.failNext('create', { delayMs: 600 });
    await collect(provider.submit(ambiguous));
    await provider.findTask(ambiguous);
    fake.failNext('create', 1102);
    await collect(provider.submit(t2v()));
    await collect(makeProvider({ secretKey: 'wrong-secret-value', logger }).submit(t2v()));
    expect(errors.length).toBeGreaterThan(0);
    expect(logs.length).toBeGreaterThan(0);

    const tokens = new Set<string>();
    for (const request of fake.requests) {
      const auth = String(request.headers.authorization);
      const token = auth.replace(/^Bearer /, '');
      tokens.add(token);
      expect(jwtClaims(auth).iss).toBe(fake.accessKey);
      const withoutToken = JSON.stringify({ ...request, headers: { ...request.headers, authorization: '<jwt>' } });
      expect(withoutToken).not.toContain(fake.accessKey);
      expect(withoutToken).not.toContain(fake.secretKey);
      expect(auth).not.toContain(fake.accessKey); // only base64url-encoded inside the payload
      expect(auth).not.toContain(fake.secretKey);
    }
    for (const text of [...errors, ...logs]) {
      expect(text).not.toContain(fake.accessKey);
      expect(text).not.toContain(fake.secretKey);
      for (const token of tokens) expect(text).not.toContain(token);
    }
  });
});
