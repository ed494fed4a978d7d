import full from 'libphonenumber-js/metadata.min.json';
import { describe, expect, it, vi } from 'vitest';

// The unit setup loads every plan into the shared store; these tests need a store that starts empty.
async function freshStore() {
  vi.resetModules();
  const metadata = await import('../../../utils/templates/phone-metadata');
  const formats = await import('../../../utils/templates/phone-formats');
  return { ...metadata, ...formats };
}

describe('phone metadata per calling code', () => {
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

  it('indexes the calling codes of the package metadata, with its format version and the non-geographic codes', async () => {
    const { phoneMetadataIndex } = await freshStore();
    const index = phoneMetadataIndex(full);
    expect(index.version).toBe(full.version);
    expect(index.country_calling_codes['1']).toEqual(expect.arrayContaining(['US', 'CA']));
    expect(index.nonGeographic).toContain('800');
    expect(index.nonGeographic.some((code) => code in index.country_calling_codes)).toBe(false);
  });

  it('names the calling code of a country and of an international number once the index is there', async () => {
    const { callingCodeOfCountry, callingCodeOfNumber, addPhoneMetadataIndex, phoneMetadataIndex } = await freshStore();
    expect(callingCodeOfCountry('DE')).toBeUndefined();
    expect(callingCodeOfNumber('+33 1 23 45 67 89')).toBeUndefined();
    addPhoneMetadataIndex(phoneMetadataIndex(full));
    expect(callingCodeOfCountry('de')).toBe('49');
    expect(callingCodeOfCountry('CA')).toBe('1');
    expect(callingCodeOfCountry('XX')).toBeUndefined();
    expect(callingCodeOfNumber('+33 1 23 45 67 89')).toBe('33');
    expect(callingCodeOfNumber('00 1 (212) 555-0100')).toBe('1');
    expect(callingCodeOfNumber('+800 1234 5678')).toBe('800');
    expect(callingCodeOfNumber('030 123456')).toBeUndefined();
  });

  it('loads the index, the home country and a foreign number on demand, once each, and formats them as with all metadata', async () => {
    const store = await freshStore();
    const parts = store.splitPhoneMetadata(full);
    const index = vi.fn(async () => store.phoneMetadataIndex(full));
    const load = vi.fn(async (code: string) => parts.get(code)!);
    store.setPhoneMetadataLoader({ index, part: load });
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
    expect(index).toHaveBeenCalledTimes(1);
  });

  it('leaves the formats empty when a part cannot be loaded, and tries again next time', async () => {
    const store = await freshStore();
    const parts = store.splitPhoneMetadata(full);
    let fail = true;
    store.setPhoneMetadataLoader({
      index: async () => store.phoneMetadataIndex(full),
      part: async (code) => {
        if (fail) throw new Error('no such file');
        return parts.get(code)!;
      },
    });
    await expect(store.preparePhoneMetadata('', 'FR')).resolves.toBeUndefined();
    expect(store.numberFormats('01 23 45 67 89', 'FR').calleridnumber_e164).toBe('');
    fail = false;
    await store.preparePhoneMetadata('', 'FR');
    expect(store.numberFormats('01 23 45 67 89', 'FR').calleridnumber_e164).toBe('+33123456789');
  });

  it('leaves the formats empty when the index cannot be loaded, and tries it again next time', async () => {
    const store = await freshStore();
    const parts = store.splitPhoneMetadata(full);
    let fail = true;
    const part = vi.fn(async (code: string) => parts.get(code)!);
    store.setPhoneMetadataLoader({
      index: async () => {
        if (fail) throw new Error('no such file');
        return store.phoneMetadataIndex(full);
      },
      part,
    });
    await expect(store.preparePhoneMetadata('+33 1 23 45 67 89', 'DE')).resolves.toBeUndefined();
    expect(part).not.toHaveBeenCalled();
    expect(store.numberFormats('+33 1 23 45 67 89', 'DE').calleridnumber_e164).toBe('');
    fail = false;
    await store.preparePhoneMetadata('+33 1 23 45 67 89', 'DE');
    expect(part.mock.calls).toEqual([['49'], ['33']]);
    expect(store.numberFormats('+33 1 23 45 67 89', 'DE').calleridnumber_e164).toBe('+33123456789');
  });
});
