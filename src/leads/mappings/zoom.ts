/**
 * Zoom webinar and meeting registration webhooks (`*.registration_created`, `_cancelled`, ...). The registrant's standard registration questions
 * are named fields (`org` is the company); custom questions come as `{ title, value }` and are
 * matched by title. Zoom's tracking source (the named registration link the person used) is its
 * equivalent of `utm_source`.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { LeadDraft } from './fields';

const Text = v.optional(v.string());

export const ZoomPayloadSchema = v.looseObject({
  event: v.string(),
  // Deliveries in Zoom's 2019 format carry no event_ts.
  event_ts: v.optional(v.number()),
  payload: v.looseObject({
    account_id: Text,
    object: v.looseObject({
      id: v.optional(v.union([v.string(), v.number()])),
      uuid: Text,
      topic: Text,
      registrant: v.looseObject({
        id: Text,
        email: v.string(),
        first_name: Text,
        last_name: Text,
        phone: Text,
        org: Text,
        job_title: Text,
        city: Text,
        country: Text,
        industry: Text,
        comments: Text,
        custom_questions: v.optional(v.array(v.looseObject({ title: v.string(), value: v.string() }))),
        tracking_source: v.optional(v.looseObject({ source_name: Text, tracking_url: Text })),
      }),
    }),
  }),
});
export type ZoomPayload = v.InferOutput<typeof ZoomPayloadSchema>;

export function toLead(payload: ZoomPayload): LeadInput {
  const webinar = payload.payload.object;
  const registrant = webinar.registrant;
  const draft = new LeadDraft();
  draft.set('email', registrant.email);
  draft.set('first_name', registrant.first_name);
  draft.set('last_name', registrant.last_name);
  draft.set('phone', registrant.phone);
  draft.set('company', registrant.org);
  draft.set('job_title', registrant.job_title);
  draft.set('city', registrant.city);
  draft.set('country', registrant.country);
  draft.custom('industry', registrant.industry);
  draft.custom('comments', registrant.comments);
  for (const { title, value } of registrant.custom_questions ?? []) draft.put(title, value);
  draft.set('utm_source', registrant.tracking_source?.source_name);
  draft.set('form', webinar.topic);
  return draft.build();
}
