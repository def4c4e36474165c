/**
 * Makes a verified, valid webhook durable before Inlet answers 2xx: one D1 insert (which also
 * decides whether it is a redelivery), then one small queue message naming the event. The body
 * stays in D1, so bodies up to MAX_BODY_BYTES fit although queue messages are capped at 128 KB.
 */
import { newId } from '../lib/ids';
import { log } from '../lib/log';
import { insertEvent } from '../store/events';

/** What goes on the delivery queue: a pointer, never the payload. */
export interface DeliveryMessage {
  eventId: string;
}

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
}

export async function accept(env: Env, arrival: Arrival): Promise<Accepted> {
  const result = await insertEvent(env.DB, { id: newId('evt', arrival.receivedAt), ...arrival });
  if (result.duplicate) return { id: result.id, duplicate: true };
  try {
    await env.DELIVERIES.send({ eventId: result.id } satisfies DeliveryMessage, { contentType: 'json' });
  } catch (error) {
    // The event is already durable in D1 with status `queued`: the cron sweep enqueues it again,
    // so answering 2xx here loses nothing, while a 5xx would make the sender retry into a duplicate.
    log.error('enqueue failed; the sweep will retry', {
      event_id: result.id,
      source: arrival.source,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
  return { id: result.id, duplicate: false };
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
