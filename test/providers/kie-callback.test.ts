/** KIE callback authentication (docs/providers.md §kie-callback) and the fake's callback sender. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createKieProvider, signKieCallback } from '../../src/providers/kie/index.js';
import type { CallbackRequest } from '../../src/providers/types.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { fixtureMedia } from '../support/fake-kie/media.js';

const KEY = 'hmac-key-for-tests';
const NOW_MS = 1_700_000_000_000;
const NOW_S = String(NOW_MS / 1000);

const kie = createKieProvider({ apiKey: 'k', apiBaseUrl: 'http://127.0.0.1:9', uploadBaseUrl: 'http://127.0.0.1:9', webhookHmacKey: KEY, now: () => NOW_MS });

function callback(taskId: string, headers: CallbackRequest['headers'], body?: unknown): CallbackRequest {
  return {
    headers,
    query: new URLSearchParams('secret=s'),
    rawBody: JSON.stringify(body ?? { code: 200, msg: 'ok', data: { taskId, state: 'success', resultJson: '{"resultUrls":[]}' } }),
  };
}

describe('KIE parseCallback with an HMAC key', () => {
  it('accepts a valid signature (case-insensitive header names, task_id fallback)', () => {
    const sig = signKieCallback(KEY, 'task_1', NOW_S);
    expect(kie.parseCallback(callback('task_1', { 'x-webhook-timestamp': NOW_S, 'x-webhook-signature': sig }))).toEqual({ taskId: 'task_1' });
    expect(kie.parseCallback(callback('task_1', { 'X-Webhook-Timestamp': NOW_S, 'X-Webhook-Signature': [sig] }))).toEqual({ taskId: 'task_1' });
    expect(kie.parseCallback(callback('', { 'x-webhook-timestamp': NOW_S, 'x-webhook-signature': sig }, { data: { task_id: 'task_1' } }))).toEqual({
      taskId: 'task_1',
    });
    // Within the ±300 s window.
    const ts = String(NOW_MS / 1000 - 299);
    expect(kie.parseCallback(callback('t', { 'x-webhook-timestamp': ts, 'x-webhook-signature': signKieCallback(KEY, 't', ts) }))).toEqual({ taskId: 't' });
  });

  it('rejects a wrong signature (other key, other task, other timestamp, garbage)', () => {
    const headers = (sig: string) => ({ 'x-webhook-timestamp': NOW_S, 'x-webhook-signature': sig });
    expect(kie.parseCallback(callback('task_1', headers(signKieCallback('other', 'task_1', NOW_S))))).toBeNull();
    expect(kie.parseCallback(callback('task_1', headers(signKieCallback(KEY, 'task_2', NOW_S))))).toBeNull();
    expect(kie.parseCallback(callback('task_1', headers(signKieCallback(KEY, 'task_1', Number(NOW_S) + 1))))).toBeNull();
    expect(kie.parseCallback(callback('task_1', headers('short')))).toBeNull();
  });

  it('rejects a stale or future timestamp even when correctly signed', () => {
    for (const ts of [String(NOW_MS / 1000 - 301), String(NOW_MS / 1000 + 301), String(NOW_MS)]) {
      expect(kie.parseCallback(callback('t', { 'x-webhook-timestamp': ts, 'x-webhook-signature': signKieCallback(KEY, 't', ts) }))).toBeNull();
    }
  });

  it('rejects missing headers and malformed bodies', () => {
    const sig = signKieCallback(KEY, 't', NOW_S);
    expect(kie.parseCallback(callback('t', {}))).toBeNull();
    expect(kie.parseCallback(callback('t', { 'x-webhook-signature': sig }))).toBeNull();
    expect(kie.parseCallback(callback('t', { 'x-webhook-timestamp': NOW_S }))).toBeNull();
    expect(kie.parseCallback(callback('t', { 'x-webhook-timestamp': 'abc', 'x-webhook-signature': sig }))).toBeNull();
    expect(
      kie.parseCallback({ headers: { 'x-webhook-timestamp': NOW_S, 'x-webhook-signature': sig }, query: new URLSearchParams(), rawBody: '{not json' }),
    ).toBeNull();
    expect(kie.parseCallback(callback('t', { 'x-webhook-timestamp': NOW_S, 'x-webhook-signature': sig }, { data: {} }))).toBeNull();
  });
});

describe('KIE parseCallback without an HMAC key', () => {
  const plain = createKieProvider({ apiKey: 'k', apiBaseUrl: 'http://127.0.0.1:9', uploadBaseUrl: 'http://127.0.0.1:9' });
  it('accepts any well-formed body (the URL secret is checked by the server layer)', () => {
    expect(plain.parseCallback(callback('abc', {}))).toEqual({ taskId: 'abc' });
    expect(plain.parseCallback({ headers: {}, query: new URLSearchParams(), rawBody: '[]' })).toBeNull();
  });
});

describe('fake KIE → real callback → parseCallback', () => {
  it('POSTs a signed callback (repeated) that the provider verifies', async () => {
    const received: CallbackRequest[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        received.push({ headers: req.headers, query: url.searchParams, rawBody: Buffer.concat(chunks).toString('utf8') });
        // Answer a little later, so a test that only waits for `received` would race the fake's record.
        setTimeout(() => res.end('ok'), 30);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const fake = await FakeKie.start({ webhookHmacKey: KEY, callbacks: { repeat: 2, delayMs: 5 } });
    try {
      const provider = createKieProvider({ apiKey: fake.apiKey, apiBaseUrl: fake.apiBaseUrl, uploadBaseUrl: fake.uploadBaseUrl, webhookHmacKey: KEY });
      const { taskId } = await provider.submit({
        generationId: 'gen-cb',
        kind: 'lipsync',
        providerModel: 'kling/ai-avatar-standard',
        image: fixtureMedia('portrait.jpg', 'image/jpeg'),
        audio: fixtureMedia('speech.mp3', 'audio/mpeg'),
        audioSeconds: 4,
        options: {},
        callbackUrl: `http://127.0.0.1:${port}/callbacks/kie?secret=abc`,
      });
      fake.completeTask(taskId);
      // Our server sees a callback before the fake records its answer: wait for both outcomes.
      await fake.waitFor(
        () => received.length === 2 && fake.callbacks.length === 2 && fake.callbacks.every((c) => c.status !== undefined || c.error !== undefined),
        3_000,
      );
      expect(fake.callbacks.map((c) => c.status)).toEqual([200, 200]);
      for (const cb of received) {
        expect(cb.query.get('secret')).toBe('abc');
        expect(provider.parseCallback(cb)).toEqual({ taskId });
        expect(JSON.parse(cb.rawBody)).toMatchObject({ code: 200, data: { taskId, state: 'success' } });
      }
      // Tampered body (other task id) fails verification.
      const forged = { ...received[0]!, rawBody: received[0]!.rawBody.replaceAll(taskId, 'other-task') };
      expect(provider.parseCallback(forged)).toBeNull();
    } finally {
      await fake.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
