import type { MetadataJson } from 'libphonenumber-js/core';
import { COUNTRY_CALLING_CODES, NON_GEOGRAPHIC_CODES, PHONE_METADATA_VERSION } from './calling-codes';

/**
 * libphonenumber-js's number plans, loaded per calling code instead of bundled whole (the whole
 * `min` metadata is 90 kB of background.js; one country's is 1–2 kB). The calling-code index is
 * bundled (calling-codes.ts, 3 kB); each code's plans come from a part — in the extension a
 * packaged file `phone-metadata/<code>.json` (written by the build, see wxt.config.ts), in Node
 * the package itself (all-phone-metadata.ts). Formatting stays synchronous: callers first await
 * `preparePhoneMetadata` for the home country and the number, then format.
 */
export interface PhoneMetadataPart {
  /** The plans of the countries sharing the code (libphonenumber-js `countries` entries). */
  countries: Record<string, unknown>;
  /** The plan of a non-geographic code (+800, +882, …). */
  nonGeographic?: Record<string, unknown>;
}

export type PhoneMetadataLoader = (callingCode: string) => Promise<PhoneMetadataPart>;

const metadata = {
  version: PHONE_METADATA_VERSION,
  country_calling_codes: COUNTRY_CALLING_CODES,
  countries: {} as Record<string, unknown>,
  nonGeographic: {} as Record<string, unknown>,
};
const loaded = new Set<string>();
const loading = new Map<string, Promise<void>>();
let loader: PhoneMetadataLoader | undefined;
let generation = 0;

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

/** Where parts come from (the background sets a packaged-file fetch). */
export function setPhoneMetadataLoader(load: PhoneMetadataLoader | undefined): void {
  loader = load;
}

const CALLING_CODES = new Set([...Object.keys(COUNTRY_CALLING_CODES), ...NON_GEOGRAPHIC_CODES]);
const COUNTRY_CODE = new Map(Object.entries(COUNTRY_CALLING_CODES).flatMap(([code, countries]) => countries.map((c) => [c, code] as const)));

/** `DE` → `49`; undefined for a country libphonenumber-js does not know. */
export function callingCodeOfCountry(country: string): string | undefined {
  return COUNTRY_CODE.get(country.toUpperCase());
}

/** The calling code an international number names (`+33 1…`, `0033 1…`); calling codes are prefix-free. */
export function callingCodeOfNumber(raw: string): string | undefined {
  const digits = /^\s*(?:\+|00)\s*([\d\s().-]{1,12})/.exec(raw)?.[1]?.replace(/\D/g, '') ?? '';
  for (let length = 1; length <= 3 && length <= digits.length; length++) {
    const code = digits.slice(0, length);
    if (CALLING_CODES.has(code)) return code;
  }
  return undefined;
}

/**
 * Loads the parts a number needs — its home country's and, for an international number, its own
 * calling code's — unless already there. Never rejects: a part that cannot be loaded leaves the
 * formats empty (as for an unknown number) and is tried again next time.
 */
export async function preparePhoneMetadata(raw: string, homeCountry: string): Promise<void> {
  const codes = [callingCodeOfCountry(homeCountry), callingCodeOfNumber(raw)].filter((c): c is string => c !== undefined && !loaded.has(c));
  if (!codes.length || !loader) return;
  await Promise.all(codes.map((code) => load(code, loader!)));
}

function load(code: string, from: PhoneMetadataLoader): Promise<void> {
  let pending = loading.get(code);
  if (!pending) {
    pending = from(code)
      .then((part) => addPhoneMetadata(code, part))
      .catch(() => undefined)
      .finally(() => loading.delete(code));
    loading.set(code, pending);
  }
  return pending;
}

/** Splits whole libphonenumber-js metadata into one part per calling code (the build's files). */
export function splitPhoneMetadata(full: { country_calling_codes: Record<string, string[]>; countries: Record<string, unknown>; nonGeographic?: Record<string, unknown> }): Map<string, PhoneMetadataPart> {
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
