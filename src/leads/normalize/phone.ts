/**
 * Phone rule: E.164 via libphonenumber's `min` metadata (a fraction of the full set's size, which
 * matters in a Worker bundle). A number written without a country code is read in the lead's own
 * country when it sent a two-letter code, else in the source's default region.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { LeadFlag } from '../lead';
import { changedFrom, cleanText } from './text';

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
    const code = candidate?.trim().toUpperCase();
    if (code && /^[A-Z]{2}$/.test(code) && isSupportedCountry(code)) return code;
  }
  return undefined;
}

export function normalizePhone(raw: string | undefined, region?: CountryCode): PhoneResult {
  const text = cleanText(raw);
  if (raw === undefined || text === undefined) return {};
  const e164 = parseE164(text, region);
  if (e164 === undefined) return { original: raw, flag: 'invalid_phone' };
  const original = changedFrom(raw, e164);
  return original === undefined ? { phone: e164 } : { phone: e164, original };
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
