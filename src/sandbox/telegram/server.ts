/** HTTP side: routing of /bot<token>/<method> and /file/bot<token>/<path>, envelopes, fault injection, call log. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, E, tooManyRequests } from './errors.js';
import { methods, Described } from './methods.js';
import { parseParams, readBody, type Params } from './params.js';
import type { BotState } from './store.js';

export type Fault =
  | { code: 429; retryAfter: number }
  | { code: 500 | 502; description?: string }
  | { code: 403; description?: string }
  | { code: 400; description: string }
  | { drop: true };

export interface CallRecord {
  /** Method name as the client spelled it (e.g. "sendMessage"). */
  method: string;
  params: Params;
  /** Epoch ms when the request arrived. */
  at: number;
  /** HTTP status sent (0 while pending or when the connection was dropped). */
  status: number;
  token: string;
  ok: boolean;
  description?: string;
  result?: unknown;
  /** Injected by failNext. */
  injected?: boolean;
  /** Executed from a webhook reply body rather than an HTTP request. */
  viaWebhookReply?: boolean;
}

interface ArmedFault {
  fault: Fault;
  remaining: number;
}

function faultError(f: Exclude<Fault, { drop: true }>): ApiError {
  switch (f.code) {
    case 429:
      return tooManyRequests(f.retryAfter);
    case 500:
      return new ApiError(500, f.description ?? E.internal);
    case 502:
      return new ApiError(502, f.description ?? E.badGateway);
    case 403:
      return new ApiError(403, f.description ?? E.blocked);
    case 400:
      return new ApiError(400, f.description.startsWith('Bad Request') ? f.description : `Bad Request: ${f.description}`);
  }
}

const API_ROUTE = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z_]+)\/?$/;
const FILE_ROUTE = /^\/file\/bot([^/]+)\/(?:test\/)?(.+)$/;

export class ApiServer {
  readonly calls: CallRecord[] = [];
  private readonly faults = new Map<string, ArmedFault[]>();
  private readonly server: http.Server;

  constructor(
    private readonly bots: Map<string, BotState>,
    private readonly notify: () => void,
  ) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) this.sendJson(res, 500, { ok: false, error_code: 500, description: `${E.internal}: ${String(err)}` });
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---------------------------------------------------------------- faults
  failNext(method: string, fault: Fault, times = 1): void {
    const key = method === '*' ? '*' : method.toLowerCase();
    const list = this.faults.get(key) ?? [];
    list.push({ fault, remaining: times });
    this.faults.set(key, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  private takeFault(method: string): Fault | undefined {
    for (const key of [method.toLowerCase(), '*']) {
      const list = this.faults.get(key);
      const armed = list?.[0];
      if (!list || !armed) continue;
      armed.remaining--;
      if (armed.remaining <= 0) list.shift();
      return armed.fault;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- dispatch
  /** Run a Bot API method against a bot and produce the envelope (used by HTTP and webhook replies). */
  async execute(
    bot: BotState,
    method: string,
    params: Params,
    signal: AbortSignal,
    extra: Partial<CallRecord> = {},
  ): Promise<{ status: number; body: Record<string, unknown> } | 'drop'> {
    const record: CallRecord = { method, params, at: Date.now(), status: 0, token: bot.token, ok: false, ...extra };
    this.calls.push(record);
    this.notify();
    const finish = (status: number, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } => {
      record.status = status;
      record.ok = body.ok === true;
      if (body.ok === true) record.result = body.result;
      else record.description = body.description as string;
      this.notify();
      return { status, body };
    };
    const handler = methods[method.toLowerCase()];
    if (!handler) return finish(404, { ok: false, error_code: 404, description: E.notFound });
    const fault = this.takeFault(method);
    if (fault) {
      record.injected = true;
      if ('drop' in fault) {
        this.notify();
        return 'drop';
      }
      const err = faultError(fault);
      return finish(err.code, envelope(err));
    }
    try {
      const result = await handler({ bot, params, signal });
      if (result instanceof Described) return finish(200, { ok: true, result: result.result, description: result.description });
      return finish(200, { ok: true, result });
    } catch (err) {
      if (err instanceof ApiError) return finish(err.code, envelope(err));
      return finish(500, { ok: false, error_code: 500, description: `${E.internal}: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const fileMatch = FILE_ROUTE.exec(url.pathname);
    if (fileMatch && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      this.serveFile(res, decodeURIComponent(fileMatch[1]!), decodeURIComponent(fileMatch[2]!), req.method === 'HEAD');
      return;
    }
    const body = await readBody(req);
    const m = API_ROUTE.exec(url.pathname);
    if (!m) return this.sendJson(res, 404, { ok: false, error_code: 404, description: E.notFound });
    const bot = this.bots.get(decodeURIComponent(m[1]!));
    if (!bot) return this.sendJson(res, 401, { ok: false, error_code: 401, description: E.unauthorized });
    if (body.tooLarge) return this.sendJson(res, 413, { ok: false, error_code: 413, description: E.tooLarge });
    let params: Params;
    try {
      params = parseParams(url, req.headers['content-type'], body.buffer);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(400, `Bad Request: ${String(err)}`);
      return this.sendJson(res, e.code, envelope(e));
    }
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    const out = await this.execute(bot, m[2]!, params, ac.signal);
    if (out === 'drop') {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    const retryAfter = (out.body.parameters as { retry_after?: number } | undefined)?.retry_after;
    if (out.status === 429 && retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    this.sendJson(res, out.status, out.body, headers);
  }

  private serveFile(res: http.ServerResponse, token: string, path: string, head: boolean): void {
    const bot = this.bots.get(token);
    const file = bot?.files.byPath(path);
    if (!bot || !file) return this.sendJson(res, 404, { ok: false, error_code: 404, description: E.notFound });
    res.writeHead(200, {
      'content-type': file.mimeType ?? 'application/octet-stream',
      'content-length': String(file.data.length),
    });
    res.end(head ? undefined : file.data);
  }

  private sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }
}

function envelope(err: ApiError): Record<string, unknown> {
  const body: Record<string, unknown> = { ok: false, error_code: err.code, description: err.description };
  if (err.parameters) body.parameters = err.parameters;
  return body;
}
