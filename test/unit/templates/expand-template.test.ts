import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cleanValue } from '../../../utils/templates/clean-value';
import { encodeValue, expandTemplate, scanTemplate } from '../../../utils/templates/expand-template';
import { CDR_VARIABLES } from '../../../utils/templates/variables';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../fixtures/templates/${name}`, import.meta.url), 'utf8')) as T;

interface HostileFixture {
  template: string;
  cases: { name: string; value: string; q: string; decoded: string }[];
}
interface ExpansionFixture {
  cases: {
    name: string;
    template: string;
    variables: Record<string, string>;
    known?: 'call' | 'cdr';
    url?: string;
    refused?: string;
    warnings?: number;
  }[];
}

const hostile = fixture<HostileFixture>('hostile-caller-ids.json');
const expansions = fixture<ExpansionFixture>('expansions.json');

describe('expandTemplate with hostile caller IDs', () => {
  it.each(hostile.cases)('$name', ({ value, q, decoded }) => {
    const result = expandTemplate(hostile.template, { calleridnumber: value });
    expect(result).toEqual({ ok: true, url: `https://crm.example/search?q=${q}&src=cti`, warnings: [] });
    if (!result.ok) return;
    const params = new URL(result.url).searchParams;
    expect([...params.keys()]).toEqual(['q', 'src']);
    expect(params.get('q')).toBe(decoded);
    expect(params.get('q')).toBe(cleanValue(value));
  });

  it('caps a 10 KB caller ID at 256 code points', () => {
    const result = expandTemplate(hostile.template, { calleridnumber: 'A'.repeat(10_240) });
    expect(result.ok && new URL(result.url).searchParams.get('q')).toBe('A'.repeat(256));
  });

  it('caps 10 KB of emoji without splitting a surrogate pair', () => {
    const result = expandTemplate(hostile.template, { calleridnumber: '\u{1F600}'.repeat(5_000) });
    expect(result.ok && new URL(result.url).searchParams.get('q')).toBe('\u{1F600}'.repeat(256));
  });
});

describe('expandTemplate fixture cases', () => {
  it.each(expansions.cases)('$name', ({ template, variables, known, url, refused, warnings }) => {
    const result = expandTemplate(template, variables, known === 'cdr' ? { known: CDR_VARIABLES } : {});
    if (url !== undefined) {
      expect(result).toMatchObject({ ok: true, url });
      expect(result.warnings).toHaveLength(warnings ?? 0);
    } else {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toContain(refused);
    }
  });
});

describe('expandTemplate details', () => {
  it('names the unknown token in its warning', () => {
    const result = expandTemplate('https://crm.example/?a=%%nosuchvar%%', {});
    expect(result.warnings).toEqual(['Unknown variable %%nosuchvar%% was left as written.']);
  });

  it('keeps warnings when it refuses', () => {
    const result = expandTemplate('https://%%exten%%/?a=%%nosuchvar%%', { exten: 'x' });
    expect(result).toMatchObject({ ok: false, warnings: ['Unknown variable %%nosuchvar%% was left as written.'] });
  });

  it('defaults to the call catalogue', () => {
    expect(expandTemplate('https://crm.example/?d=%%direction%%', { direction: 'inbound' })).toMatchObject({
      ok: true,
      url: 'https://crm.example/?d=inbound',
    });
  });

  it('keeps a literal % before a token and still encodes the value', () => {
    const result = expandTemplate('https://crm.example/?a=5%%%exten%%', { exten: '&' });
    expect(result).toMatchObject({ ok: true, url: 'https://crm.example/?a=5%%26' });
  });
});

describe('encodeValue', () => {
  it('leaves only unreserved characters literal', () => {
    const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    expect(encodeValue(ascii).replace(/%[0-9A-F]{2}/g, '')).toBe(
      '-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~',
    );
  });
});

describe('scanTemplate', () => {
  it('places each token', () => {
    const template = 'https://u:%%a%%@%%b%%:%%c%%/p/%%d%%?%%e%%=1&f=%%g%%#%%h%%';
    expect(scanTemplate(template).tokens.map((t) => [t.name, t.place])).toEqual([
      ['a', 'userinfo'],
      ['b', 'host'],
      ['c', 'port'],
      ['d', 'path'],
      ['e', 'query-name'],
      ['g', 'query-value'],
      ['h', 'fragment'],
    ]);
  });

  it('finds IPv6 hosts without a port', () => {
    expect(scanTemplate('http://[::1]/%%a%%').tokens[0]).toMatchObject({ place: 'path', segment: 1 });
    expect(scanTemplate('http://[::1]:%%a%%/').tokens[0]?.place).toBe('port');
  });

  it('keeps an & in the path out of the query', () => {
    expect(scanTemplate('https://h/a&b?x=%%a%%').tokens[0]?.place).toBe('query-value');
  });
});
