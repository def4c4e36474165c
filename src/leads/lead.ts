/**
 * The canonical lead: what every source maps to and what every destination receives.
 * `LeadInput` is what a source mapping produces (raw strings as the platform sent them);
 * `Lead` is the normalised output contract, versioned by `normalizer_version`.
 * docs/leads.md describes every field; a change to the shape of `Lead` is a contract change.
 */
import * as v from 'valibot';

const Text = v.optional(v.string());

/** Values a custom field may hold: what survives a JSON round trip into any CRM property. */
export const CustomValueSchema = v.union([v.string(), v.number(), v.boolean(), v.null()]);
export type CustomValue = v.InferOutput<typeof CustomValueSchema>;
export const CustomFieldsSchema = v.record(v.string(), CustomValueSchema);
export type CustomFields = v.InferOutput<typeof CustomFieldsSchema>;

/** Problems normalisation found and recorded instead of dropping the value. */
export const LEAD_FLAGS = ['invalid_email', 'invalid_phone'] as const;
export const LeadFlagSchema = v.picklist(LEAD_FLAGS);
export type LeadFlag = v.InferOutput<typeof LeadFlagSchema>;

/** The values as received, for every field a rule changed or rejected. */
export const OriginalSchema = v.object({
  email: Text,
  phone: Text,
  first_name: Text,
  last_name: Text,
  full_name: Text,
  company: Text,
  job_title: Text,
});
export type Original = v.InferOutput<typeof OriginalSchema>;

/** What a source's mapping returns: raw values, nothing normalised yet. */
export const LeadInputSchema = v.object({
  email: Text,
  phone: Text,
  first_name: Text,
  last_name: Text,
  full_name: Text,
  company: Text,
  job_title: Text,
  country: Text,
  city: Text,
  /** The form, event or webinar the lead came through. */
  form: Text,
  campaign: Text,
  utm_source: Text,
  utm_medium: Text,
  utm_campaign: Text,
  utm_term: Text,
  utm_content: Text,
  consent_marketing: v.optional(v.boolean()),
  consent_terms: v.optional(v.boolean()),
  custom: v.optional(CustomFieldsSchema),
  // The three below are never set by a mapping: they carry a normalised lead's history through a
  // second normalisation (a stored lead re-normalised, a merge), so nothing already recorded is lost.
  tags: v.optional(v.array(v.string())),
  original: v.optional(OriginalSchema),
  flags: v.optional(v.array(v.string())),
});
export type LeadInput = v.InferOutput<typeof LeadInputSchema>;

/**
 * Lowercase address with an RFC 5322 dot-atom local part and a DNS host name whose last label is
 * alphabetic (or punycode). Stricter than RFC 5322 on purpose: quoted local parts and IP literals
 * are valid but no CRM accepts them.
 */
export const EMAIL_PATTERN =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** RFC 5321 caps a forward path at 256 octets including the angle brackets. */
export const EMAIL_MAX_LENGTH = 254;
export const EmailSchema = v.pipe(v.string(), v.maxLength(EMAIL_MAX_LENGTH), v.regex(EMAIL_PATTERN));
/** ITU-T E.164: a plus, a country code that does not start with 0, at most 15 digits. */
export const E164Schema = v.pipe(v.string(), v.regex(/^\+[1-9]\d{1,14}$/));

/** The normalised lead: the contract every destination receives. */
export const LeadSchema = v.object({
  normalizer_version: v.string(),
  source: v.string(),
  email: v.optional(EmailSchema),
  phone: v.optional(E164Schema),
  first_name: Text,
  last_name: Text,
  full_name: Text,
  company: Text,
  job_title: Text,
  /** ISO 3166-1 alpha-2 when the source sent a two-letter code, otherwise the name as sent. */
  country: Text,
  city: Text,
  form: Text,
  campaign: Text,
  utm: v.object({
    source: Text,
    medium: Text,
    campaign: Text,
    term: Text,
    content: Text,
  }),
  /** `utm_source:google`, `source:typeform`, `form:contact-us`: sorted, no duplicates. */
  tags: v.array(v.string()),
  consent: v.object({ marketing: v.optional(v.boolean()), terms: v.optional(v.boolean()) }),
  custom: CustomFieldsSchema,
  /** The values as received, where normalisation changed or rejected them. */
  original: OriginalSchema,
  /** Problems found while normalising, e.g. `invalid_email`; the lead is still delivered. */
  flags: v.array(LeadFlagSchema),
  /**
   * Set by routing, not by the rules: the provider's event type (`invitee.canceled`), and for an
   * update what it says of the person (`canceled`, `no_show`), for a CRM field to record.
   */
  event: v.optional(v.string()),
  status: v.optional(v.string()),
});
export type Lead = v.InferOutput<typeof LeadSchema>;

/**
 * A normalised lead in the shape of a mapping's output, carrying its tags, originals and flags:
 * how a stored lead is normalised again, e.g. after NORMALIZER_VERSION changes.
 */
export function toLeadInput(lead: Lead): LeadInput {
  const { normalizer_version: _version, source: _source, utm, consent, ...fields } = lead;
  const input: LeadInput = {
    ...fields,
    original: { ...lead.original },
    tags: [...lead.tags],
    flags: [...lead.flags],
  };
  if (utm.source !== undefined) input.utm_source = utm.source;
  if (utm.medium !== undefined) input.utm_medium = utm.medium;
  if (utm.campaign !== undefined) input.utm_campaign = utm.campaign;
  if (utm.term !== undefined) input.utm_term = utm.term;
  if (utm.content !== undefined) input.utm_content = utm.content;
  if (consent.marketing !== undefined) input.consent_marketing = consent.marketing;
  if (consent.terms !== undefined) input.consent_terms = consent.terms;
  return input;
}
