/**
 * Email rule: trim, lowercase, validate against the lead contract's own pattern. An address that
 * fails is never silently dropped: it leaves `email` but stays in `original.email`, flagged.
 */
import * as v from 'valibot';
import { EmailSchema, type LeadFlag } from '../lead';
import { changedFrom, cleanText } from './text';

export interface EmailResult {
  email?: string;
  original?: string;
  flag?: Extract<LeadFlag, 'invalid_email'>;
}

export function normalizeEmail(raw: string | undefined): EmailResult {
  // Lowercasing the local part is technically lossy (RFC 5321 lets it be case-sensitive), but no
  // mailbox provider in use treats it so, and one spelling per person is what dedupe needs.
  const candidate = cleanText(raw)
    ?.replace(/^mailto:/i, '')
    .toLowerCase();
  if (raw === undefined || candidate === undefined) return {};
  if (!v.is(EmailSchema, candidate)) return { original: raw, flag: 'invalid_email' };
  const original = changedFrom(raw, candidate);
  return original === undefined ? { email: candidate } : { email: candidate, original };
}
