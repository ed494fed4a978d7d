/**
 * XML references without a DTD (CTI.md §3): the five predefined entities and numeric character
 * references decode; every other name (`&nbsp;`, `&foo;`) makes the reply not well-formed, as XML
 * itself says. fast-xml-parser runs with `processEntities: false`, so this is the only decoder.
 */
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const NAMED = /&([A-Za-z_:][\w.:-]*);/y;
const NUMERIC = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/y;
const ANY_REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;

/** Characters XML 1.0 allows (production [2] `Char`). */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * Checks the reference starting at `text[at] === '&'`: returns its length, or a message saying what
 * is wrong and how to write it instead.
 */
export function checkReference(text: string, at: number): { length: number } | { error: string } {
  NUMERIC.lastIndex = at;
  const numeric = NUMERIC.exec(text);
  if (numeric) {
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2] ?? '', 10);
    if (isXmlChar(code)) return { length: numeric[0].length };
    return { error: `${numeric[0].slice(0, 24)} is not a character XML allows.` };
  }
  NAMED.lastIndex = at;
  const named = NAMED.exec(text);
  if (named && Object.hasOwn(PREDEFINED, named[1] ?? '')) return { length: named[0].length };
  if (named) {
    return {
      error: `Undefined entity ${named[0].slice(0, 40)}: only &amp; &lt; &gt; &quot; &apos; and numeric references ` +
        '(&#233; or &#xE9;) are allowed; send the character itself in UTF-8.',
    };
  }
  return { error: "A bare '&' must be written &amp;." };
}

/** Decodes references in text already checked with `checkReference` (CDATA is not passed here). */
export function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ANY_REFERENCE, (_, hex: string | undefined, decimal: string | undefined, name: string | undefined) =>
    name !== undefined ? (PREDEFINED[name] ?? '') : String.fromCodePoint(hex !== undefined ? parseInt(hex, 16) : Number(decimal)),
  );
}
