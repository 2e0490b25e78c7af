/**
 * The sandbox page and its JSON API, mounted on the bot's own HTTP server:
 *   GET  /                          the page (src/sandbox/page)
 *   GET  /sandbox/api/state?user=ID people, provider panel and one chat
 *   GET  /sandbox/api/events        Server-Sent Events: "change" whenever anything changed
 *   POST /sandbox/api/people        {name, language} → a new person
 *   POST /sandbox/api/chats/ID/text {text}: a message or a /command
 *   POST /sandbox/api/chats/ID/file?kind=&name=&mime=&duration=&width=&height=&caption=  raw bytes
 *   POST /sandbox/api/chats/ID/tap  {messageId, data}: an inline button
 *   POST /sandbox/api/chats/ID/pay  {messageId}: pre-checkout → successful payment
 *   POST /sandbox/api/chats/ID/pay-link {url}: pay an invoice link (a subscription offer)
 *   POST /sandbox/api/provider      {next}: the next task's outcome
 *   POST /sandbox/api/next-month    a subscription period passes: every live subscription renews
 *   GET  /sandbox/api/files/FILE_ID the bytes of a stored file (with Range support)
 * Every request body is checked with zod; errors are JSON {error}.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileTypeFromBuffer } from 'file-type';
import { parseBuffer } from 'music-metadata';
import { z } from 'zod';
import { PAGE_DIR } from './assets.js';
import { chatView, CHAT_ACTION_MS } from './view.js';
import { newPersonSchema, type People } from './people.js';
import { NEXT_OUTCOMES, type EmulatedProviders } from './providers.js';
import { imageSize } from './telegram/files.js';
import type { FakeTelegram, FakeUser } from './telegram/index.js';
import { INVOICE_LINK, type SandboxSubscriptions } from './subscriptions.js';

export type SandboxRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface SandboxControl {
  routes: SandboxRoutes;
  /** Ends the open event streams (before the HTTP server closes). */
  close(): void;
}

const MAX_JSON_BYTES = 64 * 1024;
const MAX_FILE_BYTES = 50 * 1024 * 1024;

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/favicon.ico': { file: 'favicon.svg', type: 'image/svg+xml' },
  '/sandbox/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

const textSchema = z.object({ text: z.string().min(1, 'the message is empty').max(4096, 'the message is longer than 4096 characters') });
const tapSchema = z.object({ messageId: z.number().int().positive(), data: z.string().min(1).max(64) });
const paySchema = z.object({ messageId: z.number().int().positive() });
const payLinkSchema = z.object({ url: z.string().regex(INVOICE_LINK, 'not an invoice link') });
const providerSchema = z.object({ next: z.enum(NEXT_OUTCOMES) });
const fileQuerySchema = z.object({
  kind: z.enum(['photo', 'voice', 'audio', 'video', 'document']),
  name: z.string().min(1).max(255).default('file'),
  mime: z.string().max(255).optional(),
  caption: z.string().max(1024).optional(),
  duration: z.coerce.number().min(0).max(86_400).optional(),
  width: z.coerce.number().int().min(0).max(20_000).optional(),
  height: z.coerce.number().int().min(0).max(20_000).optional(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

async function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `the file is larger than ${Math.round(limit / 1024 / 1024)} MB`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `the file is larger than ${Math.round(limit / 1024 / 1024)} MB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const raw = await readBytes(req, MAX_JSON_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? 'bad request');
  return parsed.data;
}

/** Seconds of an audio or video file, read from its container. */
async function mediaSeconds(data: Buffer, mime: string | undefined): Promise<number | undefined> {
  try {
    const meta = await parseBuffer(data, mime ? { mimeType: mime } : undefined, { duration: true });
    return meta.format.duration;
  } catch {
    return undefined;
  }
}

export interface SandboxControlOptions {
  tg: FakeTelegram;
  people: People;
  providers: EmulatedProviders;
  /** Shown in the page header. */
  botName: string;
  /** Stars subscriptions (invoice links, renewals) of the emulated Telegram. */
  subscriptions: SandboxSubscriptions;
}

export function createSandboxControl(options: SandboxControlOptions): SandboxControl {
  const { tg, people, providers, subscriptions } = options;
  const bot = tg.bot().state;
  const streams = new Set<ServerResponse>();

  // When the bot's messages first appeared (a chat action older than the last one is over).
  const seen = new Map<string, number>();
  const seenCounts = new Map<number, number>();
  let pending: NodeJS.Timeout | undefined;
  const onChange = () => {
    for (const [chatId, rec] of bot.chats) {
      const from = seenCounts.get(chatId) ?? 0;
      if (from === rec.botSent.length) continue;
      const now = Date.now();
      for (let i = from; i < rec.botSent.length; i++) seen.set(`${chatId}:${rec.botSent[i]}`, now);
      seenCounts.set(chatId, rec.botSent.length);
    }
    if (pending || streams.size === 0) return;
    pending = setTimeout(() => {
      pending = undefined;
      for (const res of streams) res.write('event: change\ndata: {}\n\n');
    }, 25);
    pending.unref();
  };
  const unsubscribe = tg.signal.subscribe(onChange);
  // A chat action ends after 5 s without any other change: tell the page then too.
  const actionTimers = new Set<NodeJS.Timeout>();
  const unsubscribeActions = tg.signal.subscribe(() => {
    const last = bot.chatActions.at(-1);
    if (!last || Date.now() - last.at > 50) return;
    const timer = setTimeout(() => {
      actionTimers.delete(timer);
      onChange();
    }, CHAT_ACTION_MS + 50);
    timer.unref();
    actionTimers.add(timer);
  });

  const userOf = (idText: string): FakeUser => {
    const user = people.get(Number(idText));
    if (!user) throw new HttpError(404, 'no such person');
    return user;
  };

  const state = (userId: number | undefined) => {
    const list = people.list();
    const current = list.find((p) => p.id === userId) ?? list[0]!;
    const rec = bot.chats.get(current.id);
    return {
      bot: { name: options.botName, username: bot.user.username },
      people: list,
      current: current.id,
      chat: rec
        ? chatView(
            bot,
            rec,
            (chatId, messageId) => seen.get(`${chatId}:${messageId}`),
            Date.now(),
            (url) => subscriptions.link(current.id, url),
          )
        : { messages: [], replyKeyboard: undefined, action: undefined },
      provider: providers.state(),
      subscriptions: subscriptions.of(current.id),
    };
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, fileId: string) => {
    const file = tg.files.info(fileId);
    if (!file) throw new HttpError(404, 'no such file');
    const type = file.mimeType ?? (await fileTypeFromBuffer(file.data))?.mime ?? 'application/octet-stream';
    const total = file.data.length;
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const headers: Record<string, string | number> = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=3600' };
    if (file.fileName) headers['content-disposition'] = `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`;
    if (range && (range[1] || range[2])) {
      let start = range[1] ? Number(range[1]) : Math.max(0, total - Number(range[2]));
      let end = range[1] && range[2] ? Math.min(Number(range[2]), total - 1) : total - 1;
      if (start >= total || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${total}` });
        return res.end();
      }
      start = Math.max(0, start);
      end = Math.max(start, end);
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${total}`, 'content-length': end - start + 1 });
      return res.end(req.method === 'HEAD' ? undefined : file.data.subarray(start, end + 1));
    }
    res.writeHead(200, { ...headers, 'content-length': total });
    res.end(req.method === 'HEAD' ? undefined : file.data);
  };

  const sendFile = async (req: IncomingMessage, user: FakeUser, url: URL) => {
    const parsed = fileQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? 'bad request');
    const q = parsed.data;
    const data = await readBytes(req, MAX_FILE_BYTES);
    if (data.length === 0) throw new HttpError(400, 'the file is empty');
    const sniffed = (await fileTypeFromBuffer(data))?.mime;
    const mime = q.mime || sniffed || undefined;
    const caption = q.caption || undefined;
    const seconds = async () => Math.max(1, Math.round(q.duration || (await mediaSeconds(data, mime)) || 1));
    switch (q.kind) {
      case 'photo': {
        const size = imageSize(data) ?? { width: q.width ?? 0, height: q.height ?? 0 };
        return user.sendPhoto(data, { ...size, caption });
      }
      case 'voice':
        return user.sendVoice(data, { duration: await seconds(), mimeType: mime ?? 'audio/ogg' });
      case 'audio':
        return user.sendAudio(data, { duration: await seconds(), fileName: q.name, mimeType: mime, caption });
      case 'video':
        return user.sendVideo(data, { duration: await seconds(), width: q.width ?? 0, height: q.height ?? 0, fileName: q.name, mimeType: mime, caption });
      case 'document':
        return user.sendDocument(data, { fileName: q.name, mimeType: mime, caption });
    }
  };

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    streams.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    req.on('close', () => {
      clearInterval(ping);
      streams.delete(res);
    });
  };

  const routes: SandboxRoutes = async (req, res, url) => {
    const p = url.pathname;
    const page = PAGE_FILES[p];
    if (!page && !p.startsWith('/sandbox/')) return false;
    try {
      if (page && (req.method === 'GET' || req.method === 'HEAD')) {
        const file = path.join(PAGE_DIR, page.file);
        const info = await stat(file);
        res.writeHead(200, { 'content-type': page.type, 'content-length': info.size, 'cache-control': 'no-cache' });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
        return true;
      }
      const get = req.method === 'GET' || req.method === 'HEAD';
      let m: RegExpExecArray | null;
      if (get && p === '/sandbox/api/state') {
        const user = Number(url.searchParams.get('user'));
        sendJson(res, 200, state(Number.isSafeInteger(user) ? user : undefined));
      } else if (get && p === '/sandbox/api/events') {
        events(req, res);
      } else if (get && (m = /^\/sandbox\/api\/files\/([^/]+)$/.exec(p))) {
        await serveFile(req, res, decodeURIComponent(m[1]!));
      } else if (req.method === 'POST' && p === '/sandbox/api/people') {
        const person = people.add(await readJson(req, newPersonSchema));
        onChange();
        sendJson(res, 200, person);
      } else if (req.method === 'POST' && (m = /^\/sandbox\/api\/chats\/(\d+)\/(text|file|tap|pay|pay-link)$/.exec(p))) {
        const user = userOf(m[1]!);
        switch (m[2] as 'text' | 'file' | 'tap' | 'pay' | 'pay-link') {
          case 'text': {
            const { text } = await readJson(req, textSchema);
            const message = text.startsWith('/') ? await user.sendCommand(text) : await user.sendText(text);
            sendJson(res, 200, { messageId: message.message_id });
            break;
          }
          case 'file': {
            const message = await sendFile(req, user, url);
            sendJson(res, 200, { messageId: message.message_id });
            break;
          }
          case 'tap': {
            const { messageId, data } = await readJson(req, tapSchema);
            let tap;
            try {
              tap = await user.tapButton(messageId, data);
            } catch (err) {
              throw new HttpError(409, err instanceof Error ? err.message.split('\n')[0]! : 'the button is gone');
            }
            // Telegram shows the bot's answer (a toast or an alert); a bot that never answers leaves a spinner.
            const answer = await tg
              .bot()
              .waitForCallbackAnswer(tap.id, 15_000)
              .catch(() => undefined);
            sendJson(res, 200, { ok: true, answered: answer !== undefined, text: answer?.text ?? '', alert: answer?.show_alert === true });
            break;
          }
          case 'pay': {
            const { messageId } = await readJson(req, paySchema);
            let result;
            try {
              result = await user.pay(messageId);
            } catch (err) {
              throw new HttpError(409, err instanceof Error ? err.message : 'not an invoice');
            }
            onChange();
            if (result.ok) sendJson(res, 200, { ok: true });
            else
              sendJson(res, 200, {
                ok: false,
                error: result.timedOut ? 'The bot did not confirm the payment in time.' : (result.errorMessage ?? 'The payment was declined.'),
              });
            break;
          }
          case 'pay-link': {
            const { url: link } = await readJson(req, payLinkSchema);
            let result;
            try {
              result = await subscriptions.payLink(user, link);
            } catch (err) {
              throw new HttpError(409, err instanceof Error ? err.message : 'unknown invoice link');
            }
            onChange();
            if (result.ok) sendJson(res, 200, { ok: true, chargeId: result.chargeId });
            else
              sendJson(res, 200, {
                ok: false,
                error: result.timedOut ? 'The bot did not confirm the payment in time.' : (result.errorMessage ?? 'The payment was declined.'),
              });
            break;
          }
        }
      } else if (req.method === 'POST' && p === '/sandbox/api/provider') {
        const { next } = await readJson(req, providerSchema);
        providers.setNext(next);
        onChange();
        sendJson(res, 200, providers.state());
      } else if (req.method === 'POST' && p === '/sandbox/api/next-month') {
        const renewals = await subscriptions.nextMonth();
        onChange();
        sendJson(res, 200, { renewed: renewals.length, renewals });
      } else {
        sendJson(res, 404, { error: 'not found' });
      }
    } catch (err) {
      if (err instanceof HttpError) sendJson(res, err.status, { error: err.message });
      else throw err;
    }
    return true;
  };

  return {
    routes,
    close() {
      unsubscribe();
      unsubscribeActions();
      for (const t of actionTimers) clearTimeout(t);
      if (pending) clearTimeout(pending);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
