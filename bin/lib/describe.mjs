/** One-line descriptions of events, deliveries and attempts, shared by `send`, `events` and `show`. */
import { plural, status } from './output.mjs';

/** Event statuses after which nothing more happens without a replay (src/pipeline/status.ts). */
export const FINAL_EVENT_STATUSES = [
  'delivered',
  'partial',
  'dead',
  'invalid',
  'merged',
  'unrouted',
  'ignored',
];

/** `hubspot delivered 101`, `crm retrying (server_error: HTTP 503)`. */
export function describeDelivery(c, delivery) {
  const record = delivery.record_id ? ` ${delivery.record_id}` : '';
  const why = delivery.last_error && delivery.status !== 'delivered' ? ` (${delivery.last_error})` : '';
  return `${delivery.destination} ${status(c, delivery.status)}${record}${why}`;
}

/** `hubspot #2 HTTP 200 in 84 ms`, `crm #1 rate_limited in 12 ms, retry in 30 s`. */
export function describeAttempt(attempt) {
  const outcome =
    attempt.reason ??
    (attempt.http_status ? `HTTP ${attempt.http_status}` : (attempt.error_class ?? 'no answer'));
  const took =
    attempt.duration_ms === null || attempt.duration_ms === undefined ? '' : ` in ${attempt.duration_ms} ms`;
  const retry = attempt.retry_in_s ? `, retry in ${attempt.retry_in_s} s` : '';
  const to = attempt.destination ? `${attempt.destination} ` : '';
  return `${to}#${attempt.attempt} ${outcome}${took}${retry}`;
}

/** An event of `GET /admin/events/:id` in one line: status, each delivery, attempts, who. */
export function describeEvent(c, event) {
  const parts = [`${event.id} ${status(c, event.status)}`];
  if (event.last_error && event.status !== 'delivered') parts[0] += ` (${event.last_error})`;
  for (const delivery of event.deliveries ?? []) parts.push(describeDelivery(c, delivery));
  const attempts = Array.isArray(event.attempts) ? event.attempts.length : event.attempts;
  if (attempts > 0) parts.push(plural(attempts, 'attempt'));
  const who = event.lead?.email ?? event.lead?.phone;
  if (who) parts.push(who);
  return parts.join(' · ');
}
