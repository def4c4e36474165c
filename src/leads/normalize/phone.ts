/**
 * Phone rule: E.164 via libphonenumber's `min` metadata (a fraction of the full set's size, which
 * matters in a Worker bundle). A number written without a country code is read in the lead's own
 * country — a code or a country name as forms send it ("United Kingdom"), read by the country rule's
 * table — else in the source's default region.
 *
 * Before parsing: decimal digits of any script are read as ASCII digits and a full-width plus as
 * "+". A number that does not parse as written and starts with the international prefix `00` or
 * `011` is read again with "+" in its place, whatever the region. A field holding several numbers
 * ("+44 20 7946 0958 / +44 7700 900123") keeps the first valid one.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { LeadFlag } from '../lead';
import { countryCode } from './country';
import { changedFrom, cleanText, isPlaceholder } from './text';

export interface PhoneResult {
  phone?: string;
  original?: string;
  flag?: Extract<LeadFlag, 'invalid_phone'>;
}

/** The region a national number is read in: the lead's country, then the source's default. */
export function phoneRegion(
  country: string | undefined,
  defaultRegion: string | undefined,
): CountryCode | undefined {
  for (const candidate of [country, defaultRegion]) {
    const text = cleanText(candidate);
    const code = text === undefined ? undefined : countryCode(text);
    if (code && isSupportedCountry(code)) return code;
  }
  return undefined;
}

// The zero of every run of ten decimal digits (Unicode category Nd) other than ASCII: Arabic-Indic,
// Extended Arabic-Indic, Devanagari, Bengali, ..., Thai, ..., full-width (FF10), mathematical (1D7CE,
// five runs). A fixed list rather than \p{Nd}, so Node and workerd read the same digits whatever
// Unicode version each knows.
const DIGIT_ZEROS = [
  0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0,
  0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50,
  0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x10d40, 0x11066, 0x110f0,
  0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x116d0, 0x116da, 0x11730, 0x118e0, 0x11950,
  0x11bf0, 0x11c50, 0x11d50, 0x11da0, 0x11de0, 0x11f50, 0x16130, 0x16a60, 0x16ac0, 0x16b50, 0x16d70, 0x1ccf0,
  0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e4f0, 0x1e5f1, 0x1e950, 0x1fbf0,
];

let asciiOf: Map<string, string> | undefined;

/** Every non-ASCII decimal digit as its ASCII digit, and a full-width plus as "+". */
export function asciiDigits(text: string): string {
  if (!asciiOf) {
    asciiOf = new Map([['\uff0b', '+']]);
    for (const zero of DIGIT_ZEROS)
      for (let digit = 0; digit < 10; digit++) asciiOf.set(String.fromCodePoint(zero + digit), String(digit));
  }
  const table = asciiOf;
  return text.replace(/[\u0080-\u{10ffff}]/gu, (char) => table.get(char) ?? char);
}

// What separates two numbers typed into one field. "/" only between numbers: a field that parses
// whole ("030/1234567", a German area code) is never split.
const SEPARATOR = /[/;,|]|\bor\b/i;
// Numbers read from one field at most: the first valid one of these is kept.
const MAX_NUMBERS = 10;
// A phone field holding only "0" says "no phone", like the placeholders every field knows.
const PHONE_PLACEHOLDERS = ['0'];

export function normalizePhone(raw: string | undefined, region?: CountryCode): PhoneResult {
  const text = cleanText(raw);
  if (raw === undefined || text === undefined) return {};
  if (isPlaceholder(text, PHONE_PLACEHOLDERS)) return { original: raw };
  const e164 = firstValidNumber(asciiDigits(text), region);
  if (e164 === undefined) return { original: raw, flag: 'invalid_phone' };
  const original = changedFrom(raw, e164);
  return original === undefined ? { phone: e164 } : { phone: e164, original };
}

function firstValidNumber(text: string, region: CountryCode | undefined): string | undefined {
  const whole = readNumber(text, region);
  if (whole !== undefined) return whole;
  let read = 0;
  for (const part of text.split(SEPARATOR)) {
    if (!/\d/.test(part)) continue;
    if (++read > MAX_NUMBERS) return undefined;
    const e164 = readNumber(part, region);
    if (e164 !== undefined) return e164;
  }
  return undefined;
}

function readNumber(text: string, region: CountryCode | undefined): string | undefined {
  const asWritten = parseE164(text, region);
  if (asWritten !== undefined) return asWritten;
  const international = withPlusForPrefix(text);
  return international === undefined ? undefined : parseE164(international, region);
}

/**
 * "0044 20 …" and "011 44 20 …" with "+" for the prefix, or undefined when the number does not
 * start with one. Only tried once the number failed as written: there, libphonenumber already read
 * the region's own prefix, and a valid national number starting 011 (Leeds is 0113) stays national.
 */
function withPlusForPrefix(text: string): string | undefined {
  // Text before the first digit or plus ("Tel: ", "("), then the prefix, then the country code.
  const prefix = /^([^0-9+]*)(?:00|011)[ \-.()]*(?=[1-9])/.exec(text);
  return prefix ? `+${text.slice(prefix[0].length)}` : undefined;
}

function parseE164(text: string, region: CountryCode | undefined): string | undefined {
  try {
    const parsed = parsePhoneNumberFromString(text, region ? { defaultCountry: region } : undefined);
    // isValid, not isPossible: a number of the right length in an unallocated range would reach
    // the CRM as a phone no one can call.
    return parsed?.isValid() ? parsed.number : undefined;
  } catch {
    // The parser refuses some inputs (over 250 characters) by throwing; to a lead that is simply
    // an unparseable phone.
    return undefined;
  }
}
