/**
 * A streaming multipart/form-data body: text fields, then one file part piped straight from its
 * source stream. Nothing is buffered beyond one chunk, and the exact Content-Length is known up
 * front (from the declared size), so the upload host never sees a chunked body.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { KieInputSizeError } from './errors.js';

export interface MultipartFilePart {
  field: string;
  fileName: string;
  contentType: string;
  /** Exact byte count of the stream; checked while streaming. */
  size: number;
  open(): Promise<Readable>;
}

export interface MultipartBody {
  contentType: string;
  contentLength: number;
  body: Readable;
}

const CRLF = '\r\n';

function quote(value: string): string {
  // Header parameter values: no CR/LF, escape quotes (RFC 7578 §4.2 leaves this to the sender).
  return value.replace(/[\r\n]/g, ' ').replace(/"/g, '%22');
}

export function createMultipartBody(
  fields: Record<string, string>,
  file: MultipartFilePart,
  boundary = `----avatarbot${randomBytes(12).toString('hex')}`,
): MultipartBody {
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}${CRLF}Content-Disposition: form-data; name="${quote(name)}"${CRLF}${CRLF}${value}${CRLF}`;
  }
  head +=
    `--${boundary}${CRLF}Content-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.fileName)}"${CRLF}` +
    `Content-Type: ${file.contentType}${CRLF}${CRLF}`;
  const tail = `${CRLF}--${boundary}--${CRLF}`;
  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(tail, 'utf8');

  async function* generate(): AsyncGenerator<Buffer> {
    yield headBytes;
    const source = await file.open();
    let seen = 0;
    try {
      for await (const chunk of source) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        seen += buffer.length;
        if (seen > file.size) throw new KieInputSizeError(file.size, seen);
        yield buffer;
      }
    } finally {
      source.destroy();
    }
    if (seen !== file.size) throw new KieInputSizeError(file.size, seen);
    yield tailBytes;
  }

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: headBytes.length + file.size + tailBytes.length,
    body: Readable.from(generate(), { objectMode: false }),
  };
}
