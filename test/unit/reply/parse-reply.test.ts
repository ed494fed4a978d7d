import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REPLY_BYTES, parseReply, type ReplyResult } from '../../../utils/reply/parse-reply';
import { replySchema } from '../../../utils/reply/reply-schema';

const ok = (result: ReplyResult) => {
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result;
};
const failed = (result: ReplyResult) => {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result;
};
const wrap = (inner: string) => `<ipbx><set>${inner}</set></ipbx>`;

describe('parseReply', () => {
  it('reads a string the same as its UTF-8 bytes', () => {
    const xml = wrap('<calleridname>Müller &amp; Søn 📞</calleridname>');
    expect(parseReply(xml)).toEqual(parseReply(new TextEncoder().encode(xml)));
    expect(ok(parseReply(xml)).value.set.calleridname).toBe('Müller & Søn 📞');
  });

  it('checks the size in bytes before parsing, with maxBytes adjustable', () => {
    const xml = wrap(`<calleridname>${'é'.repeat(40)}</calleridname>`); // 80 bytes of é
    const bytes = new TextEncoder().encode(xml).length;
    expect(parseReply(xml, { maxBytes: bytes }).ok).toBe(true);
    expect(failed(parseReply(xml, { maxBytes: bytes - 1 })).error).toMatch(/limit of \d+ bytes/);
    // A string longer than the limit is refused without being measured or scanned.
    expect(failed(parseReply(' '.repeat(MAX_REPLY_BYTES + 1))).error).toMatch(/more than the limit of 65536 bytes/);
    // Three-byte characters: 21,846 of them are 65,538 bytes although only 21,846 UTF-16 units.
    expect(parseReply(`<ipbx><!--${'€'.repeat(21_846)}--></ipbx>`).ok).toBe(false);
  });

  it('keeps phone numbers and codes as written: plus sign, leading zeros, exponents', () => {
    const set = ok(parseReply(wrap('<calleridnumber>+4930123</calleridnumber><accountcode>0049</accountcode><acc_code2>1e3</acc_code2><acc_code3>0x1F</acc_code3>'))).value.set;
    expect(set).toEqual({ calleridnumber: '+4930123', accountcode: '0049', acc_code2: '1e3', acc_code3: '0x1F' });
  });

  it('decodes the five entities and numeric references, not HTML names; CDATA stays literal', () => {
    expect(ok(parseReply(wrap('<calleridname>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;</calleridname>'))).value.set.calleridname).toBe(`<>&"'AB`);
    expect(ok(parseReply(wrap('<calleridname><![CDATA[&lt;x&gt;]]></calleridname>'))).value.set.calleridname).toBe('&lt;x&gt;');
    for (const name of ['&nbsp;', '&eacute;', '&copy;', '&constructor;', '&#xD800;', '&#x110000;', '&#1;', '& x', '&#;']) {
      expect(parseReply(wrap(`<calleridname>a${name}b</calleridname>`)).ok, name).toBe(false);
    }
  });

  it('refuses DOCTYPE and ENTITY declarations before anything else, with their position', () => {
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE ipbx [<!ENTITY a "${'x'.repeat(1000)}">]>\n<ipbx>&a;</ipbx>`;
    expect(failed(parseReply(bomb))).toMatchObject({ error: expect.stringMatching(/DOCTYPE is not allowed/), line: 2, column: 1 });
    expect(parseReply('<ipbx><!ELEMENT x ANY></ipbx>').ok).toBe(false);
  });

  it('reports malformed XML with the line and column of the fault, counting skipped leading whitespace', () => {
    expect(failed(parseReply('\n\n   <ipbx>\n <set foo></set></ipbx>'))).toMatchObject({ line: 4, column: 7 });
    expect(failed(parseReply('  <ipbx><set></ipbx>'))).toMatchObject({ line: 1, column: 14 });
    expect(failed(parseReply('<ipbx>< set/></ipbx>'))).toMatchObject({ line: 1, column: 8 });
  });

  it("quotes the reply's own text in validator messages", () => {
    expect(failed(parseReply('<ipbx>&amp;<a&b/></ipbx>'))).toMatchObject({ error: expect.stringContaining("Tag 'a&b' is an invalid name"), line: 1, column: 16 });
  });

  it('returns a fresh no-op for every empty body', () => {
    const first = ok(parseReply(''));
    (first.value.set as Record<string, string>).calleridname = 'mutated';
    expect(ok(parseReply('  ')).value).toEqual({ set: {}, route: null, break: false });
  });

  it('allows 100 levels of nesting and refuses 101', () => {
    const nested = (depth: number) => `<ipbx>${'<a>'.repeat(depth - 1)}${'</a>'.repeat(depth - 1)}</ipbx>`;
    expect(parseReply(nested(100)).ok).toBe(true);
    expect(failed(parseReply(nested(101))).error).toMatch(/nested more than 100 deep/);
  });

  it('refuses more elements or attributes than any real reply has', () => {
    expect(failed(parseReply(`<ipbx>${'<x/>'.repeat(256)}</ipbx>`)).error).toMatch(/More than 256 elements/);
    expect(parseReply(`<ipbx>${'<x/>'.repeat(255)}</ipbx>`).ok).toBe(true);
    expect(failed(parseReply(`<ipbx ${Array.from({ length: 257 }, (_, i) => `a${i}=""`).join(' ')}/>`)).error).toMatch(/More than 256 attributes/);
    expect(failed(parseReply(`<ipbx><a x="${'v'.repeat(8000)}"/><b y="${'v'.repeat(193)}"/></ipbx>`))).toMatchObject({ error: expect.stringMatching(/more than 8192 characters/), column: 8016 });
    expect(parseReply(`<ipbx><a x="${'v'.repeat(8000)}"/><b y="${'v'.repeat(192)}"/></ipbx>`).ok).toBe(true);
  });

  it('lists at most 50 issues and says how many more there were', () => {
    const issues = ok(parseReply(`<ipbx>${'<x/>'.repeat(80)}</ipbx>`)).issues;
    expect(issues).toHaveLength(51);
    expect(issues[50]?.message).toBe('30 more issues are not listed.');
  });

  it('drops a value over its limit rather than truncating it, counting characters not UTF-16 units', () => {
    const result = ok(parseReply(wrap(`<accountcode>${'A'.repeat(20)}</accountcode><calleridname>${'😀'.repeat(80)}</calleridname>`)));
    expect(result.value.set).toEqual({ calleridname: '😀'.repeat(80) });
    expect(result.issues).toEqual([{ path: 'ipbx/set/accountcode', message: expect.stringMatching(/20 characters; the limit is 19/) }]);
  });

  it('trims, removes control and bidi characters and NFC-normalises values', () => {
    const result = ok(parseReply(wrap('<calleridname>\n   \u202eA\u0000B\u0085C\u2069 e\u0301  </calleridname>')));
    expect(result.value.set.calleridname).toBe('ABC é');
    expect(result.issues).toHaveLength(1);
    // Pretty-printed XML around a value is not a problem worth an issue.
    expect(ok(parseReply(wrap('<calleridname>\n    ACME\n  </calleridname>'))).issues).toEqual([]);
  });

  it('keeps the first of repeated tags', () => {
    const result = ok(parseReply('<ipbx><type>queue</type><name>a</name><name>b</name></ipbx>'));
    expect(result.value.route).toEqual({ type: 'queue', name: 'a' });
    expect(result.issues.map((i) => i.path)).toEqual(['ipbx/name']);
  });

  it('accepts every route type keyword and nothing else', () => {
    for (const type of ['extension', 'function', 'ivr', 'group', 'queue', 'conf', 'channel', 'directory', 'starcode', 'voicemail']) {
      expect(ok(parseReply(`<ipbx><route><type>${type}</type><name>x</name></route></ipbx>`)).value.route).toEqual({ type, name: 'x' });
    }
    expect(ok(parseReply('<ipbx><route><type>trunk</type><name>x</name></route></ipbx>')).value.route).toBeNull();
  });

  it('reads break as 0/1, missing or empty as 0; a bad break drops the route', () => {
    const breakOf = (xml: string) => ok(parseReply(`<ipbx><route><type>ivr</type><name>m</name>${xml}</route></ipbx>`)).value;
    expect(breakOf('')).toMatchObject({ break: false, route: { type: 'ivr' } });
    expect(breakOf('<break/>')).toMatchObject({ break: false });
    expect(breakOf('<break> 1 </break>')).toMatchObject({ break: true });
    expect(breakOf('<break>false</break>')).toMatchObject({ break: false, route: { type: 'ivr' } });
    expect(breakOf('<break>2</break>')).toEqual({ set: {}, route: null, break: false });
  });

  it('treats tag names that are JavaScript object keys as ordinary unknown tags', () => {
    const result = ok(parseReply('<ipbx><__proto__/><constructor/><hasOwnProperty/><set><toString>x</toString></set></ipbx>'));
    expect(result.issues.map((i) => i.path)).toEqual(['ipbx/__proto__', 'ipbx/constructor', 'ipbx/hasOwnProperty', 'ipbx/set/toString']);
    expect(Object.getPrototypeOf(result.value.set)).toBe(Object.prototype);
  });

  it('never throws and always returns a reply zod accepts, with clean values within their limits', () => {
    const piece = fc.oneof(
      fc.constantFrom('<ipbx>', '</ipbx>', '<set>', '</set>', '<route>', '</route>', '<type>', '</type>', '<name>', '</name>',
        '<break>', '</break>', '<record>', '</record>', '<calleridname>', '</calleridname>', '<accountcode>', '</accountcode>',
        '<![CDATA[', ']]>', '<!--', '-->', '&amp;', '&#x202E;', '&nbsp;', '<?xml version="1.0"?>', '<!DOCTYPE x>', '/>', '"', '=',
        'extension', 'queue', '1', '0', 'yes', '\u202e', '\u0000', ' ', '\n'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), (pieces, asBytes) => {
        const xml = pieces.join('');
        const result = parseReply(asBytes ? new TextEncoder().encode(xml) : xml);
        if (!result.ok) {
          expect(result.error).not.toBe('');
          return;
        }
        expect(replySchema.safeParse(result.value).success).toBe(true);
        for (const value of Object.values(result.value.set)) {
          expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
          expect(value).toBe(value.trim());
        }
        for (const issue of result.issues) expect(issue.path).toMatch(/^ipbx(\/|$)/);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on random bytes, and reports invalid UTF-8 as such', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = parseReply(bytes);
        let utf8 = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          utf8 = false;
        }
        if (!utf8) expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/UTF-8|UTF-16|encoding/) });
      }),
      { numRuns: 1000 },
    );
  });
});
