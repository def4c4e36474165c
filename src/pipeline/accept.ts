/**
 * Makes a verified, valid webhook durable before Inlet answers 2xx: one D1 round trip stores its
 * events (one, or one per lead for a batch) and decides which are redeliveries, then one queue send
 * carries a small message per new event. The body stays in D1, so bodies up to MAX_BODY_BYTES fit
 * although queue messages are capped at 128 KB.
 */
import { newId } from '../lib/ids';
import { log } from '../lib/log';
import { insertEvents } from '../store/events';
import { enqueue } from './enqueue';

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

export async function accept(env: Env, arrivals: readonly Arrival[]): Promise<Accepted[]> {
  const results = await insertEvents(
    env.DB,
    arrivals.map((arrival) => ({ id: newId('evt', arrival.receivedAt), ...arrival })),
  );
  const fresh = results
    .filter((result, i) => !result.duplicate && !arrivals[i]?.ignored)
    .map((result) => result.id);
  try {
    await enqueue(
      env.DELIVERIES,
      fresh.map((eventId) => ({ body: { eventId } })),
    );
  } catch (error) {
    // The events are already durable in D1 with status `queued`: the cron sweep enqueues them
    // again, so answering 2xx here loses nothing, while a 5xx would make the sender retry into
    // duplicates.
    log.error('enqueue failed; the sweep will retry', {
      event_ids: fresh.join(','),
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
  return results.map((result) => ({ id: result.id, duplicate: result.duplicate }));
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
