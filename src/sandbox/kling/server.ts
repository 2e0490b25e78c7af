/**
 * A fake of the official Kling video API (docs/providers.md §kling, §fakes) as a real HTTP server on
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
import {
  FAKE_KLING_MATRIX,
  FakeKlingRuleError,
  checkCfg,
  checkImageBytes,
  checkImageField,
  checkPrompt,
  checkSoundFile,
  checkVideoMatrix,
  mp4Info,
} from './suite.js';
import { RESULT_VIDEO_PATH } from '../assets.js';

export type FakeKlingKind =
  'text2video' | 'image2video' | 'avatar' | 'video-extend' | 'advanced-lip-sync' | 'lip-sync' | 'multi-image2video' | 'motion-control';
/** `identify` is the synchronous identify-face, `tts` the synchronous /v1/audio/tts. */
export type FakeKlingRoute = 'create' | 'get' | 'list' | 'identify' | 'tts';

const SUITE_KINDS: ReadonlySet<string> = new Set(['video-extend', 'advanced-lip-sync', 'lip-sync', 'multi-image2video', 'motion-control']);
const DAY_MS = 24 * 60 * 60 * 1000;

/** A video the fake made (or was told about), as `video_id` inputs look it up. */
export interface FakeKlingVideo {
  id: string;
  model: string;
  durationSeconds: number;
  createdAt: number;
  url: string;
}

export interface FakeKlingFace {
  face_id: string;
  start_time: number;
  end_time: number;
}

export interface FakeKlingSession {
  sessionId: string;
  createdAt: number;
  videoDurationMs: number;
  faces: FakeKlingFace[];
  video: { id?: string; url: string };
}
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
  | { status: 'failed'; message?: string }
  /** The task stays 'processing' for good (timeouts and refunds can be seen). */
  | { status: 'processing' };

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
  /** Bytes served as every result video (default src/sandbox/media/result.mp4 or a stub). */
  videoBytes?: Buffer;
  /** Faces identify-face finds in a video of `durationMs` (default: one face over the whole video). */
  faces?: (durationMs: number) => FakeKlingFace[];
  /** Motion-control output length when the reference video's length cannot be read (default 5). */
  motionReferenceSeconds?: number;
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
  /** `videos[0].id` once it succeeded (an 18-digit string). */
  videoId?: string;
  /** Model recorded with the result video (extend inherits the parent's). */
  model?: string;
  /** extend / lip-sync: the source video. */
  parentVideo?: { id: string; url: string; duration: string };
  /** Output length decided at creation (extend, lip-sync, motion-control, avatar). */
  plannedDuration?: string;
}

export interface FakeKlingRequest {
  method: string;
  /** Path with query string. */
  path: string;
  route: FakeKlingRoute | 'file' | 'unknown';
  /** Task family of a create/get/list (e.g. "video-extend"). */
  kind?: FakeKlingKind;
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
  1000: 401,
  1001: 401,
  1002: 401,
  1003: 401,
  1004: 401,
  1100: 429,
  1101: 429,
  1102: 429,
  1103: 403,
  1200: 400,
  1201: 400,
  1202: 404,
  1203: 404,
  1300: 400,
  1301: 400,
  1302: 429,
  1303: 429,
  1304: 429,
  5000: 500,
  5001: 503,
  5002: 504,
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
  const fixture = RESULT_VIDEO_PATH;
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
  /** Every video by id (`videos[0].id`), for video_id inputs. */
  readonly videos = new Map<string, FakeKlingVideo>();
  /** identify-face sessions by session_id. */
  readonly sessions = new Map<string, FakeKlingSession>();
  /** TTS audio ids → length in ms. */
  readonly ttsAudios = new Map<string, { durationMs: number; createdAt: number }>();
  /** URLs the fake fetched (video_url / image_url / sound_file URLs), in order. */
  readonly fetchedUrls: string[] = [];
  faces: (durationMs: number) => FakeKlingFace[];
  motionReferenceSeconds: number;
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
    identify: [],
    tts: [],
  };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly callbackChains = new Map<string, Promise<void>>();
  private nextId = 866889456698785000n;
  private nextVideoId = 743211632612511000n;
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
    this.faces = options.faces ?? ((durationMs) => [{ face_id: '0', start_time: 0, end_time: durationMs }]);
    this.motionReferenceSeconds = options.motionReferenceSeconds ?? 5;
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

  /** Makes a video known (as if Kling had made it), e.g. an old one to test the 30-day rule. */
  registerVideo(video: Partial<FakeKlingVideo> & { model: string }): FakeKlingVideo {
    this.nextVideoId += 1n;
    const id = video.id ?? String(this.nextVideoId);
    const record: FakeKlingVideo = {
      id,
      model: video.model,
      durationSeconds: video.durationSeconds ?? 5,
      createdAt: video.createdAt ?? this.now(),
      url: video.url ?? `${this.baseUrl}/files/videos/${id}.mp4`,
    };
    this.videos.set(id, record);
    return record;
  }

  /** Create requests of one task family (e.g. "motion-control"). */
  createsOf(kind: FakeKlingKind): FakeKlingRequest[] {
    return this.requests.filter((r) => r.route === 'create' && r.kind === kind);
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
    if (segments[0] === 'v1' && segments[1] === 'videos') {
      let rest: string[] = [];
      if (segments[2] === 'text2video' || segments[2] === 'image2video' || SUITE_KINDS.has(segments[2] ?? '')) {
        kind = segments[2] as FakeKlingKind;
        rest = segments.slice(3);
      } else if (segments[2] === 'avatar' && segments[3] === 'image2video') {
        kind = 'avatar';
        rest = segments.slice(4);
      } else if (segments[2] === 'identify-face' && segments.length === 3 && method === 'POST') {
        route = 'identify';
      }
      if (kind) {
        if (rest.length === 0 && method === 'POST') route = 'create';
        else if (rest.length === 0 && method === 'GET') route = 'list';
        else if (rest.length === 1 && method === 'GET') route = 'get';
      }
    }
    if (segments[0] === 'v1' && segments[1] === 'audio' && segments[2] === 'tts' && segments.length === 3 && method === 'POST') route = 'tts';
    this.requests.push({ method, path: url.pathname + url.search, route, ...(kind ? { kind } : {}), headers: { ...req.headers }, body });

    if (route === 'file') {
      const fileId = segments[2]!.replace(/\.mp4$/, '');
      const served = this.tasks.get(fileId)?.videoUrl ?? this.videos.get(fileId)?.url;
      if (!served) {
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
    if (route === 'unknown' || (!kind && route !== 'identify' && route !== 'tts')) {
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
      if (route === 'identify') payload = await this.identifyFace(body);
      else if (route === 'tts') payload = this.tts(body);
      else if (route === 'create') payload = await this.create(kind!, body);
      else if (route === 'get') payload = this.get(kind!, decodeURIComponent(segments[segments.length - 1]!));
      else payload = this.list(kind!, url.searchParams);
    } catch (caught) {
      const error = caught instanceof FakeKlingRuleError ? new FakeKlingError(caught.code, caught.message) : caught;
      if (!(error instanceof FakeKlingError)) throw error;
      status = HTTP_STATUS[error.code] ?? 400;
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

  private async create(kind: FakeKlingKind, raw: string): Promise<unknown> {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      throw new FakeKlingError(1200, 'request body is not a JSON object');
    }
    const plan: Partial<FakeKlingTask> = {};
    if (kind === 'text2video' || kind === 'image2video') {
      this.validate(kind, body);
      const model = body.model_name ?? 'kling-v1';
      if (typeof model !== 'string' || !this.models.has(model)) {
        throw new FakeKlingError(1203, `model_name ${String(model)} does not exist`);
      }
      checkVideoMatrix(kind, model, body);
      plan.model = model;
    } else {
      Object.assign(plan, await this.validateSuite(kind, body));
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
      ...plan,
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
    // With multi_shot + shot_type customize the prompts come from multi_prompt.
    const customShots = body.multi_shot === true && body.shot_type === 'customize';
    if (kind === 'text2video' && !customShots && (typeof prompt !== 'string' || prompt.trim() === '')) throw bad('prompt is required');
    if (prompt !== undefined && typeof prompt !== 'string') throw bad('prompt must be a string');
    if (typeof prompt === 'string' && len(prompt) > 2500) throw bad('prompt length must be at most 2500');
    const negative = body.negative_prompt;
    if (negative !== undefined && (typeof negative !== 'string' || len(negative) > 2500)) {
      throw bad('negative_prompt length must be at most 2500');
    }
    // duration, mode, sound, cfg_scale and image_tail: checked against the model matrix (suite.ts).
    if (body.duration !== undefined && typeof body.duration !== 'string') throw bad('duration must be a string');
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
    if (body.image === undefined && body.image_tail !== undefined) return; // an end frame alone (checked by the matrix)
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

  // ---------------------------------------------------------------- suite endpoints (docs/providers.md §kling-suite)

  /** Downloads a URL input like Kling does (status 200, ≤100 MB), or answers 1201. */
  private async fetchBytes(url: string, field: string, maxBytes = 100 * 1024 * 1024): Promise<Buffer> {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new FakeKlingError(1201, `${field} must be an http(s) URL`);
    this.fetchedUrls.push(url);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    } catch {
      throw new FakeKlingError(1201, `${field} could not be downloaded`);
    }
    if (response.status !== 200) throw new FakeKlingError(1201, `${field} could not be downloaded (HTTP ${response.status})`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxBytes) throw new FakeKlingError(1201, `${field} must be at most ${maxBytes / 1024 / 1024}MB`);
    return bytes;
  }

  /** A `video_id` input: known, made within 30 days. */
  private sourceVideo(id: unknown): FakeKlingVideo {
    if (typeof id !== 'string' || id === '') throw new FakeKlingError(1201, 'video_id must be a string');
    const video = this.videos.get(id);
    if (!video) throw new FakeKlingError(1201, `video_id ${id} does not exist`);
    if (this.now() - video.createdAt >= 30 * DAY_MS) throw new FakeKlingError(1201, `video ${id} has expired`);
    return video;
  }

  /** exactly one of sound_file / audio_id; returns the audio length in ms. */
  private async soundOrAudioId(holder: Record<string, unknown>, minS: number, maxS: number): Promise<number> {
    const hasFile = holder.sound_file !== undefined;
    const hasId = holder.audio_id !== undefined;
    if (hasFile === hasId) throw new FakeKlingError(1201, 'exactly one of sound_file or audio_id is required');
    if (hasFile) return checkSoundFile(holder.sound_file, minS, maxS, (url) => this.fetchBytes(url, 'sound_file', 5 * 1024 * 1024));
    const audio = typeof holder.audio_id === 'string' ? this.ttsAudios.get(holder.audio_id) : undefined;
    if (!audio || this.now() - audio.createdAt >= 30 * DAY_MS) throw new FakeKlingError(1201, 'audio_id does not exist or has expired');
    if (audio.durationMs < minS * 1000 || audio.durationMs > maxS * 1000)
      throw new FakeKlingError(1201, `audio duration must be between ${minS}s and ${maxS}s`);
    return audio.durationMs;
  }

  private async validateSuite(kind: FakeKlingKind, body: Record<string, unknown>): Promise<Partial<FakeKlingTask>> {
    const bad = (message: string) => new FakeKlingError(1201, message);
    if (body.callback_url !== undefined && typeof body.callback_url !== 'string') throw bad('callback_url must be a string');
    if (body.external_task_id !== undefined && typeof body.external_task_id !== 'string') throw bad('external_task_id must be a string');
    const checkMode = (required: boolean) => {
      if (body.mode === undefined && required) throw bad('mode is required');
      if (body.mode !== undefined && body.mode !== 'std' && body.mode !== 'pro') throw bad('mode: allowed values: std, pro');
    };
    const checkModel = (allowed: string[], fallback: string): string => {
      const model = body.model_name ?? fallback;
      if (typeof model !== 'string' || !this.models.has(model)) throw new FakeKlingError(1203, `model_name ${String(model)} does not exist`);
      if (!allowed.includes(model)) throw bad(`model_name: allowed values: ${allowed.join(', ')}`);
      return model;
    };
    switch (kind) {
      case 'avatar': {
        checkImageField(body.image, 'image');
        const ms = await this.soundOrAudioId(body, 2, 300);
        checkMode(false);
        checkPrompt(body, false);
        return { model: 'kling-avatar', plannedDuration: (ms / 1000).toFixed(1) };
      }
      case 'video-extend': {
        const parent = this.sourceVideo(body.video_id);
        if (!FAKE_KLING_MATRIX[parent.model]?.extendable) throw bad(`the video must be generated by kling-v1, kling-v1-5 or kling-v1-6, not ${parent.model}`);
        if (parent.durationSeconds + 5 > 180) throw bad('total duration would exceed 3 minutes');
        checkPrompt(body, false);
        checkCfg(body);
        return {
          model: parent.model,
          parentVideo: { id: parent.id, url: parent.url, duration: String(parent.durationSeconds) },
          plannedDuration: (parent.durationSeconds + 5).toFixed(1),
        };
      }
      case 'advanced-lip-sync': {
        const session = typeof body.session_id === 'string' ? this.sessions.get(body.session_id) : undefined;
        if (!session || this.now() - session.createdAt >= DAY_MS) throw bad('session_id is invalid or has expired');
        const chosen = body.face_choose;
        if (!Array.isArray(chosen) || chosen.length !== 1) throw bad('face_choose must contain exactly one face');
        const choice = chosen[0] as Record<string, unknown>;
        const face = session.faces.find((f) => f.face_id === choice.face_id);
        if (!face) throw bad('face_id does not exist in this session');
        const audioMs = await this.soundOrAudioId(choice, 2, 60);
        const times = ['sound_start_time', 'sound_end_time', 'sound_insert_time'] as const;
        for (const t of times)
          if (!Number.isInteger(choice[t]) || (choice[t] as number) < 0) throw bad(`${t} is required and must be a non-negative integer (ms)`);
        const start = choice.sound_start_time as number;
        const end = choice.sound_end_time as number;
        const insert = choice.sound_insert_time as number;
        if (end - start < 2000) throw bad('the trimmed audio must be at least 2s');
        if (end > audioMs) throw bad('sound_end_time must not exceed the audio duration');
        if (insert + (end - start) > session.videoDurationMs) throw bad('the inserted audio must stay inside the video');
        const overlap = Math.min(insert + (end - start), face.end_time) - Math.max(insert, face.start_time);
        if (overlap < 2000) throw bad('the inserted audio must overlap the face for at least 2s');
        for (const v of ['sound_volume', 'original_audio_volume'] as const) {
          const x = choice[v];
          if (x !== undefined && (typeof x !== 'number' || x < 0 || x > 2)) throw bad(`${v} must be in [0, 2]`);
        }
        const parentModel = session.video.id ? this.videos.get(session.video.id)?.model : undefined;
        return {
          model: parentModel ?? 'lip-sync',
          parentVideo: { id: session.video.id ?? '', url: session.video.url, duration: (session.videoDurationMs / 1000).toFixed(1) },
          plannedDuration: (session.videoDurationMs / 1000).toFixed(1),
        };
      }
      case 'lip-sync': {
        const input = body.input as Record<string, unknown> | undefined;
        if (typeof input !== 'object' || input === null) throw bad('input: must not be null');
        if (input.mode !== 'text2video' && input.mode !== 'audio2video') throw bad('input.mode: allowed values: text2video, audio2video');
        let seconds = 5;
        if (input.video_id !== undefined) seconds = this.sourceVideo(input.video_id).durationSeconds;
        else if (typeof input.video_url !== 'string') throw bad('video_id or video_url is required');
        if (input.mode === 'text2video') {
          if (typeof input.text !== 'string' || input.text === '' || [...input.text].length > 120) throw bad('text is required (at most 120)');
          if (typeof input.voice_id !== 'string') throw bad('Voice id not found');
        } else if (input.audio_type !== 'file' && input.audio_type !== 'url') throw bad('Audio type is null');
        return { model: 'lip-sync', plannedDuration: seconds.toFixed(1) };
      }
      case 'multi-image2video': {
        const model = checkModel(['kling-v1-6'], 'kling-v1-6');
        const list = body.image_list;
        if (!Array.isArray(list) || list.length < 1 || list.length > 4) throw bad('image_list must have 1-4 images');
        list.forEach((item, i) => checkImageField((item as Record<string, unknown> | null)?.image, `image_list[${i}].image`));
        checkPrompt(body, true);
        checkMode(false);
        if (body.duration !== undefined && body.duration !== '5' && body.duration !== '10') throw bad('duration: allowed values: 5, 10 (strings)');
        if (body.aspect_ratio !== undefined && !['16:9', '9:16', '1:1'].includes(body.aspect_ratio as string))
          throw bad('aspect_ratio: allowed values: 16:9, 9:16, 1:1');
        return { model };
      }
      case 'motion-control': {
        const model = checkModel(['kling-v2-6', 'kling-v3'], 'kling-v2-6');
        if (body.image !== undefined) throw bad('image is not a field of motion-control; use image_url');
        const image = await this.fetchBytes(body.image_url as string, 'image_url', 10 * 1024 * 1024);
        checkImageBytes(image, 'image_url');
        const orientation = body.character_orientation;
        if (orientation !== 'image' && orientation !== 'video') throw bad('character_orientation is required: image or video');
        checkMode(true);
        if (body.keep_original_sound !== undefined && body.keep_original_sound !== 'yes' && body.keep_original_sound !== 'no') {
          throw bad('keep_original_sound: allowed values: yes, no');
        }
        checkPrompt(body, false);
        const video = await this.fetchBytes(body.video_url as string, 'video_url');
        const info = mp4Info(video);
        if (!info) throw bad('video_url must be an mp4 or mov video');
        if (info.width && (Math.min(info.width, info.height) < 340 || Math.max(info.width, info.height) > 3850)) throw bad('video sides must be 340-3850px');
        const max = orientation === 'image' ? 10_000 : 30_000;
        if (info.durationMs < 3000) throw bad('the reference video must be at least 3s');
        if (info.durationMs > max) throw bad(`with character_orientation ${orientation} the video must be at most ${max / 1000}s`);
        const seconds = info.durationMs > 0 ? info.durationMs / 1000 : this.motionReferenceSeconds;
        return { model, plannedDuration: seconds.toFixed(1) };
      }
      default:
        throw new FakeKlingError(1202, `no create for ${kind}`);
    }
  }

  private async identifyFace(raw: string): Promise<unknown> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null) throw new Error('not an object');
    } catch {
      throw new FakeKlingError(1200, 'request body is not a JSON object');
    }
    if ((body.video_id === undefined) === (body.video_url === undefined)) throw new FakeKlingError(1201, 'exactly one of video_id or video_url is required');
    let durationMs: number;
    let video: FakeKlingSession['video'];
    if (body.video_id !== undefined) {
      const source = this.sourceVideo(body.video_id);
      if (source.durationSeconds > 60) throw new FakeKlingError(1201, 'the video must be at most 60s');
      durationMs = Math.round(source.durationSeconds * 1000);
      video = { id: source.id, url: source.url };
    } else {
      const bytes = await this.fetchBytes(body.video_url as string, 'video_url');
      const info = mp4Info(bytes);
      if (!info) throw new FakeKlingError(1201, 'video_url must be an mp4 or mov video');
      if (info.durationMs < 2000 || info.durationMs > 60_000) throw new FakeKlingError(1201, 'the video must be 2-60s long');
      if (info.width && (Math.min(info.width, info.height) < 512 || Math.max(info.width, info.height) > 2160)) {
        throw new FakeKlingError(1201, 'video sides must be 512-2160px');
      }
      durationMs = info.durationMs;
      video = { url: body.video_url as string };
    }
    const sessionId = randomUUID();
    const faces = this.faces(durationMs);
    this.sessions.set(sessionId, { sessionId, createdAt: this.now(), videoDurationMs: durationMs, faces, video });
    return {
      session_id: sessionId,
      final_unit_deduction: '0.2',
      face_data: faces.map((f) => ({ ...f, face_image: `${this.baseUrl}/files/faces/${sessionId}-${f.face_id}.jpg` })),
    };
  }

  private tts(raw: string): unknown {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new FakeKlingError(1200, 'request body is not a JSON object');
    }
    if (typeof body.text !== 'string' || body.text === '' || [...body.text].length > 1000) throw new FakeKlingError(1201, 'text is required (at most 1000)');
    if (typeof body.voice_id !== 'string' || body.voice_id === '') throw new FakeKlingError(1201, 'voice_id is required');
    if (body.voice_language !== undefined && body.voice_language !== 'zh' && body.voice_language !== 'en')
      throw new FakeKlingError(1201, 'voice_language: allowed values: zh, en');
    const speed = body.voice_speed;
    if (speed !== undefined && (typeof speed !== 'number' || speed < 0.8 || speed > 2)) throw new FakeKlingError(1201, 'voice_speed must be in [0.8, 2.0]');
    this.nextId += 1n;
    const id = `audio-${this.nextId}`;
    const durationMs = Math.max(2000, [...body.text].length * 80);
    this.ttsAudios.set(id, { durationMs, createdAt: this.now() });
    return {
      task_id: String(this.nextId),
      task_status: 'succeed',
      task_result: { audios: [{ id, url: `${this.baseUrl}/files/audio/${id}.mp3`, duration: (durationMs / 1000).toFixed(1) }] },
    };
  }

  private get(kind: FakeKlingKind, taskId: string): unknown {
    // The path takes a task_id or our external_task_id (docs/providers.md §kling-suite: avatar tasks are read by either).
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
    if (outcome.status === 'processing') return;
    if (outcome.status === 'failed') {
      task.statusMsg = outcome.message ?? 'Failure to pass the risk control system';
      this.transition(task, 'failed');
      return;
    }
    task.videoUrl = `${this.baseUrl}/files/videos/${task.taskId}.mp4`;
    task.duration = outcome.duration ?? task.plannedDuration ?? `${String(task.body.duration ?? '5')}.0`;
    this.nextVideoId += 1n;
    task.videoId = String(this.nextVideoId);
    this.videos.set(task.videoId, {
      id: task.videoId,
      model: task.model ?? String(task.body.model_name ?? 'kling-v1'),
      durationSeconds: Number(task.duration),
      createdAt: this.now(),
      url: task.videoUrl,
    });
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
      task_info: {
        ...(task.externalTaskId ? { external_task_id: task.externalTaskId } : {}),
        ...(task.parentVideo ? { parent_video: task.parentVideo } : {}),
      },
      task_result: task.status === 'succeed' && task.videoUrl ? { videos: [{ id: task.videoId, url: task.videoUrl, duration: task.duration }] } : {},
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
