/**
 * The job worker end to end against the fake KIE and fake Kling over real HTTP, on a real
 * database (PGlite, or PostgreSQL with TEST_DATABASE_URL). The messenger is a recorder.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { confirmGeneration, type ConfirmRequest } from '../../src/domain/generations.js';
import { ledgerSum } from '../../src/domain/ledger.js';
import { createJobWorker, type JobWorker, type JobWorkerDeps } from '../../src/jobs/worker.js';
import { createProviderRegistry, type ProviderRegistry } from '../../src/providers/registry.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { FakeKling } from '../support/fake-kling/index.js';
import { BOTH, fixtureMediaSource, lipsyncInputs, makeUser, openTestDb, silentLogger, textInputs, uuid, type TestDb } from '../support/builders.js';
import { RecordingMessenger } from '../support/recording-messenger.js';
import { eventually, sleep } from '../support/wait.js';

const HMAC_KEY = 'kie-hmac-test-key';

let t: TestDb;
let kie: FakeKie;
let kling: FakeKling;
const workers: JobWorker[] = [];

beforeAll(async () => {
  [t, kie, kling] = await Promise.all([openTestDb(), FakeKie.start(), FakeKling.start({ concurrencyLimit: 1000 })]);
});
afterAll(async () => {
  await Promise.all([t?.close(), kie?.stop(), kling?.stop()]);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  // Park whatever a test left behind so the next test's workers do not pick it up.
  await t.db.prisma.generation.updateMany({ data: { nextRunAt: new Date('2999-01-01T00:00:00Z'), leaseOwner: null, leaseUntil: null } });
  kie.reset();
  kling.clearFaults();
  kling.requests.length = 0;
  kling.nextOutcomes.length = 0;
  kling.lifecycle = { unit: 'polls', processingAfter: 1, finishAfter: 2 };
});

function registry(options: { kieTimeoutMs?: number; hmac?: boolean } = {}): ProviderRegistry {
  return createProviderRegistry({
    kie: {
      apiKey: kie.apiKey,
      apiBaseUrl: kie.apiBaseUrl,
      uploadBaseUrl: kie.uploadBaseUrl,
      ...(options.hmac ? { webhookHmacKey: HMAC_KEY } : {}),
    },
    kling: { accessKey: kling.accessKey, secretKey: kling.secretKey, apiBaseUrl: kling.baseUrl },
    timeoutMs: 3_000,
    logger: silentLogger,
    overrides: {
      kie: {
        retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
        rateLimitDelayMs: 5,
        maintenanceDelayMs: 5,
        ...(options.kieTimeoutMs ? { timeoutMs: options.kieTimeoutMs } : {}),
      },
      kling: { retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20, concurrencyDelayMs: 5 } },
    },
  });
}

function startWorker(messenger: RecordingMessenger, overrides: Partial<JobWorkerDeps> = {}): JobWorker {
  const worker = createJobWorker({
    prisma: t.db.prisma,
    providers: registry(),
    messenger,
    media: fixtureMediaSource,
    logger: silentLogger,
    now: () => new Date(),
    instanceId: `w-${uuid().slice(0, 8)}`,
    pollIntervalMs: 25,
    pollTimeoutMs: 10_000,
    concurrency: 4,
    pollsPerSecond: 1_000,
    tickMs: 10,
    leaseMs: 10_000,
    maxBackoffMs: 50,
    ...overrides,
  });
  worker.start();
  workers.push(worker);
  return worker;
}

async function confirm(userId: bigint, kind: 'lipsync' | 't2v', overrides: Partial<ConfirmRequest> = {}): Promise<string> {
  const lipsync = kind === 'lipsync';
  const request: ConfirmRequest = {
    generationId: uuid(),
    userId,
    chatId: userId,
    modelSlug: lipsync ? 'infinitalk-480p' : 'kling-text2video',
    inputs: lipsync ? lipsyncInputs(3) : textInputs(5),
    quotedPrice: lipsync ? 9 : 35,
    language: 'en',
    maxInFlight: 100,
    pollTimeoutMs: 10_000,
    now: new Date(),
    configuredProviders: BOTH,
    ...overrides,
  };
  const result = await confirmGeneration(t.db.prisma, request);
  if (result.status !== 'created') throw new Error(`confirm: ${result.status}`);
  return request.generationId;
}

const generation = (id: string, db: Database = t.db) => db.prisma.generation.findUniqueOrThrow({ where: { id } });
/** The state once no worker holds the job (the step that made it has released its lease). */
const stateOf = async (id: string) => {
  const row = await generation(id);
  return row.leaseOwner === null ? row.state : `${row.state} (leased)`;
};

async function expectBooks(userId: bigint, balance: number): Promise<void> {
  const user = await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
  expect(user.balance).toBe(balance);
  expect(await ledgerSum(t.db.prisma, userId)).toBe(balance);
}

describe('job worker', () => {
  it('KIE lip sync: queued → submitted → running → succeeded → delivered, delivered once', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    const worker = startWorker(messenger, { callbacks: { publicUrl: 'https://bot.example.com', secret: 'cb-secret-123' } });
    const id = await confirm(userId, 'lipsync');
    await worker.wake(id);
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'delivery');

    const row = await generation(id);
    expect(row).toMatchObject({ telegramFileId: `file-${id}`, deliveredAsLink: false, lateDeliveryAllowed: false, leaseOwner: null });
    expect(row.providerTaskId).toMatch(/^[0-9a-f]{32}$/);
    expect(row.deliveredAt).not.toBeNull();
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
    expect(messenger.deliveriesOf(id)[0]!.bytes).toBeGreaterThan(0);
    expect(messenger.progressCalls.filter((c) => c.id === id).map((c) => c.stage)).toEqual(['queued', 'submitted', 'running', 'uploading']);
    expect(messenger.failures).toEqual([]);

    expect(kie.count('createTask')).toBe(1);
    const task = kie.tasks.get(row.providerTaskId!)!;
    expect(task.model).toBe('infinitalk/from-audio');
    expect(task.input).toMatchObject({ resolution: '480p' });
    expect(task.callBackUrl).toBe('https://bot.example.com/callbacks/kie?secret=cb-secret-123');
    await expectBooks(userId, 91);
  });

  it('Kling text-to-video: delivered once with the duration, external_task_id sent', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    startWorker(messenger);
    const id = await confirm(userId, 't2v');
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'delivery');
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
    expect(messenger.deliveriesOf(id)[0]!.durationSeconds).toBe(5);
    const creates = kling.requestsFor('create').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ external_task_id: `gen-${id}`, model_name: 'kling-v1-6', mode: 'std', duration: '5' });
    await expectBooks(userId, 65);
  });

  it('a provider failure is refunded exactly once and the user is told why', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    startWorker(messenger);
    kie.nextTaskOutcome('fail', { failCode: '400', failMsg: 'Content violates the platform policy' });
    const id = await confirm(userId, 'lipsync');
    await eventually(async () => (await stateOf(id)) === 'refunded', 8_000, 'refund');
    await sleep(200); // more passes must change nothing
    expect(messenger.failuresOf(id)).toEqual([{ id, reason: 'content_rejected', refunded: 9 }]);
    expect(messenger.deliveries).toEqual([]);
    expect(await t.db.prisma.ledgerEntry.count({ where: { generationId: id, kind: 'refund' } })).toBe(1);
    expect(await generation(id)).toMatchObject({ state: 'refunded', lateDeliveryAllowed: false, errorCode: '400' });
    await expectBooks(userId, 100);
  });

  it('a refund notice that could not be sent is sent on a later pass, once', async () => {
    const userId = await makeUser(t.db, 100);
    let failNotices = 1;
    const messenger = new (class extends RecordingMessenger {
      override async failed(job: Parameters<RecordingMessenger['failed']>[0], reason: Parameters<RecordingMessenger['failed']>[1], refunded: number) {
        if (failNotices-- > 0) throw new Error('Telegram is down (or the process died here)');
        await super.failed(job, reason, refunded);
      }
    })();
    startWorker(messenger);
    kie.nextTaskOutcome('fail', { failCode: '500', failMsg: 'internal error' });
    const id = await confirm(userId, 'lipsync');
    await eventually(async () => (await stateOf(id)) === 'refunded', 8_000, 'refund');
    await eventually(async () => (await generation(id)).refundNoticeAt !== null, 8_000, 'the notice');
    expect(failNotices).toBeLessThan(0); // the first attempt did fail
    await sleep(200);
    expect(messenger.failuresOf(id)).toHaveLength(1);
    expect(await t.db.prisma.ledgerEntry.count({ where: { generationId: id, kind: 'refund' } })).toBe(1);
    await expectBooks(userId, 100);
  });

  it('a final submit error (KIE 422) is refunded without polling', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    startWorker(messenger);
    kie.failNext('createTask', { code: 422 });
    const id = await confirm(userId, 'lipsync');
    await eventually(async () => (await stateOf(id)) === 'refunded', 8_000, 'refund');
    expect(messenger.failuresOf(id)).toEqual([{ id, reason: 'bad_input', refunded: 9 }]);
    expect(kie.count('createTask')).toBe(1);
    expect(kie.count('recordInfo')).toBe(0);
    await expectBooks(userId, 100);
  });

  it('retryable submit errors back off and then succeed, one task', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    startWorker(messenger);
    kling.failNext('create', 5001, 4); // provider retries 2 times inside, the worker retries the rest
    const id = await confirm(userId, 't2v');
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'delivery');
    expect([...kling.tasks.values()].filter((task) => task.externalTaskId === `gen-${id}`)).toHaveLength(1);
    expect((await generation(id)).submitAttempts).toBe(1);
    await expectBooks(userId, 65);
  });

  it('timeout: refunded, then a late success is delivered once and not charged again', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    kling.lifecycle = { unit: 'manual', processingAfter: 0, finishAfter: 0 };
    startWorker(messenger, { pollTimeoutMs: 300 });
    // The submit deadline is generous (a loaded machine may claim late); the poll deadline is 300 ms.
    const id = await confirm(userId, 't2v', { pollTimeoutMs: 10_000 });
    await eventually(async () => (await stateOf(id)) === 'refunded', 8_000, 'timeout refund');
    const refunded = await generation(id);
    expect(refunded).toMatchObject({ errorCode: 'timeout', lateDeliveryAllowed: true });
    expect(messenger.failuresOf(id)).toEqual([{ id, reason: 'timeout', refunded: 35 }]);
    await expectBooks(userId, 100);

    const pollsBefore = kling.requestsFor('get').length;
    await sleep(300);
    expect(kling.requestsFor('get').length).toBeGreaterThan(pollsBefore); // still polling, less often
    kling.completeTask(refunded.providerTaskId!);
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'late delivery');
    await sleep(200);
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
    expect(await generation(id)).toMatchObject({ state: 'delivered', telegramFileId: `file-${id}`, lateDeliveryAllowed: false });
    expect(await t.db.prisma.ledgerEntry.findMany({ where: { generationId: id }, select: { kind: true, amount: true }, orderBy: { id: 'asc' } })).toEqual([
      { kind: 'charge', amount: -35 },
      { kind: 'refund', amount: 35 },
    ]);
    await expectBooks(userId, 100);
  });

  it('two workers on 20 jobs: each job submitted once and delivered once', async () => {
    const userId = await makeUser(t.db, 10_000);
    const messenger = new RecordingMessenger();
    const otherDb = await t.second();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await confirm(userId, 't2v'));
    startWorker(messenger, { instanceId: 'worker-a', concurrency: 5 });
    startWorker(messenger, { instanceId: 'worker-b', concurrency: 5, prisma: otherDb.prisma });
    await eventually(async () => (await t.db.prisma.generation.count({ where: { id: { in: ids }, state: 'delivered' } })) === 20, 20_000, 'all deliveries');
    await sleep(200);
    const creates = kling.requestsFor('create').map((r) => (JSON.parse(r.body) as { external_task_id: string }).external_task_id);
    expect(creates.sort()).toEqual(ids.map((id) => `gen-${id}`).sort());
    for (const id of ids) expect(messenger.deliveriesOf(id)).toHaveLength(1);
    expect(messenger.deliveries).toHaveLength(20);
    await expectBooks(userId, 10_000 - 20 * 35);
  });

  it('a live lease is respected; an expired one (crashed worker) is taken over', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    const id = await confirm(userId, 't2v');
    await t.db.prisma.generation.update({ where: { id }, data: { leaseOwner: 'crashed', leaseUntil: new Date(Date.now() + 60_000), attempts: 1 } });
    startWorker(messenger);
    await sleep(300);
    expect(await generation(id)).toMatchObject({ state: 'queued', leaseOwner: 'crashed' });
    expect(kling.requestsFor('create')).toHaveLength(0);

    await t.db.prisma.generation.update({ where: { id }, data: { leaseUntil: new Date(Date.now() - 1) } });
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'takeover');
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
    expect((await generation(id)).attempts).toBeGreaterThan(1);
  });

  it('a crash during a Kling submit: the task is found by external_task_id, not created again', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    const id = await confirm(userId, 't2v');
    // The crashed worker had marked the submit and sent it; the provider made the task.
    const provider = registry().get('kling')!;
    await provider.submit({ generationId: id, kind: 'text2video', providerModel: 'kling-v1-6', prompt: 'A fox', options: { duration: 5 } });
    await t.db.prisma.generation.update({ where: { id }, data: { submitAttempts: 1, leaseOwner: 'crashed', leaseUntil: new Date(Date.now() - 1) } });
    startWorker(messenger);
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'delivery');
    expect(kling.requestsFor('create')).toHaveLength(1);
    // Looked up directly by external_task_id (the get-one path takes it).
    expect(kling.requestsFor('get').some((r) => r.path.includes(`gen-${id}`))).toBe(true);
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
  });

  it('an ambiguous KIE submit is resubmitted once and then delivered', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    startWorker(messenger, { providers: registry({ kieTimeoutMs: 300 }) });
    kie.failNext('createTask', { delayMs: 800 });
    const id = await confirm(userId, 'lipsync');
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'delivery');
    expect(kie.count('createTask')).toBe(2);
    expect(await generation(id)).toMatchObject({ submitAttempts: 2 });
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
    await expectBooks(userId, 91);
  });

  it('two ambiguous KIE submits: no third request, failed and refunded', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    startWorker(messenger, { providers: registry({ kieTimeoutMs: 300 }) });
    kie.failNext('createTask', { delayMs: 800 }, 2);
    const id = await confirm(userId, 'lipsync');
    await eventually(async () => (await stateOf(id)) === 'refunded', 8_000, 'refund');
    await sleep(300);
    expect(kie.count('createTask')).toBe(2);
    expect(await generation(id)).toMatchObject({ errorCode: 'submit_ambiguous' });
    expect(messenger.failuresOf(id)).toEqual([{ id, reason: 'provider_error', refunded: 9 }]);
    await expectBooks(userId, 100);
  });

  it('a callback wakes the job, which asks the provider before acting; a forged one changes nothing', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    const worker = startWorker(messenger, { providers: registry({ hmac: true }), pollIntervalMs: 60_000, tickMs: 10 });
    const id = await confirm(userId, 'lipsync');
    await eventually(async () => (await stateOf(id)) === 'submitted', 8_000, 'submit');
    const submitted = await generation(id);
    const taskId = submitted.providerTaskId!;
    const callback = (signature?: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({
        code: 200,
        msg: 'success',
        data: { taskId, state: 'success', resultJson: '{"resultUrls":["https://evil.example/x.mp4"]}' },
      });
      return {
        headers: { 'x-webhook-timestamp': timestamp, 'x-webhook-signature': signature ?? FakeKie.sign(HMAC_KEY, taskId, timestamp) },
        query: new URLSearchParams(),
        rawBody: body,
      };
    };

    expect(await worker.handleCallback('kie', callback('forged-signature'))).toBe(false);
    expect(await worker.handleCallback('nope', callback())).toBe(false);
    await sleep(150);
    expect(kie.count('recordInfo')).toBe(0);
    expect((await generation(id)).nextRunAt.getTime()).toBe(submitted.nextRunAt.getTime());

    // Valid, but the task is still running at KIE: the job asks, sees "queuing", and waits.
    expect(await worker.handleCallback('kie', callback())).toBe(true);
    await eventually(() => kie.count('recordInfo') === 1, 5_000, 'status check');
    await eventually(async () => (await stateOf(id)) === 'running', 5_000, 'running');
    expect(messenger.deliveries).toEqual([]);

    kie.completeTask(taskId);
    expect(await worker.handleCallback('kie', callback())).toBe(true);
    await eventually(async () => (await stateOf(id)) === 'delivered', 5_000, 'delivery');
    expect(kie.count('recordInfo')).toBe(2);
    expect(messenger.deliveriesOf(id)[0]!.url).toBe(kie.resultUrl(taskId));
  });

  it('a callback that arrives while the job is being worked on is not lost', async () => {
    const userId = await makeUser(t.db, 100);
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let inStep = false;
    const messenger = new (class extends RecordingMessenger {
      override async progress(job: Parameters<RecordingMessenger['progress']>[0], stage: Parameters<RecordingMessenger['progress']>[1]) {
        await super.progress(job, stage);
        if (stage === 'running') {
          inStep = true;
          await gate; // hold the step (and its lease) open
        }
        return null;
      }
    })();
    const worker = startWorker(messenger, { providers: registry({ hmac: true }), pollIntervalMs: 60_000 });
    const id = await confirm(userId, 'lipsync');
    await eventually(async () => (await stateOf(id)) === 'submitted', 8_000, 'submit');
    const taskId = (await generation(id)).providerTaskId!;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signed = {
      headers: { 'x-webhook-timestamp': timestamp, 'x-webhook-signature': FakeKie.sign(HMAC_KEY, taskId, timestamp) },
      query: new URLSearchParams(),
      rawBody: JSON.stringify({ code: 200, msg: 'ok', data: { taskId, state: 'success' } }),
    };
    expect(await worker.handleCallback('kie', signed)).toBe(true); // first poll: still queuing → running
    await eventually(() => inStep, 5_000, 'step in progress');
    kie.completeTask(taskId);
    expect(await worker.handleCallback('kie', signed)).toBe(true); // arrives during the step
    openGate();
    await eventually(async () => (await stateOf(id)) === 'delivered', 5_000, 'delivery after the step');
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
  });

  it('status requests stay under the per-provider cap', async () => {
    const userId = await makeUser(t.db, 1_000);
    const messenger = new RecordingMessenger();
    kling.lifecycle = { unit: 'manual', processingAfter: 0, finishAfter: 0 };
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await confirm(userId, 't2v'));
    startWorker(messenger, { pollIntervalMs: 5, pollsPerSecond: 10, concurrency: 6, tickMs: 5 });
    await eventually(
      async () => (await t.db.prisma.generation.count({ where: { id: { in: ids }, state: { in: ['submitted', 'running'] } } })) === 6,
      8_000,
      'submits',
    );
    const before = kling.requestsFor('get').length;
    const started = Date.now();
    await sleep(1_000);
    const polls = kling.requestsFor('get').length - before;
    const seconds = (Date.now() - started) / 1000;
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(polls).toBeLessThanOrEqual(Math.ceil(10 * seconds) + 1);
  });

  it('a user who blocked the bot is marked unreachable and the result is kept', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    messenger.outcome = () => ({ kind: 'unreachable' });
    startWorker(messenger);
    const id = await confirm(userId, 't2v');
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'delivery');
    await sleep(150);
    expect(messenger.deliveriesOf(id)).toHaveLength(1);
    const row = await generation(id);
    expect(row).toMatchObject({ errorCode: 'user_unreachable', telegramFileId: null, deliveredAt: null });
    expect(row.resultUrl).toContain('/files/videos/');
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).unreachable).toBe(true);
    await expectBooks(userId, 65);
  });

  it('stop() waits for the step in progress', async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    const worker = startWorker(messenger);
    kling.failNext('create', { delayMs: 300 });
    const id = await confirm(userId, 't2v');
    await eventually(() => kling.requestsFor('create').length === 1, 5_000, 'create sent');
    await worker.stop();
    const row = await generation(id);
    expect(row.state).toBe('submitted');
    expect(row.leaseOwner).toBeNull();
  });

  it("a worker without a provider's keys never claims its jobs; one with the keys delivers them (finding 7)", async () => {
    const userId = await makeUser(t.db, 100);
    const messenger = new RecordingMessenger();
    const kieOnly = createProviderRegistry({
      kie: { apiKey: kie.apiKey, apiBaseUrl: kie.apiBaseUrl, uploadBaseUrl: kie.uploadBaseUrl },
      timeoutMs: 3_000,
      logger: silentLogger,
    });
    startWorker(messenger, { providers: kieOnly });
    const id = await confirm(userId, 't2v');
    await sleep(500);
    expect(await generation(id)).toMatchObject({ state: 'queued', attempts: 0, refundedAt: null });
    expect(messenger.failuresOf(id)).toEqual([]);
    startWorker(messenger);
    await eventually(async () => (await stateOf(id)) === 'delivered', 8_000, 'delivery by the worker with Kling keys');
    await expectBooks(userId, 65);
  });

  it('a step that lost its lease changes nothing: no delivery recorded by the old owner (finding 6)', async () => {
    const userId = await makeUser(t.db, 100);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const messenger = new RecordingMessenger();
    const slow = Object.assign(Object.create(messenger) as RecordingMessenger, {
      async deliver(job: Parameters<RecordingMessenger['deliver']>[0], video: { url: string }) {
        entered = true;
        await gate; // the step outlives its lease here
        return messenger.deliver(job, video);
      },
    });
    startWorker(slow, { leaseMs: 10_000 });
    const id = await confirm(userId, 't2v');
    await eventually(() => entered, 8_000, 'delivery started');
    // Another worker took the job over (e.g. our lease expired during a stall).
    await t.db.prisma.generation.update({ where: { id }, data: { leaseOwner: 'other-worker', leaseUntil: new Date(Date.now() + 60_000) } });
    release();
    await sleep(500);
    const row = await generation(id);
    expect(row).toMatchObject({ state: 'succeeded', leaseOwner: 'other-worker', deliveredAt: null, telegramFileId: null });
  });
});
