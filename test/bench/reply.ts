import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReply } from '../../utils/reply/parse-reply';
import { sample, summarize, type BenchRow } from './measure';

const LIMIT = 65_536;
const encode = (text: string) => new TextEncoder().encode(text);
/** `head` + as many `unit`s as fit + `tail`, at most 64 KiB of UTF-8. */
const fill = (head: string, unit: string, tail: string) => {
  const room = LIMIT - encode(head + tail).length;
  return encode(head + unit.repeat(Math.floor(room / encode(unit).length)) + tail);
};
const elements = (count: number, body: (i: number) => string) => Array.from({ length: count }, (_, i) => body(i)).join('');

/**
 * Replies that must be refused, each built to make one stage do as much work as 64 KiB allows
 * before failing at the very end. The bench reports the slowest.
 */
const HOSTILE: Record<string, Uint8Array> = {
  'nesting 21,000 deep': fill('<ipbx>', '<a>', ''),
  '13,000 &amp; then &nbsp;': fill('<ipbx><set><calleridname>', '&amp;', '&nbsp;</calleridname></set></ipbx>'),
  '15,000 &lt; in 250 elements, bad name at the end': encode(`<ipbx>${elements(250, () => `<x>${'&lt;'.repeat(60)}</x>`)}<1x/></ipbx>`),
  '250 long attributes full of &amp; (over the 8 KiB attribute budget)': encode(`<ipbx ${elements(250, (i) => ` a${i}="${'&amp;'.repeat(50)}"`)} a0="dup"/>`),
  '255 elements with text, bad name at the end': encode(`<ipbx>${elements(254, () => `<x a="1">${'y'.repeat(240)}</x>`)}<1/></ipbx>`),
  '8 KiB of attribute values full of &amp;, duplicate at the end': encode(`<ipbx ${elements(32, (i) => ` a${i}="${'&amp;'.repeat(50)}"`)} a0="dup">${'<x>y</x>'.repeat(220)}${'z'.repeat(55_000)}</ipbx>`),
  '64 KiB of spaces inside a tag, bad attribute at the end': fill('<ipbx', ' ', 'a="1"b="2"/>'),
  'unclosed comment': fill('<ipbx><!--', '-', ''),
  'DOCTYPE after 64 KiB of whitespace': fill('', ' ', '<!DOCTYPE x [<!ENTITY a "b">]><ipbx/>'),
};

/** Valid replies as big as allowed: the whole pipeline runs, values are cleaned and checked. */
const BIG_VALID: Record<string, Uint8Array> = {
  'CTI example + 250 unknown elements with text': encode(`<ipbx><set><calleridname>ACME</calleridname></set>${elements(250, () => `<note>${'n'.repeat(240)}</note>`)}<route><type>extension</type><name>2000</name></route></ipbx>`),
  'one 64 KiB caller-ID name of combining marks (NFC, then dropped)': fill('<ipbx><set><calleridname>', 'e\u0301', '</calleridname></set></ipbx>'),
  'one 64 KiB caller-ID name of references (decoded, then dropped)': fill('<ipbx><set><calleridname>', '&#x1F4DE;', '</calleridname></set></ipbx>'),
};

const TYPICAL = readFileSync(join(import.meta.dirname, '../fixtures/replies/cti-example.xml'));

/** CTI.md §3 budget: a typical reply parses in < 50 µs, a 64 KiB hostile one is refused in < 5 ms. */
export async function run(): Promise<BenchRow[]> {
  const typicalBytes = new Uint8Array(TYPICAL);
  const typicalText = TYPICAL.toString('utf8');
  const rows: BenchRow[] = [
    { ...summarize('reply: CTI.md example, bytes', sample(() => parseReply(typicalBytes))), note: 'budget 50 µs' },
    summarize('reply: CTI.md example, string', sample(() => parseReply(typicalText)), 'µs', 'reply: CTI.md example, bytes'),
  ];
  rows.push(worst('reply: 64 KiB hostile, refused (slowest case)', HOSTILE, false, 'budget 5 ms'));
  rows.push(worst('reply: 64 KiB valid (slowest case)', BIG_VALID, true));
  return rows;
}

function worst(name: string, cases: Record<string, Uint8Array>, expectOk: boolean, budget?: string): BenchRow {
  const measured = Object.entries(cases).map(([label, bytes]) => {
    const result = parseReply(bytes);
    if (bytes.length > LIMIT || result.ok !== expectOk) throw new Error(`bench case "${label}" is not what it claims: ${JSON.stringify(result).slice(0, 200)}`);
    return { label, row: summarize(label, sample(() => parseReply(bytes), 200, 20)) };
  });
  measured.sort((a, b) => b.row.median - a.row.median);
  const slowest = measured[0];
  if (!slowest) throw new Error('no bench cases');
  const others = measured.map(({ label, row }) => `${label} ${Math.round(row.median)} µs`).join('; ');
  return { ...slowest.row, name, note: [budget, `slowest: ${slowest.label}`, `all medians: ${others}`].filter(Boolean).join('. ') };
}
