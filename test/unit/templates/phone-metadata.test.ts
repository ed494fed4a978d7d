import { readFileSync } from 'node:fs';
import full from 'libphonenumber-js/metadata.min.json';
import { describe, expect, it, vi } from 'vitest';
import { callingCodesFile } from '../../../utils/templates/write-calling-codes';

// The unit setup loads every plan into the shared store; these tests need a store that starts empty.
async function freshStore() {
  vi.resetModules();
  const metadata = await import('../../../utils/templates/phone-metadata');
  const formats = await import('../../../utils/templates/phone-formats');
  return { ...metadata, ...formats };
}

describe('phone metadata per calling code', () => {
  it('matches the committed calling-code index (run `npx tsx utils/templates/write-calling-codes.ts`)', () => {
    expect(readFileSync(new URL('../../../utils/templates/calling-codes.ts', import.meta.url), 'utf8')).toBe(callingCodesFile());
  });

  it('splits the package metadata into one part per calling code, sharing countries and non-geographic plans', async () => {
    const { splitPhoneMetadata } = await freshStore();
    const parts = splitPhoneMetadata(full);
    expect(parts.size).toBe(Object.keys(full.country_calling_codes).length + Object.keys(full.nonGeographic).length);
    expect(Object.keys(parts.get('49')!.countries)).toEqual(['DE']);
    expect(Object.keys(parts.get('1')!.countries)).toContain('CA');
    expect(parts.get('800')!.nonGeographic).toEqual({ 800: full.nonGeographic['800'] });
    const countries = [...parts.values()].flatMap((p) => Object.keys(p.countries));
    expect(new Set(countries).size).toBe(Object.keys(full.countries).length);
  });

  it('names the calling code of a country and of an international number', async () => {
    const { callingCodeOfCountry, callingCodeOfNumber } = await freshStore();
    expect(callingCodeOfCountry('de')).toBe('49');
    expect(callingCodeOfCountry('CA')).toBe('1');
    expect(callingCodeOfCountry('XX')).toBeUndefined();
    expect(callingCodeOfNumber('+33 1 23 45 67 89')).toBe('33');
    expect(callingCodeOfNumber('00 1 (212) 555-0100')).toBe('1');
    expect(callingCodeOfNumber('+800 1234 5678')).toBe('800');
    expect(callingCodeOfNumber('030 123456')).toBeUndefined();
  });

  it('loads the home country and a foreign number on demand, once each, and formats them as with all metadata', async () => {
    const store = await freshStore();
    const parts = store.splitPhoneMetadata(full);
    const load = vi.fn(async (code: string) => parts.get(code)!);
    store.setPhoneMetadataLoader(load);
    // Nothing loaded yet: no formats (the engine always prepares first).
    expect(store.numberFormats('030 123456', 'DE').calleridnumber_e164).toBe('');
    await Promise.all([store.preparePhoneMetadata('030 123456', 'DE'), store.preparePhoneMetadata('0301234567', 'DE')]);
    expect(load.mock.calls).toEqual([['49']]);
    expect(store.numberFormats('030 123456', 'DE')).toMatchObject({ calleridnumber_e164: '+4930123456', calleridnumber_national: '030 123456' });
    await store.preparePhoneMetadata('0033 1 23 45 67 89', 'DE');
    expect(load.mock.calls).toEqual([['49'], ['33']]);
    expect(store.numberFormats('0033 1 23 45 67 89', 'DE')).toMatchObject({ calleridnumber_e164: '+33123456789', calleridnumber_international: '+33 1 23 45 67 89', calleridnumber_national: '+33 1 23 45 67 89' });
    await store.preparePhoneMetadata('4930123456', 'DE');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('leaves the formats empty when a part cannot be loaded, and tries again next time', async () => {
    const store = await freshStore();
    const parts = store.splitPhoneMetadata(full);
    let fail = true;
    store.setPhoneMetadataLoader(async (code) => {
      if (fail) throw new Error('no such file');
      return parts.get(code)!;
    });
    await expect(store.preparePhoneMetadata('', 'FR')).resolves.toBeUndefined();
    expect(store.numberFormats('01 23 45 67 89', 'FR').calleridnumber_e164).toBe('');
    fail = false;
    await store.preparePhoneMetadata('', 'FR');
    expect(store.numberFormats('01 23 45 67 89', 'FR').calleridnumber_e164).toBe('+33123456789');
  });
});
