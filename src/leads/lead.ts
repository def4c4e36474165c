/**
 * The canonical lead: what every source maps to and what every destination receives.
 * `LeadInput` is what a source mapping produces (raw strings as the platform sent them);
 * `Lead` is the normalised output contract, versioned by `normalizer_version`.
 */
import * as v from 'valibot';

const Text = v.optional(v.string());

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
  custom: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()]))),
});
export type LeadInput = v.InferOutput<typeof LeadInputSchema>;

const Email = v.pipe(v.string(), v.email());
const E164 = v.pipe(v.string(), v.regex(/^\+[1-9]\d{1,14}$/));

/** The normalised lead: the contract every destination receives. */
export const LeadSchema = v.object({
  normalizer_version: v.string(),
  source: v.string(),
  email: v.optional(Email),
  phone: v.optional(E164),
  first_name: Text,
  last_name: Text,
  full_name: Text,
  company: Text,
  job_title: Text,
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
  tags: v.array(v.string()),
  consent: v.object({ marketing: v.optional(v.boolean()), terms: v.optional(v.boolean()) }),
  custom: v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()])),
  /** The values as received, where normalisation changed or rejected them. */
  original: v.object({ email: Text, phone: Text, full_name: Text, company: Text }),
  /** Problems found while normalising, e.g. `invalid_email`; the lead is still delivered. */
  flags: v.array(v.string()),
});
export type Lead = v.InferOutput<typeof LeadSchema>;
