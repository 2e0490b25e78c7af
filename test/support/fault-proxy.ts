/**
 * A fault proxy for "the request succeeded and its answer was lost" (docs/providers.md §failure-model).
 * It sits in front of a fake (KIE, Kling, Telegram), forwards every request to it, and for the
 * requests a test arms it lets the upstream PROCESS the request and then loses the answer:
 *  - 502 / 504 / 524: a proxy error page (Cloudflare-like HTML) instead of the real answer;
 *  - 'reset': the client connection is destroyed after the upstream answered;
 *  - 'stall': the answer is never sent (the client's own timeout must fire).
 * The fakes stay untouched; a test points the bot's base URL at `proxy.url` instead.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type LostAnswer = 502 | 504 | 524 | 'reset' | 'stall';

export interface ProxiedRequest {
  method: string;
  /** Path with query string, as the client sent it. */
  path: string;
}

export interface ProxyHit extends ProxiedRequest {
  /** The upstream's HTTP status (it did process the request). */
  upstreamStatus: number;
  fault: LostAnswer;
  at: number;
}

interface Rule {
  match: (request: ProxiedRequest) => boolean;
  fault: LostAnswer;
  remaining: number;
}

const PAGES: Record<number, string> = {
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
  524: 'A timeout occurred',
};

export class FaultProxy {
  /** The proxy's base URL (same path layout as the upstream). */
  url = '';
  /** Every request whose answer was lost, in order. */
  readonly hits: ProxyHit[] = [];
  /** Every request that went through, in order. */
  readonly requests: ProxiedRequest[] = [];
  private rules: Rule[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly upstream: URL;

  private constructor(target: string) {
    this.upstream = new URL(target);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a proxy on 127.0.0.1 in front of `target` (an origin such as http://127.0.0.1:1234). */
  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  /**
   * Loses the answer of the next `times` requests that match (a path regex, or a predicate):
   * the upstream processes them, the client gets `fault` instead.
   */
  loseAnswer(match: RegExp | ((request: ProxiedRequest) => boolean), fault: LostAnswer, times = 1): this {
    const test = typeof match === 'function' ? match : (r: ProxiedRequest) => match.test(r.path);
    this.rules.push({ match: test, fault, remaining: times });
    return this;
  }

  /** Disarms all rules (requests already stalled stay stalled until the client gives up). */
  clear(): void {
    this.rules = [];
  }

  /** How many requests matched `match` so far. */
  count(match: RegExp): number {
    return this.requests.filter((r) => match.test(r.path)).length;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private take(request: ProxiedRequest): LostAnswer | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.match(request));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const request: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    this.requests.push(request);
    const fault = this.take(request);

    const headers = { ...req.headers, host: this.upstream.host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const upstream = http.request({ host: this.upstream.hostname, port: this.upstream.port, method: request.method, path: request.path, headers }, (answer) => {
      if (!fault) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      // The upstream did the work; read its answer to the end, then lose it.
      answer.resume();
      answer.on('end', () => {
        this.hits.push({ ...request, upstreamStatus: answer.statusCode ?? 0, fault, at: Date.now() });
        if (fault === 'stall') return; // never answer; the client's timeout must fire
        if (fault === 'reset') {
          if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
          else req.socket.destroy();
          return;
        }
        const page = `<html><head><title>${fault} ${PAGES[fault]}</title></head><body><h1>${fault} ${PAGES[fault]}</h1></body></html>`;
        res.writeHead(fault, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page), connection: 'close' });
        res.end(page);
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    // A client that gives up aborts the upstream only when it is not being stalled on purpose.
    res.on('close', () => {
      if (!res.writableFinished && !fault) upstream.destroy();
    });
    upstream.end(body);
  }
}
