/**
 * Phone rule: E.164 via libphonenumber's `min` metadata (a fraction of the full set's size, which
 * matters in a Worker bundle). A number written without a country code is read in the lead's own
 * country — a two-letter code, or a country name as forms send it ("United Kingdom") — else in the
 * source's default region.
 */
import {
  type CountryCode,
  getCountries,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/min';
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
    const named = candidate ? regionNamed(candidate) : undefined;
    if (named) return named;
  }
  return undefined;
}

// Names people type that differ from the English names ICU gives.
const ALIASES: Record<string, CountryCode> = {
  usa: 'US',
  'united states of america': 'US',
  america: 'US',
  uk: 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  uae: 'AE',
  holland: 'NL',
  deutschland: 'DE',
  'south korea': 'KR',
  'czech republic': 'CZ',
  russia: 'RU',
};

const fold = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();

let byName: Map<string, CountryCode> | undefined;

/** English country name to region code, from ICU's own names (Intl.DisplayNames), built once per isolate. */
function regionNamed(name: string): CountryCode | undefined {
  if (!byName) {
    byName = new Map();
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const code of getCountries()) {
      const english = names.of(code);
      if (english) byName.set(fold(english), code);
    }
    for (const [alias, code] of Object.entries(ALIASES)) byName.set(fold(alias), code);
  }
  return byName.get(fold(name));
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
