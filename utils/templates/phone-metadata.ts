import type { MetadataJson } from 'libphonenumber-js/core';

/**
 * libphonenumber-js's number plans, loaded per calling code instead of bundled whole (the whole
 * `min` metadata is 90 kB of background.js; one country's is 1–2 kB). The calling-code index
 * (which countries share each code, 3 kB) and each code's plans come from the loader — in the
 * extension packaged files `phone-metadata/index.json` and `phone-metadata/<code>.json` (written
 * by the build, see wxt.config.ts), in Node the package itself (all-phone-metadata.ts).
 * Formatting stays synchronous: callers first await `preparePhoneMetadata` for the home country
 * and the number, then format.
 */

/** Which countries share each calling code, without any country's number plan. */
export interface PhoneMetadataIndex {
  /** libphonenumber-js's metadata format version. */
  version: number;
  /** Calling code → the countries sharing it (`"1": ["US", "CA", …]`). */
  country_calling_codes: Record<string, string[]>;
  /** Calling codes of no country (+800 freephone, +882 networks, …). */
  nonGeographic: string[];
}
export interface PhoneMetadataPart {
  /** The plans of the countries sharing the code (libphonenumber-js `countries` entries). */
  countries: Record<string, unknown>;
  /** The plan of a non-geographic code (+800, +882, …). */
  nonGeographic?: Record<string, unknown>;
}

export interface PhoneMetadataLoader {
  index(): Promise<PhoneMetadataIndex>;
  part(callingCode: string): Promise<PhoneMetadataPart>;
}

const metadata = {
  version: 0,
  country_calling_codes: {} as Record<string, string[]>,
  countries: {} as Record<string, unknown>,
  nonGeographic: {} as Record<string, unknown>,
};
const loaded = new Set<string>();
const loading = new Map<string, Promise<void>>();
let loader: PhoneMetadataLoader | undefined;
let generation = 0;
let callingCodes = new Set<string>();
let codeOfCountry = new Map<string, string>();
/** The index's key among the loaded parts (no calling code is empty). */
const INDEX = '';

/** The metadata loaded so far, in the shape libphonenumber-js/core takes. */
export function phoneMetadata(): MetadataJson {
  return metadata as unknown as MetadataJson;
}

/** Bumped by every part added: formats computed before a part arrived are stale. */
export function phoneMetadataGeneration(): number {
  return generation;
}

export function addPhoneMetadata(callingCode: string, part: PhoneMetadataPart): void {
  Object.assign(metadata.countries, part.countries);
  Object.assign(metadata.nonGeographic, part.nonGeographic ?? {});
  loaded.add(callingCode);
  generation++;
}

export function addPhoneMetadataIndex(index: PhoneMetadataIndex): void {
  metadata.version = index.version;
  metadata.country_calling_codes = index.country_calling_codes;
  callingCodes = new Set([...Object.keys(index.country_calling_codes), ...index.nonGeographic]);
  codeOfCountry = new Map(Object.entries(index.country_calling_codes).flatMap(([code, countries]) => countries.map((c) => [c, code] as const)));
  loaded.add(INDEX);
  generation++;
}

/** Where the index and the parts come from (the background sets a packaged-file fetch). */
export function setPhoneMetadataLoader(load: PhoneMetadataLoader | undefined): void {
  loader = load;
}

/** `DE` → `49`; undefined for a country libphonenumber-js does not know (or before the index is loaded). */
export function callingCodeOfCountry(country: string): string | undefined {
  return codeOfCountry.get(country.toUpperCase());
}

/** The calling code an international number names (`+33 1…`, `0033 1…`); calling codes are prefix-free. */
export function callingCodeOfNumber(raw: string): string | undefined {
  const digits = /^\s*(?:\+|00)\s*([\d\s().-]{1,12})/.exec(raw)?.[1]?.replace(/\D/g, '') ?? '';
  for (let length = 1; length <= 3 && length <= digits.length; length++) {
    const code = digits.slice(0, length);
    if (callingCodes.has(code)) return code;
  }
  return undefined;
}

/**
 * Loads the parts a number needs — its home country's and, for an international number, its own
 * calling code's — unless already there, after the index that names them. Never rejects: an index
 * or part that cannot be loaded leaves the formats empty (as for an unknown number) and is tried
 * again next time.
 */
export async function preparePhoneMetadata(raw: string, homeCountry: string): Promise<void> {
  if (!loader) return;
  const from = loader;
  if (!loaded.has(INDEX)) await load(INDEX, () => from.index().then(addPhoneMetadataIndex));
  const codes = [callingCodeOfCountry(homeCountry), callingCodeOfNumber(raw)].filter((c): c is string => c !== undefined && !loaded.has(c));
  await Promise.all(codes.map((code) => load(code, () => from.part(code).then((part) => addPhoneMetadata(code, part)))));
}

/** Runs `add` once at a time per key; what it adds marks the key loaded. */
function load(key: string, add: () => Promise<void>): Promise<void> {
  let pending = loading.get(key);
  if (!pending) {
    pending = add()
      .catch(() => undefined)
      .finally(() => loading.delete(key));
    loading.set(key, pending);
  }
  return pending;
}

type FullMetadata = { version: number; country_calling_codes: Record<string, string[]>; countries: Record<string, unknown>; nonGeographic?: Record<string, unknown> };

/** The calling-code index of whole libphonenumber-js metadata (the build's `index.json`). */
export function phoneMetadataIndex(full: FullMetadata): PhoneMetadataIndex {
  return { version: full.version, country_calling_codes: full.country_calling_codes, nonGeographic: Object.keys(full.nonGeographic ?? {}) };
}

/** Splits whole libphonenumber-js metadata into one part per calling code (the build's files). */
export function splitPhoneMetadata(full: FullMetadata): Map<string, PhoneMetadataPart> {
  const parts = new Map<string, PhoneMetadataPart>();
  for (const [code, countries] of Object.entries(full.country_calling_codes)) {
    const part: PhoneMetadataPart = { countries: Object.fromEntries(countries.filter((c) => c in full.countries).map((c) => [c, full.countries[c]])) };
    parts.set(code, part);
  }
  for (const [code, plan] of Object.entries(full.nonGeographic ?? {})) {
    parts.set(code, { countries: {}, nonGeographic: { [code]: plan } });
  }
  return parts;
}
