/**
 * XML references without a DTD (CTI.md §3): the five predefined entities and numeric character
 * references decode; every other name (`&nbsp;`, `&foo;`) makes the reply not well-formed, as XML
 * itself says. fast-xml-parser runs with `processEntities: false`, so this is the only decoder.
 */
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const PREDEFINED_REFERENCES = Object.keys(PREDEFINED).map((name) => `${name};`);
const ANY_REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;

/** Characters XML 1.0 allows (production [2] `Char`). */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function digitValue(code: number, hex: boolean): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (!hex) return -1;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Length of the allowed reference starting at `text[at] === '&'`, or -1. Hand-rolled rather than a
 * regex: a hostile 64 KiB reply can hold 13,000 references and this runs for each.
 */
export function referenceLength(text: string, at: number): number {
  if (text.charCodeAt(at + 1) !== 0x23 /* # */) {
    for (const reference of PREDEFINED_REFERENCES) if (text.startsWith(reference, at + 1)) return reference.length + 1;
    return -1;
  }
  const hex = text.charCodeAt(at + 2) === 0x78 /* x */;
  let i = hex ? at + 3 : at + 2;
  const first = i;
  let code = 0;
  for (let digit = digitValue(text.charCodeAt(i), hex); digit >= 0; digit = digitValue(text.charCodeAt(++i), hex)) {
    code = Math.min(code * (hex ? 16 : 10) + digit, 0x110000);
  }
  return i > first && text.charCodeAt(i) === 0x3b /* ; */ && isXmlChar(code) ? i - at + 1 : -1;
}

/** What is wrong with the reference at `at` (one `referenceLength` refused), and what to write instead. */
export function referenceError(text: string, at: number): string {
  const numeric = /^&#(?:x[0-9A-Fa-f]+|[0-9]+);/.exec(text.slice(at, at + 24));
  if (numeric) return `${numeric[0]} is not a character XML allows.`;
  const named = /^&[A-Za-z_:][\w.:-]*;/.exec(text.slice(at, at + 42));
  if (named) {
    return `Undefined entity ${named[0]}: only &amp; &lt; &gt; &quot; &apos; and numeric references ` +
      '(&#233; or &#xE9;) are allowed; send the character itself in UTF-8.';
  }
  return "A bare '&' must be written &amp;.";
}

/** Decodes references in text already checked with `referenceLength` (CDATA is not passed here). */
export function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ANY_REFERENCE, (_, hex: string | undefined, decimal: string | undefined, name: string | undefined) =>
    name !== undefined ? (PREDEFINED[name] ?? '') : String.fromCodePoint(hex !== undefined ? parseInt(hex, 16) : Number(decimal)),
  );
}
