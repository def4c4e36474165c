/**
 * Deterministic normalisation of a mapped lead: the rules in ./normalize/ composed in one place.
 * Pure: no bindings, no clock, no network, so the same input gives the same lead in the Worker,
 * the CLI and the benchmarks, and normalising a normalised lead changes nothing.
 *
 * Version policy: any change to what normalizeLead outputs for some input (a rule added, a rule's
 * behaviour changed, a field added to the contract) bumps NORMALIZER_VERSION, so a CRM record can
 * tell which rules shaped it. Refactors that change no output keep the version.
 */
import { LEAD_FLAGS, type Lead, type LeadFlag, type LeadInput, type Original } from './lead';
import { campaignTags } from './normalize/campaign';
import { normalizeCompany } from './normalize/company';
import { normalizeCountry } from './normalize/country';
import { normalizeEmail } from './normalize/email';
import { normalizeNames } from './normalize/name';
import { normalizePhone, phoneRegion } from './normalize/phone';
import { cleanField, definedOnly } from './normalize/text';

/** `yyyy-mm-dd.n`: the day the rules last changed their output, then a counter for that day. */
export const NORMALIZER_VERSION = '2026-12-03.3';

export interface NormalizeOptions {
  /** The source's name, e.g. `typeform`; becomes `lead.source` and the `source:` tag. */
  source: string;
  /** ISO 3166-1 alpha-2 region for phones written without a country code. */
  defaultRegion?: string;
}

export function normalizeLead(input: LeadInput, options: NormalizeOptions): Lead {
  const country = normalizeCountry(input.country);
  const email = normalizeEmail(input.email);
  const phone = normalizePhone(input.phone, phoneRegion(country, options.defaultRegion));
  const names = normalizeNames(input);
  const company = normalizeCompany(input);
  // Placeholders ("N/A", "none", "-", "test") are no value here as in every rule; these fields
  // keep no `original`.
  const attribution = {
    form: cleanField(input.form),
    campaign: cleanField(input.campaign),
    utm_source: cleanField(input.utm_source),
    utm_medium: cleanField(input.utm_medium),
    utm_campaign: cleanField(input.utm_campaign),
    utm_term: cleanField(input.utm_term),
    utm_content: cleanField(input.utm_content),
  };

  const fresh: Original = {
    ...definedOnly({ email: email.original, phone: phone.original }),
    ...names.original,
    ...company.original,
  };
  const flags = new Set<LeadFlag>((input.flags ?? []).filter(isLeadFlag));
  if (email.flag) flags.add(email.flag);
  if (phone.flag) flags.add(phone.flag);

  return {
    normalizer_version: NORMALIZER_VERSION,
    source: options.source,
    ...definedOnly({
      email: email.email,
      phone: phone.phone,
      first_name: names.first_name,
      last_name: names.last_name,
      full_name: names.full_name,
      company: company.company,
      job_title: company.job_title,
      country,
      city: cleanField(input.city, { stripEmoji: true }),
      form: attribution.form,
      campaign: attribution.campaign,
    }),
    utm: definedOnly({
      source: attribution.utm_source,
      medium: attribution.utm_medium,
      campaign: attribution.utm_campaign,
      term: attribution.utm_term,
      content: attribution.utm_content,
    }),
    tags: campaignTags({ ...attribution, source: options.source }, input.tags),
    consent: definedOnly({ marketing: input.consent_marketing, terms: input.consent_terms }),
    custom: portableCustom(input.custom),
    // A value recorded by an earlier pass is closer to what the platform sent: it wins.
    original: { ...fresh, ...definedOnly(input.original ?? {}) },
    flags: [...flags].sort(),
  };
}

// NaN and Infinity have no JSON form: a CRM would receive null or a parse error.
function portableCustom(custom: LeadInput['custom']): Lead['custom'] {
  return Object.fromEntries(
    Object.entries(custom ?? {}).filter(([, value]) => typeof value !== 'number' || Number.isFinite(value)),
  );
}

function isLeadFlag(flag: string): flag is LeadFlag {
  return (LEAD_FLAGS as readonly string[]).includes(flag);
}
