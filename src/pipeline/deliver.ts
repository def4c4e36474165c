/**
 * The delivery queue's consumer: for each message, take the event, map and normalise its lead,
 * find the person it belongs to, deliver it, record the attempt, then ack, retry with backoff, or
 * stop. A message is acked only once its outcome is written to D1; if anything throws, it is
 * retried, never dropped.
 */
import { type Settings, settings } from '../config';
import { deliverWebhook } from '../destinations/webhook';
import { LookupError } from '../enrich/meta-graph';
import { leadContractProblem, mergeLeads, personKeys } from '../leads/identity';
import type { Lead } from '../leads/lead';
import { normalizeLead } from '../leads/normalize';
import { log } from '../lib/log';
import { findSource } from '../sources/registry';
import type { Source } from '../sources/types';
import {
  type AttemptRecord,
  claimEvent,
  deferEvent,
  FINAL_STATUSES,
  finishAttempt,
  getEvent,
  type StoredEvent,
  updateEvent,
} from '../store/events';
import { readHold, writeHold } from '../store/holds';
import {
  attemptStatement,
  type CreationAfterAttempt,
  claimCreation,
  closeWindow,
  joinWindow,
  openWindow,
  type Person,
  resolvePerson,
} from '../store/people';
import type { DeliveryMessage } from './accept';
import { parsePayload, validatePayload } from './parse';
import { backoffSeconds, decide, MAX_QUEUE_DELAY_SECONDS } from './retry-policy';

/** How long one consumer may hold an event (or a person's creation) before another may take over. */
const LEASE_MS = 60_000;
/** The shortest wait for another event that is creating the same person. */
const CREATION_WAIT_SECONDS = 5;

/**
 * What becomes of a message: `ack` (its outcome is in D1), `retry` (an attempt failed: the queue
 * counts it), or `defer` (no attempt was made — a hold, a merge window, another event's creation —
 * so the message is sent again fresh rather than retried, and waiting never uses up attempts).
 */
type Verdict =
  | { kind: 'ack' }
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'defer'; delaySeconds: number };

const ACK: Verdict = { kind: 'ack' };
const defer = (seconds: number): Verdict => ({
  kind: 'defer',
  delaySeconds: Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(1, Math.ceil(seconds))),
});

export async function deliverBatch(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const config = settings(env);
  const nowMs = Date.now();
  // One read per batch: a destination that asked us to wait is not called until then.
  const holdUntil = await readHold(env.KV, 'crm', nowMs).catch(() => undefined);
  const verdicts = await Promise.all(
    batch.messages.map(async (message): Promise<Verdict> => {
      try {
        return holdUntil
          ? defer((holdUntil - nowMs) / 1000)
          : await deliverEvent(message.body.eventId, env, config);
      } catch (error) {
        // D1 unreachable, a bug, anything unexpected: the work did not happen, so the message stays.
        log.error('delivery failed unexpectedly; retrying', {
          event_id: message.body.eventId,
          error: error instanceof Error ? error.name : 'unknown',
        });
        return { kind: 'retry', delaySeconds: backoffSeconds(message.attempts, config.retry, Math.random) };
      }
    }),
  );

  const deferred = batch.messages.flatMap((message, i) => {
    const verdict = verdicts[i];
    return verdict?.kind === 'defer' ? [{ message, delaySeconds: verdict.delaySeconds }] : [];
  });
  let resent = deferred.length === 0;
  if (!resent) {
    try {
      await env.DELIVERIES.sendBatch(
        deferred.map(({ message, delaySeconds }) => ({
          body: message.body,
          contentType: 'json',
          delaySeconds,
        })),
      );
      resent = true;
    } catch {
      // The fresh copies were not sent: keep the originals instead (a retry, counted by the queue).
    }
  }
  batch.messages.forEach((message, i) => {
    const verdict = verdicts[i] ?? ACK;
    if (verdict.kind === 'ack' || (verdict.kind === 'defer' && resent)) message.ack();
    else message.retry({ delaySeconds: verdict.delaySeconds });
  });
}

export async function deliverEvent(
  eventId: string,
  env: Env,
  config: Settings = settings(env),
): Promise<Verdict> {
  const startedAt = Date.now();
  const event = await claimEvent(env.DB, eventId, startedAt, LEASE_MS);
  if (!event) return alreadyHandled(eventId, env, startedAt);

  const source = findSource(event.source);
  if (!source) {
    await updateEvent(env.DB, event.id, { status: 'dead', lastError: 'source no longer configured' });
    log.error('event for an unknown source marked dead', { event_id: event.id, source: event.source });
    return ACK;
  }

  const mapped = await leadOf(event, source, env);
  if ('lookupFailed' in mapped) {
    // A provider lookup (Meta's Graph API) failed in a way that can heal: an attempt like any other.
    const decision = decide({ errorClass: 'lookup_failed' }, event.attempts, config.retry);
    const attempt: AttemptRecord = {
      eventId: event.id,
      attempt: event.attempts,
      startedAt,
      durationMs: Date.now() - startedAt,
      httpStatus: null,
      errorClass: 'lookup_failed',
      reason: mapped.lookupFailed,
      retryInSeconds: decision.action === 'retry' ? decision.delaySeconds : null,
    };
    const lastError = `lookup_failed: ${mapped.lookupFailed}`;
    if (decision.action === 'retry') {
      await finishAttempt(env.DB, attempt, { status: 'retrying', lastError });
      return { kind: 'retry', delaySeconds: decision.delaySeconds };
    }
    await finishAttempt(env.DB, attempt, { status: 'dead', lastError });
    return ACK;
  }
  if ('problem' in mapped) {
    await updateEvent(env.DB, event.id, { status: 'invalid', lastError: mapped.problem });
    log.warn('lead invalid; stored for replay after a fix', {
      event_id: event.id,
      source: event.source,
      // Only the stable code: the rest may quote a thrown error, which may quote the payload.
      reason: mapped.problem.split(':')[0],
    });
    return ACK;
  }

  const { person, createdHere } = await resolvePerson(
    env.DB,
    await personKeys(mapped.lead),
    event.id,
    startedAt,
    LEASE_MS,
  );
  let lead = mapped.lead;
  let mergedEventIds: string[] = [];
  // A window this event opened is closed by it even if merging was switched off meanwhile, so the
  // leads folded into it are delivered.
  if (config.mergeWindowMs > 0 || person.pendingEventId === event.id) {
    const window = await mergeWindow(env, event, person, lead, config.mergeWindowMs, startedAt);
    if ('verdict' in window) return window.verdict;
    lead = window.lead;
    mergedEventIds = window.mergedEventIds;
  }

  const action = person.crmRecordId || person.deliveries > 0 ? 'update' : 'create';
  if (action === 'create' && !createdHere) {
    const claim = await claimCreation(env.DB, person.id, event.id, startedAt, LEASE_MS);
    if (!claim.claimed) {
      // Another lead of this person is creating the record: come back after its attempt (its lease
      // covers the attempt in flight, or lasts until its next retry), then update the record.
      await deferEvent(env.DB, event.id, startedAt, lead);
      return defer(Math.max(CREATION_WAIT_SECONDS, (claim.heldUntil - LEASE_MS - startedAt) / 1000));
    }
  }

  const outcome = await deliverWebhook(
    { url: env.CRM_URL, secret: env.DESTINATION_SECRET, timeoutMs: config.deliveryTimeoutMs },
    {
      eventId: event.id,
      source: event.source,
      receivedAt: event.receivedAt,
      lead,
      person: { id: person.id, action, crmRecordId: person.crmRecordId },
      mergedEventIds,
    },
  );
  const decision = decide(outcome, event.attempts, config.retry);
  const attempt: AttemptRecord = {
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
    await finishAttempt(
      env.DB,
      attempt,
      { status: 'delivered', lead, personId: person.id, deliveredAt: Date.now() },
      [attemptStatement(env.DB, person.id, { delivered: true, crmRecordId: outcome.recordId }, Date.now())],
    );
    return ACK;
  }

  // A create that failed in a way that may have applied it keeps this event the only one allowed to
  // create the person, until after its next attempt: otherwise the person's next lead would create
  // a second record. A refusal, or the last attempt, lets another lead create.
  const creation: CreationAfterAttempt =
    action !== 'create'
      ? { kind: 'keep' }
      : decision.action === 'retry'
        ? { kind: 'hold', untilMs: Date.now() + decision.delaySeconds * 1000 + LEASE_MS }
        : { kind: 'release' };
  const personSide = attemptStatement(env.DB, person.id, { delivered: false, creation }, Date.now());

  if (decision.action === 'stop') {
    await finishAttempt(env.DB, attempt, { status: 'dead', lead, personId: person.id, lastError }, [
      personSide,
    ]);
    log.warn(
      decision.exhausted ? 'attempts exhausted; event dead' : 'destination refused the lead; event dead',
      {
        event_id: event.id,
        source: event.source,
        attempts: event.attempts,
        http_status: outcome.httpStatus,
      },
    );
    return ACK;
  }
  await finishAttempt(env.DB, attempt, { status: 'retrying', lead, personId: person.id, lastError }, [
    personSide,
  ]);
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
  return { kind: 'retry', delaySeconds: decision.delaySeconds };
}

/**
 * Repeats of one person within the window become one delivery. The first event opens the window and
 * waits it out; events arriving meanwhile fold into it (status `merged`); when the first returns it
 * closes the window and delivers the merged lead. Opening, joining and closing are each one atomic
 * D1 statement, so a late event either makes it into the window or is delivered on its own.
 */
async function mergeWindow(
  env: Env,
  event: StoredEvent,
  person: Person,
  lead: Lead,
  windowMs: number,
  nowMs: number,
): Promise<{ verdict: Verdict } | { lead: Lead; mergedEventIds: string[] }> {
  const holder = person.pendingEventId;
  const open = holder !== null && (person.pendingUntil ?? 0) > nowMs;
  if (open && holder !== event.id && (await joinWindow(env.DB, person.id, holder, event.id, lead))) {
    log.info('lead merged into a pending delivery', { event_id: event.id, into: holder });
    return { verdict: ACK };
  }
  if (open && holder === event.id) {
    // Back too early (a redelivered message): wait out the rest of the window.
    await deferEvent(env.DB, event.id, nowMs, lead);
    return { verdict: defer(((person.pendingUntil ?? nowMs) - nowMs) / 1000) };
  }
  if (
    windowMs > 0 &&
    holder !== event.id &&
    (await openWindow(env.DB, person.id, event.id, nowMs + windowMs, nowMs))
  ) {
    await deferEvent(env.DB, event.id, nowMs, lead);
    return { verdict: defer(windowMs / 1000) };
  }
  const merged = await closeWindow(env.DB, person.id, event.id);
  return {
    lead: merged.reduce((into, repeat) => mergeLeads(into, repeat.lead as Lead), lead),
    mergedEventIds: merged.map((repeat) => repeat.id),
  };
}

/** The claim failed: the event is finished (ack), held by another consumer (come back later), or gone. */
async function alreadyHandled(eventId: string, env: Env, nowMs: number): Promise<Verdict> {
  const current = await getEvent(env.DB, eventId);
  if (!current) {
    log.error('queue message for an unknown event dropped', { event_id: eventId });
    return ACK;
  }
  if (FINAL_STATUSES.includes(current.status)) return ACK;
  return defer(((current.leaseUntil ?? nowMs) - nowMs) / 1000);
}

type Mapped = { lead: Lead } | { problem: string } | { lookupFailed: string };

async function leadOf(event: StoredEvent, source: Source, env: Env): Promise<Mapped> {
  let lead: Lead;
  try {
    const payload = validatePayload(source.schema, await parsePayload(event.contentType, event.body));
    lead = normalizeLead(await source.toLead(payload, env), {
      source: source.name,
      ...(source.defaultRegion ? { defaultRegion: source.defaultRegion } : {}),
    });
  } catch (error) {
    if (error instanceof LookupError)
      return error.retryable
        ? { lookupFailed: error.message }
        : { problem: `lookup_failed: ${error.message}` };
    // The payload passed this schema at ingest; failing now means the source's mapping changed.
    return { problem: `mapping_failed: ${error instanceof Error ? error.message.slice(0, 120) : 'unknown'}` };
  }
  const problem = leadContractProblem(lead);
  return problem ? { problem: `${problem}: the lead has neither a valid email nor a phone` } : { lead };
}
