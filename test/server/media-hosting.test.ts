/**
 * URL-only inputs over real HTTP: self-hosting through the bot's own server (unguessable,
 * expiring URLs; HEAD and byte ranges; deleted after the job) and the KIE upload host path.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMediaHosting, type MediaHosting } from '../../src/server/media-hosting.js';
import { createServer, type AppServer } from '../../src/server/http.js';
import { ProviderError, type InputMedia } from '../../src/providers/types.js';
import { FakeKie } from '../support/fake-kie/index.js';

const CLIP = readFileSync(new URL('../fixtures/media/clip-720p.mp4', import.meta.url));

function media(bytes: Buffer, mime = 'video/mp4', size = bytes.length): InputMedia {
  return { open: async () => Readable.from([bytes]), size, mime, fileName: 'clip.mp4' };
}

let dir: string;
let server: AppServer;
let base: string;
let clock: number;
let hosting: MediaHosting;

async function start(options: { ttlMs?: number; publicUrl?: boolean } = {}) {
  const current: { hosting?: MediaHosting } = {};
  server = createServer({ logger: pino({ level: 'silent' }), isReady: async () => true, media: { handle: (req, res) => current.hosting!.handle(req, res) } });
  const port = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  hosting = createMediaHosting({
    dir,
    publicUrl: options.publicUrl === false ? undefined : `${base}/`,
    ttlMs: options.ttlMs ?? 60_000,
    now: () => clock,
    maxBytes: 1_000_000,
  });
  current.hosting = hosting;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-hosting-'));
  clock = Date.now();
});
afterEach(async () => {
  await server?.close(1_000);
  await rm(dir, { recursive: true, force: true });
});

describe('self-hosting under PUBLIC_URL', () => {
  it('serves the file streamed at an unguessable URL, with HEAD and byte ranges', async () => {
    await start();
    expect(hosting).toMatchObject({ available: true, kind: 'self' });
    const url = await hosting.publish(media(CLIP), { generationId: 'g1', role: 'video' });
    expect(url).toMatch(new RegExp(`^${base}/media/[A-Za-z0-9_-]{43}\\.mp4$`));
    const other = await hosting.publish(media(CLIP), { generationId: 'g1', role: 'video' });
    expect(other).not.toBe(url);

    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/mp4');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('cache-control')).toContain('no-store');
    expect(Buffer.from(await full.arrayBuffer()).equals(CLIP)).toBe(true);

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(CLIP.length));

    const part = await fetch(url, { headers: { range: 'bytes=4-11' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-11/${CLIP.length}`);
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('ftypisom');

    const open = await fetch(url, { headers: { range: `bytes=${CLIP.length - 10}-` } });
    expect(open.status).toBe(206);
    expect((await open.arrayBuffer()).byteLength).toBe(10);
    const suffix = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(CLIP.subarray(CLIP.length - 5))).toBe(true);

    const beyond = await fetch(url, { headers: { range: `bytes=${CLIP.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${CLIP.length}`);
    expect((await fetch(url, { headers: { range: 'bytes=abc' } })).status).toBe(416);
  });

  it('unknown or malformed tokens are 404, other methods 405; other routes are untouched', async () => {
    await start();
    await hosting.publish(media(CLIP), { generationId: 'g', role: 'v' });
    expect((await fetch(`${base}/media/${'A'.repeat(43)}.mp4`)).status).toBe(404);
    expect((await fetch(`${base}/media/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/media/short.mp4`)).status).toBe(404);
    expect((await fetch(`${base}/media/${'A'.repeat(43)}`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('expires after the TTL (and the files are deleted), or when the job releases it', async () => {
    await start({ ttlMs: 10_000 });
    const a = await hosting.publish(media(CLIP), { generationId: 'job-a', role: 'v' });
    const b = await hosting.publish(media(CLIP), { generationId: 'job-b', role: 'v' });
    const c = await hosting.publish(media(CLIP), { generationId: 'job-c', role: 'v' });
    expect((await readdir(dir)).length).toBe(6);
    await hosting.release('job-b');
    expect((await fetch(b)).status).toBe(404);
    expect((await fetch(a)).status).toBe(200);
    clock += 10_001;
    expect((await fetch(a)).status).toBe(404);
    expect(await hosting.sweep()).toBe(1); // c
    expect((await fetch(c)).status).toBe(404);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses files over the limit (declared or streamed) without leaving anything behind', async () => {
    await start();
    const big = Buffer.alloc(1_100_000);
    const declared = await hosting.publish(media(big), { generationId: 'g', role: 'v' }).catch((e: unknown) => e);
    expect(declared).toBeInstanceOf(ProviderError);
    expect(declared).toMatchObject({ code: 'input-too-large', errorClass: 'final' });
    const lied = await hosting.publish(media(big, 'video/mp4', 10), { generationId: 'g', role: 'v' }).catch((e: unknown) => e);
    expect(lied).toMatchObject({ code: 'input-too-large' });
    const broken: InputMedia = {
      open: async () =>
        Readable.from(
          (async function* () {
            yield Buffer.from('x');
            throw new Error('telegram reset');
          })(),
        ),
      size: 10,
      mime: 'video/mp4',
      fileName: 'x',
    };
    expect(await hosting.publish(broken, { generationId: 'g', role: 'v' }).catch((e: unknown) => e)).toMatchObject({
      errorClass: 'retryable',
      code: 'hosting_write_failed',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('without PUBLIC_URL and KIE nothing can be hosted', async () => {
    await start({ publicUrl: false });
    expect(hosting.available).toBe(false);
    expect(await hosting.publish(media(CLIP), { generationId: 'g', role: 'v' }).catch((e: unknown) => e)).toMatchObject({ code: 'url-hosting-unavailable' });
  });
});

describe('KIE upload host when KIE is configured', () => {
  it('streams the file to KIE and returns its download URL; nothing is stored locally', async () => {
    const kie = await FakeKie.start();
    try {
      await start();
      const viaKie = createMediaHosting({
        dir,
        publicUrl: base,
        kie: { apiKey: kie.apiKey, uploadBaseUrl: kie.uploadBaseUrl, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } },
      });
      expect(viaKie).toMatchObject({ available: true, kind: 'kie' });
      const url = await viaKie.publish(media(CLIP), { generationId: 'g-kie', role: 'motion-video' });
      const upload = [...kie.uploads.values()][0]!;
      expect(upload).toMatchObject({ via: 'stream', uploadPath: 'avatar-bot/g-kie', mimeType: 'video/mp4' });
      expect(upload.fileName).toMatch(/^g-kie-motion-video-[0-9a-f]{12}\.mp4$/);
      expect(url).toBe(upload.downloadUrl);
      const served = await fetch(url);
      expect(Buffer.from(await served.arrayBuffer()).equals(CLIP)).toBe(true);
      expect(await readdir(dir)).toEqual([]);
      await viaKie.release('g-kie'); // KIE deletes uploads itself after 3 days
    } finally {
      await kie.stop();
    }
  });
});
