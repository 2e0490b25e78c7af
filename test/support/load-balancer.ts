/**
 * A tiny round-robin HTTP reverse proxy on 127.0.0.1 for multi-instance tests: one URL (the
 * Telegram WEBHOOK_URL, the providers' PUBLIC_URL) in front of N bot instances. Each request goes
 * to the next upstream; when an upstream refuses the connection (not started yet, or killed) the
 * next one is tried, and only when all refuse does the client get a 502 (so the fake Telegram
 * retries the update later, like Telegram does). Method, path, query, headers and body are passed
 * through unchanged, the answer streamed back. Counts requests per upstream.
 *
 *   const lb = await startLoadBalancer(['http://127.0.0.1:8081', 'http://127.0.0.1:8082']);
 *   // WEBHOOK_URL = `${lb.url}/telegram/webhook`
 *   lb.hits   // [n0, n1]: requests answered by each upstream
 *   await lb.close();
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  /** "http://127.0.0.1:PORT" (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Requests answered by each upstream (any status), by index. */
  readonly hits: number[];
  /** Requests per upstream index and path (e.g. "/telegram/webhook"). */
  readonly hitsByPath: Map<string, number[]>;
  /** Requests no upstream took (answered 502). */
  readonly failed: number;
  upstreams: string[];
  close(): Promise<void>;
}

export interface LoadBalancerOptions {
  /** Timeout of one upstream request (default 30 s). */
  timeoutMs?: number;
  port?: number;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startLoadBalancer(upstreams: string[], options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let next = 0;
  let failed = 0;
  const hits: number[] = upstreams.map(() => 0);
  const hitsByPath = new Map<string, number[]>();

  /** Forwards to upstream i; resolves false when the connection was refused (try the next one). */
  function forward(i: number, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<boolean> {
    const target = new URL(req.url ?? '/', lb.upstreams[i]);
    if (new URL(lb.upstreams[i]!).hostname !== '127.0.0.1') throw new Error('load balancer: upstreams must be on 127.0.0.1');
    return new Promise((resolve) => {
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const upstream = request(target, { method: req.method, headers, agent: false, timeout: timeoutMs }, (answer) => {
        hits[i] = (hits[i] ?? 0) + 1;
        const path = target.pathname;
        const perPath = hitsByPath.get(path) ?? lb.upstreams.map(() => 0);
        perPath[i] = (perPath[i] ?? 0) + 1;
        hitsByPath.set(path, perPath);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => resolve(true));
        answer.on('error', () => {
          res.destroy();
          resolve(true);
        });
      });
      upstream.on('timeout', () => upstream.destroy(new Error('upstream timed out')));
      upstream.on('error', (error: Error & { code?: string }) => {
        // Refused or reset before an answer: the request did not reach a live instance.
        if (!res.headersSent && (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET')) return resolve(false);
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
        resolve(true);
      });
      upstream.end(body);
    });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const count = lb.upstreams.length;
      const first = next++ % Math.max(1, count);
      for (let k = 0; k < count; k++) {
        if (await forward((first + k) % count, req, body, res)) return;
      }
      failed++;
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no upstream available');
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const lb: LoadBalancer = {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    hitsByPath,
    get failed() {
      return failed;
    },
    upstreams: [...upstreams],
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return lb;
}
