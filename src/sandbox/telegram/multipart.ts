/**
 * Lenient multipart/form-data parser, tolerant of grammY's format:
 * `content-disposition:form-data;name="x";filename=a b.txt` (no space, unquoted filename),
 * part content-type ignored. Works on an already size-bounded Buffer.
 */

export interface UploadedFile {
  readonly kind: 'upload';
  readonly field: string;
  readonly fileName: string | undefined;
  readonly contentType: string | undefined;
  readonly data: Buffer;
}

export interface MultipartResult {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

export function isUploadedFile(v: unknown): v is UploadedFile {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'upload';
}

export function boundaryOf(contentType: string): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function dispositionParam(header: string, name: string): string | undefined {
  // name="..." | name=... (unquoted; for filename take the rest of the header, grammY does not escape it)
  const re = new RegExp(`(?:^|;)\\s*${name}=`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  const rest = header.slice(m.index + m[0].length);
  if (rest.startsWith('"')) {
    const end = rest.indexOf('"', 1);
    return end < 0 ? rest.slice(1) : rest.slice(1, end);
  }
  if (name === 'filename') return rest.trim();
  const semi = rest.indexOf(';');
  return (semi < 0 ? rest : rest.slice(0, semi)).trim();
}

export function parseMultipart(body: Buffer, boundary: string): MultipartResult {
  const fields: Record<string, string> = {};
  const files: Record<string, UploadedFile> = {};
  const delim = Buffer.from(`--${boundary}`);
  const partDelim = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delim);
  if (pos < 0) return { fields, files };
  pos += delim.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing "--"
    // skip CRLF after the delimiter
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) break;
    const headerText = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(partDelim, headerEnd + 4);
    const content = body.subarray(headerEnd + 4, next < 0 ? body.length : next);
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const disposition = headers['content-disposition'] ?? '';
    const name = dispositionParam(disposition, 'name');
    let fileName = dispositionParam(disposition, 'filename');
    const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(disposition);
    if (star?.[1]) {
      try {
        fileName = decodeURIComponent(star[1].trim());
      } catch {
        /* keep plain filename */
      }
      // dispositionParam('filename') would have matched `filename*=` only via the regex above
    }
    if (name !== undefined) {
      if (fileName !== undefined) {
        files[name] = {
          kind: 'upload',
          field: name,
          fileName,
          contentType: headers['content-type'],
          data: Buffer.from(content),
        };
      } else {
        fields[name] = content.toString('utf8');
      }
    }
    if (next < 0) break;
    pos = next + partDelim.length;
  }
  return { fields, files };
}
