import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanValue } from '../../../utils/templates/clean-value';
import { expandTemplate } from '../../../utils/templates/expand-template';

/** Any UTF-16 code unit, so lone surrogates, controls and bidi characters all turn up. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const hostilePiece = fc.constantFrom(
  '.', '..', '%2e', '%2E', '/', '\\', '?', '#', '&', '=', '+', ' ', '%', '%%', '%%calleridname%%', '%41',
  '\r\n', '\u0000', '\u202E', '\u2066', 'e\u0301', '\u{1F600}', '\uD800', '\uDC00', ':', '@', '[', ']',
);
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: codeUnit, maxLength: 300 }),
  fc.array(hostilePiece, { maxLength: 8 }).map((pieces) => pieces.join('')),
);

// Every variable here stands alone as a query value, inside (not as) a path segment, or as the
// fragment, so no value can be refused and each one can be read back exactly.
const TEMPLATE =
  'https://crm.example:8443/api/v1/c-%%calleridnumber%%/x%%exten%%y/show' +
  '?name=%%calleridname%%&num=%%calleridnumber%%&acc=%%accountcode%%&fixed=1&did=%%did%%#%%uniqueid%%';
const NAMES = ['calleridnumber', 'calleridname', 'exten', 'accountcode', 'did', 'uniqueid'] as const;

describe('expandTemplate properties', () => {
  it('for any values: parses, same origin, same path segment count and query names, values read back cleaned', () => {
    fc.assert(
      fc.property(fc.record(Object.fromEntries(NAMES.map((n) => [n, value])) as Record<(typeof NAMES)[number], fc.Arbitrary<string>>), (vars) => {
        const result = expandTemplate(TEMPLATE, vars);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const url = new URL(result.url);
        expect(url.origin).toBe('https://crm.example:8443');
        const segments = url.pathname.split('/');
        expect(segments).toHaveLength(6);
        expect([...url.searchParams.keys()]).toEqual(['name', 'num', 'acc', 'fixed', 'did']);
        expect(url.searchParams.get('name')).toBe(cleanValue(vars.calleridname));
        expect(url.searchParams.get('num')).toBe(cleanValue(vars.calleridnumber));
        expect(url.searchParams.get('acc')).toBe(cleanValue(vars.accountcode));
        expect(url.searchParams.get('fixed')).toBe('1');
        expect(url.searchParams.get('did')).toBe(cleanValue(vars.did));
        expect(decodeURIComponent(segments[3] ?? '')).toBe(`c-${cleanValue(vars.calleridnumber)}`);
        expect(decodeURIComponent(segments[4] ?? '')).toBe(`x${cleanValue(vars.exten)}y`);
        expect(decodeURIComponent(url.hash.slice(1))).toBe(cleanValue(vars.uniqueid));
      }),
      { numRuns: 500 },
    );
  });

  it('a variable that fills a whole path segment is either kept as one segment or refused for a dot or empty value', () => {
    fc.assert(
      fc.property(value, (exten) => {
        const result = expandTemplate('https://crm.example/a/%%exten%%/b?q=1', { exten });
        const cleaned = cleanValue(exten);
        if (cleaned === '' || cleaned === '.' || cleaned === '..') {
          expect(result.ok).toBe(false);
          return;
        }
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const url = new URL(result.url);
        expect(url.origin).toBe('https://crm.example');
        const segments = url.pathname.split('/');
        expect(segments).toHaveLength(4);
        expect(segments[1]).toBe('a');
        expect(decodeURIComponent(segments[2] ?? '')).toBe(cleaned);
        expect(segments[3]).toBe('b');
      }),
      { numRuns: 500 },
    );
  });

  it('never requests another origin, whatever the values, for templates that fit the rules', () => {
    const templates = [
      'http://127.0.0.1:8080/%%calleridnumber%%',
      'https://crm.example/%%exten%%%%did%%',
      'https://crm.example/.%%exten%%',
      'https://crm.example/?next=/%%exten%%/../%%did%%',
      'https://crm.example/x#%%exten%%/../%%did%%',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...templates), value, value, (template, exten, did) => {
        const result = expandTemplate(template, { calleridnumber: exten, exten, did });
        if (!result.ok) {
          expect(result.reason).toMatch(/path segment/);
          return;
        }
        const url = new URL(result.url);
        expect(url.origin).toBe(new URL(template.replace(/%%[a-z_]+%%/g, 'x')).origin);
        expect(url.pathname.split('/').length).toBe(new URL(template.replace(/%%[a-z_]+%%/g, 'x')).pathname.split('/').length);
      }),
      { numRuns: 500 },
    );
  });
});
