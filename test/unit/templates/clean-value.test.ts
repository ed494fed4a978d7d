import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanValue } from '../../../utils/templates/clean-value';

describe('cleanValue', () => {
  it.each([
    ['C0 controls', 'a\u0000b\u0009c\u000Ad\u001Fe', 'abcde'],
    ['DEL and C1', 'a\u007Fb\u0080c\u009Fd', 'abcd'],
    ['bidi embeddings and overrides', '\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee', 'abcde'],
    ['bidi isolates', '\u2066a\u2067b\u2068c\u2069', 'abc'],
    ['bidi marks', '\u200Ea\u200Fb\u061Cc', 'abc'],
    ['NFD to NFC', 'Zoe\u0308', 'Zo\u00EB'],
    ['lone high surrogate', 'a\uD800b', 'a\uFFFDb'],
    ['lone low surrogate', '\uDFFFa', '\uFFFDa'],
    ['a pair is kept', '\uD83D\uDE00', '\uD83D\uDE00'],
    ['a pair split by a bidi character is joined, not broken', '\uD83D\u202E\uDE00', '\uD83D\uDE00'],
    ['ordinary text untouched', 'ACME Inc. & Co, #1 (Zürich)', 'ACME Inc. & Co, #1 (Zürich)'],
    ['zero-width joiner kept (emoji sequences need it)', '\u{1F469}\u200D\u{1F4BB}', '\u{1F469}\u200D\u{1F4BB}'],
  ])('%s', (_, input, output) => {
    expect(cleanValue(input)).toBe(output);
  });

  it('caps at 256 code points by default', () => {
    expect(cleanValue('x'.repeat(10_240))).toBe('x'.repeat(256));
  });

  it('caps by code points, never inside a surrogate pair', () => {
    expect(cleanValue('a\u{1F600}\u{1F600}', 2)).toBe('a\u{1F600}');
    expect(cleanValue('\u{1F600}'.repeat(3), 2)).toBe('\u{1F600}\u{1F600}');
    expect(cleanValue('abc', 0)).toBe('');
  });

  it('always returns well-formed, clean, capped text', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
    fc.assert(
      fc.property(fc.string({ unit: codeUnit, maxLength: 400 }), fc.integer({ min: 0, max: 300 }), (input, max) => {
        const out = cleanValue(input, max);
        expect([...out].length).toBeLessThanOrEqual(max);
        expect(() => encodeURIComponent(out)).not.toThrow();
        expect(out).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/);
        expect(cleanValue(out, max)).toBe(out);
      }),
      { numRuns: 500 },
    );
  });
});
