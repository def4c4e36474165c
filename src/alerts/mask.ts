/**
 * The lead as an alert shows it: enough for an on-call person to recognise a lead ("the one from
 * acme.com, ending 789"), never enough to contact the person. Alerts land in Slack channels and
 * inboxes that outlive any retention policy of the gateway, so what they carry is masked here,
 * before it leaves. Both functions are total: anything they cannot read becomes `***`, never the
 * input itself.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** What a value that cannot be masked safely becomes: nothing of the input. */
export const MASKED = '***';

// A DNS name (RFC 1035 caps it at 253 characters) of letter or digit labels joined by dots, IDN
// letters allowed. Anything else after the `@` (spaces, brackets, a second address) is not a
// domain we can show as is, so the whole value is masked instead.
const DOMAIN =
  /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u;

/**
 * `jane.doe@acme.com` → `j***@acme.com`: the local part's first character, `***`, the domain kept.
 * Masking a masked address gives it back unchanged, so a caller may mask twice without harm.
 */
export function maskEmail(email: string): string {
  if (typeof email !== 'string') return MASKED;
  const text = email.trim();
  const at = text.lastIndexOf('@');
  if (at <= 0) return MASKED;
  const domain = text.slice(at + 1);
  if (domain.length > 253 || !DOMAIN.test(domain)) return MASKED;
  // The first code point, not the first UTF-16 unit: half a surrogate pair would render as garbage.
  const first = String.fromCodePoint(text.codePointAt(0)!);
  if (/[\s@]/u.test(first)) return MASKED;
  return `${first}${MASKED}@${domain}`;
}

/**
 * `+447400123456` → `+44 ******* 456`: the country calling code, one star per hidden digit, the
 * last three digits. A national number too short to hide more digits than it shows keeps only its
 * stars (`+683 ****`), so the mask never gives away most of a number.
 */
export function maskPhone(e164: string): string {
  if (typeof e164 !== 'string') return MASKED;
  const text = e164.trim();
  let callingCode: string;
  try {
    const parsed = parsePhoneNumberFromString(text);
    if (!parsed) return MASKED;
    callingCode = String(parsed.countryCallingCode);
  } catch {
    // The library answers undefined for what it cannot read; this guards a future version that throws.
    return MASKED;
  }
  // The digits as written, not the library's national number: it may add some (San Marino's 0549),
  // and the mask must show no more digits than the input has. An extension (`;ext=12`) is left out.
  const digits = (/^\+[\d\s().-]+/.exec(text)?.[0] ?? '').replace(/\D/g, '');
  const national = digits.slice(callingCode.length);
  if (!/^\d{1,3}$/.test(callingCode) || !digits.startsWith(callingCode) || !/^\d{2,17}$/.test(national))
    return MASKED;
  const shown = national.length >= 6 ? 3 : 0;
  const stars = '*'.repeat(national.length - shown);
  return shown ? `+${callingCode} ${stars} ${national.slice(-shown)}` : `+${callingCode} ${stars}`;
}

const MASKED_PHONE = /^\+\d{1,3} \*{2,17}(?: \d{3})?$/;

/**
 * True for what `maskPhone` returns. The formatter checks a sample's phone with it and masks again
 * whatever does not look masked: one caller passing a raw number must not put it in a channel.
 */
export function isMaskedPhone(value: string): boolean {
  return value === MASKED || MASKED_PHONE.test(value);
}
