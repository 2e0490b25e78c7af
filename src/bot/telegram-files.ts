/**
 * Reading users' files from Telegram: metadata first (size limits are checked before any
 * download), then a streamed download from the Bot API file route. The URL carries the bot
 * token, so it never leaves this module: providers get streams, never URLs.
 */
import { type Readable, Transform } from 'node:stream';
import type { Api } from 'grammy';
import { got } from 'got';
import { fileTypeFromBuffer } from 'file-type';
import { measureSeconds } from '../media/duration.js';
import { readImageSize } from '../media/image.js';
import type { FileRef } from '../domain/generation-inputs.js';
import type { InputMedia } from '../providers/types.js';

/** The cloud Bot API serves files up to 20 MB. */
export const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const SNIFF_BYTES = 256 * 1024;

export class FileTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`file of ${size} bytes is over the ${limit} byte limit`);
    this.name = 'FileTooLargeError';
  }
}

export interface SniffResult {
  /** Sniffed MIME type without parameters, or null when unknown. */
  mime: string | null;
  width?: number;
  height?: number;
}

export interface TelegramFiles {
  /** Opens a download stream; refuses files over `maxBytes` before downloading. */
  open(fileId: string, maxBytes?: number): Promise<{ stream: Readable; size: number | undefined }>;
  /** Reads the first bytes only and tells the real type (and image size when it is an image). */
  sniff(fileId: string): Promise<SniffResult>;
  /** Parses the audio length in seconds, or null when it cannot be read. */
  audioSeconds(fileId: string, mime: string): Promise<number | null>;
  /** An InputMedia for a provider: every `open()` streams the file again. */
  toInputMedia(ref: FileRef): InputMedia;
}

export function createTelegramFiles(options: { api: Api; token: string; apiRoot: string; timeoutMs?: number }): TelegramFiles {
  const { api, token, apiRoot } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;

  async function open(fileId: string, maxBytes = TELEGRAM_DOWNLOAD_LIMIT) {
    const file = await api.getFile(fileId);
    if (file.file_size !== undefined && file.file_size > maxBytes) throw new FileTooLargeError(file.file_size, maxBytes);
    if (!file.file_path) throw new Error('Telegram returned no file_path');
    const url = `${apiRoot}/file/bot${token}/${file.file_path}`;
    const source = got.stream(url, { timeout: { request: timeoutMs }, retry: { limit: 2 } });
    let seen = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > maxBytes) return done(new FileTooLargeError(seen, maxBytes));
        done(null, chunk);
      },
    });
    source.on('error', (err) => guard.destroy(sanitize(err)));
    return { stream: source.pipe(guard), size: file.file_size };
  }

  return {
    open,
    async sniff(fileId) {
      const { stream } = await open(fileId);
      const head = await readHead(stream, SNIFF_BYTES);
      const type = await fileTypeFromBuffer(head);
      const mime = type?.mime.split(';')[0] ?? null;
      const size = mime?.startsWith('image/') ? readImageSize(head) : null;
      return { mime, ...(size ?? {}) };
    },
    async audioSeconds(fileId, mime) {
      const { stream, size } = await open(fileId);
      return measureSeconds(stream, { mimeType: mime, ...(size !== undefined ? { size } : {}) });
    },
    toInputMedia(ref) {
      return {
        open: async () => (await open(ref.fileId)).stream,
        size: ref.size,
        mime: ref.mime,
        fileName: ref.fileName,
        width: ref.width,
        height: ref.height,
      };
    },
  };
}

/** Reads at most `limit` bytes, then closes the stream. */
async function readHead(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= limit) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

/** Download errors must not carry the file URL (it contains the bot token). */
function sanitize(error: Error): Error {
  return new Error(`Telegram file download failed: ${error.name}${'code' in error ? ` ${(error as { code?: string }).code}` : ''}`);
}
