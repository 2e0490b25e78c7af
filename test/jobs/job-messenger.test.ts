/**
 * The grammY JobMessenger against the fake Bot API (real HTTP multipart uploads) and a small
 * local result host: status message sent once then edited, the video streamed into sendVideo,
 * the link fallback for big or broken results, 403 → unreachable, failure messages.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createI18n } from '../../src/bot/i18n.js';
import { createJobMessenger } from '../../src/bot/job-messenger.js';
import { backgroundTransformers } from '../../src/bot/background-api.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { projectRoot } from '../../src/db/migrate.js';
import { confirmGeneration } from '../../src/domain/generations.js';
import type { JobMessenger, JobView } from '../../src/jobs/ports.js';
import { FakeTelegram, type FakeUser } from '../support/fake-telegram/index.js';
import { fixturePath } from '../support/fake-kie/media.js';
import { BOTH, openTestDb, silentLogger, textInputs, uuid, type TestDb } from '../support/builders.js';

const VIDEO = readFileSync(fixturePath('result.mp4'));
const LIMIT = 20_000; // bytes: result.mp4 (7.4 kB) fits, the "big" results do not

let t: TestDb;
let tg: FakeTelegram;
let host: Server;
let hostUrl = '';
let messenger: JobMessenger;
/** The same messenger behind a fault proxy (answers lost after Telegram processed the call). */
let proxied: JobMessenger;
let proxy: FaultProxy;

/** The production client: the same transformers as the worker's background API in src/app.ts. */
function productionApi(apiRoot: string): Api {
  const api = new Api(tg.tokens[0]!, { apiRoot, timeoutSeconds: 120 });
  api.config.use(...backgroundTransformers(async () => {}));
  return api;
}

beforeAll(async () => {
  [t, tg] = await Promise.all([openTestDb(), FakeTelegram.start()]);
  host = createServer((req, res) => {
    if (req.url === '/small.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': VIDEO.length });
      return res.end(VIDEO);
    }
    if (req.url === '/big.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': LIMIT * 3 });
      return res.end(Buffer.alloc(LIMIT * 3));
    }
    if (req.url === '/chunked.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4' }); // no length: the stream itself is counted
      res.write(VIDEO);
      return res.end(Buffer.alloc(LIMIT * 2));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  proxy = await FaultProxy.start(tg.apiRoot);
  const common = {
    i18n: createI18n(path.join(projectRoot(), 'locales')),
    prisma: t.db.prisma,
    logger: silentLogger,
    maxUploadBytes: LIMIT,
    fetchTimeoutMs: 2_000,
  };
  messenger = createJobMessenger({ api: productionApi(tg.apiRoot), ...common });
  proxied = createJobMessenger({ api: productionApi(proxy.url), ...common });
});
afterAll(async () => {
  await proxy?.stop();
  await new Promise<void>((resolve) => (host ? host.close(() => resolve()) : resolve()));
  await Promise.all([t?.close(), tg?.stop()]);
});

async function job(language = 'en'): Promise<{ view: JobView; user: FakeUser }> {
  const user = tg.user({ firstName: 'Ann' });
  const userId = BigInt(user.id);
  await t.db.prisma.user.create({ data: { id: userId, firstName: 'Ann' } });
  await t.db.prisma.ledgerEntry.create({ data: { userId, kind: 'grant', amount: 100, balanceAfter: 100, idempotencyKey: `grant:${userId}` } });
  await t.db.prisma.user.update({ where: { id: userId }, data: { balance: 100 } });
  const id = uuid();
  const result = await confirmGeneration(t.db.prisma, {
    generationId: id,
    userId,
    chatId: BigInt(user.chatId),
    modelSlug: 'kling-text2video',
    inputs: textInputs(),
    quotedPrice: 35,
    language,
    maxInFlight: 5,
    pollTimeoutMs: 60_000,
    now: new Date(),
    configuredProviders: BOTH,
  });
  if (result.status !== 'created') throw new Error(result.status);
  return {
    user,
    view: {
      id,
      chatId: BigInt(user.chatId),
      userId,
      language,
      modelSlug: 'kling-text2video',
      displayName: 'Kling text-to-video',
      price: 35,
      statusMessageId: null,
      createdAt: new Date(),
    },
  };
}

const text = (m: Record<string, unknown> | undefined) => String(m?.text ?? m?.caption ?? '');

describe('grammY job messenger', () => {
  it('sends one status message, then edits it; identical edits are ignored', async () => {
    const { view, user } = await job();
    const statusId = await messenger.progress(view, 'queued');
    expect(statusId).not.toBeNull();
    expect(view.statusMessageId).toBe(statusId); // later edits in the step go to it; the step records it (under the lease)
    expect(await messenger.progress(view, 'submitted')).toBeNull();
    expect(await messenger.progress(view, 'submitted')).toBeNull(); // not modified → fine
    const messages = user.messages();
    expect(messages).toHaveLength(1);
    expect(text(messages[0])).toMatch(/Kling text-to-video: the video is being made/);
    expect(user.chatActions().map((a) => a.action)).toContain('record_video');
  });

  it('streams a result into sendVideo and returns its file id', async () => {
    const { view, user } = await job();
    const outcome = await messenger.deliver(view, { url: `${hostUrl}/small.mp4`, durationSeconds: 5.2 });
    expect(outcome.kind).toBe('video');
    if (outcome.kind !== 'video') return;
    expect(tg.files.get(outcome.fileId)?.equals(VIDEO)).toBe(true);
    const call = tg.calls('sendVideo').at(-1)!;
    expect(call.params).toMatchObject({ supports_streaming: true, duration: 5 });
    const video = user.messages().at(-1)!;
    expect(text(video)).toContain('Kling text-to-video');
    expect(user.chatActions().map((a) => a.action)).toContain('upload_video');
  });

  it('sends a link when the result is larger than the upload limit', async () => {
    const { view, user } = await job();
    const before = tg.calls('sendVideo').length;
    expect(await messenger.deliver(view, { url: `${hostUrl}/big.mp4` })).toEqual({ kind: 'link' });
    expect(tg.calls('sendVideo').length).toBe(before);
    expect(text(user.messages().at(-1))).toContain(`${hostUrl}/big.mp4`);
  });

  it('falls back to a link when the stream turns out too large mid-upload', async () => {
    const { view, user } = await job();
    expect(await messenger.deliver(view, { url: `${hostUrl}/chunked.mp4` })).toEqual({ kind: 'link' });
    expect(text(user.messages().at(-1))).toContain(`${hostUrl}/chunked.mp4`);
  });

  it('a sendVideo whose answer never comes falls back to the link within the step deadline', async () => {
    const { view, user } = await job();
    proxy.loseAnswer(/\/sendVideo$/, 'stall');
    const started = Date.now();
    const outcome = await proxied.deliver(
      view,
      { url: `${hostUrl}/small.mp4` },
      { signal: AbortSignal.timeout(3_000), uploadSignal: AbortSignal.timeout(1_000) },
    );
    expect(outcome).toEqual({ kind: 'link' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(text(user.messages().at(-1))).toContain(`${hostUrl}/small.mp4`);
  });

  it.each([502, 'reset'] as const)('a sendVideo processed then answered %s is not re-sent by the client: one video, then the link', async (fault) => {
    const { view, user } = await job();
    const before = tg.calls('sendVideo').length;
    proxy.loseAnswer(/\/sendVideo$/, fault);
    const outcome = await proxied.deliver(
      view,
      { url: `${hostUrl}/small.mp4` },
      { signal: AbortSignal.timeout(5_000), uploadSignal: AbortSignal.timeout(3_000) },
    );
    expect(outcome).toEqual({ kind: 'link' });
    expect(tg.calls('sendVideo').length - before).toBe(1);
    expect(user.messages().filter((m) => 'video' in m)).toHaveLength(1);
  });

  it('a sendMessage whose answer is lost (504) is not retried forever: the step decides', async () => {
    const { view } = await job();
    proxy.loseAnswer(/\/sendMessage$/, 504);
    const started = Date.now();
    await expect(proxied.failed(view, 'provider_error', 35, AbortSignal.timeout(3_000))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a user who blocked the bot: unreachable, and marked so', async () => {
    const { view, user } = await job();
    user.blockBot();
    expect(await messenger.deliver(view, { url: `${hostUrl}/small.mp4` })).toEqual({ kind: 'unreachable' });
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: view.userId } })).unreachable).toBe(true);
  });

  it('tells the reason and the refund, in the user language', async () => {
    const { view, user } = await job();
    await messenger.progress(view, 'running');
    await messenger.failed(view, 'content_rejected', 35);
    const last = text(user.messages().at(-1));
    expect(last).toMatch(/refused this request/);
    expect(last).toContain('35 credits are back');
    expect(text(user.messages()[0])).toMatch(/could not be made/); // the status message was edited

    const ru = await job('ru');
    await messenger.failed(ru.view, 'timeout', 21);
    expect(text(ru.user.messages().at(-1))).toContain('21 кредит возвращён');
  });
});
