/**
 * The flat JSON lead that n8n, Make and hand-written senders post: one object with the lead's
 * fields at the top level. Types are checked at ingest; whether the lead has a way to reach the
 * person (email or phone) is the lead contract's business, checked before delivery.
 */
import * as v from 'valibot';
import type { LeadInput } from '../leads/lead';

const Text = v.optional(v.pipe(v.string(), v.maxLength(1000)));

export const FlatLeadSchema = v.looseObject({
  email: Text,
  phone: Text,
  first_name: Text,
  last_name: Text,
  name: Text,
  company: Text,
  job_title: Text,
  country: Text,
  city: Text,
  form: Text,
  campaign: Text,
  utm_source: Text,
  utm_medium: Text,
  utm_campaign: Text,
  utm_term: Text,
  utm_content: Text,
  consent_marketing: v.optional(v.boolean()),
});

export function flatToLead(payload: v.InferOutput<typeof FlatLeadSchema>): LeadInput {
  const { name, consent_marketing, ...rest } = payload;
  const lead: LeadInput = {};
  for (const field of [
    'email',
    'phone',
    'first_name',
    'last_name',
    'company',
    'job_title',
    'country',
    'city',
    'form',
    'campaign',
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'utm_term',
    'utm_content',
  ] as const) {
    const value = rest[field];
    if (typeof value === 'string') lead[field] = value;
  }
  if (name !== undefined) lead.full_name = name;
  if (consent_marketing !== undefined) lead.consent_marketing = consent_marketing;
  return lead;
}
