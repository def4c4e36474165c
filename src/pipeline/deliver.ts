/**
 * The delivery queue's consumer. For a batch of messages, in named steps:
 *   1. gate    — each destination's health, read once: open, held (rate limit) or paused;
 *   2. take    — route new events (routing.ts) and take the deliveries the messages name;
 *   3. person  — for each delivery, the person's record in that destination, or the right to create it;
 *   4. attempt — one `deliver` call per destination with all of its leads (HubSpot: one API call);
 *   5. record  — every attempt, delivery status, person record, event summary and health change in
 *                one D1 batch;
 *   6. answer  — re-send what must come back later (retries, holds), then ack.
 * A message is acked only once its outcome is in D1 and every message it needs next was sent; if
 * anything throws, it is retried, never dropped.
 */
import { destinationRecovered } from '../alerts/maintain';
import { maskEmail, maskPhone } from '../alerts/mask';
import { type Alert, raiseInto, wroteMessage } from '../alerts/raise';
import type { AlertSample } from '../alerts/types';
import { raiseNow, wakeSender } from '../alerts/wake';
import { config } from '../config';
import { type Settings, settings } from '../config/settings';
import { credentialVarOf, destinations } from '../destinations/registry';
import type { DeliveryOutcome, DeliveryRequest } from '../destinations/types';
import type { Lead } from '../leads/lead';
import { log } from '../lib/log';
import {
  attemptStatement,
  type CreationAfterAttempt,
  claimStatement,
  creationStatements,
  type DeliveryRow,
  type DeliveryUpdate,
  type PersonRecordRow,
  parkStatement,
  personRecordStatement,
  releaseStatement,
  summaryStatement,
  toPersonRecord,
  updateStatement,
} from '../store/deliveries';
import {
  claimEventStatement,
  type EventRow,
  getEvent,
  insertStatements,
  type StoredEvent,
  toEvent,
} from '../store/events';
import {
  attemptsStatement,
  circuitStatement,
  claimProbe,
  type DestinationHealth,
  type HealthRow,
  healthStatement,
  pauseStatement,
  resumeStatement,
  toHealthMap,
} from '../store/health';
import { carriedEvent, type DeliveryMessage, enqueue, type Outgoing } from './enqueue';
import { resendParked } from './resume';
import { backoffSeconds, decideDelivery, isOutage, mayHaveApplied, queueDelaySeconds } from './retry-policy';
import { type Gate, type RoutingResult, routeEvents } from './routing';
import { isFinalEvent } from './status';

/** How long one consumer may hold an event or a delivery before another may take over. */
const LEASE_MS = 60_000;
/** The shortest wait for another event that is creating the same person in the same destination. */
const CREATION_WAIT_SECONDS = 5;
/** Parked deliveries re-sent at once when a destination resumes; the sweep sends the rest. */
const UNPARK_NOW = 500;

/** One delivery taken for an attempt in this batch. */
interface Work {
  message: number;
  eventId: string;
  destination: string;
  /** The attempt's number, counted over the delivery's life (replays included). */
  attempt: number;
  /** Attempts made before the last replay: the retry policy counts from here. */
  attemptBase: number;
  probe: boolean;
  source: string;
  receivedAt: number;
  requestId: string | null;
  lead: Lead;
  personId: string;
  mergedEventIds: readonly string[];
  action?: 'create' | 'update';
  recordId?: string | null;
}

interface Plan {
  work: Work[];
  resend: Outgoing[];
}

export async function deliverBatch(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const config = settings(env);
  const nowMs = Date.now();
  const targets = destinations(env);
  // 1. gate, read in one round trip with the claims of the batch's new events (each stored first
  // when its message carries it and D1 does not hold it yet: src/pipeline/accept.ts).
  const fresh = batch.messages.flatMap((message, i) => (message.body.destination ? [] : [i]));
  let health: Map<string, DestinationHealth>;
  let claimed: (StoredEvent | undefined)[];
  try {
    const claims = fresh.map((i) => {
      const { body } = batch.messages[i]!;
      const carried = carriedEvent(body);
      return [
        ...(carried ? insertStatements(env.DB, carried) : []),
        claimEventStatement(env.DB, body.eventId, nowMs, LEASE_MS),
      ];
    });
    const [rows, ...results] = await env.DB.batch<HealthRow & EventRow>([
      healthStatement(env.DB),
      ...claims.flat(),
    ]);
    health = toHealthMap(rows?.results ?? []);
    let at = -1;
    claimed = claims.map((statements) => {
      at += statements.length;
      const row = results[at]?.results[0];
      return row ? toEvent(row) : undefined;
    });
  } catch (error) {
    // D1 unreachable: nothing can be decided, so every message stays.
    log.error('reading destination health failed; retrying the batch', {
      error: error instanceof Error ? error.name : 'unknown',
    });
    for (const message of batch.messages)
      message.retry({ delaySeconds: backoffSeconds(message.attempts, config.retry, Math.random) });
    return;
  }
  const gate = gatekeeper(env.DB, health, nowMs);

  // 2. take
  const plans = await take(batch.messages, fresh, claimed, env, config, gate, nowMs);
  const work = plans.flatMap((p) => p?.work ?? []);
  const statements: D1PreparedStatement[] = [];
  const resend: { message: number; outgoing: Outgoing }[] = [];
  plans.forEach((p, i) => {
    for (const outgoing of p?.resend ?? []) resend.push({ message: i, outgoing });
  });
  const failed = new Set(plans.flatMap((p, i) => (p ? [] : [i])));

  let attempted: { item: Work; outcome: DeliveryOutcome }[] = [];
  try {
    // 3. person
    const ready = await resolveRecords(env.DB, work, nowMs, statements, resend);
    // 4. attempt
    attempted = await attempt(ready, targets, config, env, nowMs);
    // 5. record
    const changes = record(env.DB, attempted, targets, health, config, statements, resend, nowMs);
    const results = statements.length ? await env.DB.batch<{ destination: string }>(statements) : [];
    // The outcomes are recorded: what follows (logs, alerts, resent parked deliveries) must not
    // turn them into retries, and the sweep redoes what it could not.
    await afterRecord(env, changes, results, nowMs).catch((error) =>
      log.error('after-record work failed; the sweep will redo it', {
        error: error instanceof Error ? error.name : 'unknown',
      }),
    );
  } catch (error) {
    // D1 unreachable mid-batch: the attempts' outcomes are not recorded, so their messages stay.
    for (const item of work) failed.add(item.message);
    log.error('recording delivery outcomes failed; retrying', {
      error: error instanceof Error ? error.name : 'unknown',
      deliveries: work.length,
    });
  }

  // 6. answer
  const toSend = resend.filter((r) => !failed.has(r.message));
  try {
    await enqueue(
      env.DELIVERIES,
      toSend.map((r) => r.outgoing),
    );
  } catch {
    // The fresh copies were not sent: keep the originals instead (a retry, counted by the queue).
    for (const r of toSend) failed.add(r.message);
  }
  batch.messages.forEach((message, i) => {
    if (!failed.has(i)) message.ack();
    else message.retry({ delaySeconds: backoffSeconds(message.attempts, config.retry, Math.random) });
  });
}

function logUnexpected(body: DeliveryMessage, error: unknown): void {
  // D1 unreachable, a bug, anything unexpected: the work did not happen, so the message stays.
  log.error('delivery failed unexpectedly; retrying', {
    event_id: body.eventId,
    destination: body.destination,
    error: error instanceof Error ? error.name : 'unknown',
  });
}

/**
 * 1. gate: a destination is open, held until a time, or paused. A paused destination whose probe
 * is due lets exactly one delivery through (the first asked), which resumes it if it succeeds.
 */
function gatekeeper(db: D1Database, health: Map<string, DestinationHealth>, nowMs: number) {
  const probes = new Map<string, Promise<boolean>>();
  return async (destination: string, probe = false): Promise<Gate> => {
    const h = health.get(destination);
    if (h?.pausedAt) {
      if (probe) return { kind: 'open', probe: true };
      if (h.pausedBy === 'operator' || (h.probeAt ?? Infinity) > nowMs) return { kind: 'paused' };
      let claim = probes.get(destination);
      const first = claim === undefined;
      if (!claim) {
        claim = claimProbe(db, destination, nowMs);
        probes.set(destination, claim);
      }
      return first && (await claim) ? { kind: 'open', probe: true } : { kind: 'paused' };
    }
    if (h?.holdUntil && h.holdUntil > nowMs) return { kind: 'held', untilMs: h.holdUntil };
    return { kind: 'open', probe: false };
  };
}

/**
 * 2. take: the batch's messages as work (deliveries taken for an attempt) and messages to re-send.
 * New events are routed together (routing.ts), the deliveries the messages name are taken together
 * (takeDeliveries), so a batch costs the same few round trips whatever its size. A message whose
 * work threw has no plan: it is retried.
 */
async function take(
  messages: readonly Message<DeliveryMessage>[],
  fresh: readonly number[],
  claimed: readonly (StoredEvent | undefined)[],
  env: Env,
  config: Settings,
  gate: (destination: string, probe?: boolean) => Promise<Gate>,
  nowMs: number,
): Promise<(Plan | undefined)[]> {
  const plans: (Plan | undefined)[] = messages.map(() => undefined);
  const routing = fresh.flatMap((i, n) => (claimed[n] ? [{ i, event: claimed[n] }] : []));
  const named = messages.flatMap((message, i) =>
    message.body.destination
      ? [{ index: i, body: { ...message.body, destination: message.body.destination } }]
      : [],
  );
  const failed = (indexes: readonly number[]) => (error: unknown) => {
    for (const i of indexes) logUnexpected(messages[i]!.body, error);
  };
  await Promise.all([
    routeEvents(
      env,
      routing.map((r) => r.event),
      config,
      (d) => gate(d),
      nowMs,
      LEASE_MS,
    ).then(
      (results) =>
        results.forEach((result, n) => {
          const { i, event } = routing[n]!;
          if ('error' in result) logUnexpected(messages[i]!.body, result.error);
          else plans[i] = planOf(i, event, result);
        }),
      failed(routing.map((r) => r.i)),
    ),
    takeDeliveries(named, env, gate, nowMs).then(
      (taken) => {
        taken.forEach((plan, n) => {
          plans[named[n]!.index] = plan;
        });
      },
      failed(named.map((n) => n.index)),
    ),
    ...fresh.flatMap((i, n) =>
      claimed[n]
        ? []
        : [notClaimed(i, messages[i]!.body, env, gate, nowMs).then((plan) => (plans[i] = plan), failed([i]))],
    ),
  ]);
  return plans;
}

function planOf(
  index: number,
  event: StoredEvent,
  routing: Exclude<RoutingResult, { error: unknown }>,
): Plan {
  if (!('routed' in routing)) return { work: [], resend: routing.resend };
  const { routed } = routing;
  return {
    work: routed.taken.map((taken) => ({
      message: index,
      eventId: event.id,
      destination: taken.destination,
      attempt: taken.attempts,
      attemptBase: taken.attemptBase,
      probe: taken.probe,
      source: event.source,
      receivedAt: event.receivedAt,
      requestId: event.requestId,
      lead: routed.lead,
      personId: routed.personId,
      mergedEventIds: routed.mergedEventIds,
    })),
    resend: routing.resend,
  };
}

/** A new event's message whose event could not be claimed: finished, being routed, or routed. */
async function notClaimed(
  index: number,
  body: DeliveryMessage,
  env: Env,
  gate: (destination: string, probe?: boolean) => Promise<Gate>,
  nowMs: number,
): Promise<Plan> {
  const current = await getEvent(env.DB, body.eventId);
  if (!current) {
    // A message that carried its event, which D1 did not take: the event was a redelivery (its
    // original is stored under another id) or was erased. Anything else is unexpected.
    if (body.event)
      log.info('queue message of a redelivered or erased event dropped', { event_id: body.eventId });
    else log.error('queue message for an unknown event dropped', { event_id: body.eventId });
    return { work: [], resend: [] };
  }
  if (isFinalEvent(current.status)) return { work: [], resend: [] };
  if (current.status === 'routing')
    return {
      work: [],
      resend: [{ body, delaySeconds: queueDelaySeconds((current.leaseUntil ?? nowMs) - nowMs) }],
    };
  // Routed already (a repeated message, or one from before deliveries existed): its waiting
  // deliveries that are due are taken. So are those still `delivering`: this may be the retry of
  // a consumer that attempted them and could not record the outcome (or died), and nothing else
  // carries them on. One whose lease ended is taken now; one whose lease runs gets a message for
  // its end (notTaken), which finds it finished if its taker was alive.
  const { results } = await env.DB.prepare(
    `SELECT destination FROM deliveries WHERE event_id = ?1 AND (status = 'delivering'
       OR (status IN ('queued', 'retrying') AND (next_attempt_at IS NULL OR next_attempt_at <= ?2)))`,
  )
    .bind(body.eventId, nowMs)
    .all<{ destination: string }>();
  const plans = await takeDeliveries(
    results.map((row) => ({ index, body: { eventId: body.eventId, destination: row.destination } })),
    env,
    gate,
    nowMs,
  );
  return { work: plans.flatMap((p) => p.work), resend: plans.flatMap((p) => p.resend) };
}

type EventInfo = {
  source: string;
  received_at: number;
  lead: string | null;
  person_id: string | null;
  request_id: string | null;
  merged_event_ids: string | null;
};

/**
 * Messages naming one delivery each, gated, then taken for an attempt with their event's lead: one
 * D1 round trip for all of them (the claims, parks and removals together). One plan per message.
 */
async function takeDeliveries(
  named: readonly { index: number; body: DeliveryMessage & { destination: string } }[],
  env: Env,
  gate: (destination: string, probe?: boolean) => Promise<Gate>,
  nowMs: number,
): Promise<Plan[]> {
  if (named.length === 0) return [];
  const db = env.DB;
  const statements: D1PreparedStatement[] = [];
  const steps = await Promise.all(
    named.map(async ({ index, body }) => {
      if (!Object.hasOwn(config.destinations, body.destination)) {
        // Removed from inlet.config.ts: nothing can deliver it. Dead, and replayable once it is back.
        statements.push(
          updateStatement(db, body.eventId, body.destination, {
            status: 'dead',
            lastError: 'config_error: destination no longer configured',
          }),
          summaryStatement(db, body.eventId, nowMs),
        );
        return { plan: { work: [], resend: [] } as Plan };
      }
      const g = await gate(body.destination, body.probe === true);
      if (g.kind === 'held')
        return { plan: { work: [], resend: [{ body, delaySeconds: queueDelaySeconds(g.untilMs - nowMs) }] } };
      if (g.kind === 'paused') {
        statements.push(parkStatement(db, body.eventId, body.destination, nowMs));
        return { plan: { work: [], resend: [] } as Plan };
      }
      return { index, body, probe: g.probe };
    }),
  );
  const claims = steps.map((step) => {
    if ('plan' in step) return -1;
    const at = statements.length;
    statements.push(
      claimStatement(db, step.body.eventId, step.body.destination, nowMs, LEASE_MS, step.probe),
      db
        .prepare(
          `SELECT source, received_at, lead, person_id, request_id,
             (SELECT json_group_array(id) FROM events m WHERE m.merged_into = events.id AND m.status = 'merged') AS merged_event_ids
           FROM events WHERE id = ?1`,
        )
        .bind(step.body.eventId),
      db
        .prepare('SELECT * FROM deliveries WHERE event_id = ?1 AND destination = ?2')
        .bind(step.body.eventId, step.body.destination),
    );
    return at;
  });
  // Every delivery held (a rate limit): nothing to claim, and D1 refuses an empty batch.
  const results = statements.length ? await db.batch<DeliveryRow & EventInfo>(statements) : [];
  const unrouted: D1PreparedStatement[] = [];
  const plans = steps.map((step, n): Plan => {
    if ('plan' in step) return step.plan;
    const at = claims[n] as number;
    const { body } = step;
    const row = results[at]?.results[0];
    const info = results[at + 1]?.results[0];
    if (!row) return { work: [], resend: notTaken(body, results[at + 2]?.results[0], nowMs) };
    if (!info?.lead || !info.person_id) {
      // Taken but its event has no lead: it was never routed (data from a replay mid-way). Give it
      // back and route the event again.
      unrouted.push(releaseStatement(db, body.eventId, body.destination));
      return { work: [], resend: [{ body: { eventId: body.eventId }, delaySeconds: 1 }] };
    }
    return {
      work: [
        {
          message: step.index,
          eventId: body.eventId,
          destination: body.destination,
          attempt: row.attempts,
          attemptBase: row.attempt_base,
          probe: step.probe,
          source: info.source,
          receivedAt: info.received_at,
          requestId: info.request_id,
          lead: JSON.parse(info.lead) as Lead,
          personId: info.person_id,
          mergedEventIds: info.merged_event_ids ? (JSON.parse(info.merged_event_ids) as string[]) : [],
        },
      ],
      resend: [],
    };
  });
  if (unrouted.length) await db.batch(unrouted);
  return plans;
}

/**
 * A delivery this message could not take. Finished (or gone, or parked): nothing to do. Being
 * attempted by another consumer, or not due yet (the queue may hand a delayed message over a
 * little early): come back when its lease or its backoff ends, so no delivery is left without a
 * message. A duplicate message comes back too, and finds it finished.
 */
function notTaken(body: DeliveryMessage, delivery: DeliveryRow | undefined, nowMs: number): Outgoing[] {
  if (!delivery) return [];
  const until =
    delivery.status === 'delivering'
      ? delivery.lease_until
      : delivery.status === 'queued' || delivery.status === 'retrying'
        ? delivery.next_attempt_at
        : null;
  return until === null ? [] : [{ body, delaySeconds: queueDelaySeconds(until - nowMs) }];
}

/**
 * 3. person: whether each delivery creates the person in its destination or updates its record.
 * Only one event at a time may create a person in a destination, and a group sent to one
 * destination holds at most one lead per person (a CRM batch refuses the same contact twice);
 * the others wait a few seconds, without using up an attempt.
 */
async function resolveRecords(
  db: D1Database,
  work: Work[],
  nowMs: number,
  statements: D1PreparedStatement[],
  resend: { message: number; outgoing: Outgoing }[],
): Promise<Work[]> {
  const wait = (item: Work, seconds: number) => {
    statements.push(releaseStatement(db, item.eventId, item.destination));
    resend.push({
      message: item.message,
      outgoing: { body: { eventId: item.eventId, destination: item.destination }, delaySeconds: seconds },
    });
  };
  const seen = new Set<string>();
  const unique = work.filter((item) => {
    const key = `${item.personId}|${item.destination}`;
    if (seen.has(key)) {
      wait(item, CREATION_WAIT_SECONDS);
      return false;
    }
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return [];
  const results = await db.batch<PersonRecordRow>(
    unique.flatMap((item) =>
      creationStatements(db, item.personId, item.destination, item.eventId, nowMs, LEASE_MS),
    ),
  );
  return unique.flatMap((item, i): Work[] => {
    const claimed = (results[2 * i]?.results.length ?? 0) > 0;
    const record = toPersonRecord(results[2 * i + 1]?.results[0]);
    if (claimed) return [{ ...item, action: 'create' as const, recordId: null }];
    if (record.recordId || record.deliveries > 0 || record.maybeCreated)
      return [{ ...item, action: 'update' as const, recordId: record.recordId }];
    // Another lead of this person is creating the record there: come back after its attempt (its
    // lease covers the attempt in flight, or lasts until its next retry), then update the record.
    wait(
      item,
      Math.max(CREATION_WAIT_SECONDS, queueDelaySeconds((record.creatingUntil ?? nowMs) - LEASE_MS - nowMs)),
    );
    return [];
  });
}

/** 4. attempt: one call per destination with every lead bound for it. */
async function attempt(
  ready: Work[],
  targets: ReturnType<typeof destinations>,
  config: Settings,
  env: Env,
  nowMs: number,
): Promise<{ item: Work; outcome: DeliveryOutcome }[]> {
  const groups = new Map<string, Work[]>();
  for (const item of ready) groups.set(item.destination, [...(groups.get(item.destination) ?? []), item]);
  const done = await Promise.all(
    [...groups].map(async ([name, items]) => {
      const target = targets.get(name);
      const requests: DeliveryRequest[] = items.map((item) => ({
        eventId: item.eventId,
        source: item.source,
        receivedAt: item.receivedAt,
        lead: item.lead,
        person: { id: item.personId, recordId: item.recordId ?? null, action: item.action ?? 'create' },
        mergedEventIds: item.mergedEventIds,
      }));
      let outcomes: DeliveryOutcome[];
      if (!target) {
        outcomes = items.map(() => ({
          errorClass: 'config_error',
          httpStatus: null,
          reason: 'destination no longer configured',
          durationMs: 0,
        }));
      } else {
        try {
          outcomes = await target.destination.deliver(requests, {
            nowMs,
            timeoutMs: config.deliveryTimeoutMs,
            kv: env.KV,
          });
        } catch (error) {
          // An adapter bug is not the lead's fault: a transient failure, retried.
          log.error('destination adapter threw', {
            destination: name,
            error: error instanceof Error ? error.name : 'unknown',
          });
          const failed: DeliveryOutcome = {
            errorClass: 'network',
            httpStatus: null,
            reason: 'adapter error',
            durationMs: 0,
          };
          outcomes = items.map(() => failed);
        }
      }
      return items.map((item, i) => ({
        item,
        outcome: outcomes[i] ?? {
          errorClass: 'network' as const,
          httpStatus: null,
          reason: 'no outcome',
          durationMs: 0,
        },
      }));
    }),
  );
  return done.flat();
}

interface Changes {
  /** Statement indexes whose RETURNING tells a pause, a circuit opening or a resume happened. */
  paused: { index: number; destination: string; reason: string; circuit: boolean }[];
  resumed: { index: number; destination: string }[];
  /** Statement indexes that write an alert message (src/alerts/raise.ts). */
  alerts: number[];
}

/** A delivery's failure as an alert shows it: ids, codes and the lead masked. */
function alertSample(item: Work, outcome: DeliveryOutcome): AlertSample {
  return {
    eventId: item.eventId,
    ...(item.lead.email ? { maskedEmail: maskEmail(item.lead.email) } : {}),
    ...(item.lead.phone ? { maskedPhone: maskPhone(item.lead.phone) } : {}),
    httpStatus: outcome.httpStatus,
    reason: outcome.reason,
    attempts: item.attempt,
  };
}

/** 5. record: the statements for every outcome, appended to the batch's one D1 batch. */
function record(
  db: D1Database,
  attempted: { item: Work; outcome: DeliveryOutcome }[],
  targets: ReturnType<typeof destinations>,
  health: Map<string, DestinationHealth>,
  config: Settings,
  statements: D1PreparedStatement[],
  resend: { message: number; outgoing: Outgoing }[],
  nowMs: number,
): Changes {
  const changes: Changes = { paused: [], resumed: [], alerts: [] };
  const raise = (alert: Alert) => changes.alerts.push(...raiseInto(statements, db, alert, nowMs));
  const events = new Set<string>();
  const perDestination = new Map<
    string,
    {
      successes: number;
      /**
       * The failed calls: inputs one call decided (a batch call's failure, or the halt the rest of
       * its group is answered with) share one outcome, so one failed batch of 100 is one failure
       * toward the circuit, as a single lead's failure is.
       */
      failed: Set<DeliveryOutcome>;
      /** Answers that were not a success but show the destination up (a 429, a refused lead). */
      answered: number;
      holdUntil: number | undefined;
      probe: boolean;
      configError?: string;
    }
  >();

  for (const { item, outcome } of attempted) {
    const policy = targets.get(item.destination)?.policy;
    const creating = item.action === 'create';
    const decision = decideDelivery(outcome, item.attempt - item.attemptBase, config.retry, {
      creating,
      searchLagSeconds: policy?.searchLagSeconds ?? 0,
    });
    const retryIn = decision.status === 'retrying' ? decision.delaySeconds : null;
    statements.push(
      attemptStatement(db, {
        eventId: item.eventId,
        destination: item.destination,
        attempt: item.attempt,
        startedAt: nowMs,
        durationMs: outcome.durationMs,
        httpStatus: outcome.httpStatus,
        errorClass: outcome.errorClass,
        reason: outcome.reason,
        retryInSeconds: retryIn,
      }),
    );
    const lastError = `${outcome.errorClass}: ${outcome.reason}`;
    const update: DeliveryUpdate =
      decision.status === 'delivered'
        ? {
            status: 'delivered',
            deliveredAt: nowMs,
            ...(outcome.recordId ? { recordId: outcome.recordId } : {}),
          }
        : decision.status === 'retrying'
          ? { status: 'retrying', nextAttemptAt: nowMs + decision.delaySeconds * 1000, lastError }
          : decision.status === 'paused'
            ? { status: 'paused', lastError, refundAttempt: true }
            : { status: 'dead', lastError };
    statements.push(updateStatement(db, item.eventId, item.destination, update));

    // A create being retried keeps this event the only one allowed to create the person there,
    // until after its next attempt, whatever this attempt's error: an earlier attempt may have
    // applied it (a timeout, then a 429 says nothing about the first). Only an end (a refusal, the
    // last attempt, a pause) lets another lead create.
    const creation: CreationAfterAttempt = !creating
      ? { kind: 'keep' }
      : decision.status === 'retrying'
        ? { kind: 'hold', untilMs: nowMs + decision.delaySeconds * 1000 + LEASE_MS }
        : item.attempt > 1 || mayHaveApplied(outcome.errorClass)
          ? { kind: 'uncertain' }
          : { kind: 'release' };
    const personSide = personRecordStatement(
      db,
      item.personId,
      item.destination,
      decision.status === 'delivered'
        ? { delivered: true, recordId: outcome.recordId }
        : { delivered: false, creation },
    );
    if (personSide) statements.push(personSide);
    events.add(item.eventId);

    // One line per attempt, ids and codes only: follows the event from ingest to delivery.
    log.info('delivery attempt', {
      request_id: item.requestId,
      event_id: item.eventId,
      source: item.source,
      destination: item.destination,
      attempt: item.attempt,
      action: item.action,
      error_class: outcome.errorClass,
      http_status: outcome.httpStatus,
      status: decision.status,
      retry_in_s: retryIn,
      duration_ms: outcome.durationMs,
    });
    if (decision.status === 'retrying')
      resend.push({
        message: item.message,
        outgoing: {
          body: { eventId: item.eventId, destination: item.destination },
          delaySeconds: decision.delaySeconds,
        },
      });
    if (decision.status === 'dead') {
      log.warn(
        decision.exhausted
          ? 'attempts exhausted; delivery dead'
          : 'destination refused the lead; delivery dead',
        {
          event_id: item.eventId,
          destination: item.destination,
          attempts: item.attempt,
          http_status: outcome.httpStatus,
          reason: outcome.reason,
        },
      );
      raise({
        kind: decision.exhausted ? 'dead' : 'refused',
        source: item.source,
        destination: item.destination,
        errorClass: outcome.errorClass,
        eventId: item.eventId,
        sample: alertSample(item, outcome),
      });
    }
    if (decision.status === 'paused')
      raise({
        kind: 'paused',
        source: null,
        destination: item.destination,
        errorClass: 'config_error',
        sample: {
          eventId: item.eventId,
          httpStatus: outcome.httpStatus,
          reason: outcome.reason,
          ...(credentialVarOf(item.destination) ? { credentialVar: credentialVarOf(item.destination)! } : {}),
        },
      });

    const d = perDestination.get(item.destination) ?? {
      successes: 0,
      failed: new Set(),
      answered: 0,
      holdUntil: undefined,
      probe: false,
    };
    if (outcome.errorClass === 'ok') d.successes++;
    else if (isOutage(outcome.errorClass)) d.failed.add(outcome);
    else if (outcome.errorClass !== 'config_error') d.answered++;
    if (outcome.errorClass === 'config_error') d.configError ??= lastError;
    if (item.probe) d.probe = true;
    const holdSeconds = Math.max(
      outcome.paceSeconds ?? 0,
      outcome.errorClass === 'rate_limited' || outcome.httpStatus === 503
        ? (outcome.retryAfterSeconds ?? 0)
        : 0,
    );
    if (holdSeconds > 0) d.holdUntil = Math.max(d.holdUntil ?? 0, nowMs + holdSeconds * 1000);
    perDestination.set(item.destination, d);
  }
  for (const eventId of events) statements.push(summaryStatement(db, eventId, nowMs));

  for (const [name, d] of perDestination) {
    const policy = targets.get(name)?.policy;
    const probeSeconds = policy?.probeSeconds ?? 60;
    statements.push(attemptsStatement(db, name, { ...d, failures: d.failed.size }, nowMs));
    if (d.configError) {
      changes.paused.push({
        index: statements.length,
        destination: name,
        reason: d.configError,
        circuit: false,
      });
      statements.push(pauseStatement(db, name, 'config', d.configError, nowMs, probeSeconds));
    } else if (
      // A destination paused by an outage is back as soon as it answers at all: a probe met by a
      // 429 is up and rate limited (its Retry-After holds the resent deliveries), not still down.
      // Only an operator ends an operator's pause.
      (d.successes > 0 || d.answered > 0) &&
      (d.probe || health.get(name)?.pausedAt) &&
      health.get(name)?.pausedBy !== 'operator'
    ) {
      changes.resumed.push({ index: statements.length, destination: name });
      statements.push(resumeStatement(db, name, nowMs));
    } else if (d.failed.size > 0) {
      changes.paused.push({ index: statements.length, destination: name, reason: 'outage', circuit: true });
      statements.push(circuitStatement(db, name, policy?.failureThreshold ?? 20, nowMs, probeSeconds));
    }
  }
  return changes;
}

/** After the record: log pauses and resumes, and send a resumed destination's parked deliveries. */
async function afterRecord(
  env: Env,
  changes: Changes,
  results: D1Result<{ destination: string }>[],
  nowMs: number,
): Promise<void> {
  let wake = wroteMessage(results, changes.alerts);
  for (const pause of changes.paused) {
    if ((results[pause.index]?.results.length ?? 0) === 0) continue;
    log.warn('destination paused', { destination: pause.destination, reason: pause.reason });
    if (pause.circuit) {
      // The circuit opened: alerted here, after the batch said so (a config pause was raised in it).
      const alert: Alert = {
        kind: 'paused',
        source: null,
        destination: pause.destination,
        errorClass: 'outage',
      };
      await raiseNow(env, alert, nowMs);
    }
  }
  for (const resume of changes.resumed) {
    if ((results[resume.index]?.results.length ?? 0) === 0) continue;
    log.info('destination resumed', { destination: resume.destination });
    wake = (await destinationRecovered(env, resume.destination, nowMs)) || wake;
    try {
      await resendParked(env, resume.destination, nowMs, UNPARK_NOW);
    } catch (error) {
      // The outcomes are recorded; what was not re-sent here, the sweep sends (it unparks too).
      log.error('resending parked deliveries failed; the sweep will', {
        destination: resume.destination,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  if (wake) await wakeSender(env);
}
