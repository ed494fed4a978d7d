// `libphonenumber-js/core` with the `min` metadata, loaded per calling code (phone-metadata.ts):
// measured with esbuild --bundle --minify (lib 1.13.16) a parse-and-format entry point costs
// 121 kB with all of the min metadata bundled, 90 kB of it metadata. The `max` metadata only serves
// number *types* (mobile, fixed line) and stricter validity; we only format numbers and check
// their possible lengths.
import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/core';
import { phoneMetadata, phoneMetadataGeneration } from './phone-metadata';
import { cleanValue } from './clean-value';
import type { Variables } from './variables';

export interface NumberFormats {
  /** `+4930123456` */
  calleridnumber_e164: string;
  /** As written inside the home country: `030 123456`; a foreign number in international format. */
  calleridnumber_national: string;
  /** `+49 30 123456` */
  calleridnumber_international: string;
  /** The digits of the number as received, nothing else: `0049 30 123456` → `004930123456`. */
  calleridnumber_digits: string;
}

/** Longer input is junk, not a phone number (E.164 has at most 15 digits; room for spacing and an extension). */
const MAX_INPUT = 64;

/**
 * Derives the number-format variants of a caller ID for a home country (ISO 3166 alpha-2).
 * Control and bidi characters are removed first. Anything that is not a possible phone number
 * ("100", "anonymous", "", 10 KB of junk) gives empty e164/national/international; the digits are
 * kept unless the input is over-long junk. Never throws. Uses the number plans loaded so far: await
 * `preparePhoneMetadata(raw, homeCountry)` first where they are loaded on demand.
 *
 * @example numberFormats('030 123456', 'DE').calleridnumber_e164 === '+4930123456'
 */
export function numberFormats(raw: string, homeCountry: string): NumberFormats {
  const empty = { calleridnumber_e164: '', calleridnumber_national: '', calleridnumber_international: '' };
  if (raw.length > MAX_INPUT) return { ...empty, calleridnumber_digits: '' };
  const number = cleanValue(raw);
  const digits = number.replace(/\D/g, '');
  const home = homeCountry.toUpperCase();
  const metadata = phoneMetadata();
  const country = isSupportedCountry(home as CountryCode, metadata) ? (home as CountryCode) : undefined;
  const parsed = parse(number, country);
  if (!parsed) return { ...empty, calleridnumber_digits: digits };
  const isHome = country !== undefined && parsed.countryCallingCode === getCountryCallingCode(country, metadata);
  const international = parsed.formatInternational();
  return {
    calleridnumber_e164: parsed.number,
    calleridnumber_national: isHome ? parsed.formatNational() : international,
    calleridnumber_international: international,
    calleridnumber_digits: digits,
  };
}

/** `vars` plus the number-format variants of `vars.calleridnumber` (CTI.md §2). */
export function withNumberFormats(vars: Variables, homeCountry: string): Variables {
  return { ...vars, ...cachedFormats(vars.calleridnumber ?? '', homeCountry) };
}

/** One call expands several templates with the same number; parsing is the costly part, so keep the last few. */
const recent = new Map<string, NumberFormats>();
const RECENT_MAX = 64;

function cachedFormats(raw: string, homeCountry: string): NumberFormats {
  const key = `${phoneMetadataGeneration()}\u0000${homeCountry}\u0000${raw}`;
  let formats = recent.get(key);
  if (!formats) {
    formats = numberFormats(raw, homeCountry);
    if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value as string);
    recent.set(key, formats);
  }
  return formats;
}

function parse(number: string, country: CountryCode | undefined): PhoneNumber | undefined {
  const first = tryParse(number, country);
  if (first) return first;
  // PBXs present international calls as 00… even where the dialling prefix is another (011 in the US).
  const idd = /^\s*00(?=\d)/.exec(number);
  return idd ? tryParse(`+${number.slice(idd[0].length)}`, undefined) : undefined;
}

function tryParse(number: string, country: CountryCode | undefined): PhoneNumber | undefined {
  try {
    const parsed = parsePhoneNumberFromString(number, { defaultCountry: country }, phoneMetadata());
    return parsed?.isPossible() ? parsed : undefined;
  } catch {
    return undefined; // defensive: whatever a caller ID holds must never break a call
  }
}
