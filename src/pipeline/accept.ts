/**
 * Makes a verified, valid webhook durable before Inlet answers 2xx. How, is `ACCEPT_MODE`
 * (docs/benchmarks.md measures the three; docs/reliability.md says what each promises):
 *
 * - `concurrent` (the default): the D1 insert and the queue send at once, the event itself in its
 *   message. The answer waits for the slower of the two, not their sum. D1 still decides what is a
 *   redelivery (answered 200 with the original id) and the admin API finds the event at once. When
 *   D1 fails, the message alone keeps the event, and the consumer stores it; when the queue fails,
 *   D1 alone keeps it, and the sweep enqueues it. Only both failing is a 503.
 * - `serial`: the insert, then a pointer message per new event. The body never travels in the
 *   queue; a redelivery sends nothing.
 * - `queue-first`: the message alone; the consumer stores the event (its `ON CONFLICT` dedupes).
 *   One binding call, but a redelivery is answered 202 like a new event, and the event is found in
 *   the admin API only once a consumer has stored it.
 *
 * An event too large to travel in a message (CARRY_LIMIT), or not a lead (stored `ignored`, never
 * enqueued), takes the serial path whatever the mode.
 */

import { newId } from '../lib/ids';
import { log } from '../lib/log';
import { insertEvents, type NewEvent } from '../store/events';
import { carry, enqueue, type Outgoing } from './enqueue';

export type AcceptMode = 'concurrent' | 'serial' | 'queue-first';

export const acceptMode = (env: Env): AcceptMode =>
  env.ACCEPT_MODE === 'serial' || env.ACCEPT_MODE === 'queue-first' ? env.ACCEPT_MODE : 'concurrent';

export interface Accepted {
  id: string;
  duplicate: boolean;
}

export interface Arrival {
  source: string;
  idempotencyKey: string;
  contentType: string;
  headers: Record<string, string>;
  body: Uint8Array;
  receivedAt: number;
  eventType?: string | undefined;
  /** Logged with every attempt to deliver it: one id from ingest to delivery. */
  requestId?: string | undefined;
  /** Not a lead: stored as `ignored`, never enqueued. */
  ignored?: boolean;
  /** For a key that is only the body's hash: how long it recognises a redelivery. */
  dedupeWindowMs?: number | undefined;
  /** The signed content's key when the delivery id is unsigned: a replay under a fresh id is a duplicate. */
  replay?: { key: string; windowMs: number } | undefined;
}

export async function accept(
  env: Env,
  arrivals: readonly Arrival[],
  mode: AcceptMode = acceptMode(env),
): Promise<Accepted[]> {
  const events: NewEvent[] = arrivals.map((arrival) => ({
    id: newId('evt', arrival.receivedAt),
    ...arrival,
  }));
  // What can travel in its message: a lead whose event fits (carry answers undefined otherwise).
  const carried = events.map((event) => (mode === 'serial' || event.ignored ? undefined : carry(event)));
  const travels = (i: number) => carried[i] !== undefined;

  if (mode === 'queue-first' && events.every((_, i) => travels(i))) {
    // The message is the only copy: a failed send is a 503, and the sender retries.
    await enqueue(
      env.DELIVERIES,
      carried.map((message) => ({ body: message! })),
    );
    return events.map((event) => ({ id: event.id, duplicate: false }));
  }

  const sending =
    mode === 'concurrent'
      ? send(
          env,
          carried.flatMap((message) => (message ? [{ body: message }] : [])),
        )
      : Promise.resolve(true);
  const [inserted, sent] = await Promise.all([
    insertEvents(env.DB, events).catch((error: unknown) => ({ error })),
    sending,
  ]);
  if ('error' in inserted) {
    // D1 failed: what travelled in a sent message is safe in the queue, and the consumer stores
    // it. Anything else is not durable, so the sender must retry.
    if (!(mode === 'concurrent' && sent && events.every((_, i) => travels(i)))) throw inserted.error;
    log.warn('event insert failed; the queue message carries it', {
      event_ids: events.map((event) => event.id).join(','),
      error: inserted.error instanceof Error ? inserted.error.name : 'unknown',
    });
    return events.map((event) => ({ id: event.id, duplicate: false }));
  }
  // Pointers for the new leads that did not travel (serial, too large, or queue-first's mixed
  // webhooks); a redelivery needs none. One whose concurrent send failed is not sent again now: the
  // queue just failed, and the sweep enqueues it.
  const pointers: Outgoing[] = inserted.flatMap((result, i) =>
    result.duplicate || events[i]?.ignored || (mode === 'concurrent' && travels(i))
      ? []
      : [{ body: { eventId: result.id } }],
  );
  await send(env, pointers);
  return inserted.map((result) => ({ id: result.id, duplicate: result.duplicate }));
}

/**
 * Sends, answering whether it did. A failure is logged, not thrown: the events it was for are in D1
 * with status `queued` (or about to be), and the cron sweep enqueues them again, so answering 2xx
 * loses nothing, while a 5xx would make the sender retry into duplicates.
 */
async function send(env: Env, messages: readonly Outgoing[]): Promise<boolean> {
  if (messages.length === 0) return true;
  try {
    await enqueue(env.DELIVERIES, messages);
    return true;
  } catch (error) {
    log.error('enqueue failed; the sweep will retry', {
      event_ids: messages.map((message) => message.body.eventId).join(','),
      error: error instanceof Error ? error.name : 'unknown',
    });
    return false;
  }
}

/** Headers worth keeping with the event, with anything that could be a credential redacted. */
const CREDENTIAL = /authorization|cookie|token|secret|signature|api[-_]?key|password|hmac/i;

export function keptHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = CREDENTIAL.test(name) ? '[redacted]' : value;
  });
  return out;
}
