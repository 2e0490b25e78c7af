/** Per-bot update queue: getUpdates long polling and webhook delivery. */
import http from 'node:http';
import https from 'node:https';
import { ApiError, E } from './errors.js';
import { int, json, str, type Params } from './params.js';

export type Update = { update_id: number } & Record<string, unknown>;

export interface UpdateQueueOptions {
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  webhookTimeoutMs: number;
  longPollMaxMs: number;
  onChange: () => void;
  /** Executes a Bot API call that came back as a webhook reply body. */
  executeWebhookReply: (method: string, params: Params) => Promise<void>;
}

interface Pending {
  update: Update;
  key: string;
  /** Redelivered on purpose: survive one offset confirmation until handed out once. */
  forced: boolean;
  handedOut: boolean;
  inFlight: boolean;
  attempts: number;
}

interface Webhook {
  url: string;
  secret: string | undefined;
  maxConnections: number;
  ipAddress: string | undefined;
  allowedUpdates: string[] | undefined;
}

export interface WebhookDelivery {
  updateId: number;
  url: string;
  status: number | undefined;
  error: string | undefined;
  at: number;
}

const DEFAULT_EXCLUDED = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const PER_USER = new Set(['callback_query', 'pre_checkout_query', 'shipping_query', 'inline_query', 'chosen_inline_result']);
const IGNORED_WEBHOOK_REPLIES = /^(get.*|setwebhook|deletewebhook|close|logout)$/i;

export const updateType = (u: Record<string, unknown>): string => Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';

function queueKey(u: Update): string {
  const type = updateType(u);
  const body = (u[type] ?? {}) as { chat?: { id?: number }; from?: { id?: number }; message?: { chat?: { id?: number } } };
  if (PER_USER.has(type) && body.from?.id !== undefined) return `u:${body.from.id}`;
  const chatId = body.chat?.id ?? body.message?.chat?.id;
  return chatId !== undefined ? `c:${chatId}` : `x:${type}`;
}

export class UpdateQueue {
  private nextId = 100_000 + Math.floor(Math.random() * 800_000);
  private pending: Pending[] = [];
  private allowed: string[] | undefined;
  private webhook: Webhook | undefined;
  private lastErrorDate: number | undefined;
  private lastErrorMessage: string | undefined;
  private poll: { finish: (r: Update[] | ApiError) => void } | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  private stopped = false;
  /** Every update ever queued (by id), for redelivery. */
  readonly history = new Map<number, Update>();
  readonly deliveries: WebhookDelivery[] = [];

  constructor(private readonly opts: UpdateQueueOptions) {}

  // ---------------------------------------------------------------- producing
  private isAllowed(type: string): boolean {
    const list = this.allowed;
    if (!list || list.length === 0) return !DEFAULT_EXCLUDED.has(type);
    return list.includes(type);
  }

  /** Queue a new update (update_id assigned unless present). Returns undefined if filtered by allowed_updates. */
  push(raw: Record<string, unknown>): Update | undefined {
    const type = updateType(raw);
    if (!this.isAllowed(type)) return undefined;
    const update = { ...raw, update_id: typeof raw.update_id === 'number' ? raw.update_id : this.nextId++ } as Update;
    if (update.update_id >= this.nextId) this.nextId = update.update_id + 1;
    this.history.set(update.update_id, update);
    this.add(update, false);
    return update;
  }

  /** Re-queue an already-sent update with the same update_id (Telegram-style redelivery). */
  redeliver(updateId: number): Update {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`FakeTelegram: no update with update_id ${updateId} to redeliver`);
    this.add(structuredClone(update), true);
    return update;
  }

  private add(update: Update, forced: boolean): void {
    this.pending.push({ update, key: queueKey(update), forced, handedOut: false, inFlight: false, attempts: 0 });
    this.opts.onChange();
    if (this.poll) setImmediate(() => this.wakePoll());
    this.pump();
  }

  pendingCount(): number {
    return this.pending.length;
  }

  pendingUpdates(): Update[] {
    return this.pending.map((p) => p.update);
  }

  // ---------------------------------------------------------------- getUpdates
  private take(limit: number): Update[] {
    const out = this.pending.filter((p) => !p.inFlight).slice(0, limit);
    for (const p of out) p.handedOut = true;
    return out.map((p) => structuredClone(p.update));
  }

  private wakePoll(): void {
    const poll = this.poll;
    if (!poll) return;
    const ready = this.pending.some((p) => !p.inFlight);
    if (ready) poll.finish([]); // finish() re-reads the queue with the poll's own limit
  }

  private abortPoll(err: ApiError): void {
    const poll = this.poll;
    this.poll = undefined;
    poll?.finish(err);
  }

  getUpdates(params: Params, signal: AbortSignal): Promise<Update[]> {
    if (this.webhook) return Promise.reject(new ApiError(409, E.conflictWebhookActive));
    this.abortPoll(new ApiError(409, E.conflictPoll));
    const offset = int(params.offset) ?? 0;
    const limit = Math.min(100, Math.max(1, int(params.limit) ?? 100));
    const timeoutS = Math.min(50, Math.max(0, int(params.timeout) ?? 0));
    const allowed = json<string[]>(params.allowed_updates);
    if (Array.isArray(allowed)) this.allowed = allowed;
    if (offset > 0) {
      this.pending = this.pending.filter((p) => p.update.update_id >= offset || p.inFlight || (p.forced && !p.handedOut));
      this.opts.onChange();
    } else if (offset < 0) {
      this.pending = this.pending.slice(offset);
      this.opts.onChange();
    }
    const now = this.take(limit);
    if (now.length > 0 || timeoutS === 0 || signal.aborted) return Promise.resolve(now);
    return new Promise<Update[]>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => finish([]), Math.min(timeoutS * 1000, this.opts.longPollMaxMs));
      const me = {
        finish: (r: Update[] | ApiError): void => finish(r),
      };
      const onAbort = (): void => {
        // The client went away: nothing is confirmed, just forget the poll.
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.poll === me) this.poll = undefined;
        resolve([]);
      };
      const finish = (r: Update[] | ApiError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.poll === me) this.poll = undefined;
        if (r instanceof ApiError) reject(r);
        else resolve(signal.aborted ? [] : this.take(limit));
      };
      this.poll = me;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---------------------------------------------------------------- webhook
  setWebhook(params: Params): { alreadySet: boolean } {
    const url = str(params.url) ?? '';
    const secret = str(params.secret_token) || undefined;
    if (secret !== undefined) {
      if (secret.length > 256) throw new ApiError(400, E.secretLong);
      if (!/^[A-Za-z0-9_-]+$/.test(secret)) throw new ApiError(400, E.secretChars);
    }
    const allowed = json<string[]>(params.allowed_updates);
    if (url === '') {
      this.deleteWebhook(params);
      if (Array.isArray(allowed)) this.allowed = allowed;
      return { alreadySet: false };
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ApiError(400, E.webhookInvalid);
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(parsed.hostname);
    if (parsed.protocol === 'http:' && !loopback) throw new ApiError(400, E.webhookHttps);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ApiError(400, E.webhookHttps);
    if (parsed.protocol === 'https:' && !loopback && !['', '443', '80', '88', '8443'].includes(parsed.port)) throw new ApiError(400, E.webhookPorts);
    const maxConnections = Math.min(100, Math.max(1, int(params.max_connections) ?? 40));
    const next: Webhook = {
      url,
      secret,
      maxConnections,
      ipAddress: str(params.ip_address),
      allowedUpdates: Array.isArray(allowed) ? allowed : this.allowed,
    };
    const prev = this.webhook;
    const alreadySet = !!prev && JSON.stringify(prev) === JSON.stringify(next);
    if (Array.isArray(allowed)) this.allowed = allowed;
    this.abortPoll(new ApiError(409, E.conflictSetWebhook));
    if (params.drop_pending_updates === true) this.drop();
    if (!prev || prev.url !== url) {
      this.lastErrorDate = undefined;
      this.lastErrorMessage = undefined;
    }
    this.webhook = next;
    this.opts.onChange();
    this.pump();
    return { alreadySet };
  }

  deleteWebhook(params: Params): void {
    this.webhook = undefined;
    if (params.drop_pending_updates === true) this.drop();
    this.opts.onChange();
  }

  private drop(): void {
    this.pending = [];
    this.opts.onChange();
  }

  webhookInfo(): Record<string, unknown> {
    const w = this.webhook;
    const info: Record<string, unknown> = {
      url: w?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.pending.length,
    };
    if (w) {
      info.max_connections = w.maxConnections;
      if (w.ipAddress) info.ip_address = w.ipAddress;
      if (w.allowedUpdates && w.allowedUpdates.length > 0) info.allowed_updates = w.allowedUpdates;
    }
    if (this.lastErrorDate !== undefined) {
      info.last_error_date = this.lastErrorDate;
      info.last_error_message = this.lastErrorMessage;
    }
    return info;
  }

  get webhookUrl(): string | undefined {
    return this.webhook?.url;
  }

  private pump(): void {
    const w = this.webhook;
    if (!w || this.stopped) return;
    const busy = new Set<string>();
    let inFlight = this.pending.filter((p) => p.inFlight).length;
    for (const p of this.pending) {
      if (inFlight >= w.maxConnections) break;
      if (busy.has(p.key)) continue;
      busy.add(p.key);
      if (p.inFlight) continue;
      inFlight++;
      this.deliver(p, w);
    }
  }

  private deliver(p: Pending, w: Webhook): void {
    p.inFlight = true;
    const record = (status: number | undefined, error: string | undefined): void => {
      this.deliveries.push({ updateId: p.update.update_id, url: w.url, status, error, at: Date.now() });
    };
    this.post(w, JSON.stringify(p.update)).then(
      async (res) => {
        if (res.status >= 200 && res.status < 300) {
          record(res.status, undefined);
          this.pending = this.pending.filter((x) => x !== p);
          this.opts.onChange();
          this.pump();
          await this.webhookReply(res.body, res.contentType);
          return;
        }
        const message = `Wrong response from the webhook: ${res.status} ${res.statusMessage}`;
        record(res.status, message);
        this.retry(p, message, res.retryAfter);
      },
      (err: Error & { code?: string }) => {
        const message = err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message || String(err);
        record(undefined, message);
        this.retry(p, message, undefined);
      },
    );
  }

  private retry(p: Pending, message: string, retryAfterS: number | undefined): void {
    this.lastErrorDate = Math.floor(Date.now() / 1000);
    this.lastErrorMessage = message;
    this.opts.onChange();
    if (this.stopped) return;
    const backoff = this.opts.webhookRetryBaseMs * 2 ** Math.min(p.attempts, 16);
    const delay = Math.min(this.opts.webhookRetryMaxMs, retryAfterS !== undefined ? retryAfterS * 1000 : backoff);
    p.attempts++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      p.inFlight = false;
      this.pump();
    }, delay);
    this.timers.add(t);
  }

  private async webhookReply(body: string, contentType: string | undefined): Promise<void> {
    if (!body || !(contentType ?? '').includes('json')) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const { method, ...params } = parsed as Params;
    if (typeof method !== 'string' || IGNORED_WEBHOOK_REPLIES.test(method)) return;
    await this.opts.executeWebhookReply(method, params).catch(() => undefined);
  }

  private post(
    w: Webhook,
    body: string,
  ): Promise<{ status: number; statusMessage: string; body: string; contentType: string | undefined; retryAfter: number | undefined }> {
    return new Promise((resolve, reject) => {
      const url = new URL(w.url);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      };
      if (w.secret) headers['x-telegram-bot-api-secret-token'] = w.secret;
      if (url.username || url.password)
        headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(url, { method: 'POST', headers, agent: false, timeout: this.opts.webhookTimeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.requests.delete(req);
          const ra = Number(res.headers['retry-after']);
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: res.headers['content-type'],
            retryAfter: Number.isFinite(ra) && ra >= 0 ? Math.min(ra, 3600) : undefined,
          });
        });
        res.on('error', reject);
      });
      this.requests.add(req);
      req.on('timeout', () => req.destroy(new Error('Read timeout expired')));
      req.on('error', (e) => {
        this.requests.delete(req);
        reject(e);
      });
      req.end(body);
    });
  }

  stop(): void {
    this.stopped = true;
    this.abortPoll(new ApiError(500, E.internal));
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.requests) r.destroy();
    this.requests.clear();
  }
}
