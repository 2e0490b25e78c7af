/**
 * The HTTP transport of the bot's Bot API client: the subset of `fetch` grammY's ApiClient uses
 * (POST with a JSON string or a multipart stream as body, an AbortSignal, its keep-alive agent;
 * the answer read with `json()`), on node:http/https directly. node-fetch's Request, Headers and
 * Body objects were a tenth of the bot's CPU per update under load (docs/benchmarks.md).
 *
 * Errors are what grammY expects from fetch: a rejected promise for a connection error, an abort
 * or a broken or non-JSON answer (grammY turns it into an HttpError; nothing is retried here).
 */
import http from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: {
    aborted: boolean;
    addEventListener(type: 'abort', listener: () => void): void;
    removeEventListener(type: 'abort', listener: () => void): void;
  } | null;
  agent?: http.Agent;
}

export interface BotApiResponse {
  status: number;
  json(): Promise<unknown>;
}

class AbortError extends Error {
  constructor() {
    super('The Bot API request was aborted');
    this.name = 'AbortError';
  }
}

/** Answers larger than this are refused (Bot API answers are small; getUpdates of 100 stays far below). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export function botApiFetch(url: string | URL, init: FetchInit = {}): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const target = typeof url === 'string' ? new URL(url) : url;
    const transport = target.protocol === 'https:' ? https : http;
    const { signal } = init;
    if (signal?.aborted) return reject(new AbortError());
    const req = transport.request(target, { method: init.method ?? 'GET', headers: init.headers, agent: init.agent });
    const onAbort = () => req.destroy(new AbortError());
    signal?.addEventListener('abort', onAbort);
    const done = () => signal?.removeEventListener('abort', onAbort);
    req.once('error', (error) => {
      done();
      reject(error);
    });
    req.once('response', (res) => {
      const body = new Promise<unknown>((resolveBody, rejectBody) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) res.destroy(new Error('Bot API answer too large'));
          else chunks.push(chunk);
        });
        res.once('end', () => {
          done();
          try {
            resolveBody(JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
          } catch (error) {
            rejectBody(error);
          }
        });
        res.once('error', (error) => {
          done();
          rejectBody(error);
        });
        res.once('aborted', () => {
          done();
          rejectBody(new Error('Bot API answer cut off'));
        });
      });
      // Not read yet: keep an early failure from being an unhandled rejection.
      body.catch(() => {});
      resolve({ status: res.statusCode ?? 0, json: () => body });
    });
    const { body } = init;
    if (body === undefined || typeof body === 'string') req.end(body);
    else pipeline(body, req, () => {}); // a stream error destroys req: its 'error' rejects above
  });
}

/**
 * Keep-alive agents with a bounded number of sockets per Bot API root, shared by the bot's API
 * clients: a burst of updates queues its calls on a few dozen warm connections instead of opening
 * one per concurrent call (each new one costs a connect here and at Telegram, and is closed again
 * when idle).
 */
export function botApiAgent(apiRoot: string, maxSockets = 64): http.Agent {
  const options = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
  return apiRoot.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
}

/** `botApiFetch` as grammY's `client.fetch` option (typed as the global fetch; grammY calls only what is above). */
export const grammyFetch = botApiFetch as unknown as typeof fetch;
