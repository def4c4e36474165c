/**
 * Cal.com booking webhooks (`BOOKING_CREATED`, `_REQUESTED`, `_RESCHEDULED`, `_CANCELLED`) and a
 * routing form's `FORM_SUBMITTED`. The booker is the first attendee; the booking form's answers
 * are in `responses`, keyed by the booking field's name (`name`, `email`, `attendeePhoneNumber`,
 * then any custom question's identifier). `name` is a string, or `{ firstName, lastName }` when
 * the event type splits it. UTM values arrive in `tracking` when the booking link carried them.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { LeadDraft, leadFieldFor } from './fields';

const Text = v.nullish(v.string());

export const CalcomPayloadSchema = v.looseObject({
  triggerEvent: v.string(),
  createdAt: v.optional(v.string()),
  payload: v.looseObject({
    uid: Text,
    title: Text,
    type: Text,
    eventTitle: Text,
    startTime: Text,
    // A routing form's FORM_SUBMITTED has no attendees: only its responses.
    attendees: v.optional(
      v.array(
        v.looseObject({
          email: Text,
          name: Text,
          firstName: Text,
          lastName: Text,
          phoneNumber: Text,
          timeZone: Text,
        }),
      ),
    ),
    responses: v.optional(
      v.record(v.string(), v.looseObject({ label: Text, value: v.optional(v.unknown()) })),
    ),
    formName: Text,
    tracking: v.nullish(
      v.looseObject({
        utm_source: Text,
        utm_medium: Text,
        utm_campaign: Text,
        utm_term: Text,
        utm_content: Text,
      }),
    ),
  }),
});
export type CalcomPayload = v.InferOutput<typeof CalcomPayloadSchema>;

// Booking fields every Cal.com event type has that are not about the person.
const SYSTEM_RESPONSES = new Set(['location', 'guests', 'rescheduleReason', 'notes']);

export function toLead(payload: CalcomPayload): LeadInput {
  const booking = payload.payload;
  const [booker] = booking.attendees ?? [];
  const responses = booking.responses ?? {};
  const draft = new LeadDraft();

  draft.set('email', responses.email?.value);
  draft.set('email', booker?.email);
  const name = responses.name?.value;
  if (typeof name === 'object' && name !== null) {
    draft.set('first_name', (name as Record<string, unknown>).firstName);
    draft.set('last_name', (name as Record<string, unknown>).lastName);
  } else {
    draft.set('full_name', name);
  }
  draft.set('first_name', booker?.firstName);
  draft.set('last_name', booker?.lastName);
  draft.set('full_name', booker?.name);
  draft.set('phone', responses.attendeePhoneNumber?.value);
  draft.set('phone', booker?.phoneNumber);

  for (const [key, response] of Object.entries(responses)) {
    if (SYSTEM_RESPONSES.has(key) || ['name', 'email', 'attendeePhoneNumber'].includes(key)) continue;
    // A custom question's identifier is often a slug of its label; the label may say more.
    const byLabel = leadFieldFor(key) === undefined ? leadFieldFor(response.label ?? undefined) : undefined;
    if (byLabel !== undefined && draft.set(byLabel, response.value)) continue;
    draft.put(key, response.value);
  }
  draft.custom('notes', responses.notes?.value);
  const tracking = booking.tracking;
  draft.set('utm_source', tracking?.utm_source);
  draft.set('utm_medium', tracking?.utm_medium);
  draft.set('utm_campaign', tracking?.utm_campaign);
  draft.set('utm_term', tracking?.utm_term);
  draft.set('utm_content', tracking?.utm_content);
  draft.set('form', booking.eventTitle ?? booking.type ?? booking.title ?? booking.formName);
  return draft.build();
}
