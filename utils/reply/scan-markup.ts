import { textPosition } from './text-position';
import { referenceError, referenceLength } from './xml-entities';
import { declarationError, isXmlDeclaration } from './xml-declaration';

/** Limits that keep a hostile 64 KiB reply cheap to reject; a real reply has about a dozen elements. */
export const MARKUP_LIMITS = { depth: 100, elements: 256, attributes: 256, attributeChars: 8192 } as const;

export type ScanResult = { ok: true; root: string; rootOffset: number } | { ok: false; error: string; offset: number };

/**
 * One linear pass over the reply before fast-xml-parser sees it, for what its validator lets
 * through, reports badly or makes slow (TOOLCHAIN.md): DOCTYPE/ENTITY and other declarations,
 * undefined entities, a second root or text outside the root, a late `<?xml`, nesting past 100,
 * element and attribute counts, unmatched or unclosed tags (with both positions), unterminated
 * comments, CDATA and attribute values. Name and attribute syntax are left to the validator.
 * Offsets are indexes into `text`; scanning starts at `start`, which is the first non-space.
 */
export function scanMarkup(text: string, start: number): ScanResult {
  const open: { name: string; offset: number }[] = [];
  let root = '';
  let rootOffset = -1;
  let elements = 0;
  let attributes = 0;
  let attributeChars = 0;
  let i = start;
  const find = { amp: forwardFinder(text, '&'), lt: forwardFinder(text, '<') };
  for (;;) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? text.length : lt;
    const textError = open.length === 0 ? outsideRoot(text, i, end) : references(text, i, end, find.amp);
    if (textError) return textError;
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      i = skipPast(text, '-->', lt + 4);
      if (i < 0) return fail('A comment is never closed (missing -->).', lt);
    } else if (text.startsWith('<![CDATA[', lt)) {
      if (open.length === 0) return fail('CDATA is not allowed outside the root element <ipbx>.', lt);
      i = skipPast(text, ']]>', lt + 9);
      if (i < 0) return fail('A CDATA section is never closed (missing ]]>).', lt);
    } else if (text.startsWith('<!', lt)) {
      return fail(`${declarationName(text, lt)} is not allowed in a CTI reply (no DTD, no entities): remove it.`, lt);
    } else if (text.startsWith('<?', lt)) {
      if (isXmlDeclaration(text, lt)) {
        if (lt !== start) return fail('The XML declaration <?xml …?> may only come first in the reply.', lt);
        const bad = declarationError(text, lt);
        if (bad) return fail(bad.error, bad.offset);
      }
      i = skipPast(text, '?>', lt + 2);
      if (i < 0) return fail('A processing instruction is never closed (missing ?>).', lt);
    } else if (text[lt + 1] === '/') {
      i = skipPast(text, '>', lt + 2);
      if (i < 0) return fail('A closing tag is never finished (missing >).', lt);
      const name = text.slice(lt + 2, i - 1).trimEnd();
      const opened = open.pop();
      if (!opened) return fail(`</${shown(name)}> closes nothing: it has no matching start tag.`, lt);
      if (opened.name !== name) {
        const at = textPosition(text, opened.offset);
        return fail(`</${shown(name)}> does not match <${shown(opened.name)}> (line ${at.line}, column ${at.column}): close <${shown(opened.name)}> first.`, lt);
      }
    } else {
      const tag = scanStartTag(text, lt, find);
      if ('error' in tag) return fail(tag.error, tag.offset);
      if (open.length === 0 && rootOffset >= 0) return fail(`A second root element <${shown(tag.name)}>: a reply has exactly one root, <ipbx>.`, lt);
      if (rootOffset < 0) [root, rootOffset] = [tag.name, lt];
      if (++elements > MARKUP_LIMITS.elements) return fail(`More than ${MARKUP_LIMITS.elements} elements: a CTI reply needs only <ipbx>, <set>, <route> and their fields.`, lt);
      attributes += tag.attributes;
      attributeChars += tag.attributeChars;
      if (attributes > MARKUP_LIMITS.attributes) return fail(`More than ${MARKUP_LIMITS.attributes} attributes: a CTI reply uses none.`, lt);
      // The validator reads attributes a character at a time: 64 KiB of them cost it milliseconds.
      if (attributeChars > MARKUP_LIMITS.attributeChars) return fail(`Attribute values add up to more than ${MARKUP_LIMITS.attributeChars} characters: a CTI reply uses none.`, lt);
      if (!tag.selfClosing) open.push({ name: tag.name, offset: lt });
      if (open.length > MARKUP_LIMITS.depth) return fail(`Elements are nested more than ${MARKUP_LIMITS.depth} deep.`, lt);
      i = tag.end + 1;
    }
  }
  const unclosed = open[open.length - 1];
  if (unclosed) return fail(`<${shown(unclosed.name)}> is never closed.`, unclosed.offset);
  return { ok: true, root, rootOffset };
}

function fail(error: string, offset: number): ScanResult {
  return { ok: false, error, offset };
}

/** A tag name as quoted in a message: hostile names can be 64 KiB long. */
export function shown(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}

function skipPast(text: string, marker: string, from: number): number {
  const at = text.indexOf(marker, from);
  return at < 0 ? -1 : at + marker.length;
}

function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x9 || code === 0xa || code === 0xd;
}

function outsideRoot(text: string, from: number, to: number): ScanResult | undefined {
  for (let i = from; i < to; i++) {
    if (!isXmlSpace(text.charCodeAt(i))) return fail('Text outside the root element <ipbx>: everything must be inside <ipbx>…</ipbx>.', i);
  }
  return undefined;
}

/**
 * Next index of `char` at or after `from`, for callers whose `from` only grows: the search resumes
 * where it stopped instead of rescanning to a far-away match each time (which was quadratic).
 */
function forwardFinder(text: string, char: string): (from: number) => number {
  let next = -2;
  return (from) => {
    if (next !== -1 && next < from) next = text.indexOf(char, from);
    return next;
  };
}

function references(text: string, from: number, to: number, nextAmp: (from: number) => number): ScanResult | undefined {
  for (let amp = nextAmp(from); amp >= 0 && amp < to; amp = nextAmp(amp + 1)) {
    if (referenceLength(text, amp) < 0) return fail(referenceError(text, amp), amp);
  }
  return undefined;
}

function declarationName(text: string, lt: number): string {
  const name = /^<![A-Za-z]*/.exec(text.slice(lt, lt + 12))?.[0] ?? '<!';
  return name.length > 2 ? name : 'A <! declaration';
}

type StartTag = { name: string; end: number; selfClosing: boolean; attributes: number; attributeChars: number } | { error: string; offset: number };

/** Reads `<name attr="v" …>` from `lt`, skipping quoted values (which may hold `>`). */
function scanStartTag(text: string, lt: number, find: Record<'amp' | 'lt', (from: number) => number>): StartTag {
  let i = lt + 1;
  while (i < text.length && !isXmlSpace(text.charCodeAt(i)) && text[i] !== '>' && text[i] !== '/') i++;
  const name = text.slice(lt + 1, i);
  let attributes = 0;
  let attributeChars = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '>') return { name, end: i, selfClosing: text[i - 1] === '/', attributes, attributeChars };
    if (c === '<') return { error: `The tag <${shown(name)}> is never finished (missing >).`, offset: lt };
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return { error: `An attribute value in <${shown(name)}> is never closed (missing ${c}).`, offset: i };
      const lessThan = find.lt(i + 1);
      if (lessThan >= 0 && lessThan < close) return { error: "'<' is not allowed in an attribute value: write &lt;.", offset: lessThan };
      const bad = references(text, i + 1, close, find.amp);
      if (bad && !bad.ok) return { error: bad.error, offset: bad.offset };
      attributes++;
      attributeChars += close - i - 1;
      i = close;
    }
  }
  return { error: `The tag <${shown(name)}> is never finished (missing >).`, offset: lt };
}
