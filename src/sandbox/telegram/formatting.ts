/** parse_mode handling: HTML, MarkdownV2 and legacy Markdown → plain text + MessageEntity[]. */
import { ApiError } from './errors.js';

export interface Entity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

export interface Formatted {
  text: string;
  entities: Entity[];
}

const fail = (why: string): never => {
  throw new ApiError(400, `Bad Request: can't parse entities: ${why}`);
};

const byteOffset = (s: string, i: number): number => Buffer.byteLength(s.slice(0, i), 'utf8');

const finish = (text: string, entities: Entity[]): Formatted => ({
  text,
  entities: entities.filter((e) => e.length > 0).sort((a, b) => a.offset - b.offset || b.length - a.length),
});

// ---------------------------------------------------------------- HTML
const HTML_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  span: 'spoiler',
  'tg-emoji': 'custom_emoji',
};

function decodeHtmlEntity(src: string, i: number): { ch: string; next: number } {
  const semi = src.indexOf(';', i);
  if (semi > i && semi - i <= 10) {
    const name = src.slice(i + 1, semi);
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
    if (named[name] !== undefined) return { ch: named[name], next: semi + 1 };
    const num = /^#(x[0-9a-f]+|\d+)$/i.exec(name);
    if (num?.[1]) {
      const cp = num[1][0] === 'x' || num[1][0] === 'X' ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10);
      if (cp > 0 && cp <= 0x10ffff) return { ch: String.fromCodePoint(cp), next: semi + 1 };
    }
  }
  return { ch: '&', next: i + 1 };
}

export function parseHtml(src: string): Formatted {
  let out = '';
  const entities: Entity[] = [];
  const stack: { tag: string; start: number; entity: Entity | undefined }[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '&') {
      const { ch, next } = decodeHtmlEntity(src, i);
      out += ch;
      i = next;
      continue;
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }
    const end = src.indexOf('>', i);
    if (end < 0) fail(`Unclosed start tag at byte offset ${byteOffset(src, i)}`);
    const inner = src.slice(i + 1, end);
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      const top = stack.pop();
      if (!top) fail(`Unexpected end tag at byte offset ${byteOffset(src, i)}`);
      if (top!.tag !== name) fail(`Unmatched end tag at byte offset ${byteOffset(src, i)}, expected "</${top!.tag}>", found "</${name}>"`);
      if (top!.entity) {
        top!.entity.length = out.length - top!.entity.offset;
        entities.push(top!.entity);
      }
      i = end + 1;
      continue;
    }
    const m = /^([a-zA-Z][\w-]*)\s*(.*)$/s.exec(inner);
    const name = m?.[1]?.toLowerCase() ?? '';
    const attrs = m?.[2] ?? '';
    const type = HTML_TAGS[name];
    if (!type) fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(src, i)}`);
    const attr = (a: string): string | undefined => {
      const am = new RegExp(`${a}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s]+))`, 'i').exec(attrs);
      const v = am?.[1] ?? am?.[2] ?? am?.[3];
      return v === undefined ? undefined : parseHtml(v).text;
    };
    let entity: Entity | undefined = { type: type!, offset: out.length, length: 0 };
    if (name === 'a') {
      const href = attr('href');
      if (!href) entity = undefined;
      else entity.url = href;
    } else if (name === 'span') {
      if (attr('class') !== 'tg-spoiler') fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, i)}`);
    } else if (name === 'code') {
      const parent = stack[stack.length - 1];
      const lang = attr('class');
      if (parent?.tag === 'pre' && parent.entity && lang?.startsWith('language-')) {
        parent.entity.language = lang.slice('language-'.length);
        entity = undefined;
      }
    } else if (name === 'blockquote' && /\bexpandable\b/i.test(attrs)) {
      entity.type = 'expandable_blockquote';
    } else if (name === 'tg-emoji') {
      entity.custom_emoji_id = attr('emoji-id') ?? '';
    }
    stack.push({ tag: name, start: out.length, entity });
    i = end + 1;
  }
  if (stack.length > 0) fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]!.tag}"`);
  return finish(out, entities);
}

// ---------------------------------------------------------------- MarkdownV2
const MDV2_RESERVED = '_*[]()~`>#+-=|{}.!';

export function parseMarkdownV2(src: string): Formatted {
  let out = '';
  const entities: Entity[] = [];
  const open: { marker: string; type: string; offset: number; at: number }[] = [];
  const names: Record<string, string> = {
    '*': 'Bold',
    _: 'Italic',
    __: 'Underline',
    '~': 'Strikethrough',
    '||': 'Spoiler',
    '[': 'TextUrl',
  };
  const types: Record<string, string> = {
    '*': 'bold',
    _: 'italic',
    __: 'underline',
    '~': 'strikethrough',
    '||': 'spoiler',
    '[': 'text_link',
  };
  let quoteStart = -1;
  let i = 0;
  const toggle = (marker: string, at: number): void => {
    const top = open[open.length - 1];
    if (top && top.marker === marker) {
      open.pop();
      entities.push({ type: top.type, offset: top.offset, length: out.length - top.offset });
    } else {
      open.push({ marker, type: types[marker]!, offset: out.length, at });
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    const lineStart = i === 0 || src[i - 1] === '\n';
    if (lineStart && quoteStart >= 0 && c !== '>') {
      entities.push({ type: 'blockquote', offset: quoteStart, length: Math.max(0, out.length - quoteStart - 1) });
      quoteStart = -1;
    }
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) fail(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      out += n;
      i += 2;
      continue;
    }
    if (c === '`') {
      const isPre = src.startsWith('```', i);
      const delim = isPre ? '```' : '`';
      let j = i + delim.length;
      let lang: string | undefined;
      if (isPre) {
        const nl = src.indexOf('\n', j);
        const close = src.indexOf('```', j);
        if (nl >= 0 && (close < 0 || nl < close)) {
          lang = src.slice(j, nl) || undefined;
          j = nl + 1;
        }
      }
      let body = '';
      while (j < src.length && !src.startsWith(delim, j)) {
        if (src[j] === '\\' && j + 1 < src.length) {
          body += src[j + 1];
          j += 2;
        } else body += src[j++];
      }
      if (j >= src.length) fail(`Can't find end of ${isPre ? 'Pre' : 'Code'} entity at byte offset ${byteOffset(src, i)}`);
      const e: Entity = { type: isPre ? 'pre' : 'code', offset: out.length, length: body.length };
      if (lang) e.language = lang;
      out += body;
      entities.push(e);
      i = j + delim.length;
      continue;
    }
    if (lineStart && c === '>') {
      if (quoteStart < 0) quoteStart = out.length;
      i++;
      continue;
    }
    if (c === '*' || c === '~') {
      toggle(c, i);
      i++;
      continue;
    }
    if (c === '_') {
      if (src.startsWith('__', i)) {
        toggle('__', i);
        i += 2;
      } else {
        toggle('_', i);
        i++;
      }
      continue;
    }
    if (c === '|' && src[i + 1] === '|') {
      toggle('||', i);
      i += 2;
      continue;
    }
    if (c === '[') {
      open.push({ marker: '[', type: 'text_link', offset: out.length, at: i });
      i++;
      continue;
    }
    if (c === ']') {
      const top = open[open.length - 1];
      if (top?.marker === '[' && src[i + 1] === '(') {
        let close = i + 2;
        while (close < src.length && src[close] !== ')') close += src[close] === '\\' ? 2 : 1;
        if (close >= src.length) fail(`Can't find end of a URL at byte offset ${byteOffset(src, i)}`);
        const url = src.slice(i + 2, close).replace(/\\(.)/g, '$1');
        open.pop();
        const emoji = /^tg:\/\/emoji\?id=(\d+)$/.exec(url);
        entities.push(
          emoji?.[1]
            ? { type: 'custom_emoji', offset: top.offset, length: out.length - top.offset, custom_emoji_id: emoji[1] }
            : { type: 'text_link', offset: top.offset, length: out.length - top.offset, url },
        );
        i = close + 1;
        continue;
      }
    }
    if (c === '!' && src[i + 1] === '[') {
      i++;
      continue;
    }
    if (MDV2_RESERVED.includes(c)) fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    out += c;
    i++;
  }
  if (quoteStart >= 0) entities.push({ type: 'blockquote', offset: quoteStart, length: out.length - quoteStart });
  const unclosed = open[open.length - 1];
  if (unclosed) fail(`Can't find end of ${names[unclosed.marker]} entity at byte offset ${byteOffset(src, unclosed.at)}`);
  return finish(out, entities);
}

// ---------------------------------------------------------------- legacy Markdown
export function parseMarkdown(src: string): Formatted {
  let out = '';
  const entities: Entity[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length && '_*`['.includes(src[i + 1]!)) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '*' || c === '_' || c === '`') {
      const isPre = c === '`' && src.startsWith('```', i);
      const delim = isPre ? '```' : c;
      const close = src.indexOf(delim, i + delim.length);
      if (close < 0) fail(`Can't find end of the entity starting at byte offset ${byteOffset(src, i)}`);
      let body = src.slice(i + delim.length, close);
      let language: string | undefined;
      if (isPre) {
        const nl = body.indexOf('\n');
        if (nl >= 0 && /^\w*$/.test(body.slice(0, nl))) {
          language = body.slice(0, nl) || undefined;
          body = body.slice(nl + 1);
        }
      }
      const type = isPre ? 'pre' : c === '*' ? 'bold' : c === '_' ? 'italic' : 'code';
      const e: Entity = { type, offset: out.length, length: body.length };
      if (language) e.language = language;
      entities.push(e);
      out += body;
      i = close + delim.length;
      continue;
    }
    if (c === '[') {
      const m = /^\[([^\]]*)\]\(([^)]*)\)/.exec(src.slice(i));
      if (m) {
        entities.push({ type: 'text_link', offset: out.length, length: m[1]!.length, url: m[2]! });
        out += m[1];
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return finish(out, entities);
}

/** Apply parse_mode (if any); explicit entities win when no parse_mode is given. */
export function formatText(text: string, parseMode: unknown, entities: unknown): Formatted {
  const mode = typeof parseMode === 'string' ? parseMode.toLowerCase() : '';
  if (mode === 'html') return parseHtml(text);
  if (mode === 'markdownv2') return parseMarkdownV2(text);
  if (mode === 'markdown') return parseMarkdown(text);
  if (mode !== '') throw new ApiError(400, `Bad Request: unsupported parse_mode`);
  return { text, entities: Array.isArray(entities) ? (entities as Entity[]) : [] };
}
