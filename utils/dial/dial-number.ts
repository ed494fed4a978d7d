import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/core';
import type { Result } from '../result';
import { phoneMetadata } from '../templates/phone-metadata';

/** The admin's dialling rules (settings group `dialling`, plus the home country). */
export interface DialRules {
  /** ISO 3166 alpha-2: numbers without `+` are read as written in this country. */
  homeCountry: string;
  /** Digits the PBX wants before every outside number (e.g. `0`); empty for none. */
  outsidePrefix: string;
  /** Digits before a foreign number's country code; empty: the home country's own (`00`, `011` …). */
  intlPrefix: string;
  /** Numbers of up to this many digits (no `+`) are internal extensions and dialled as they are. */
  internalDigits: number;
  /** `pbx`: national/international digits with the prefixes above; `e164`: `+4930…` as is. */
  sendAs: 'pbx' | 'e164';
}

export interface DialNumber {
  /** What the PBX dials: digits only, or `+` and digits when sent as E.164. */
  dial: string;
  /** For people: `+49 30 1234567`, or the extension. */
  display: string;
  kind: 'internal' | 'outside';
  /** `+4930…`; empty for an internal number. */
  e164: string;
}

/** E.164 has at most 15 digits; room for spacing, punctuation and a `tel:` URI's parameters. */
const MAX_INPUT = 128;
/** What the PBX receives is always this: nothing else reaches `POST /channels` or a `dial` frame. */
export const DIAL_STRING = /^\+?[0-9]{1,20}$/;

// Invisible formatting that copy-and-paste brings along (bidi marks and embeddings, zero-width
// spaces, BOM): dropped, they cannot change digits. Control characters (C0, DEL, C1) are refused.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF\u061C]/g;
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// Separators people write inside numbers: spaces of every width, hyphens and dashes, dots, brackets.
const SEPARATORS = /[\s\u00A0\u2000-\u200A\u202F\u205F\u3000\-\u2010-\u2015\u2212.()[\]]/g;
/** Characters that could name a second destination, a dial option or a channel (`&` `@` `/` `,` `;`). */
const DESTINATION_CHARS = /[&@/,;|!#*^~`'"<>=?:\\]/;

/**
 * A phone number from a page, a selection, the dial box or a `tel:`/`callto:`/`sip:` link →
 * what the PBX dials. Refused, with the reason, when it is not a phone number: letters, `&`, `@`,
 * `/`, `,`, `;` (other than a `tel:` URI's parameters), `*`/`#`, control characters, nothing at
 * all, or digits that cannot be a number of the country they belong to. The result only ever
 * matches `DIAL_STRING`.
 *
 * Outer whitespace (a selected line's newline) is trimmed; control characters inside are refused.
 *
 * @example dialNumber('tel:+49-30-1234567', { homeCountry: 'DE', outsidePrefix: '0', intlPrefix: '', internalDigits: 4, sendAs: 'pbx' })
 *   // → { ok: true, value: { dial: '00301234567', display: '+49 30 1234567', kind: 'outside', e164: '+49301234567' } }
 */
export function dialNumber(input: string, rules: DialRules): Result<DialNumber> {
  const text = numberPart(input);
  if (!text.ok) return text;
  if (input.length > MAX_INPUT) return refuse(`it is longer than ${MAX_INPUT} characters`);
  const raw = text.value.replace(INVISIBLE, '').normalize('NFKC').trim();
  if (raw === '') return refuse('there is no number to dial');
  if (CONTROL.test(raw)) return refuse('it contains a control character');
  const special = raw.match(DESTINATION_CHARS);
  if (special) return refuse(`it contains "${special[0]}", which could add a destination or a dial option`);
  const letter = raw.match(/\p{L}/u);
  if (letter) return refuse(`it contains letters ("${letter[0]}"); only digits, + and spacing are dialled`);
  const compact = raw.replace(SEPARATORS, '');
  const other = compact.match(/[^0-9+]/u);
  if (other) return refuse(`it contains "${other[0]}", which is not part of a phone number`);
  if (compact.lastIndexOf('+') > 0) return refuse('a "+" may only come first');
  const digits = compact.replace('+', '');
  if (digits === '') return refuse('there is no number to dial');
  if (!compact.startsWith('+') && digits.length <= rules.internalDigits) {
    return { ok: true, value: { dial: digits, display: digits, kind: 'internal', e164: '' } };
  }
  const country = (isSupportedCountry(rules.homeCountry as CountryCode, phoneMetadata()) ? rules.homeCountry : undefined) as CountryCode | undefined;
  if (!country && !compact.startsWith('+')) return refuse(`no home country is set to read a number without "+" (set Numbers → home country)`);
  const parsed = parsePhoneNumberFromString(compact, { defaultCountry: country }, phoneMetadata());
  if (!parsed || !parsed.isPossible()) {
    return refuse(`${digits.length} digits are not a possible phone number${compact.startsWith('+') ? '' : ` in ${rules.homeCountry}`}`);
  }
  const e164 = parsed.number;
  const display = parsed.formatInternational();
  if (rules.sendAs === 'e164') return ok(e164, display, e164);
  // The home country's own calling code is dialled nationally (for NANP: the US and Canada alike).
  const national = country !== undefined && parsed.countryCallingCode === getCountryCallingCode(country, phoneMetadata());
  const dial = national
    ? rules.outsidePrefix + parsed.format('NATIONAL').replace(/\D/g, '')
    : rules.outsidePrefix + (rules.intlPrefix || iddOf(country, parsed)) + parsed.countryCallingCode + parsed.nationalNumber;
  return ok(dial, display, e164);
}

function ok(dial: string, display: string, e164: string): Result<DialNumber> {
  // The last guard: whatever the parsing above did, only digits (and a leading +) go to the PBX.
  if (!DIAL_STRING.test(dial)) return refuse('it does not make a dial string of digits');
  return { ok: true, value: { dial, display, kind: 'outside', e164 } };
}

function refuse(reason: string): Result<never> {
  return { ok: false, error: `not a phone number: ${reason}` };
}

/**
 * The number inside a `tel:`, `callto:` or `sip:`/`sips:` URI, or the text itself. A `tel:` URI's
 * parameters (`;ext=`, `;phone-context=`) are dropped (RFC 3966); a SIP URI's user part is the
 * number, its host is the caller's business and never ours (the PBX and context are the admin's).
 */
export function numberPart(input: string): Result<string> {
  const trimmed = input.trim();
  const scheme = /^(tel|callto|sips?):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (!scheme) return { ok: true, value: input };
  let rest = trimmed.slice(scheme.length + 1);
  if (scheme === 'callto') rest = rest.replace(/^\/\//, '');
  if (scheme === 'tel') rest = rest.split(';')[0] ?? '';
  if (scheme.startsWith('sip')) {
    const at = rest.indexOf('@');
    rest = (at >= 0 ? rest.slice(0, at) : rest).split(';')[0] ?? '';
  }
  try {
    return { ok: true, value: decodeURIComponent(rest) };
  } catch {
    return refuse('the link is not a valid URI (bad % escape)');
  }
}

/** The home country's international call prefix (`00` in most of the world, `011` in NANP). */
function iddOf(country: CountryCode | undefined, parsed: PhoneNumber): string {
  if (!country) return '00';
  // libphonenumber knows it as what it puts before this very number dialled from `country`
  // (both plans are loaded already: the home country's and the number's).
  const idd = parsed.format('IDD', { fromCountry: country })?.replace(/\D/g, '') ?? '';
  const tail = parsed.countryCallingCode + parsed.nationalNumber;
  return idd.endsWith(tail) && idd.length > tail.length ? idd.slice(0, idd.length - tail.length) : '00';
}
