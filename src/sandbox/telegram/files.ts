/** Stored files: bytes, minted file_id/file_unique_id, getFile paths, media objects. */
import { randomBytes } from 'node:crypto';
import { ApiError, E } from './errors.js';
import { isUploadedFile, type UploadedFile } from './multipart.js';
import { UPLOAD_LIMIT } from './params.js';

export type FileKind = 'photo' | 'voice' | 'audio' | 'document' | 'video' | 'animation' | 'video_note' | 'sticker';

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  kind: FileKind;
  data: Buffer;
  fileName?: string;
  mimeType?: string;
  width?: number;
  height?: number;
  /** For photos: the whole ascending PhotoSize group this size belongs to. */
  photoGroup?: StoredFile[];
  filePath?: string;
  /** Media metadata from the first send (reused when the file is re-sent by file_id). */
  meta?: MediaMeta;
}

/** Downloads served by getFile are capped at 20 MB on the cloud API. */
export const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
export const PHOTO_UPLOAD_LIMIT = 10 * 1024 * 1024;

const KIND_DIR: Record<FileKind, string> = {
  photo: 'photos',
  voice: 'voice',
  audio: 'music',
  document: 'documents',
  video: 'videos',
  animation: 'animations',
  video_note: 'video_notes',
  sticker: 'stickers',
};
const KIND_EXT: Partial<Record<FileKind, string>> = {
  photo: 'jpg',
  voice: 'oga',
  audio: 'mp3',
  video: 'mp4',
  animation: 'mp4',
  video_note: 'mp4',
  sticker: 'webp',
};
const KIND_PREFIX: Record<FileKind, string> = {
  photo: 'AgACAgIAAxkBAA',
  voice: 'AwACAgIAAxkBAA',
  audio: 'CQACAgIAAxkBAA',
  document: 'BQACAgIAAxkBAA',
  video: 'BAACAgIAAxkBAA',
  animation: 'CgACAgIAAxkBAA',
  video_note: 'DQACAgIAAxkBAA',
  sticker: 'CAACAgIAAxkBAA',
};
const TYPE_NAME: Record<FileKind, string> = {
  photo: 'Photo',
  voice: 'Voice',
  audio: 'Audio',
  document: 'Document',
  video: 'Video',
  animation: 'Animation',
  video_note: 'VideoNote',
  sticker: 'Sticker',
};

const MIME_BY_EXT: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/x-wav',
  csv: 'text/csv',
};

export function mimeFromName(name: string | undefined): string | undefined {
  const ext = name?.split('.').pop()?.toLowerCase();
  return ext ? MIME_BY_EXT[ext] : undefined;
}

/** Best-effort image dimensions from PNG/JPEG/GIF/WebP headers. */
export function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('ascii', 0, 3) === 'GIF') return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP') {
    const chunk = b.toString('ascii', 12, 16);
    if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      const len = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      i += 2 + len;
    }
  }
  return undefined;
}

export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private pathCounter = 0;

  /** Bytes of a stored file (the control API's `tg.files.get`). */
  get(fileId: string): Buffer | undefined {
    return this.byId.get(fileId)?.data;
  }

  info(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  all(): StoredFile[] {
    return [...this.byId.values()];
  }

  add(kind: FileKind, data: Buffer, meta: Partial<Omit<StoredFile, 'fileId' | 'fileUniqueId' | 'kind' | 'data'>> = {}): StoredFile {
    const f: StoredFile = {
      fileId: KIND_PREFIX[kind] + randomBytes(36).toString('base64url'),
      fileUniqueId: 'AQAD' + randomBytes(9).toString('base64url'),
      kind,
      data,
      ...meta,
    };
    this.byId.set(f.fileId, f);
    return f;
  }

  /** A photo becomes 2–3 ascending PhotoSizes (smaller sizes share the bytes; we cannot resize). */
  addPhoto(data: Buffer, width?: number, height?: number): StoredFile[] {
    const dims = width && height ? { width, height } : (imageSize(data) ?? { width: 800, height: 600 });
    const scaled = (max: number): { width: number; height: number } => {
      const k = max / Math.max(dims.width, dims.height);
      return { width: Math.max(1, Math.round(dims.width * k)), height: Math.max(1, Math.round(dims.height * k)) };
    };
    const longest = Math.max(dims.width, dims.height);
    const sizes = longest > 320 ? [scaled(90), scaled(320), dims] : longest > 90 ? [scaled(90), dims] : [dims, dims];
    const group: StoredFile[] = sizes.map((s) => this.add('photo', data, { ...s, mimeType: 'image/jpeg' }));
    for (const f of group) f.photoGroup = group;
    return group;
  }

  filePath(f: StoredFile): string {
    if (!f.filePath) {
      const n = ++this.pathCounter;
      const ext = KIND_EXT[f.kind] ?? f.fileName?.split('.').pop()?.toLowerCase() ?? 'dat';
      f.filePath = `${KIND_DIR[f.kind]}/file_${n}.${/^[a-z0-9]{1,8}$/.test(ext) ? ext : 'dat'}`;
    }
    return f.filePath;
  }

  byPath(path: string): StoredFile | undefined {
    for (const f of this.byId.values()) if (f.filePath === path) return f;
    return undefined;
  }

  /** Bot API getFile. */
  getFile(fileId: unknown): Record<string, unknown> {
    const f = typeof fileId === 'string' ? this.byId.get(fileId) : undefined;
    if (!f) throw new ApiError(400, E.wrongFileId);
    if (f.data.length > DOWNLOAD_LIMIT) throw new ApiError(400, E.fileTooBig);
    return { file_id: f.fileId, file_unique_id: f.fileUniqueId, file_size: f.data.length, file_path: this.filePath(f) };
  }

  /**
   * Resolve a media parameter of a send method: an upload, a known file_id, or an http(s) URL.
   * `missingName` is the parameter name used in the "there is no ... in the request" error.
   */
  async resolveInput(value: unknown, kind: FileKind, missingName: string): Promise<{ file: StoredFile; reused: boolean; upload?: UploadedFile }> {
    if (value === undefined || value === null || value === '') throw new ApiError(400, `Bad Request: there is no ${missingName} in the request`);
    if (isUploadedFile(value)) {
      if (value.data.length > UPLOAD_LIMIT) throw new ApiError(413, E.tooLarge);
      if (kind === 'photo' && value.data.length > PHOTO_UPLOAD_LIMIT) throw new ApiError(413, E.tooLarge);
      if (value.data.length === 0) throw new ApiError(400, 'Bad Request: file must be non-empty');
      if (kind === 'photo') return { file: this.addPhoto(value.data).at(-1)!, reused: false, upload: value };
      return {
        file: this.add(kind, value.data, { fileName: value.fileName, mimeType: mimeFromName(value.fileName) }),
        reused: false,
        upload: value,
      };
    }
    if (typeof value !== 'string') throw new ApiError(400, E.wrongFileIdentifier);
    const known = this.byId.get(value);
    if (known) {
      const photoish = known.kind === 'photo';
      if (photoish !== (kind === 'photo') && !(kind === 'document' && !photoish))
        throw new ApiError(400, `Bad Request: can't use file of type ${TYPE_NAME[known.kind]} as ${TYPE_NAME[kind]}`);
      return { file: known, reused: true };
    }
    if (/^https?:\/\//i.test(value)) {
      const limit = kind === 'photo' ? 5 * 1024 * 1024 : DOWNLOAD_LIMIT;
      let data: Buffer;
      try {
        const res = await fetch(value, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(String(res.status));
        data = Buffer.from(await res.arrayBuffer());
      } catch {
        throw new ApiError(400, E.urlContent);
      }
      if (data.length > limit) throw new ApiError(400, E.urlContent);
      const fileName = decodeURIComponent(new URL(value).pathname.split('/').pop() ?? '') || undefined;
      if (kind === 'photo') return { file: this.addPhoto(data).at(-1)!, reused: false };
      return { file: this.add(kind, data, { fileName, mimeType: mimeFromName(fileName) }), reused: false };
    }
    throw new ApiError(400, E.wrongFileIdentifier);
  }
}

// ------------------------------------------------------------------ Message media objects

const base = (f: StoredFile): Record<string, unknown> => ({
  file_id: f.fileId,
  file_unique_id: f.fileUniqueId,
  file_size: f.data.length,
});

export function photoSizes(f: StoredFile): Record<string, unknown>[] {
  return (f.photoGroup ?? [f]).map((p) => ({ ...base(p), width: p.width ?? 0, height: p.height ?? 0 }));
}

export interface MediaMeta {
  duration?: number;
  width?: number;
  height?: number;
  length?: number;
  title?: string;
  performer?: string;
  mimeType?: string;
  fileName?: string;
}

/** The Message field value for a stored file (`photo` is an array, the rest objects). */
export function mediaObject(f: StoredFile, kind: FileKind, meta: MediaMeta = {}): unknown {
  const fileName = meta.fileName ?? f.fileName;
  const mime = meta.mimeType ?? f.mimeType;
  const withName = (o: Record<string, unknown>): Record<string, unknown> => {
    if (fileName) o.file_name = fileName;
    return o;
  };
  switch (kind) {
    case 'photo':
      return photoSizes(f);
    case 'voice':
      return { ...base(f), duration: meta.duration ?? 0, mime_type: meta.mimeType ?? 'audio/ogg' };
    case 'audio': {
      const o = withName({ ...base(f), duration: meta.duration ?? 0, mime_type: mime ?? 'audio/mpeg' });
      if (meta.title) o.title = meta.title;
      if (meta.performer) o.performer = meta.performer;
      return o;
    }
    case 'video':
    case 'animation':
      return withName({
        ...base(f),
        width: meta.width ?? f.width ?? 640,
        height: meta.height ?? f.height ?? 360,
        duration: meta.duration ?? 0,
        mime_type: mime ?? 'video/mp4',
      });
    case 'video_note':
      return { ...base(f), length: meta.length ?? meta.width ?? 240, duration: meta.duration ?? 0 };
    case 'document':
      return withName({ ...base(f), mime_type: mime ?? 'application/octet-stream' });
    case 'sticker':
      return { ...base(f), width: 512, height: 512, is_animated: false, is_video: false, type: 'regular' };
  }
}
