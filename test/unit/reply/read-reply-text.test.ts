import { describe, expect, it } from 'vitest';
import { readReplyText } from '../../../utils/reply/read-reply-text';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...new TextEncoder().encode(part)] : part)));

describe('readReplyText', () => {
  it('drops a UTF-8 BOM from bytes and from a string', () => {
    expect(readReplyText(bytes([0xef, 0xbb, 0xbf], '<ipbx/>'), 100)).toEqual({ ok: true, text: '<ipbx/>' });
    expect(readReplyText('\ufeff<ipbx/>', 100)).toEqual({ ok: true, text: '<ipbx/>' });
  });

  it.each([
    ['lone continuation byte', [0x80]],
    ['overlong slash', [0xc0, 0xaf]],
    ['overlong three-byte', [0xe0, 0x80, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
    ['0xFF', [0xff]],
  ])('refuses %s and says where', (_, bad) => {
    const result = readReplyText(bytes('<ipbx>\n  <set>ok é ', bad, '</set></ipbx>'), 1000);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/not valid UTF-8 \(byte 0x[0-9A-F]{2}\)/), line: 2, column: 13 });
  });

  it('accepts UTF-8 and US-ASCII declarations, refuses others even when the bytes would pass', () => {
    expect(readReplyText(`<?xml version="1.0" encoding='utf-8'?><ipbx/>`, 100).ok).toBe(true);
    expect(readReplyText(`<?xml version="1.0" encoding="ASCII"?><ipbx/>`, 100).ok).toBe(true);
    expect(readReplyText(`<?xml version="1.0" encoding="windows-1252"?><ipbx/>`, 100)).toMatchObject({ ok: false, error: expect.stringContaining('windows-1252'), line: 1, column: 31 });
  });

  it('names the declared encoding rather than the first bad byte when a Latin-1 reply is not UTF-8', () => {
    const result = readReplyText(bytes('<?xml version="1.0" encoding="latin1"?><ipbx>', [0xe9], '</ipbx>'), 1000);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('encoding="latin1"') });
  });

  it('measures the size of a string in UTF-8 bytes', () => {
    expect(readReplyText('ééé', 6).ok).toBe(true);
    expect(readReplyText('ééé', 5).ok).toBe(false);
    expect(readReplyText('😀', 4).ok).toBe(true);
    expect(readReplyText('😀', 3).ok).toBe(false);
  });
});
