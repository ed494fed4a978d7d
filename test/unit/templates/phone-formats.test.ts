import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { numberFormats, withNumberFormats } from '../../../utils/templates/phone-formats';

interface PhoneFixture {
  cases: { country: string; input: string; expect: [string, string, string, string] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/templates/phone-numbers.json', import.meta.url), 'utf8'),
) as PhoneFixture;

describe('numberFormats', () => {
  it.each(fixture.cases)('$country $input', ({ country, input, expect: [e164, national, international, digits] }) => {
    expect(numberFormats(input, country)).toEqual({
      calleridnumber_e164: e164,
      calleridnumber_national: national,
      calleridnumber_international: international,
      calleridnumber_digits: digits,
    });
  });

  it('gives nothing for 10 KB of digits (capped before parsing)', () => {
    expect(Object.values(numberFormats('4'.repeat(10_240), 'DE'))).toEqual(['', '', '', '']);
  });

  it('never throws and returns strings for any input and country', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.string({ maxLength: 3 }), (input, country) => {
        const formats = numberFormats(input, country);
        expect(Object.values(formats).every((v) => typeof v === 'string')).toBe(true);
        expect(formats.calleridnumber_e164).toMatch(/^(\+\d{2,15})?$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('withNumberFormats', () => {
  it('adds the variants and keeps the other variables', () => {
    expect(withNumberFormats({ calleridnumber: '030 123456', exten: '200' }, 'DE')).toEqual({
      calleridnumber: '030 123456',
      exten: '200',
      calleridnumber_e164: '+4930123456',
      calleridnumber_national: '030 123456',
      calleridnumber_international: '+49 30 123456',
      calleridnumber_digits: '030123456',
    });
  });

  it('gives empty variants when there is no caller number', () => {
    expect(withNumberFormats({ exten: '200' }, 'DE')).toMatchObject({ calleridnumber_e164: '', calleridnumber_digits: '' });
  });
});
