/**
 * The delivery queue's consumer: for each message, take the event, map and normalise its lead,
 * deliver it, record the attempt, then ack, retry with backoff, or stop. A message is acked only
 * once its outcome is written to D1; if anything throws, it is retried, never dropped.
 */
import { settings } from '../config';
import { deliverWebhook } from '../destinations/webhook';
import { normalizeLead } from '../leads/normalize';
import { log } from '../lib/log';
import { findSource } from '../sources/registry';
import type { Source } from '../sources/types';
import {
  claimEvent,
  FINAL_STATUSES,
  finishAttempt,
  getEvent,
  type StoredEvent,
  updateEvent,
} from '../store/events';
import { readHold, writeHold } from '../store/holds';
import type { DeliveryMessage } from './accept';
import { parsePayload, validatePayload } from './parse';
import { backoffSeconds, decide } from './retry-policy';

/** How long one consumer may hold an event before another may take it over. */
const LEASE_MS = 60_000;

type Verdict = { ack: true } | { ack: false; delaySeconds: number };

export async function deliverBatch(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const config = settings(env);
  const nowMs = Date.now();
  // One read per batch: a destination that asked us to wait is not called until then.
  const holdUntil = await readHold(env.KV, 'crm', nowMs).catch(() => undefined);
  await Promise.all(
    batch.messages.map(async (message) => {
      let verdict: Verdict;
      try {
        verdict = holdUntil
          ? { ack: false, delaySeconds: Math.ceil((holdUntil - nowMs) / 1000) }
          : await deliverEvent(message.body.eventId, env);
      } catch (error) {
        // D1 unreachable, a bug, anything unexpected: the work did not happen, so the message stays.
        log.error('delivery failed unexpectedly; retrying', {
          event_id: message.body.eventId,
          error: error instanceof Error ? error.name : 'unknown',
        });
        verdict = { ack: false, delaySeconds: backoffSeconds(message.attempts, config.retry, Math.random) };
      }
      if (verdict.ack) message.ack();
      else message.retry({ delaySeconds: verdict.delaySeconds });
    }),
  );
}

export async function deliverEvent(eventId: string, env: Env): Promise<Verdict> {
  const config = settings(env);
  const startedAt = Date.now();
  const event = await claimEvent(env.DB, eventId, startedAt, LEASE_MS);
  if (!event) return alreadyHandled(eventId, env, startedAt);

  const source = findSource(event.source);
  if (!source) {
    await updateEvent(env.DB, event.id, { status: 'dead', lastError: 'source no longer configured' });
    log.error('event for an unknown source marked dead', { event_id: event.id, source: event.source });
    return { ack: true };
  }

  const lead = await leadOf(event, source);
  if ('problem' in lead) {
    await updateEvent(env.DB, event.id, { status: 'invalid', lastError: lead.problem });
    log.warn('lead invalid; stored for replay after a fix', {
      event_id: event.id,
      source: event.source,
      reason: lead.problem,
    });
    return { ack: true };
  }

  const outcome = await deliverWebhook(
    { url: env.CRM_URL, secret: env.DESTINATION_SECRET, timeoutMs: config.deliveryTimeoutMs },
    { eventId: event.id, source: event.source, receivedAt: event.receivedAt, lead: lead.lead },
  );
  const decision = decide(outcome, event.attempts, config.retry);
  const attempt = {
    eventId: event.id,
    attempt: event.attempts,
    startedAt,
    durationMs: outcome.durationMs,
    httpStatus: outcome.httpStatus,
    errorClass: outcome.errorClass,
    reason: outcome.reason,
    retryInSeconds: decision.action === 'retry' ? decision.delaySeconds : null,
  };
  const lastError = `${outcome.errorClass}: ${outcome.reason}`;

  if (decision.action === 'done') {
    await finishAttempt(env.DB, attempt, { status: 'delivered', lead: lead.lead, deliveredAt: Date.now() });
    return { ack: true };
  }
  if (decision.action === 'stop') {
    await finishAttempt(env.DB, attempt, { status: 'dead', lead: lead.lead, lastError });
    log.warn('destination refused the lead; event dead', {
      event_id: event.id,
      source: event.source,
      http_status: outcome.httpStatus,
    });
    return { ack: true };
  }
  await finishAttempt(env.DB, attempt, { status: 'retrying', lead: lead.lead, lastError });
  if (
    outcome.retryAfterSeconds !== undefined &&
    (outcome.errorClass === 'rate_limited' || outcome.httpStatus === 503)
  ) {
    await writeHold(env.KV, 'crm', Date.now() + outcome.retryAfterSeconds * 1000, Date.now()).catch(
      () => undefined,
    );
  }
  log.info('delivery attempt failed; retrying', {
    event_id: event.id,
    attempt: event.attempts,
    error_class: outcome.errorClass,
    delay_s: decision.delaySeconds,
  });
  return { ack: false, delaySeconds: decision.delaySeconds };
}

/** The claim failed: the event is finished (ack), held by another consumer (come back later), or gone. */
async function alreadyHandled(eventId: string, env: Env, nowMs: number): Promise<Verdict> {
  const current = await getEvent(env.DB, eventId);
  if (!current) {
    log.error('queue message for an unknown event dropped', { event_id: eventId });
    return { ack: true };
  }
  if (FINAL_STATUSES.includes(current.status)) return { ack: true };
  const waitMs = (current.leaseUntil ?? nowMs) - nowMs;
  return { ack: false, delaySeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

async function leadOf(event: StoredEvent, source: Source): Promise<{ lead: unknown } | { problem: string }> {
  try {
    const payload = validatePayload(source.schema, await parsePayload(event.contentType, event.body));
    const lead = normalizeLead(source.toLead(payload), {
      source: source.name,
      ...(source.defaultRegion ? { defaultRegion: source.defaultRegion } : {}),
    });
    if (!lead.email && !lead.phone)
      return { problem: 'no_contact: the lead has neither a valid email nor a phone' };
    return { lead };
  } catch (error) {
    // The payload passed this schema at ingest; failing now means the source's mapping changed.
    return { problem: `mapping_failed: ${error instanceof Error ? error.message.slice(0, 120) : 'unknown'}` };
  }
}
