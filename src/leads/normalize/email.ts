/**
 * Email rule: trim, lowercase, repair what forms commonly get wrong, validate against the lead
 * contract's own pattern. An address that fails is never silently dropped: it leaves `email` but
 * stays in `original.email`, flagged.
 *
 * Repairs, each kept only when the result is a valid address:
 * - `Jane Doe <jane@acme.com>`: the address in angle brackets;
 * - `mailto:` in front of an address;
 * - a space next to `@` or `.` (`jane @ acme.com`, `jane@ acme .com`); a space between two other
 *   characters is not removed (`jane doe@acme.com` might be `janedoe@` or `doe@`): invalid;
 * - dots after the address (`jane@acme.com.`);
 * - several addresses in one field (separated by `,` `;` `|`, or spaces between whole addresses):
 *   the first valid one of the first ten;
 * - an internationalised domain as punycode (`bücher.de` → `xn--bcher-kva.de`).
 */
import * as v from 'valibot';
import { EMAIL_MAX_LENGTH, EmailSchema, type LeadFlag } from '../lead';
import { changedFrom, cleanText, isPlaceholder, trimEndOf } from './text';

export interface EmailResult {
  email?: string;
  original?: string;
  flag?: Extract<LeadFlag, 'invalid_email'>;
}

// Candidate addresses read from one field at most.
const MAX_ADDRESSES = 10;

export function normalizeEmail(raw: string | undefined): EmailResult {
  const text = cleanText(raw);
  if (raw === undefined || text === undefined) return {};
  if (isPlaceholder(text)) return { original: raw };
  const email = firstValidAddress(text);
  if (email === undefined) return { original: raw, flag: 'invalid_email' };
  const original = changedFrom(raw, email);
  return original === undefined ? { email } : { email, original };
}

function firstValidAddress(text: string): string | undefined {
  let read = 0;
  for (const candidate of candidates(text)) {
    if (++read > MAX_ADDRESSES) return undefined;
    const address = finished(candidate);
    if (address !== undefined && v.is(EmailSchema, address)) return address;
  }
  return undefined;
}

/**
 * The addresses a field may hold, in order: the whole field when it has one "@" (a valid address
 * may hold "|": `a|b@example.com` is one address, not two parts), then the bracketed ones if any,
 * else each part between separators.
 */
function* candidates(text: string): Generator<string> {
  // Lowercasing the local part is technically lossy (RFC 5321 lets it be case-sensitive), but no
  // mailbox provider in use treats it so, and one spelling per person is what dedupe needs.
  const lower = text.toLowerCase();
  if (lower.split('@').length === 2) yield* addressesIn(lower);
  let bracketed = false;
  for (const match of lower.matchAll(/<([^<>]*)>/g)) {
    bracketed = true;
    yield* addressesIn(match[1] ?? '');
  }
  if (bracketed) return;
  for (const part of lower.split(/[,;|]/)) yield* addressesIn(part);
}

function* addressesIn(part: string): Generator<string> {
  const text = part.trim().replace(/^mailto: ?/, '');
  const ats = text.split('@').length - 1;
  if (ats === 1) {
    // One address: a space beside "@" or "." is a typo; any other space leaves it invalid.
    yield text.replace(/ ?([@.]) ?/g, '$1');
  } else if (ats > 1) {
    // Several addresses separated by spaces ("a@x.com or b@y.com"): each word holding one "@".
    for (const word of text.split(' ')) if (word.split('@').length === 2) yield word;
  }
}

/** The candidate without `mailto:` and trailing dots, its domain as punycode; undefined if hopeless. */
function finished(candidate: string): string | undefined {
  const address = trimEndOf(candidate.replace(/^mailto:/, ''), '.');
  // No valid address is longer; and punycode never shortens a domain.
  if (address.length > EMAIL_MAX_LENGTH) return undefined;
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  // An internationalised local part (`josé@example.com`, RFC 6531) stays refused: no CRM in use
  // accepts one, and it cannot be converted the way a domain can. EMAIL_PATTERN rejects it.
  if (at < 0 || /^[\x20-\x7e]*$/.test(domain)) return address;
  const ascii = punycodeDomain(domain);
  return ascii === undefined ? undefined : `${local}@${ascii}`;
}

// Letters, marks and digits of any script, hyphens, and the dots IDNA reads as a label separator
// (full stop, ideographic, full-width and half-width ideographic full stops).
const IDN_DOMAIN = /^[\p{L}\p{M}\p{N}\-.\u3002\uff0e\uff61]+$/u;
const IDN_DOT = /[.\u3002\uff0e\uff61]/u;

/**
 * An internationalised domain in its ASCII (punycode) form, via the URL parser's IDNA (UTS #46)
 * processing, which Node and workerd both implement, with the same results (checked on IDNs in
 * Latin, Greek, Cyrillic, Arabic, CJK, with ß and İ): `bücher.de` → `xn--bcher-kva.de`. Only a
 * domain made of host name characters is given to the parser, so nothing in it can read as a
 * port, path or credentials.
 */
function punycodeDomain(domain: string): string | undefined {
  if (!IDN_DOMAIN.test(domain)) return undefined;
  // The URL parser does not check hyphens (UTS #46 CheckHyphens=false): "ü-" would pass as "xn----dha".
  const labels = domain.split(IDN_DOT);
  if (labels.some((label) => label === '' || label.startsWith('-') || label.endsWith('-'))) return undefined;
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return undefined;
  }
}
