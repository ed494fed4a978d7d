import { textPosition } from './text-position';

export type ReplyText = { ok: true; text: string } | { ok: false; error: string; line?: number; column?: number };

// `ignoreBOM: false` (the default) drops a leading UTF-8 BOM, which CTI.md §3 allows.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LOSSY_UTF8 = new TextDecoder('utf-8');
const ACCEPTED_ENCODINGS = new Set(['utf-8', 'us-ascii', 'ascii']);
const DECLARATION = /^[ \t\r\n]*<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"'>]*)\1/;

/**
 * The reply body as text, or why it cannot be read: larger than `maxBytes` (checked before any
 * decoding), not strict UTF-8, or declaring an encoding other than UTF-8/US-ASCII. Bytes are the
 * better input: a string was already decoded by someone who may have guessed.
 */
export function readReplyText(body: string | Uint8Array, maxBytes: number): ReplyText {
  const size = typeof body === 'string' ? utf8Size(body, maxBytes) : body.byteLength;
  if (size > maxBytes) {
    const actual = typeof body === 'string' ? 'more than' : `${size} bytes, more than`;
    return { ok: false, error: `The reply is ${actual} the limit of ${maxBytes} bytes (${Math.floor(maxBytes / 1024)} KiB); it was not read.` };
  }
  let text: string;
  if (typeof body === 'string') {
    text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  } else {
    if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) {
      return { ok: false, error: 'The reply is UTF-16 (it starts with a UTF-16 byte order mark); send UTF-8.', line: 1, column: 1 };
    }
    try {
      text = STRICT_UTF8.decode(body);
    } catch {
      return notUtf8(body);
    }
  }
  return checkDeclaration(text) ?? { ok: true, text };
}

function checkDeclaration(text: string): ReplyText | undefined {
  const declared = DECLARATION.exec(text.slice(0, 512));
  const encoding = declared?.[2];
  if (!declared || encoding === undefined) return undefined;
  const at = textPosition(text, declared[0].length - encoding.length - 1);
  if (!ACCEPTED_ENCODINGS.has(encoding.toLowerCase())) {
    return { ok: false, error: `The reply declares encoding="${encoding.slice(0, 40)}"; only UTF-8 (or plain US-ASCII) is accepted. Send UTF-8 and declare encoding="UTF-8".`, ...at };
  }
  const nonAscii = encoding.toLowerCase() === 'utf-8' ? -1 : text.search(/[^\x00-\x7f]/);
  if (nonAscii >= 0) {
    return { ok: false, error: `The reply declares encoding="${encoding}" but contains a non-ASCII character; declare encoding="UTF-8".`, ...textPosition(text, nonAscii) };
  }
  return undefined;
}

function notUtf8(bytes: Uint8Array): ReplyText {
  const declared = checkDeclaration(LOSSY_UTF8.decode(bytes));
  if (declared) return declared;
  const offset = invalidUtf8Offset(bytes);
  const before = LOSSY_UTF8.decode(bytes.subarray(0, offset));
  const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return {
    ok: false,
    error: `The reply is not valid UTF-8 (byte 0x${byte}); send UTF-8 and declare encoding="UTF-8".`,
    ...textPosition(before, before.length),
  };
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function invalidUtf8Offset(bytes: Uint8Array): number {
  const inRange = (at: number, lo: number, hi: number) => (bytes[at] ?? -1) >= lo && (bytes[at] ?? -1) <= hi;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let lo = 0x80;
    let hi = 0xbf;
    let tail: number;
    if (b < 0x80) tail = 0;
    else if (b >= 0xc2 && b <= 0xdf) tail = 1;
    else if (b >= 0xe0 && b <= 0xef) [tail, lo, hi] = [2, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf];
    else if (b >= 0xf0 && b <= 0xf4) [tail, lo, hi] = [3, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf];
    else return i;
    if (tail > 0 && !inRange(i + 1, lo, hi)) return i;
    for (let k = 2; k <= tail; k++) if (!inRange(i + k, 0x80, 0xbf)) return i;
    i += tail + 1;
  }
  return bytes.length;
}

/**
 * UTF-8 size of `text` as far as it matters: the result is over `limit` exactly when the size is
 * (lone surrogates count 3 bytes, as the U+FFFD they become).
 */
function utf8Size(text: string, limit: number): number {
  if (text.length > limit) return text.length;
  if (text.length * 3 <= limit) return text.length;
  let size = 0;
  for (let i = 0; i < text.length && size <= limit; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) size += 1;
    else if (unit < 0x800) size += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 4;
      i++;
    } else size += 3;
  }
  return size;
}
