/**
 * Cleans a value that came from outside (a caller ID, a CTI reply) before it goes into a URL or
 * onto the screen (CTI.md §2, substitution rule 2): control characters (C0, DEL, C1) and bidi
 * override/isolate/embedding/mark characters are removed, lone surrogates become U+FFFD (they
 * cannot be UTF-8 encoded: `encodeURIComponent` throws on them), the text is NFC-normalised and
 * capped at `maxLength` code points, never splitting a surrogate pair.
 *
 * @example cleanValue('Zoe\u0308\u202E\r\n') === 'Zoë'
 */
export function cleanValue(value: string, maxLength = 256): string {
  const cleaned = value.replace(UNWANTED, '').replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
  return capCodePoints(cleaned, maxLength);
}

// C0 + DEL + C1, then LRM/RLM, ALM, LRE..RLO (embeddings and overrides), LRI..PDI (isolates).
const UNWANTED = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function capCodePoints(text: string, maxLength: number): string {
  // Fast path: a string of at most maxLength UTF-16 units has at most maxLength code points.
  if (text.length <= maxLength) return text;
  let units = 0;
  let count = 0;
  for (const codePoint of text) {
    if (count === maxLength) return text.slice(0, units);
    units += codePoint.length;
    count++;
  }
  return text;
}
