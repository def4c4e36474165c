/**
 * Deterministic normalisation of a mapped lead. Pure: no bindings, no clock, no network.
 * Bump NORMALIZER_VERSION whenever a rule changes what it outputs, so a CRM record can tell which
 * rules shaped it.
 */
import type { Lead, LeadInput } from './lead';

export const NORMALIZER_VERSION = '1';

export interface NormalizeOptions {
  source: string;
  /** ISO 3166-1 alpha-2 region for phones written without a country code. */
  defaultRegion?: string;
}

const clean = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

export function normalizeLead(input: LeadInput, options: NormalizeOptions): Lead {
  const flags: string[] = [];
  const rawEmail = clean(input.email);
  let email = rawEmail?.toLowerCase();
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    flags.push('invalid_email');
    email = undefined;
  }
  const lead: Lead = {
    normalizer_version: NORMALIZER_VERSION,
    source: options.source,
    utm: {},
    tags: [],
    consent: {},
    custom: input.custom ?? {},
    original: {},
    flags,
  };
  if (email) lead.email = email;
  if (rawEmail && rawEmail !== email) lead.original.email = rawEmail;
  for (const field of [
    'phone',
    'first_name',
    'last_name',
    'full_name',
    'company',
    'job_title',
    'country',
    'city',
    'form',
    'campaign',
  ] as const) {
    const value = clean(input[field]);
    if (value) lead[field] = value;
  }
  return lead;
}
