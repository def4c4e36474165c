/**
 * Calendly webhooks (API v2): `invitee.created`, and with the same invitee payload
 * `invitee.canceled` and `invitee_no_show.created`; `routing_form_submission.created` carries only
 * answers (an email question, if the form has one). The invitee's name, email and SMS reminder number
 * are first-class; anything else is an answer in `questions_and_answers`, matched by its question
 * text. UTM values arrive in `tracking` when the booking link carried them.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { LeadDraft } from './fields';

const Nullable = v.nullish(v.string());

export const CalendlyPayloadSchema = v.looseObject({
  event: v.string(),
  created_at: v.optional(v.string()),
  payload: v.looseObject({
    uri: v.optional(v.string()),
    email: Nullable,
    name: Nullable,
    first_name: Nullable,
    last_name: Nullable,
    text_reminder_number: Nullable,
    timezone: Nullable,
    questions_and_answers: v.optional(
      v.array(v.looseObject({ question: v.string(), answer: v.string(), position: v.optional(v.number()) })),
    ),
    tracking: v.nullish(
      v.looseObject({
        utm_source: Nullable,
        utm_medium: Nullable,
        utm_campaign: Nullable,
        utm_term: Nullable,
        utm_content: Nullable,
      }),
    ),
    scheduled_event: v.optional(v.looseObject({ name: Nullable, uri: v.optional(v.string()) })),
  }),
});
export type CalendlyPayload = v.InferOutput<typeof CalendlyPayloadSchema>;

export function toLead(payload: CalendlyPayload): LeadInput {
  const invitee = payload.payload;
  const draft = new LeadDraft();
  draft.set('email', invitee.email);
  draft.set('first_name', invitee.first_name);
  draft.set('last_name', invitee.last_name);
  draft.set('full_name', invitee.name);
  draft.set('phone', invitee.text_reminder_number);
  for (const { question, answer } of invitee.questions_and_answers ?? []) draft.put(question, answer);
  const tracking = invitee.tracking;
  draft.set('utm_source', tracking?.utm_source);
  draft.set('utm_medium', tracking?.utm_medium);
  draft.set('utm_campaign', tracking?.utm_campaign);
  draft.set('utm_term', tracking?.utm_term);
  draft.set('utm_content', tracking?.utm_content);
  draft.set('form', invitee.scheduled_event?.name);
  return draft.build();
}
