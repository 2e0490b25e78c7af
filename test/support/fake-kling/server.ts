/**
 * A fake of the official Kling video API (PROVIDERS.md part B) as a real HTTP server on
 * 127.0.0.1. It checks the HS256 JWT like Kling (1001/1002/1003/1004, HTTP 401), validates
 * text2video/image2video bodies (1201/1203), limits tasks in progress (1303), runs each task
 * through submitted → processing → succeed|failed, POSTs the task object to callback_url on every
 * status change, serves result videos, records every request, and injects faults on demand.
 * No test-framework dependency: usable from vitest, e2e scripts or a dev server.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeImageInfo } from './image.js';

export type FakeKlingKind = 'text2video' | 'image2video';
export type FakeKlingRoute = 'create' | 'get' | 'list';
export type FakeKlingStatus = 'submitted' | 'processing' | 'succeed' | 'failed';

/** A fault for the next call(s) of a route. A bare number is a business code. */
export type FakeKlingFault =
  | number
  | 'drop'
  | { code: number; message?: string; httpStatus?: number }
  | { drop: true }
  /** Handle the call normally (a create DOES create the task) but answer only after `delayMs`. */
  | { delayMs: number };

export type FakeKlingOutcome =
  | { status: 'succeed'; duration?: string }
  | { status: 'failed'; message?: string };

export interface FakeKlingLifecycle {
  /** 'polls': counts GETs of the task; 'ms': timers from creation; 'manual': only completeTask. */
  unit: 'polls' | 'ms' | 'manual';
  /** When the task turns processing (polls or ms; 0 = at creation). */
  processingAfter: number;
  /** When the task finishes (polls or ms). */
  finishAfter: number;
}

export interface FakeKlingOptions {
  accessKey?: string;
  secretKey?: string;
  /** Server clock in ms (JWT nbf/exp checks and timestamps). */
  now?: () => number;
  /** JWT clock leeway in seconds (default 5). */
  leewaySeconds?: number;
  /** Allowed model_name values (unknown → 1203). */
  models?: string[];
  /** Tasks in progress (submitted/processing) allowed at once; more → 1303. */
  concurrencyLimit?: number;
  lifecycle?: Partial<FakeKlingLifecycle>;
  /** Decides each new task's outcome (default succeed). */
  outcome?: (task: FakeKlingTask) => FakeKlingOutcome;
  /** Bytes served as every result video (default test/fixtures/media/result.mp4 or a stub). */
  videoBytes?: Buffer;
}

export interface FakeKlingTask {
  taskId: string;
  kind: FakeKlingKind;
  externalTaskId?: string;
  status: FakeKlingStatus;
  statusMsg: string;
  /** The create body as received (JSON). */
  body: Record<string, unknown>;
  callbackUrl?: string;
  polls: number;
  createdAt: number;
  updatedAt: number;
  outcome?: FakeKlingOutcome;
  videoUrl?: string;
  duration?: string;
}

export interface FakeKlingRequest {
  method: string;
  /** Path with query string. */
  path: string;
  route: FakeKlingRoute | 'file' | 'unknown';
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface FakeKlingCallback {
  url: string;
  taskId: string;
  status: FakeKlingStatus;
  body: string;
  httpStatus?: number;
  error?: string;
}

export const FAKE_KLING_DEFAULT_MODELS = [
  'kling-v1',
  'kling-v1-5',
  'kling-v1-6',
  'kling-v2-master',
  'kling-v2-1',
  'kling-v2-1-master',
  'kling-v2-5-turbo',
  'kling-v2-6',
  'kling-v3',
];

const HTTP_STATUS: Record<number, number> = {
  1000: 401, 1001: 401, 1002: 401, 1003: 401, 1004: 401,
  1100: 429, 1101: 429, 1102: 429, 1103: 403,
  1200: 400, 1201: 400, 1202: 404, 1203: 404,
  1300: 400, 1301: 400, 1302: 429, 1303: 429, 1304: 429,
  5000: 500, 5001: 503, 5002: 504,
};

const DEFAULT_MESSAGES: Record<number, string> = {
  1000: 'authentication failed',
  1001: 'Authorization is empty',
  1002: 'Authorization is invalid',
  1003: 'Authorization is not yet valid',
  1004: 'Authorization has expired',
  1100: 'account exception',
  1101: 'account in arrears',
  1102: 'resource pack exhausted or expired',
  1103: 'no permission to access this interface or model',
  1200: 'invalid request parameters',
  1201: 'invalid request parameter',
  1202: 'invalid request method',
  1203: 'requested resource does not exist',
  1300: 'platform policy triggered',
  1301: 'content security policy triggered',
  1302: 'request too fast, rate limit exceeded',
  1303: 'parallel task over resource pack limit',
  1304: 'IP whitelist policy triggered',
  5000: 'server internal error',
  5001: 'service temporarily unavailable',
  5002: 'server internal timeout',
};

const STUB_VIDEO = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypmp42', 'latin1'),
  Buffer.alloc(12),
  Buffer.from('fake kling video', 'latin1'),
]);

class FakeKlingError extends Error {
  constructor(
    readonly code: number,
    message?: string,
  ) {
    super(message ?? DEFAULT_MESSAGES[code] ?? 'error');
  }
}

function defaultVideoBytes(): Buffer {
  const fixture = new URL('../../fixtures/media/result.mp4', import.meta.url);
  try {
    if (existsSync(fixture)) return readFileSync(fixture);
  } catch {
    // fall through to the stub
  }
  return STUB_VIDEO;
}

function normalizeFault(fault: FakeKlingFault): { code: number; message?: string; httpStatus?: number } | { drop: true } | { delayMs: number } {
  if (typeof fault === 'number') return { code: fault };
  if (fault === 'drop') return { drop: true };
  return fault;
}

export class FakeKling {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly tasks = new Map<string, FakeKlingTask>();
  readonly requests: FakeKlingRequest[] = [];
  readonly callbacks: FakeKlingCallback[] = [];
  /** Outcome for the next created task(s), consumed in order; overrides `options.outcome`. */
  readonly nextOutcomes: FakeKlingOutcome[] = [];
  models: Set<string>;
  concurrencyLimit: number;
  lifecycle: FakeKlingLifecycle;
  videoBytes: Buffer;

  private readonly server: Server;
  private readonly now: () => number;
  private readonly leeway: number;
  private readonly outcomeFn: ((task: FakeKlingTask) => FakeKlingOutcome) | undefined;
  private readonly faults: Record<FakeKlingRoute, Array<ReturnType<typeof normalizeFault>>> = {
    create: [],
    get: [],
    list: [],
  };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly callbackChains = new Map<string, Promise<void>>();
  private nextId = 866889456698785000n;
  private port = 0;

  private constructor(options: FakeKlingOptions) {
    this.accessKey = options.accessKey ?? `ak_${randomUUID().replace(/-/g, '')}`;
    this.secretKey = options.secretKey ?? `sk_${randomUUID().replace(/-/g, '')}`;
    this.now = options.now ?? Date.now;
    this.leeway = options.leewaySeconds ?? 5;
    this.models = new Set(options.models ?? FAKE_KLING_DEFAULT_MODELS);
    this.concurrencyLimit = options.concurrencyLimit ?? 5;
    this.lifecycle = { unit: 'polls', processingAfter: 1, finishAfter: 2, ...options.lifecycle };
    this.outcomeFn = options.outcome;
    this.videoBytes = options.videoBytes ?? defaultVideoBytes();
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.sendJson(res, 500, { code: 5000, message: String(error), request_id: randomUUID(), data: null });
      });
    });
  }

  static async start(options: FakeKlingOptions = {}): Promise<FakeKling> {
    const fake = new FakeKling(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Makes the next `times` calls of `route` fail with `fault`. */
  failNext(route: FakeKlingRoute, fault: FakeKlingFault, times = 1): void {
    for (let i = 0; i < times; i += 1) this.faults[route].push(normalizeFault(fault));
  }

  /** Drops pending faults (all routes). */
  clearFaults(): void {
    for (const route of Object.keys(this.faults) as FakeKlingRoute[]) this.faults[route].length = 0;
  }

  /** Sets the outcome of the next created task. */
  setNextOutcome(outcome: FakeKlingOutcome): void {
    this.nextOutcomes.push(outcome);
  }

  /** Finishes a task now (through processing when still submitted), with callbacks. */
  completeTask(taskId: string, outcome: FakeKlingOutcome = { status: 'succeed' }): FakeKlingTask {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`fake kling: no task ${taskId}`);
    task.outcome = outcome;
    if (task.status === 'submitted') this.transition(task, 'processing');
    if (task.status === 'processing') this.finish(task);
    return task;
  }

  /** Requests of one route, e.g. to count retries. */
  requestsFor(route: FakeKlingRequest['route']): FakeKlingRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  /** Resolves when every queued callback delivery has been attempted. */
  async callbacksSettled(): Promise<void> {
    await Promise.all([...this.callbackChains.values()]);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- request handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const segments = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';

    let route: FakeKlingRequest['route'] = 'unknown';
    let kind: FakeKlingKind | undefined;
    if (segments[0] === 'files' && segments[1] === 'videos' && segments.length === 3 && method === 'GET') route = 'file';
    if (segments[0] === 'v1' && segments[1] === 'videos' && (segments[2] === 'text2video' || segments[2] === 'image2video')) {
      kind = segments[2];
      if (segments.length === 3 && method === 'POST') route = 'create';
      else if (segments.length === 3 && method === 'GET') route = 'list';
      else if (segments.length === 4 && method === 'GET') route = 'get';
    }
    this.requests.push({ method, path: url.pathname + url.search, route, headers: { ...req.headers }, body });

    if (route === 'file') {
      const taskId = segments[2]!.replace(/\.mp4$/, '');
      if (!this.tasks.get(taskId)?.videoUrl) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': this.videoBytes.length });
      res.end(this.videoBytes);
      return;
    }

    const requestId = randomUUID();
    const authError = this.checkAuth(req.headers.authorization);
    if (authError) {
      this.sendError(res, authError, requestId);
      return;
    }
    if (route === 'unknown' || !kind) {
      this.sendError(res, new FakeKlingError(1202, `invalid method ${method} ${url.pathname}`), requestId);
      return;
    }

    const fault = this.faults[route].shift();
    if (fault && 'drop' in fault) {
      req.socket.destroy();
      return;
    }
    if (fault && 'code' in fault) {
      this.sendError(res, new FakeKlingError(fault.code, fault.message), requestId, fault.httpStatus);
      return;
    }

    let status = 200;
    let payload: unknown;
    try {
      if (route === 'create') payload = this.create(kind, body);
      else if (route === 'get') payload = this.get(kind, decodeURIComponent(segments[3]!));
      else payload = this.list(kind, url.searchParams);
    } catch (error) {
      if (!(error instanceof FakeKlingError)) throw error;
      status = HTTP_STATUS[error.code] ?? 400;
      payload = undefined;
      if (fault && 'delayMs' in fault) await this.sleep(fault.delayMs);
      this.sendError(res, error, requestId, status);
      return;
    }
    if (fault && 'delayMs' in fault) await this.sleep(fault.delayMs);
    if (res.destroyed) return;
    this.sendJson(res, status, { code: 0, message: 'SUCCEED', request_id: requestId, data: payload });
  }

  private checkAuth(header: string | undefined): FakeKlingError | null {
    if (!header) return new FakeKlingError(1001);
    const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header);
    if (!match) return new FakeKlingError(1002);
    const [, head, body, signature] = match as unknown as [string, string, string, string];
    let parsedHead: { alg?: unknown; typ?: unknown };
    let claims: { iss?: unknown; exp?: unknown; nbf?: unknown };
    try {
      parsedHead = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return new FakeKlingError(1002);
    }
    if (parsedHead.alg !== 'HS256') return new FakeKlingError(1002);
    const expected = createHmac('sha256', this.secretKey).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return new FakeKlingError(1002);
    if (claims.iss !== this.accessKey) return new FakeKlingError(1000, 'access key not found');
    if (typeof claims.exp !== 'number') return new FakeKlingError(1002);
    const nowSeconds = Math.floor(this.now() / 1000);
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + this.leeway) return new FakeKlingError(1003);
    if (claims.exp < nowSeconds - this.leeway) return new FakeKlingError(1004);
    return null;
  }

  private create(kind: FakeKlingKind, raw: string): unknown {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      throw new FakeKlingError(1200, 'request body is not a JSON object');
    }
    this.validate(kind, body);
    const model = body.model_name ?? 'kling-v1';
    if (typeof model !== 'string' || !this.models.has(model)) {
      throw new FakeKlingError(1203, `model_name ${String(model)} does not exist`);
    }
    const externalTaskId = typeof body.external_task_id === 'string' ? body.external_task_id : undefined;
    if (externalTaskId && [...this.tasks.values()].some((t) => t.externalTaskId === externalTaskId)) {
      throw new FakeKlingError(1201, 'external_task_id already exists');
    }
    const active = [...this.tasks.values()].filter((t) => t.status === 'submitted' || t.status === 'processing');
    if (active.length >= this.concurrencyLimit) throw new FakeKlingError(1303);

    this.nextId += 1n;
    const now = this.now();
    const task: FakeKlingTask = {
      taskId: String(this.nextId),
      kind,
      ...(externalTaskId ? { externalTaskId } : {}),
      status: 'submitted',
      statusMsg: '',
      body,
      ...(typeof body.callback_url === 'string' ? { callbackUrl: body.callback_url } : {}),
      polls: 0,
      createdAt: now,
      updatedAt: now,
    };
    const outcome = this.nextOutcomes.shift() ?? this.outcomeFn?.(task);
    if (outcome) task.outcome = outcome;
    this.tasks.set(task.taskId, task);
    this.notify(task);
    this.scheduleLifecycle(task);
    return {
      task_id: task.taskId,
      task_status: task.status,
      task_info: externalTaskId ? { external_task_id: externalTaskId } : {},
      created_at: task.createdAt,
      updated_at: task.updatedAt,
    };
  }

  private validate(kind: FakeKlingKind, body: Record<string, unknown>): void {
    const bad = (message: string) => new FakeKlingError(1201, message);
    const len = (v: string) => [...v].length;
    const prompt = body.prompt;
    if (kind === 'text2video' && (typeof prompt !== 'string' || prompt.trim() === '')) throw bad('prompt is required');
    if (prompt !== undefined && typeof prompt !== 'string') throw bad('prompt must be a string');
    if (typeof prompt === 'string' && len(prompt) > 2500) throw bad('prompt length must be at most 2500');
    const negative = body.negative_prompt;
    if (negative !== undefined && (typeof negative !== 'string' || len(negative) > 2500)) {
      throw bad('negative_prompt length must be at most 2500');
    }
    if (body.duration !== undefined && body.duration !== '5' && body.duration !== '10') {
      throw bad('duration: allowed values: 5, 10');
    }
    if (body.mode !== undefined && body.mode !== 'std' && body.mode !== 'pro') throw bad('mode: allowed values: std, pro');
    if (body.callback_url !== undefined && typeof body.callback_url !== 'string') throw bad('callback_url must be a string');
    if (body.external_task_id !== undefined && typeof body.external_task_id !== 'string') {
      throw bad('external_task_id must be a string');
    }
    if (kind === 'text2video') {
      if (body.aspect_ratio !== undefined && !['16:9', '9:16', '1:1'].includes(body.aspect_ratio as string)) {
        throw bad('aspect_ratio: allowed values: 16:9, 9:16, 1:1');
      }
      return;
    }
    if (body.aspect_ratio !== undefined) throw bad('aspect_ratio is not supported for image2video');
    const image = body.image;
    if (typeof image !== 'string' || image === '') throw bad('image is required');
    if (/^https?:\/\//.test(image)) return;
    if (image.startsWith('data:')) throw bad('image: base64 must not carry a data: prefix');
    if (image.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(image)) throw bad('image is not valid base64');
    const bytes = Buffer.from(image, 'base64');
    if (bytes.length > 10 * 1024 * 1024) throw bad('image must be at most 10MB');
    const info = fakeImageInfo(bytes);
    if (!info) throw bad('image format must be jpg, jpeg or png');
    if (Math.min(info.width, info.height) < 300) throw bad('image width and height must be at least 300px');
    const ratio = info.width / info.height;
    if (ratio < 1 / 2.5 || ratio > 2.5) throw bad('image aspect ratio must be between 1:2.5 and 2.5:1');
  }

  private get(kind: FakeKlingKind, taskId: string): unknown {
    // The path takes a task_id or our external_task_id (PROVIDERS-MORE D.3: "{task_id or external_task_id}").
    const task = this.tasks.get(taskId) ?? [...this.tasks.values()].find((t) => t.externalTaskId === taskId);
    if (!task || task.kind !== kind) throw new FakeKlingError(1203, `task ${taskId} does not exist`);
    task.polls += 1;
    if (this.lifecycle.unit === 'polls') {
      if (task.status === 'submitted' && task.polls >= this.lifecycle.processingAfter) this.transition(task, 'processing');
      if (task.status === 'processing' && task.polls >= this.lifecycle.finishAfter) this.finish(task);
    }
    return this.view(task);
  }

  private list(kind: FakeKlingKind, query: URLSearchParams): unknown {
    const pageNum = Number(query.get('pageNum') ?? '1');
    const pageSize = Number(query.get('pageSize') ?? '30');
    if (!Number.isInteger(pageNum) || pageNum < 1 || pageNum > 1000) throw new FakeKlingError(1201, 'pageNum must be 1-1000');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw new FakeKlingError(1201, 'pageSize must be 1-500');
    const all = [...this.tasks.values()].filter((t) => t.kind === kind).reverse(); // newest first
    return all.slice((pageNum - 1) * pageSize, pageNum * pageSize).map((t) => this.view(t));
  }

  // ---------------------------------------------------------------- task lifecycle

  private scheduleLifecycle(task: FakeKlingTask): void {
    const { unit, processingAfter, finishAfter } = this.lifecycle;
    if (unit === 'manual') return;
    if (unit === 'polls') {
      if (processingAfter <= 0) this.transition(task, 'processing');
      return;
    }
    this.after(processingAfter, () => {
      if (task.status === 'submitted') this.transition(task, 'processing');
    });
    this.after(Math.max(finishAfter, processingAfter), () => {
      if (task.status === 'submitted') this.transition(task, 'processing');
      if (task.status === 'processing') this.finish(task);
    });
  }

  private finish(task: FakeKlingTask): void {
    const outcome = task.outcome ?? { status: 'succeed' };
    if (outcome.status === 'failed') {
      task.statusMsg = outcome.message ?? 'Failure to pass the risk control system';
      this.transition(task, 'failed');
      return;
    }
    task.videoUrl = `${this.baseUrl}/files/videos/${task.taskId}.mp4`;
    task.duration = outcome.duration ?? `${String(task.body.duration ?? '5')}.0`;
    this.transition(task, 'succeed');
  }

  private transition(task: FakeKlingTask, status: FakeKlingStatus): void {
    task.status = status;
    task.updatedAt = Math.max(this.now(), task.updatedAt + 1);
    this.notify(task);
  }

  /** The task object as Kling shows it in GET/list answers and callbacks. */
  view(task: FakeKlingTask): Record<string, unknown> {
    return {
      task_id: task.taskId,
      task_status: task.status,
      task_status_msg: task.statusMsg,
      task_info: task.externalTaskId ? { external_task_id: task.externalTaskId } : {},
      task_result:
        task.status === 'succeed' && task.videoUrl
          ? { videos: [{ id: `${task.taskId}-v0`, url: task.videoUrl, duration: task.duration }] }
          : {},
      ...(task.status === 'succeed' ? { final_unit_deduction: task.body.mode === 'pro' ? '3.5' : '1' } : {}),
      watermark_info: { enabled: false },
      created_at: task.createdAt,
      updated_at: task.updatedAt,
    };
  }

  private notify(task: FakeKlingTask): void {
    const url = task.callbackUrl;
    if (!url) return;
    const status = task.status;
    const body = JSON.stringify(this.view(task));
    const previous = this.callbackChains.get(task.taskId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const record: FakeKlingCallback = { url, taskId: task.taskId, status, body };
      this.callbacks.push(record);
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        record.httpStatus = response.status;
        await response.arrayBuffer();
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
    });
    this.callbackChains.set(task.taskId, next);
  }

  // ---------------------------------------------------------------- helpers

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  private sendError(res: ServerResponse, error: FakeKlingError, requestId: string, httpStatus?: number): void {
    this.sendJson(res, httpStatus ?? HTTP_STATUS[error.code] ?? 400, {
      code: error.code,
      message: error.message,
      request_id: requestId,
      data: null,
    });
  }

  private sendJson(res: ServerResponse, status: number, payload: unknown): void {
    if (res.destroyed || res.headersSent) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
