/**
 * Meta (Facebook/Instagram) Lead Ads. The `leadgen` webhook carries no contact data, only ids: the
 * lead itself is read from the Graph API (`GET /{leadgen_id}`) by the caller, and its
 * `field_data` mapped here. Field names are the form's question keys: Meta's standard ones
 * (`email`, `full_name`, `phone_number`, `company_name`, `job_title`, ...) or a custom question's
 * key, which lands in `custom`.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { LeadDraft } from './fields';

/** Meta's own samples send ids as JSON numbers, real deliveries as strings: both are the same id. */
const Id = v.pipe(v.union([v.string(), v.pipe(v.number(), v.integer())]), v.transform(String));

/** One lead notification: `entry[].changes[].value` of a Page webhook subscribed to `leadgen`. */
export const MetaLeadgenValueSchema = v.looseObject({
  leadgen_id: Id,
  page_id: v.optional(Id),
  form_id: v.optional(Id),
  created_time: v.optional(v.number()),
  ad_id: v.optional(Id),
  adgroup_id: v.optional(Id),
});
export type MetaLeadgenValue = v.InferOutput<typeof MetaLeadgenValueSchema>;

/** A Page webhook body announcing leads (other Page fields are ignored before this runs). */
export const MetaPayloadSchema = v.looseObject({
  object: v.string(),
  entry: v.array(
    v.looseObject({
      id: v.optional(Id),
      time: v.optional(v.number()),
      changes: v.array(v.looseObject({ field: v.literal('leadgen'), value: MetaLeadgenValueSchema })),
    }),
  ),
});
export type MetaPayload = v.InferOutput<typeof MetaPayloadSchema>;

/** Every lead announced by one webhook delivery (Meta batches several per request). */
export function leadgenRefs(payload: MetaPayload): MetaLeadgenValue[] {
  return payload.entry.flatMap((entry) => entry.changes.map((change) => change.value));
}

/** The Graph API's lead object, as `GET /{leadgen_id}` returns it. */
export const MetaLeadSchema = v.looseObject({
  id: v.string(),
  created_time: v.string(),
  field_data: v.array(v.looseObject({ name: v.string(), values: v.array(v.string()) })),
  form_id: v.optional(v.string()),
  ad_id: v.optional(v.string()),
  ad_name: v.optional(v.string()),
  campaign_id: v.optional(v.string()),
  campaign_name: v.optional(v.string()),
  platform: v.optional(v.string()),
  is_organic: v.optional(v.boolean()),
  custom_disclaimer_responses: v.optional(
    v.array(v.looseObject({ checkbox_key: v.string(), is_checked: v.union([v.string(), v.boolean()]) })),
  ),
});
export type MetaLead = v.InferOutput<typeof MetaLeadSchema>;

export function metaFieldDataToLead(lead: MetaLead): LeadInput {
  const draft = new LeadDraft();
  for (const { name, values } of lead.field_data) draft.put(name, values);
  // Meta sends `is_checked` as "1" (ticked) or "" (left unticked): "" is a "no", not a missing answer.
  for (const { checkbox_key, is_checked } of lead.custom_disclaimer_responses ?? []) {
    draft.put(checkbox_key, typeof is_checked === 'boolean' ? is_checked : is_checked === '1');
  }
  draft.set('campaign', lead.campaign_name);
  draft.set('form', lead.form_id);
  return draft.build();
}
