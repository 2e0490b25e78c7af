/**
 * Hosting for inputs a provider can only fetch by URL (docs/providers.md §url-inputs): when KIE is configured the file is streamed to KIE's upload host (KIE deletes
 * it after 3 days); otherwise it is written to `dir` and served by the bot's own HTTP server at
 * `PUBLIC_URL/media/<token>.<ext>`, where the token is 256 random bits. A served file expires
 * (`ttlMs`), is deleted when its job ends (`release`) or by `sweep`, supports HEAD and single
 * byte ranges, and is streamed both ways. Never a Telegram file URL.
 *
 * State lives on disk (`<token>` + `<token>.json`), so a restart keeps serving what a running
 * job handed out; instances that share the URL must share `dir`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { createHttpClient, withRetry, type RetryPolicy } from '../providers/http.js';
import { uploadFileStream } from '../providers/kie/api.js';
import { classifyKieError } from '../providers/kie/errors.js';
import { baseMime, extensionFor } from '../providers/kie/models.js';
import { ProviderError, type InputMedia } from '../providers/types.js';
import type { UrlHost } from '../providers/url-host.js';

export const MEDIA_ROUTE_PREFIX = '/media/';
const TOKEN_RE = /^\/media\/([A-Za-z0-9_-]{43})(?:\.[a-z0-9]{2,4})?$/;

export interface MediaHostingOptions {
  /** Folder for self-hosted files, e.g. `${DATA_DIR}/hosted-media`. */
  dir: string;
  /** PUBLIC_URL: needed for self-hosting. */
  publicUrl?: string;
  /** When set, files go to KIE's upload host instead. */
  kie?: {
    apiKey: string;
    uploadBaseUrl: string;
    timeoutMs?: number;
    uploadPathPrefix?: string;
    retry?: Pick<RetryPolicy, 'retries' | 'minDelayMs' | 'maxDelayMs'>;
  };
  /** How long a self-hosted URL stays valid (default 6 h; released earlier when the job ends). */
  ttlMs?: number;
  /** Largest file accepted (default 100 MB, Kling's video_url limit). */
  maxBytes?: number;
  now?: () => number;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface MediaHosting extends UrlHost {
  /** False when neither KIE nor PUBLIC_URL is configured: URL-only tasks must not be offered. */
  readonly available: boolean;
  /** Serves GET/HEAD /media/<token>; returns false when the path is not a media path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Deletes expired self-hosted files; returns how many. */
  sweep(): Promise<number>;
  /** The generations that have self-hosted files now (housekeeping releases those of ended jobs). */
  holders(): Promise<string[]>;
}

const metaSchema = z.object({
  generationId: z.string(),
  role: z.string(),
  mime: z.string(),
  size: z.number().int().nonnegative(),
  expiresAt: z.number(),
});
type Meta = z.infer<typeof metaSchema>;

class TooLargeError extends Error {}

const EXTENSIONS: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'image/jpeg': 'jpg',
  'image/png': 'png',
};

/** The file extension of a URL (providers check `.mp4/.mov/.jpg/.png` in URLs). */
function extension(mime: string): string {
  return EXTENSIONS[baseMime(mime)] ?? extensionFor(mime);
}

export function createMediaHosting(options: MediaHostingOptions): MediaHosting {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? 6 * 60 * 60 * 1000;
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  const kie = options.kie;
  const upload = kie ? createHttpClient({ baseUrl: kie.uploadBaseUrl, timeoutMs: kie.timeoutMs ?? 120_000 }) : undefined;
  const kind: 'kie' | 'self' = kie ? 'kie' : 'self';
  let ready: Promise<void> | undefined;
  const ensureDir = () => (ready ??= mkdir(options.dir, { recursive: true }).then(() => undefined));

  const filePath = (token: string) => join(options.dir, token);
  const metaPath = (token: string) => join(options.dir, `${token}.json`);

  async function readMeta(token: string): Promise<Meta | null> {
    try {
      const parsed = metaSchema.safeParse(JSON.parse(await readFile(metaPath(token), 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async function remove(token: string): Promise<void> {
    await rm(filePath(token), { force: true });
    await rm(metaPath(token), { force: true });
  }

  async function publishSelf(media: InputMedia, ref: { generationId: string; role: string; signal?: AbortSignal }): Promise<string> {
    if (!publicUrl) throw new ProviderError('no PUBLIC_URL to serve URL-only inputs from', 'final', 'url-hosting-unavailable', 'provider_unavailable');
    if (media.size > maxBytes) throw new ProviderError(`file of ${media.size} bytes is over ${maxBytes}`, 'final', 'input-too-large', 'bad_input');
    await ensureDir();
    const token = randomBytes(32).toString('base64url');
    const part = `${filePath(token)}.part`;
    let written = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _enc, done) {
        written += chunk.length;
        if (written > maxBytes) return done(new TooLargeError(`over ${maxBytes} bytes`));
        done(null, chunk);
      },
    });
    try {
      await pipeline(await media.open(), guard, createWriteStream(part), ref.signal ? { signal: ref.signal } : {});
      const meta: Meta = { generationId: ref.generationId, role: ref.role, mime: baseMime(media.mime), size: written, expiresAt: now() + ttlMs };
      await writeFile(metaPath(token), JSON.stringify(meta));
      await rename(part, filePath(token));
    } catch (error) {
      await rm(part, { force: true });
      await rm(metaPath(token), { force: true });
      if (error instanceof TooLargeError) throw new ProviderError('hosted file is too large', 'final', 'input-too-large', 'bad_input');
      // Reading the user's file failed (e.g. Telegram download): nothing was created, try again.
      throw new ProviderError(`could not store the file for hosting: ${(error as Error).name}`, 'retryable', 'hosting_write_failed', 'provider_unavailable');
    }
    return `${publicUrl}${MEDIA_ROUTE_PREFIX}${token}.${extension(media.mime)}`;
  }

  async function publishKie(media: InputMedia, ref: { generationId: string; role: string; signal?: AbortSignal }): Promise<string> {
    const prefix = (kie!.uploadPathPrefix ?? 'avatar-bot').replace(/^\/+|\/+$/g, '');
    // A unique name per call: a reused name overwrites and may be served stale from cache.
    const fileName = `${ref.generationId}-${ref.role}-${randomBytes(6).toString('hex')}.${extension(media.mime)}`;
    const errorOptions = { rateLimitDelayMs: 10_000, maintenanceDelayMs: 30_000, secrets: [kie!.apiKey] };
    return withRetry(
      () =>
        uploadFileStream(
          upload!,
          kie!.apiKey,
          { uploadPath: `${prefix}/${ref.generationId}`, fileName, file: { contentType: baseMime(media.mime), size: media.size, open: () => media.open() } },
          { signal: ref.signal },
        ),
      (error) => classifyKieError(error, 'upload', errorOptions),
      { ...kie!.retry, signal: ref.signal },
    );
  }

  async function serve(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('not found');
    };
    const meta = await readMeta(token);
    if (!meta) return notFound();
    if (meta.expiresAt <= now()) {
      await remove(token);
      return notFound();
    }
    let size: number;
    try {
      size = (await stat(filePath(token))).size;
    } catch {
      return notFound();
    }
    const headers: Record<string, string | number> = {
      'content-type': meta.mime,
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    };
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.headers.range;
    if (range !== undefined) {
      const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      const from = match?.[1] ?? '';
      const to = match?.[2] ?? '';
      if (!match || (from === '' && to === '')) {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
        return;
      }
      if (from === '') {
        start = Math.max(0, size - Number(to));
      } else {
        start = Number(from);
        if (to !== '') end = Math.min(end, Number(to));
      }
      if (start >= size || start > end) {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['content-length'] = size === 0 ? 0 : end - start + 1;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    await pipeline(createReadStream(filePath(token), { start, end }), res).catch(() => res.destroy());
  }

  async function tokens(): Promise<string[]> {
    try {
      return (await readdir(options.dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    } catch {
      return [];
    }
  }

  return {
    kind,
    available: kie !== undefined || publicUrl !== undefined,
    publish: (media, ref) => (kie ? publishKie(media, ref) : publishSelf(media, ref)),
    async release(generationId) {
      for (const token of await tokens()) {
        const meta = await readMeta(token);
        if (meta?.generationId === generationId) await remove(token);
      }
    },
    async holders() {
      const ids = new Set<string>();
      for (const token of await tokens()) {
        const meta = await readMeta(token);
        if (meta) ids.add(meta.generationId);
      }
      return [...ids];
    },
    async sweep() {
      let removed = 0;
      // Leftovers of a crash in the middle of a write.
      for (const part of (await readdir(options.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.part'))) {
        const info = await stat(join(options.dir, part)).catch(() => null);
        if (info && info.mtimeMs + ttlMs <= now()) await rm(join(options.dir, part), { force: true });
      }
      for (const token of await tokens()) {
        const meta = await readMeta(token);
        if (!meta || meta.expiresAt <= now()) {
          await remove(token);
          removed += 1;
        }
      }
      return removed;
    },
    async handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      if (!path.startsWith(MEDIA_ROUTE_PREFIX)) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return true;
      }
      const match = TOKEN_RE.exec(path);
      if (!match) {
        res.writeHead(404, { 'cache-control': 'no-store' }).end();
        return true;
      }
      await serve(req, res, match[1]!);
      return true;
    },
  };
}
