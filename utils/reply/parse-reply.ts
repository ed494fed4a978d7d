/**
 * The CTI XML reply (CTI.md §3). Where CTI.md leaves a choice, this is what we decided:
 * - Input: at most 64 KiB (bytes, checked first). Bytes must be strict UTF-8 (a BOM is fine);
 *   `encoding=` may say UTF-8 or US-ASCII (then ASCII only); any other encoding, or UTF-16, is an
 *   error even when the content happens to be ASCII. Whitespace before the prolog is allowed.
 * - Errors (nothing applied, line/column where known): not well-formed, including an XML
 *   declaration that is not exactly XML 1.0's (escaped quotes, a no-break space); any `<!DOCTYPE`,
 *   `<!ENTITY` or other `<!` declaration outside comments and CDATA; an undefined entity such as
 *   `&nbsp;` or `&foo;`, a bare `&`, or a numeric reference to a character XML forbids (XML itself
 *   calls these not well-formed); a root other than `<ipbx>`, a second root, text outside it; more
 *   than 100 levels, 256 elements, 256 attributes or 8 KiB of attribute values.
 * - Issues (the rest applies): unknown tags and stray text (ignored); attributes (ignored);
 *   a repeated tag (the first wins, including a second `<set>` or `<route>` block); route fields
 *   both in `<route>` and under `<ipbx>` (`<route>` wins); raw control or bidi characters
 *   (removed); `record` `0` (read as `no`) or anything but yes/1/no/0/empty (dropped); `break`
 *   `true`/`false` (read as 1/0) or anything else (route dropped); a route type outside the
 *   lower-case keyword list, a missing type or name (route dropped; every problem of the block is
 *   listed); a value over its limit (dropped, never truncated). At most 50 issues are listed, then a count.
 * - An empty value leaves the variable unchanged for every field, not just `record`.
 *   `<break>1</break>` without type and name is honoured with `route: null`.
 */
import { XMLParser, XMLValidator, type ValidationError } from 'fast-xml-parser';
import { readReplyText } from './read-reply-text';
import { elementOf, NAME_PREFIX, readReplyTree } from './read-reply-tree';
import type { Reply, ReplyIssue } from './reply-schema';
import { MARKUP_LIMITS, scanMarkup, shown } from './scan-markup';
import { textPosition } from './text-position';

export type { Reply, ReplyIssue } from './reply-schema';

export type ReplyResult =
  | { ok: true; value: Reply; issues: ReplyIssue[] }
  | { ok: false; error: string; line?: number; column?: number; issues: ReplyIssue[] };

/** CTI.md §3: replies over 64 KiB are not read. */
export const MAX_REPLY_BYTES = 65_536;
const MAX_ISSUES = 50;
/**
 * scanMarkup has already checked every reference, more strictly than the validator, which tests
 * each character after `&` with a regex (2 ms for 15,000 `&lt;` in a 64 KiB reply). Handing it a
 * same-length stand-in that is neither a name character, whitespace nor markup keeps positions and
 * every other verdict unchanged; the stand-in is mapped back in its messages.
 */
const AMPERSAND_STAND_IN = '\u0001';

// TOOLCHAIN.md: values stay strings (`+49…`, `0049…`), entities are ours to decode, CDATA is kept
// apart from text so that its `&amp;` stays literal, attributes are read only to be reported.
// Names get a `~` prefix (never part of an XML name; see elementOf) because fast-xml-parser throws
// on `<constructor>` or `__proto__="…"`, which to us are just an unknown tag and an ignored attribute.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: NAME_PREFIX,
  transformTagName: (name) => NAME_PREFIX + name,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MARKUP_LIMITS.depth,
  // Callbacks get a matcher instead of a path string built for every tag: 15-20% faster.
  jPath: false,
});

/**
 * Parses a CTI XML reply (bytes preferred, so the encoding is checked strictly). Not well-formed or
 * unsafe → `ok: false` with line and column where known; well-formed → `ok: true` with what could
 * be used and an issue for everything dropped or adjusted. An empty body or `<ipbx/>` is a no-op.
 *
 * @example parseReply('<ipbx><set><accountcode>ACME-1</accountcode></set></ipbx>')
 *   // { ok: true, value: { set: { accountcode: 'ACME-1' }, route: null, break: false }, issues: [] }
 */
export function parseReply(body: string | Uint8Array, opts: { maxBytes?: number } = {}): ReplyResult {
  const read = readReplyText(body, opts.maxBytes ?? MAX_REPLY_BYTES);
  if (!read.ok) return { ...read, issues: [] };
  const text = read.text;
  const start = text.search(/[^ \t\r\n]/);
  if (start < 0) return { ok: true, value: { set: {}, route: null, break: false }, issues: [] };

  const scanned = scanMarkup(text, start);
  if (!scanned.ok) return failAt(scanned.error, text, scanned.offset);
  // The validator refuses whitespace before `<?xml`, which CTI.md allows: it sees the text after it.
  const xml = text.slice(start);
  const valid = XMLValidator.validate(xml.includes('&') ? xml.replaceAll('&', AMPERSAND_STAND_IN) : xml);
  if (valid !== true) return validatorFailure(valid, text, start);
  if (scanned.root !== 'ipbx') {
    return failAt(`The root element is <${shown(scanned.root)}>; a CTI reply's root must be <ipbx>.`, text, scanned.rootOffset);
  }

  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^\[\w+\]\s*/, '') : String(error);
    return { ok: false, error: `The reply could not be parsed: ${message}`, issues: [] };
  }
  const root = Array.isArray(tree) ? tree.map(elementOf).find((element) => element?.name === 'ipbx') : undefined;
  if (!root) return { ok: false, error: 'The reply has no <ipbx> element.', issues: [] };

  const issues: ReplyIssue[] = [];
  let unlisted = 0;
  const value = readReplyTree(root, (path, message) => {
    if (issues.length < MAX_ISSUES) issues.push({ path, message });
    else unlisted++;
  });
  if (unlisted) issues.push({ path: 'ipbx', message: `${unlisted} more issues are not listed.` });
  return { ok: true, value, issues };
}

function failAt(error: string, text: string, offset: number): ReplyResult {
  return { ok: false, error, ...textPosition(text, offset), issues: [] };
}

/** The validator counts from the text it saw; add back the leading whitespace we skipped. */
function validatorFailure({ err }: ValidationError, text: string, start: number): ReplyResult {
  const skipped = textPosition(text, start);
  const line = err.line + skipped.line - 1;
  // Some validator errors ("Start tag expected.") carry no column.
  const col = err.col ?? 1;
  const column = err.line === 1 ? col + skipped.column - 1 : col;
  const msg = err.msg.replaceAll(AMPERSAND_STAND_IN, '&');
  const message = msg.length > 200 ? `${msg.slice(0, 200)}…` : msg;
  return { ok: false, error: `The reply is not well-formed XML: ${message}`, line, column, issues: [] };
}
