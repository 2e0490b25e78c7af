/**
 * Contract tests: the KIE client against the fake KIE over real HTTP. One test per row of
 * docs/providers.md §kie-errors, plus the success paths for both lip-sync models and a secret-leak check.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKieProvider, KieApiError, type KieProvider, type KieProviderConfig } from '../../src/providers/kie/index.js';
import { classifyKieError } from '../../src/providers/kie/errors.js';
import { ProviderError, type GenerationRequest, type TaskStatus } from '../../src/providers/types.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { bufferMedia, fixtureMedia, fixturePath } from '../support/fake-kie/media.js';
import { rejectionOf } from '../support/errors.js';

let kie: FakeKie;
const warnings: Array<{ obj: object; msg: string }> = [];

beforeAll(async () => {
  kie = await FakeKie.start();
});
afterAll(async () => {
  await kie.stop();
});
afterEach(() => {
  kie.reset();
  warnings.length = 0;
});

function provider(overrides: Partial<KieProviderConfig> = {}): KieProvider {
  return createKieProvider({
    apiKey: kie.apiKey,
    apiBaseUrl: kie.apiBaseUrl,
    uploadBaseUrl: kie.uploadBaseUrl,
    timeoutMs: 2_000,
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 },
    rateLimitDelayMs: 5,
    maintenanceDelayMs: 5,
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    ...overrides,
  });
}

let counter = 0;
function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  counter++;
  return {
    generationId: `gen-${counter}-${Date.now()}`,
    kind: 'lipsync',
    providerModel: 'infinitalk/from-audio',
    prompt: '',
    image: fixtureMedia('portrait.jpg', 'image/jpeg'),
    audio: fixtureMedia('voice.ogg', 'audio/ogg; codecs=opus'),
    audioSeconds: 3,
    options: {},
    callbackUrl: 'https://bot.example.com/callbacks/kie?secret=cb-secret',
    ...overrides,
  };
}

async function pollUntilDone(p: KieProvider, taskId: string, maxPolls = 10): Promise<TaskStatus> {
  for (let i = 0; i < maxPolls; i++) {
    const status = await p.getStatus(taskId, 'lipsync');
    if (status.state !== 'pending') return status;
  }
  throw new Error('task did not finish');
}

const rejection = (promise: Promise<unknown>) => rejectionOf(ProviderError, promise);

function createBodies(): Array<{ model: string; callBackUrl?: string; input: Record<string, unknown> }> {
  return kie.requests.filter((r) => r.path === '/api/v1/jobs/createTask').map((r) => JSON.parse(r.bodyText));
}

describe('KIE success paths', () => {
  it('infinitalk: uploads, creates, polls through the states and returns a downloadable mp4', async () => {
    const p = provider();
    const req = request({ options: { resolution: '720p', seed: 123456 } });
    const { taskId } = await p.submit(req);

    // Both inputs were stream-uploaded under our generation id with unique names.
    const uploads = [...kie.uploads.values()];
    expect(uploads.map((u) => u.fileName).sort()).toEqual([`${req.generationId}-audio.ogg`, `${req.generationId}-image.jpg`]);
    expect(uploads.every((u) => u.via === 'stream' && u.uploadPath === `avatar-bot/${req.generationId}`)).toBe(true);
    const image = uploads.find((u) => u.fileName.endsWith('.jpg'))!;
    expect(image.data.equals(readFileSync(fixturePath('portrait.jpg')))).toBe(true);
    expect(image.mimeType).toBe('image/jpeg');

    const [body] = createBodies();
    expect(body).toEqual({
      model: 'infinitalk/from-audio',
      callBackUrl: req.callbackUrl,
      input: {
        image_url: image.downloadUrl,
        audio_url: uploads.find((u) => u.fileName.endsWith('.ogg'))!.downloadUrl,
        prompt: 'A person speaking naturally',
        resolution: '720p',
        seed: 123456,
      },
    });

    const states: string[] = [];
    let status: TaskStatus;
    do {
      status = await p.getStatus(taskId, 'lipsync');
      states.push(status.state === 'pending' ? status.providerState : status.state);
    } while (status.state === 'pending');
    expect(states).toEqual(['queuing', 'generating', 'succeeded']);
    if (status.state !== 'succeeded') throw new Error('unreachable');
    expect(status.videoUrl).toBe(kie.resultUrl(taskId));

    const video = Buffer.from(await (await fetch(status.videoUrl)).arrayBuffer());
    expect(video.equals(readFileSync(fixturePath('result.mp4')))).toBe(true);
  });

  it('kling/ai-avatar-standard: sends prompt (even empty) and no resolution/seed', async () => {
    const p = provider();
    const { taskId } = await p.submit(
      request({ providerModel: 'kling/ai-avatar-standard', prompt: '', audio: fixtureMedia('speech.mp3', 'audio/mpeg'), options: { resolution: '720p' } }),
    );
    const [body] = createBodies();
    expect(body!.model).toBe('kling/ai-avatar-standard');
    expect(Object.keys(body!.input).sort()).toEqual(['audio_url', 'image_url', 'prompt']);
    expect(body!.input.prompt).toBe('');
    expect(String(body!.input.audio_url)).toMatch(/-audio\.mp3$/);
    const status = await pollUntilDone(p, taskId);
    expect(status.state).toBe('succeeded');
  });

  it('infinitalk keeps a user prompt and defaults resolution to 480p; no callback URL when none given', async () => {
    const p = provider();
    await p.submit(request({ prompt: '  Smiling, calm voice ', callbackUrl: undefined }));
    const [body] = createBodies();
    expect(body!.callBackUrl).toBeUndefined();
    expect(body!.input).toMatchObject({ prompt: 'Smiling, calm voice', resolution: '480p' });
    expect(body!.input).not.toHaveProperty('seed');
  });

  it('getAccountCredits reads the balance, which drops after a success', async () => {
    const p = provider();
    const before = await p.getAccountCredits();
    const { taskId } = await p.submit(request());
    await pollUntilDone(p, taskId);
    expect(await p.getAccountCredits()).toBe(before - 10);
  });
});

describe('KIE createTask failures (docs/providers.md §kie-errors)', () => {
  it('body 429 is retried after the rate-limit delay, then succeeds', async () => {
    kie.failNext('createTask', { code: 429 }, 2);
    const p = provider();
    const { taskId } = await p.submit(request());
    expect(taskId).toMatch(/^[0-9a-f]{32}$/);
    expect(kie.count('createTask')).toBe(3);
    expect(warnings.filter((w) => (w.obj as { operation?: string }).operation === 'createTask')).toHaveLength(2);
  });

  it('429 exhausting the retries is retryable with retryAfterMs', async () => {
    kie.failNext('createTask', { code: 429 }, 10);
    const p = provider({ retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 }, rateLimitDelayMs: 7 });
    const error = await rejection(p.submit(request()));
    expect(error).toMatchObject({ errorClass: 'retryable', code: '429', retryAfterMs: 7 });
    expect(kie.count('createTask')).toBe(2);
  });

  it('the default 429 back-off is 10 s and classifyError is idempotent', () => {
    const p = createKieProvider({ apiKey: 'k', apiBaseUrl: kie.apiBaseUrl, uploadBaseUrl: kie.uploadBaseUrl });
    const error = p.classifyError(new KieApiError('createTask', 200, 429, 'call frequency is too high'));
    expect(error).toMatchObject({ errorClass: 'retryable', code: '429', retryAfterMs: 10_000 });
    expect(p.classifyError(error)).toBe(error);
    expect(p.classifyError(new TypeError('bug'))).toMatchObject({ errorClass: 'final', code: 'unexpected' });
  });

  it('455 (maintenance) is retried', async () => {
    kie.failNext('createTask', { code: 455 });
    await provider().submit(request());
    expect(kie.count('createTask')).toBe(2);
  });

  // docs/providers.md §failure-model: once a create was sent, any failure other than KIE's own refusal may
  // follow a created task, so it is ambiguous and never re-sent by the client.
  it.each([
    ['body 500', { code: 500 }, '500'],
    ['HTTP 502 proxy page', { httpStatus: 502 }, 'http_502'],
    ['body 500 with HTTP 500', { code: 500, mirrorHttpStatus: true }, '500'],
    ['a connection reset', { reset: true }, 'ECONNRESET'],
  ] as const)('%s after a sent create is ambiguous and not re-sent', async (_label, fault, code) => {
    kie.failNext('createTask', fault);
    const error = await rejection(provider().submit(request()));
    expect(error).toMatchObject({ errorClass: 'ambiguous', code });
    expect(kie.count('createTask')).toBe(1);
  });

  it('a refused connection (nothing sent) is retryable', () => {
    const p = createKieProvider({ apiKey: 'k', apiBaseUrl: kie.apiBaseUrl, uploadBaseUrl: kie.uploadBaseUrl });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyKieError(refused, 'createTask', { rateLimitDelayMs: 1, maintenanceDelayMs: 1, secrets: [] })).toMatchObject({ errorClass: 'retryable' });
    expect(p.classifyError(new KieApiError('createTask', 502, undefined, ''))).toMatchObject({ errorClass: 'ambiguous' });
  });

  it('a timeout after the request was sent is ambiguous and NOT retried; findTask returns null', async () => {
    kie.failNext('createTask', { delayMs: 1_500 });
    const p = provider({ timeoutMs: 300 });
    const req = request();
    const error = await rejection(p.submit(req));
    expect(error).toMatchObject({ errorClass: 'ambiguous', code: 'timeout_after_send' });
    expect(kie.count('createTask')).toBe(1);
    expect(kie.tasks.size).toBeGreaterThan(0); // the task was in fact created
    expect(await p.findTask(req)).toBeNull();
  });

  it('a 2xx createTask with an unreadable body is ambiguous (the task may exist)', async () => {
    kie.failNext('createTask', { malformedJson: true });
    const error = await rejection(provider().submit(request()));
    expect(error).toMatchObject({ errorClass: 'ambiguous', code: 'malformed_response' });
    expect(kie.count('createTask')).toBe(1);
  });

  it.each([
    [401, 'provider_unavailable', false],
    [402, 'provider_unavailable', false],
    [404, 'provider_unavailable', false],
    [422, 'bad_input', false],
    [505, 'provider_unavailable', false],
    [401, 'provider_unavailable', true],
  ] as const)('body code %i is final (%s), mirrored HTTP status: %s', async (code, userReason, mirror) => {
    kie.failNext('createTask', { code, mirrorHttpStatus: mirror });
    const error = await rejection(provider().submit(request()));
    expect(error).toMatchObject({ errorClass: 'final', code: String(code), userReason });
    expect(kie.count('createTask')).toBe(1);
    expect(error.message).not.toContain(kie.apiKey);
  });

  it('a wrong API key is a final 401 and the key is not in the error', async () => {
    const p = provider({ apiKey: 'wrong-key-1234567890' });
    const error = await rejection(p.submit(request()));
    expect(error).toMatchObject({ errorClass: 'final', userReason: 'provider_unavailable' });
    expect(error.message).not.toContain('wrong-key-1234567890');
  });

  it('the fake rejects URLs that are not its uploads with 422 → bad_input', async () => {
    // Simulate a client that would pass an external URL: call the API directly.
    const response = await fetch(`${kie.apiBaseUrl}/api/v1/jobs/createTask`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kie.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'kling/ai-avatar-standard',
        input: { image_url: 'https://api.telegram.org/file/bot1:x/a.jpg', audio_url: 'https://x/a.mp3', prompt: '' },
      }),
    });
    expect(await response.json()).toMatchObject({ code: 422 });
  });
});

describe('KIE recordInfo failures and task outcomes', () => {
  it('transport errors, HTTP 5xx, 429 and malformed bodies are retried while polling', async () => {
    const p = provider({ retry: { retries: 5, minDelayMs: 2, maxDelayMs: 5 } });
    const { taskId } = await p.submit(request());
    kie
      .failNext('recordInfo', { reset: true })
      .failNext('recordInfo', { httpStatus: 503 })
      .failNext('recordInfo', { code: 429 })
      .failNext('recordInfo', { malformedJson: true })
      .failNext('recordInfo', { code: 500 });
    const status = await p.getStatus(taskId, 'lipsync');
    expect(status).toEqual({ state: 'pending', providerState: 'queuing' });
    expect(kie.count('recordInfo')).toBe(6);
  });

  it('a recordInfo timeout is retryable, not ambiguous', async () => {
    const p = provider({ timeoutMs: 200, retry: { retries: 0 } });
    const { taskId } = await p.submit(request());
    kie.failNext('recordInfo', { delayMs: 1_000 });
    const error = await rejection(p.getStatus(taskId, 'lipsync'));
    expect(error).toMatchObject({ errorClass: 'retryable', code: 'timeout' });
  });

  it('code 404 for a task id is retryable (task_not_found grace), retried, then thrown', async () => {
    const p = provider({ retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    const error = await rejection(p.getStatus('0123456789abcdef0123456789abcdef', 'lipsync'));
    expect(error).toMatchObject({ errorClass: 'retryable', code: 'task_not_found' });
    expect(kie.count('recordInfo')).toBe(3);
  });

  it('recordInfo 401 is final', async () => {
    kie.failNext('recordInfo', { code: 401 });
    const error = await rejection(provider().getStatus('abc', 'lipsync'));
    expect(error).toMatchObject({ errorClass: 'final', code: '401' });
  });

  it('state fail → failed with failMsg and provider_error', async () => {
    kie.nextTaskOutcome('fail', { failCode: '500', failMsg: 'internal error' });
    const p = provider();
    const { taskId } = await p.submit(request());
    expect(await pollUntilDone(p, taskId)).toEqual({
      state: 'failed',
      reason: 'internal error',
      code: '500',
      userReason: 'provider_error',
    });
  });

  it('state fail with policy wording or failCode 422 → content_rejected', async () => {
    const p = provider();
    kie.nextTaskOutcome('fail', { failCode: '', failMsg: 'The content violates our content policy' });
    const a = await p.submit(request());
    kie.nextTaskOutcome('fail', { failCode: '422', failMsg: 'invalid image' });
    const b = await p.submit(request());
    const first = await pollUntilDone(p, a.taskId);
    const second = await pollUntilDone(p, b.taskId);
    expect(first).toMatchObject({ state: 'failed', userReason: 'content_rejected' });
    expect(first).not.toHaveProperty('code', '');
    expect(second).toMatchObject({ state: 'failed', code: '422', userReason: 'content_rejected' });
  });

  it('state success with empty resultUrls → failed (final)', async () => {
    kie.nextTaskOutcome('success-empty');
    const p = provider();
    const { taskId } = await p.submit(request());
    expect(await pollUntilDone(p, taskId)).toMatchObject({ state: 'failed', code: 'empty_result', userReason: 'provider_error' });
  });

  it('completeTask jumps a task to its terminal state', async () => {
    const p = provider();
    const { taskId } = await p.submit(request());
    kie.completeTask(taskId, 'fail', { failMsg: 'timeout in worker' });
    expect(await p.getStatus(taskId, 'lipsync')).toMatchObject({ state: 'failed', reason: 'timeout in worker' });
  });
});

describe('KIE uploads', () => {
  it('an upload HTTP 5xx is retried and the file re-streamed', async () => {
    kie.failNext('upload', { httpStatus: 500 }).failNext('upload', { reset: true });
    const p = provider();
    const req = request();
    await p.submit(req);
    expect(kie.count('upload')).toBe(4);
    const mine = [...kie.uploads.values()].filter((u) => u.uploadPath.endsWith(req.generationId));
    expect(mine).toHaveLength(2);
    for (const u of mine) expect(u.data.length).toBeGreaterThan(1000);
  });

  it('an upload 400 is final and nothing is created', async () => {
    kie.failNext('upload', { code: 400, mirrorHttpStatus: true }, 2);
    const error = await rejection(provider().submit(request()));
    expect(error).toMatchObject({ errorClass: 'final', code: '400', userReason: 'bad_input' });
    expect(kie.count('createTask')).toBe(0);
  });

  it('an upload 401 is final', async () => {
    kie.failNext('upload', { code: 401, mirrorHttpStatus: true }, 2);
    const error = await rejection(provider().submit(request()));
    expect(error).toMatchObject({ errorClass: 'final', code: '401' });
  });

  it('an upload timeout is retryable', async () => {
    kie.failNext('upload', { delayMs: 800 }, 8);
    const p = provider({ uploadTimeoutMs: 150, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
    const error = await rejection(p.submit(request()));
    expect(error).toMatchObject({ errorClass: 'retryable', code: 'timeout' });
    expect(kie.count('createTask')).toBe(0);
  });

  it('a stream shorter than the declared size is a final bad_input error', async () => {
    const liar = bufferMedia(Buffer.alloc(5000, 1), 'image/jpeg');
    liar.size = 6000;
    const error = await rejection(provider().submit(request({ image: liar })));
    expect(error).toMatchObject({ errorClass: 'final', code: 'input_size_mismatch', userReason: 'bad_input' });
  });
});

describe('KIE outbound traffic', () => {
  it('the API key appears only in Authorization headers; no Telegram URL or token leaves', async () => {
    const telegramUrl = 'https://api.telegram.org/file/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/photos/file_7.jpg';
    const p = provider();
    const { taskId } = await p.submit(
      request({
        image: fixtureMedia('portrait.jpg', 'image/jpeg', { fileName: telegramUrl }),
        audio: fixtureMedia('speech.mp3', 'audio/mpeg', { fileName: telegramUrl }),
        prompt: 'hello',
      }),
    );
    await pollUntilDone(p, taskId);
    await p.getAccountCredits();
    kie.failNext('createTask', { code: 422 });
    await rejection(p.submit(request()));

    expect(kie.requests.length).toBeGreaterThan(8);
    for (const r of kie.requests) {
      const { authorization, ...otherHeaders } = r.headers;
      expect(authorization).toBe(`Bearer ${kie.apiKey}`);
      const rest = `${r.method} ${r.path}\n${JSON.stringify(otherHeaders)}\n${r.bodyText}`;
      expect(rest).not.toContain(kie.apiKey);
      expect(rest).not.toMatch(/api\.telegram\.org|bot\d+:[A-Za-z0-9_-]{20,}/);
    }
    // Logs never carry the key either.
    expect(JSON.stringify(warnings)).not.toContain(kie.apiKey);
  });
});

describe('fake KIE extras', () => {
  it('serves a generated large result body as a stream', async () => {
    const big = await FakeKie.start({ resultVideo: { sizeBytes: 3 * 1024 * 1024 + 17 } });
    try {
      const p = createKieProvider({ apiKey: big.apiKey, apiBaseUrl: big.apiBaseUrl, uploadBaseUrl: big.uploadBaseUrl });
      const { taskId } = await p.submit(request());
      big.completeTask(taskId);
      const status = await p.getStatus(taskId, 'lipsync');
      if (status.state !== 'succeeded') throw new Error('expected success');
      const response = await fetch(status.videoUrl);
      expect(response.headers.get('content-length')).toBe(String(3 * 1024 * 1024 + 17));
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.length).toBe(3 * 1024 * 1024 + 17);
      expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    } finally {
      await big.stop();
    }
  });

  it('advances by time and sends the terminal callback on its own', async () => {
    const timed = await FakeKie.start({ stepMs: 30, pollsPerStep: 0 });
    try {
      const p = createKieProvider({ apiKey: timed.apiKey, apiBaseUrl: timed.apiBaseUrl, uploadBaseUrl: timed.uploadBaseUrl });
      const { taskId } = await p.submit(request({ callbackUrl: 'http://127.0.0.1:9/unreachable' }));
      // The delivery is recorded when sent; its outcome (here a refused connection) arrives later.
      await timed.waitFor(() => timed.callbacks[0]?.error !== undefined || timed.callbacks[0]?.status !== undefined, 3_000);
      expect(timed.callbacks).toHaveLength(1);
      expect(timed.tasks.get(taskId)!.state).toBe('success');
      expect(timed.callbacks[0]!.error).toBeDefined(); // nobody listens on port 9
    } finally {
      await timed.stop();
    }
  });
});
