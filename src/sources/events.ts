/**
 * What a delivery of a source is, from its event type: a lead, an update of a known person, or
 * not a lead at all. Pure: the policy is the source type's default with the configuration's
 * overrides (src/sources/registry.ts).
 */
import type { EventKind, EventPolicy } from './types';

export function eventKind(policy: EventPolicy, eventType: string | undefined): EventKind {
  if (eventType !== undefined && Object.hasOwn(policy.types, eventType)) return policy.types[eventType]!;
  return policy.other;
}

/**
 * What an update says of the person, in one vocabulary across providers, for a CRM field to
 * record (map `status` in a destination's `fields`). Undefined for a lead.
 */
const STATUS_BY_EVENT: Readonly<Record<string, string>> = {
  'invitee.canceled': 'canceled',
  'invitee_no_show.created': 'no_show',
  BOOKING_CANCELLED: 'canceled',
  BOOKING_REJECTED: 'rejected',
  BOOKING_NO_SHOW_UPDATED: 'no_show',
  'webinar.registration_cancelled': 'canceled',
  'meeting.registration_cancelled': 'canceled',
  'webinar.registration_denied': 'denied',
  'meeting.registration_denied': 'denied',
  unsubscribe: 'unsubscribed',
  cleaned: 'cleaned',
};

export function statusOf(eventType: string | undefined): string | undefined {
  return eventType !== undefined && Object.hasOwn(STATUS_BY_EVENT, eventType)
    ? STATUS_BY_EVENT[eventType]
    : undefined;
}
