/**
 * The bot's HTTP server: /healthz, /readyz (database reachable), the Telegram webhook route in
 * webhook mode, and /callbacks/<provider>?secret=… for provider callbacks. Handlers only record
 * and acknowledge; the slow work happens in the job worker. GET /metrics serves the Prometheus
 * exposition text when `metrics` is given (a bearer token when one is configured).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface ProviderCallback {
  provider: string;
  headers: IncomingMessage['headers'];
  query: URLSearchParams;
  rawBody: string;
}

export interface ServerDeps {
  logger: Logger;
  /** True when the app can serve (database reachable). */
  isReady: () => Promise<boolean>;
  /** Telegram webhook route in webhook mode. */
  webhook?: { path: string; handler: NodeHandler };
  /** Provider callbacks; the URL secret is checked here before `handle` is called. */
  callbacks?: { secret: string; handle: (callback: ProviderCallback) => Promise<boolean>; refused?: (provider: string) => void };
  /** GET /metrics; with `token`, a request without `Authorization: Bearer <token>` gets 401. */
  metrics?: { token?: string; render: () => Promise<{ contentType: string; body: string }> };
  /** Self-hosted URL-only inputs (GET/HEAD /media/<token>; `src/server/media-hosting.ts`). */
  media?: { handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> };
  /** More routes (the sandbox page): true = handled, false = not this route. Checked last. */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

export interface AppServer {
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting connections and waits (up to timeoutMs) for requests in flight. */
  close(timeoutMs: number): Promise<void>;
}

const MAX_CALLBACK_BYTES = 1_000_000;

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: NonNullable<ServerDeps['metrics']>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ok: false });
  if (metrics.token !== undefined) {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    // Hashes first: equal lengths, so the comparison takes the same time whatever was sent.
    const digest = (text: string) => createHash('sha256').update(text).digest();
    if (!timingSafeEqual(digest(given), digest(metrics.token))) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' });
      res.end('unauthorized\n');
      return;
    }
  }
  const { contentType, body } = await metrics.render();
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function createServer(deps: ServerDeps): AppServer {
  let inFlight = 0;
  let drained: (() => void) | undefined;

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches and answers its own errors
  const server = createHttpServer(async (req, res) => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    const url = new URL(req.url ?? '/', 'http://local');
    try {
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
      if (req.method === 'GET' && url.pathname === '/readyz') {
        const ready = await deps.isReady();
        return send(res, ready ? 200 : 503, { ok: ready });
      }
      if (deps.metrics && url.pathname === '/metrics') return await serveMetrics(req, res, deps.metrics);
      if (deps.webhook && url.pathname === deps.webhook.path) {
        if (req.method !== 'POST') return send(res, 405, { ok: false });
        return await deps.webhook.handler(req, res);
      }
      const callback = /^\/callbacks\/([a-z]+)$/.exec(url.pathname);
      if (callback && deps.callbacks) {
        if (req.method !== 'POST') return send(res, 405, { ok: false });
        if (!safeEqual(url.searchParams.get('secret') ?? '', deps.callbacks.secret)) {
          deps.logger.warn({ provider: callback[1] }, 'provider callback with a wrong secret');
          deps.callbacks.refused?.(callback[1]!);
          return send(res, 401, { ok: false });
        }
        const rawBody = await readBody(req, MAX_CALLBACK_BYTES);
        if (rawBody === null) return send(res, 413, { ok: false });
        url.searchParams.delete('secret');
        const accepted = await deps.callbacks.handle({ provider: callback[1]!, headers: req.headers, query: url.searchParams, rawBody });
        return send(res, accepted ? 200 : 401, { ok: accepted });
      }
      if (deps.media && url.pathname.startsWith('/media/') && (await deps.media.handle(req, res))) return;
      if (deps.routes && (await deps.routes(req, res, url))) return;
      send(res, 404, { ok: false });
    } catch (error) {
      deps.logger.error({ err: error, path: url.pathname }, 'http handler failed');
      if (!res.headersSent) send(res, 500, { ok: false });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 65_000;

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    async close(timeoutMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
      await Promise.race([Promise.all([idle, closed]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      server.closeAllConnections();
    },
  };
}
