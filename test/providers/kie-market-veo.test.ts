/**
 * Contract tests for Catalog v2's providers against the fake KIE over real HTTP: every KIE Market
 * video spec makes a request the fake accepts (and its wire types), each refused combination is
 * refused by both the client's checks and the fake, results are read from resultJson.resultUrls;
 * the Veo 3.1 client generates, reads record-info, upgrades to 1080p (and falls back), maps
 * failures, and authenticates callbacks that carry `data.info`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKieProvider, type KieProvider } from '../../src/providers/kie/index.js';
import { createVeoProvider, type VeoProviderConfig } from '../../src/providers/veo/index.js';
import { buildMarketInput, validateMarketRequest } from '../../src/providers/kie/market-models.js';
import { MODEL_SPECS } from '../../src/domain/specs.js';
import { resolveChoices } from '../../src/domain/model-spec.js';
import { optionsOf } from '../../src/domain/catalog.js';
import { ProviderError, type GenerationRequest, type TaskStatus, type VideoProvider } from '../../src/providers/types.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { checkMarketInput } from '../../src/sandbox/kie/market-schemas.js';
import { fixtureMedia } from '../support/fake-kie/media.js';

let kie: FakeKie;
beforeAll(async () => {
  kie = await FakeKie.start({ pollsPerStep: 1 });
});
afterAll(async () => {
  await kie.stop();
});
afterEach(() => kie.reset());

const fast = { timeoutMs: 2_000, retry: { retries: 2, minDelayMs: 5, maxDelayMs: 10 }, rateLimitDelayMs: 5, maintenanceDelayMs: 5 };
const market = (): KieProvider => createKieProvider({ apiKey: kie.apiKey, apiBaseUrl: kie.apiBaseUrl, uploadBaseUrl: kie.uploadBaseUrl, ...fast });
const veo = (extra: Partial<VeoProviderConfig> = {}): VideoProvider =>
  createVeoProvider({ apiKey: kie.apiKey, apiBaseUrl: kie.apiBaseUrl, uploadBaseUrl: kie.uploadBaseUrl, ...fast, ...extra });

let n = 0;
const image = () => fixtureMedia('portrait.jpg', 'image/jpeg', { width: 512, height: 768 });
function request(spec: (typeof MODEL_SPECS)[number], options: GenerationRequest['options'] = {}, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    generationId: `contract-${++n}`,
    kind: spec.task,
    providerModel: spec.providerModel,
    prompt: 'A lighthouse in a storm',
    ...(spec.image ? { image: image() } : {}),
    options: { ...optionsOf(resolveChoices(spec, {}, {})), ...options },
    ...extra,
  };
}

async function finish(provider: VideoProvider, taskId: string, kind: GenerationRequest['kind']): Promise<TaskStatus> {
  for (let i = 0; i < 20; i++) {
    const status = await provider.getStatus(taskId, kind);
    if (status.state !== 'pending') return status;
  }
  throw new Error('task did not finish');
}

const marketSpecs = MODEL_SPECS.filter((s) => s.provider === 'kie' && s.task !== 'lipsync');

describe('KIE Market video models', () => {
  it.each(marketSpecs.map((s) => [s.id, s] as const))('%s: the default request is accepted and its result is read from resultUrls', async (_id, spec) => {
    const provider = market();
    const req = request(spec);
    expect(provider.validate(req)).toEqual([]);
    const { taskId } = await provider.submit(req);
    const task = kie.tasks.get(taskId)!;
    expect(task.model).toBe(spec.providerModel);
    const status = await finish(provider, taskId, spec.task);
    expect(status).toEqual({ state: 'succeeded', videoUrl: kie.resultUrl(taskId) });
  });

  it('every option value a spec offers is accepted by the fake, in the wire type of its model', async () => {
    const isImage = () => true;
    for (const spec of marketSpecs) {
      for (const option of spec.options) {
        for (const value of option.values) {
          const choices = resolveChoices(spec, {}, { [option.key]: value });
          if (choices[option.key] !== value) continue; // refused with the defaults of the other options
          const req = request(spec, optionsOf(choices));
          expect(validateMarketRequest(req), `${spec.id} ${option.key}=${value}`).toEqual([]);
          const input = buildMarketInput(req, { imageUrl: 'https://kie/img.jpg' });
          expect(checkMarketInput(spec.providerModel, input, isImage), `${spec.id} ${option.key}=${value}`).toBeUndefined();
        }
      }
    }
  });

  it('wire types: string durations, 4K, 768P/1080P, portrait/landscape, a numeric Grok duration', () => {
    const spec = (id: string) => MODEL_SPECS.find((s) => s.id === id)!;
    const urls = { imageUrl: 'https://kie/a.jpg', endImageUrl: 'https://kie/b.jpg' };
    expect(buildMarketInput(request(spec('kling-3-i2v'), { mode: '4k', duration: 15 }), { imageUrl: urls.imageUrl })).toMatchObject({
      mode: '4K',
      duration: '15',
      image_urls: ['https://kie/a.jpg'],
    });
    expect(buildMarketInput(request(spec('kling-3-i2v'), {}, { endImage: image() }), urls)).toMatchObject({
      image_urls: ['https://kie/a.jpg', 'https://kie/b.jpg'],
    });
    expect(buildMarketInput(request(spec('hailuo-2-3-i2v'), { resolution: '1080p', duration: 6 }), urls)).toEqual({
      prompt: 'A lighthouse in a storm',
      image_url: 'https://kie/a.jpg',
      duration: '6',
      resolution: '1080P',
    });
    expect(buildMarketInput(request(spec('sora-2-i2v'), { aspectRatio: '9:16', duration: 15 }), urls)).toMatchObject({
      aspect_ratio: 'portrait',
      n_frames: '15',
      upload_method: 's3',
    });
    expect(buildMarketInput(request(spec('grok-imagine-t2v'), { duration: 10 }), urls)).toMatchObject({ duration: 10 });
    expect(buildMarketInput(request(spec('seedance-1-5-pro-t2v'), { sound: true }), {})).toMatchObject({ input_urls: [], generate_audio: true, duration: '8' });
  });

  it('refused combinations are refused by the client and by the fake', async () => {
    const hailuo = MODEL_SPECS.find((s) => s.id === 'hailuo-2-3-i2v')!;
    expect(validateMarketRequest(request(hailuo, { duration: 10, resolution: '1080p' })).map((i) => i.code)).toEqual(['option-combination-refused']);
    const isImage = () => true;
    const base = { prompt: 'p', image_url: 'https://kie/a.jpg' };
    expect(checkMarketInput('hailuo/2-3-image-to-video-standard', { ...base, duration: '10', resolution: '1080P' }, isImage)).toMatch(/not supported at 1080P/);
    expect(checkMarketInput('hailuo/2-3-image-to-video-standard', { ...base, resolution: '1080p' }, isImage)).toMatch(/768P, 1080P/);
    expect(checkMarketInput('kling-3.0/video', { prompt: 'p', sound: false, duration: '5', mode: '4k', multi_shots: false }, isImage)).toMatch(/std, pro, 4K/);
    expect(
      checkMarketInput('kling-3.0/video', { prompt: 'p', sound: false, duration: '5', mode: 'pro', multi_shots: false, kling_elements: [] }, isImage),
    ).toMatch(/requires image_urls/);
    expect(checkMarketInput('kling-2.6/text-to-video', { prompt: 'p', sound: false, aspect_ratio: '16:9', duration: 5 }, isImage)).toMatch(
      /duration must be a string/,
    );
    expect(checkMarketInput('kling-2.6/text-to-video', { prompt: 'x'.repeat(1001), sound: false, aspect_ratio: '16:9', duration: '5' }, isImage)).toMatch(
      /at most 1000/,
    );
    expect(checkMarketInput('sora-2-text-to-video', { prompt: 'p', aspect_ratio: '16:9', upload_method: 's3' }, isImage)).toMatch(/portrait, landscape/);
    expect(checkMarketInput('grok-imagine/text-to-video', { prompt: 'p', duration: '6' }, isImage)).toMatch(/must be a number/);
    expect(checkMarketInput('grok-imagine/image-to-video', { image_urls: ['https://kie/a.jpg'], task_id: 't' }, isImage)).toMatch(/exactly one/);
    expect(checkMarketInput('bytedance/seedance-1.5-pro', { prompt: 'hi', aspect_ratio: '1:1' }, isImage)).toMatch(/at least 3/);
    expect(checkMarketInput('wan/2-6-image-to-video', { prompt: 'p', image_urls: ['https://elsewhere/a.jpg'] }, () => false)).toMatch(/not a reachable image/);
    // Over HTTP the fake answers 422 with the reason.
    const response = await fetch(`${kie.apiBaseUrl}/api/v1/jobs/createTask`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kie.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'kling-2.6/text-to-video', input: { prompt: 'p', sound: 'on', aspect_ratio: '16:9', duration: '5' } }),
    });
    expect(await response.json()).toMatchObject({ code: 422, msg: 'input.sound must be a boolean' });
  });

  it('a failed Market task reports the failure; its callback is code 501 with failCode "500"', async () => {
    const provider = market();
    kie.nextTaskOutcome('fail', { failCode: '500', failMsg: 'Internal server error' });
    const spec = MODEL_SPECS.find((s) => s.id === 'wan-2-6-t2v')!;
    const { taskId } = await provider.submit(request(spec));
    expect(await finish(provider, taskId, 'text2video')).toMatchObject({ state: 'failed', code: '500', userReason: 'provider_error' });
  });
});

describe('Veo 3.1', () => {
  const fastT2v = MODEL_SPECS.find((s) => s.id === 'veo-3-1-fast-t2v')!;
  const qualityI2v = MODEL_SPECS.find((s) => s.id === 'veo-3-1-quality-i2v')!;

  it('text → video: generate, record-info walks 0 → 1, the result is response.resultUrls[0]', async () => {
    const provider = veo();
    const { taskId } = await provider.submit(request(fastT2v, { aspectRatio: '9:16' }));
    const task = kie.veo.tasks.get(taskId)!;
    expect(task.request).toEqual({
      prompt: 'A lighthouse in a storm',
      model: 'veo3_fast',
      generationType: 'TEXT_2_VIDEO',
      aspect_ratio: '9:16',
      enableTranslation: true,
    });
    expect(await provider.getStatus(taskId, 'text2video')).toEqual({ state: 'pending', providerState: 'generating' });
    expect(await finish(provider, taskId, 'text2video')).toEqual({ state: 'succeeded', videoUrl: kie.resultUrl(taskId), durationSeconds: 8 });
  });

  it('image → video with first and last frame uploads both through the KIE upload host', async () => {
    const provider = veo();
    const { taskId } = await provider.submit(request(qualityI2v, {}, { endImage: image() }));
    const task = kie.veo.tasks.get(taskId)!;
    expect(task.model).toBe('veo3');
    expect(task.generationType).toBe('FIRST_AND_LAST_FRAMES_2_VIDEO');
    expect((task.request.imageUrls as string[]).every((u) => u.startsWith(kie.uploadBaseUrl))).toBe(true);
    expect(task.request.imageUrls).toHaveLength(2);
  });

  it('1080p: pending while get-1080p-video answers "processing", then its resultUrl; after the bound, 720p', async () => {
    const provider = veo();
    const { taskId } = await provider.submit(request(fastT2v, { resolution: '1080p' }));
    kie.veo.finish(kie.veo.tasks.get(taskId)!);
    expect(await provider.getStatus(taskId, 'text2video')).toEqual({ state: 'pending', providerState: 'upgrading-1080p' });
    expect(await provider.getStatus(taskId, 'text2video')).toEqual({ state: 'pending', providerState: 'upgrading-1080p' });
    expect(await provider.getStatus(taskId, 'text2video')).toEqual({ state: 'succeeded', videoUrl: kie.resultUrl(`${taskId}-1080p`), durationSeconds: 8 });

    const impatient = veo({ hdWaitMs: 0 });
    const second = await impatient.submit(request(fastT2v, { resolution: '1080p' }));
    kie.veo.finish(kie.veo.tasks.get(second.taskId)!);
    expect(await impatient.getStatus(second.taskId, 'text2video')).toEqual({ state: 'succeeded', videoUrl: kie.resultUrl(second.taskId), durationSeconds: 8 });
  });

  it('failures: successFlag 2/3 with errorCode 400 is a content refusal, 501 a provider error; create codes per docs/providers.md §veo-errors', async () => {
    const provider = veo();
    kie.veo.nextOutcome({ successFlag: 3, errorCode: 400, errorMessage: 'Your prompt was flagged by the content policy' });
    const first = await provider.submit(request(fastT2v));
    kie.veo.finish(kie.veo.tasks.get(first.taskId)!);
    expect(await provider.getStatus(first.taskId, 'text2video')).toMatchObject({ state: 'failed', code: '400', userReason: 'content_rejected' });
    kie.veo.nextOutcome({ successFlag: 2, errorCode: 501, errorMessage: 'Generation failed' });
    const second = await provider.submit(request(fastT2v));
    kie.veo.finish(kie.veo.tasks.get(second.taskId)!);
    expect(await provider.getStatus(second.taskId, 'text2video')).toMatchObject({ state: 'failed', code: '501', userReason: 'provider_error' });

    kie.failNext('veoGenerate', { code: 422, msg: 'Your request was rejected by Flow(unsafe content)' });
    const refused = await provider.submit(request(fastT2v)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ errorClass: 'final', userReason: 'content_rejected' });
    kie.failNext('veoGenerate', { code: 500 });
    // 500 on create: the task may exist (docs/providers.md §retry) — ambiguous, never resent blindly.
    await expect(provider.submit(request(fastT2v))).rejects.toMatchObject({ errorClass: 'ambiguous' });
    kie.failNext('veoGenerate', { delayMs: 3_000 });
    const lost = await provider.submit(request(fastT2v)).catch((e: unknown) => e);
    expect(lost).toMatchObject({ errorClass: 'ambiguous' }); // maybe created: never resent blindly
    kie.failNext('veoRecordInfo', { code: 451, msg: 'image fetch failed' });
    expect(await provider.getStatus(second.taskId, 'text2video').catch((e: unknown) => e)).toMatchObject({ errorClass: 'final', userReason: 'bad_input' });
  });

  it('every create and record-info code has its class and user reason (docs/providers.md §veo-errors)', async () => {
    const provider = veo({ retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
    const create: [number, string, string][] = [
      [400, 'final', 'bad_input'],
      [401, 'final', 'provider_unavailable'],
      [402, 'final', 'provider_unavailable'],
      [404, 'final', 'provider_unavailable'],
      [422, 'final', 'bad_input'],
      [429, 'retryable', 'provider_unavailable'],
      [433, 'final', 'provider_unavailable'],
      [455, 'retryable', 'provider_unavailable'],
      [500, 'ambiguous', 'provider_error'], // the task may exist (§retry): the job layer looks/resends at most once
      [501, 'ambiguous', 'provider_error'], // not a known refusal on create: maybe created
      [505, 'final', 'provider_unavailable'],
    ];
    for (const [code, errorClass, userReason] of create) {
      kie.failNext('veoGenerate', { code, msg: `code ${code}` });
      const error = await provider.submit(request(fastT2v)).catch((e: unknown) => e);
      expect(error, `generate ${code}`).toMatchObject({ errorClass, userReason });
    }
    const { taskId } = await provider.submit(request(fastT2v));
    const query: [number, string, string][] = [
      [404, 'retryable', 'provider_error'],
      [408, 'final', 'provider_error'],
      [422, 'final', 'provider_error'],
      [451, 'final', 'bad_input'],
      [500, 'retryable', 'provider_unavailable'],
    ];
    for (const [code, errorClass, userReason] of query) {
      kie.failNext('veoRecordInfo', { code, msg: `code ${code}` });
      const error = await provider.getStatus(taskId, 'text2video').catch((e: unknown) => e);
      expect(error, `record-info ${code}`).toMatchObject({ errorClass, userReason });
    }
  });

  it('the fake refuses what Veo refuses and accepts the old aspectRatio spelling', async () => {
    const post = async (body: object) =>
      (await (
        await fetch(`${kie.apiBaseUrl}/api/v1/veo/generate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${kie.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { code: number; msg: string };
    expect(await post({ prompt: 'p', model: 'veo4' })).toMatchObject({ code: 422 });
    expect(await post({ prompt: 'p', generationType: 'IMAGE_2_VIDEO' })).toMatchObject({ code: 422 });
    expect(await post({ prompt: 'p', model: 'veo3', generationType: 'REFERENCE_2_VIDEO', imageUrls: [] })).toMatchObject({
      code: 422,
      msg: 'REFERENCE_2_VIDEO needs veo3_fast',
    });
    expect(await post({ prompt: 'p', duration: 4 })).toMatchObject({ code: 422 });
    expect(await post({ prompt: 'p', aspectRatio: '9:16' })).toMatchObject({ code: 200 });
    expect(await post({ prompt: 'p', aspect_ratio: '4:3' })).toMatchObject({ code: 422 });
  });

  it('callbacks carry data.info, are authenticated like KIE and resent on non-2xx at most 3 times', async () => {
    const hmac = await FakeKie.start({ pollsPerStep: 1, webhookHmacKey: 'veo-secret' });
    const { createServer } = await import('node:http');
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const provider = createVeoProvider({
        apiKey: hmac.apiKey,
        apiBaseUrl: hmac.apiBaseUrl,
        uploadBaseUrl: hmac.uploadBaseUrl,
        webhookHmacKey: 'veo-secret',
        ...fast,
      });
      const { taskId } = await provider.submit(request(fastT2v, {}, { callbackUrl: `http://127.0.0.1:${port}/callbacks/veo?secret=s` }));
      hmac.veo.finish(hmac.veo.tasks.get(taskId)!);
      await hmac.waitFor(() => hmac.callbacks.length >= 3, 3_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(hmac.callbacks).toHaveLength(3);
      const body = JSON.parse(received[0]!) as { code: number; data: { taskId: string; info: { resultUrls: string[] } } };
      expect(body.code).toBe(200);
      expect(body.data.info.resultUrls[0]).toBe(hmac.resultUrl(taskId));
      const delivery = hmac.callbacks[0]!;
      expect(provider.parseCallback({ headers: delivery.headers, query: new URLSearchParams(), rawBody: delivery.body })).toEqual({ taskId });
      expect(provider.parseCallback({ headers: {}, query: new URLSearchParams(), rawBody: delivery.body })).toBeNull();
    } finally {
      server.close();
      await hmac.stop();
    }
  });
});
