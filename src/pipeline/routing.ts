/**
 * The first step of the consumer for a new event: map and normalise its lead, find the person it
 * belongs to (folding repeats within the merge window), pick its destinations from the routes,
 * and create one delivery per destination. Its deliveries are then attempted in the same batch.
 */
import { type Alert, alertSettings } from '../alerts/raise';
import { raiseNow } from '../alerts/wake';
import { config } from '../config';
import type { Settings } from '../config/settings';
import { LookupError } from '../enrich/meta-graph';
import { leadContractProblem, mergeLeads, personKeys } from '../leads/identity';
import type { Lead, LeadInput } from '../leads/lead';
import { normalizeLead } from '../leads/normalize';
import { log } from '../lib/log';
import { eventKind, statusOf } from '../sources/events';
import { findSource } from '../sources/registry';
import type { Source } from '../sources/types';
import { knownIn, routeStatement, summaryStatement } from '../store/deliveries';
import {
  campaignOf,
  deferEvent,
  type EventUpdate,
  eventUpdateStatement,
  type StoredEvent,
  updateEvent,
} from '../store/events';
import {
  closeWindow,
  joinWindow,
  type Keys,
  openWindow,
  type Person,
  resolvePeople,
  seenStatement,
} from '../store/people';
import type { Outgoing } from './enqueue';
import { parsePayload, validatePayload } from './parse';
import { decide as decideRetry, queueDelaySeconds } from './retry-policy';
import { destinationsFor } from './route';

/** How a destination may be used in this batch (src/pipeline/deliver.ts decides it once per batch). */
export type Gate = { kind: 'open'; probe: boolean } | { kind: 'held'; untilMs: number } | { kind: 'paused' };

export interface Routed {
  /** Deliveries created and taken for an attempt now. */
  taken: { destination: string; attempts: number; attemptBase: number; probe: boolean }[];
  lead: Lead;
  personId: string;
  mergedEventIds: string[];
}

/**
 * What routing left for the queue: messages to send (waiting out a hold or a window); or the error
 * one event's own step threw (its message is retried, the others go on).
 */
export type RoutingResult =
  | { routed: Routed; resend: Outgoing[] }
  | { resend: Outgoing[] }
  | { error: unknown };

/** An event mapped to a valid lead, waiting for its person. */
interface Mapped {
  event: StoredEvent;
  source: Source;
  lead: Lead;
  input: LeadInput;
  keys: Keys;
}

/** An event whose routing is decided, waiting for the batch's one write. */
interface Decided {
  event: StoredEvent;
  names: string[];
  gates: Gate[];
  lead: Lead;
  input: LeadInput;
  personId: string;
  mergedEventIds: string[];
}

/**
 * Routes a consumer batch's new events with a constant number of D1 round trips: their people in
 * one (resolvePeople), their deliveries, leads and statuses in another. What is rare (an invalid
 * lead and its alert, a provider lookup, a merge window, an update's known records) costs its own.
 * One result per event, in order. What one event's own step throws is its result (`error`): its
 * message is retried, the others go on; a failed batch write throws, and every message is retried.
 */
export async function routeEvents(
  env: Env,
  events: readonly StoredEvent[],
  settingsNow: Settings,
  gate: (destination: string) => Promise<Gate>,
  nowMs: number,
  leaseMs: number,
): Promise<RoutingResult[]> {
  const results: RoutingResult[] = events.map(() => ({ resend: [] }));
  const mapped = (
    await Promise.all(
      events.map(async (event, i) => ({
        i,
        mapped: await mapEvent(env, event, settingsNow, nowMs).catch((error: unknown) => ({ error })),
      })),
    )
  ).flatMap(({ i, mapped }) => {
    if ('resend' in mapped || 'error' in mapped) {
      results[i] = mapped;
      return [];
    }
    return [{ i, mapped }];
  });

  const people = await resolvePeople(
    env.DB,
    mapped.map(({ mapped: m }) => ({
      keys: m.keys,
      first: { source: m.event.source, campaign: campaignOf(m.lead) },
    })),
    nowMs,
  );

  const statements: D1PreparedStatement[] = [];
  const decided: { i: number; decided: Decided; at: number }[] = [];
  await Promise.all(
    mapped.map(async ({ i, mapped: m }, n) => {
      const person = people[n] as Person;
      const outcome = await decide(env, m, person, settingsNow, gate, nowMs).catch((error: unknown) => ({
        error,
      }));
      if ('resend' in outcome || 'error' in outcome) results[i] = outcome;
      else if ('update' in outcome) statements.push(eventUpdateStatement(env.DB, m.event.id, outcome.update));
      else decided.push({ i, decided: outcome, at: -1 });
    }),
  );
  for (const entry of decided) {
    entry.at = statements.length;
    statements.push(...routeStatements(env.DB, entry.decided, nowMs, leaseMs));
  }
  if (statements.length === 0) return results;
  const written = await env.DB.batch<{ destination: string; attempts: number; attempt_base: number }>(
    statements,
  );
  for (const { i, decided: d, at } of decided) {
    const taken: Routed['taken'] = [];
    const resend: Outgoing[] = [];
    d.names.forEach((name, k) => {
      const row = written[at + k]?.results[0];
      const g = d.gates[k] as Gate;
      if (!row) return; // already delivered, or being attempted by another consumer
      if (g.kind === 'open')
        taken.push({
          destination: name,
          attempts: row.attempts,
          attemptBase: row.attempt_base,
          probe: g.probe,
        });
      else if (g.kind === 'held')
        resend.push({
          body: { eventId: d.event.id, destination: name },
          delaySeconds: queueDelaySeconds(g.untilMs - nowMs),
        });
    });
    results[i] = {
      routed: { taken, lead: d.lead, personId: d.personId, mergedEventIds: d.mergedEventIds },
      resend,
    };
  }
  return results;
}

/** An event's deliveries created (taken when open), its lead and status written, its person seen. */
function routeStatements(db: D1Database, d: Decided, nowMs: number, leaseMs: number): D1PreparedStatement[] {
  return [
    ...d.names.map((name, k) => {
      const g = d.gates[k] as Gate;
      const status = g.kind === 'open' ? 'delivering' : g.kind === 'paused' ? 'paused' : 'queued';
      return routeStatement(db, d.event.id, name, status, nowMs, leaseMs);
    }),
    eventUpdateStatement(db, d.event.id, {
      status: 'delivering',
      lead: d.lead,
      leadInput: d.input,
      personId: d.personId,
      lastError: null,
    }),
    seenStatement(db, d.personId, nowMs),
    // A replay may find every delivery already finished: the event's status says so at once.
    summaryStatement(db, d.event.id, nowMs),
  ];
}

/** The event's lead, or how its routing ended (invalid, dead, a lookup to retry). */
async function mapEvent(
  env: Env,
  event: StoredEvent,
  settingsNow: Settings,
  nowMs: number,
): Promise<Mapped | { resend: Outgoing[] }> {
  const self = (delaySeconds: number): Outgoing => ({ body: { eventId: event.id }, delaySeconds });
  const source = findSource(event.source);
  if (!source) {
    await updateEvent(env.DB, event.id, { status: 'dead', lastError: 'source no longer configured' });
    log.error('event for an unknown source marked dead', { event_id: event.id, source: event.source });
    return { resend: [] };
  }

  const mapped = await leadOf(event, source, env);
  if ('lookupFailed' in mapped) {
    // A provider lookup (Meta's Graph API) failed in a way that can heal: retried like an attempt.
    const decision = decideRetry({ errorClass: 'lookup_failed' }, event.attempts, settingsNow.retry);
    const lastError = `lookup_failed: ${mapped.lookupFailed}`;
    if (decision.action === 'retry') {
      await env.DB.prepare(
        `UPDATE events SET status = 'queued', lease_until = NULL, last_error = ?2, enqueued_at = ?3 WHERE id = ?1`,
      )
        .bind(event.id, lastError, nowMs + decision.delaySeconds * 1000)
        .run();
      return { resend: [self(decision.delaySeconds)] };
    }
    await updateEvent(env.DB, event.id, { status: 'dead', lastError });
    return { resend: [] };
  }
  if ('problem' in mapped) {
    // Invalid leads of one source, counted: a burst of them means a mapping or a sender broke.
    const alert: Alert = {
      kind: 'invalid_burst',
      source: event.source,
      destination: null,
      errorClass: mapped.problem.split(':')[0] ?? null,
      eventId: event.id,
      postAt: alertSettings(config.alerts).invalidThreshold,
    };
    await raiseNow(env, alert, nowMs, [
      eventUpdateStatement(env.DB, event.id, {
        status: 'invalid',
        lastError: mapped.problem,
        ...(mapped.lead ? { lead: mapped.lead, leadInput: mapped.input } : {}),
      }),
    ]);
    log.warn('lead invalid; stored for replay after a fix', {
      event_id: event.id,
      source: event.source,
      // Only the stable code: the rest may quote a thrown error, which may quote the payload.
      reason: mapped.problem.split(':')[0],
    });
    return { resend: [] };
  }
  return { event, source, lead: mapped.lead, input: mapped.input, keys: await personKeys(mapped.lead) };
}

/**
 * Where the event goes, now its person is known: its merge window first (which may fold it into
 * another event, or hold it), then its routes. An event with nowhere to go ends with its status.
 */
async function decide(
  env: Env,
  m: Mapped,
  person: Person,
  settingsNow: Settings,
  gate: (destination: string) => Promise<Gate>,
  nowMs: number,
): Promise<Decided | { resend: Outgoing[] } | { update: EventUpdate }> {
  const { event, source } = m;
  let lead = withEvent(m.lead, event.eventType ?? undefined);
  let mergedEventIds: string[] = [];
  // A window this event opened is closed by it even if merging was switched off meanwhile, so the
  // leads folded into it are delivered.
  if (settingsNow.mergeWindowMs > 0 || person.pendingEventId === event.id) {
    const window = await mergeWindow(env, event, person, lead, settingsNow.mergeWindowMs, nowMs);
    if ('resend' in window) return { resend: window.resend === undefined ? [] : [window.resend] };
    lead = window.lead;
    mergedEventIds = window.mergedEventIds;
  }

  let names = destinationsFor(config.routes, event.source, lead).filter((name) =>
    Object.hasOwn(config.destinations, name),
  );
  const ended = { lead, leadInput: m.input, personId: person.id };
  // An update (a cancellation) changes records that exist; it never creates one.
  if (eventKind(source.events, event.eventType ?? undefined) === 'update' && names.length > 0) {
    const known = await knownIn(env.DB, person.id);
    names = names.filter((name) => known.has(name));
    if (names.length === 0)
      return {
        update: {
          status: 'ignored',
          ...ended,
          lastError: 'no_record: an update for a person no routed destination has a record of',
        },
      };
  }
  if (names.length === 0) {
    log.info('no route for the lead; kept as unrouted', { event_id: event.id, source: event.source });
    return { update: { status: 'unrouted', ...ended, lastError: null } };
  }
  const gates = await Promise.all(names.map(gate));
  return { event, names, gates, lead, input: m.input, personId: person.id, mergedEventIds };
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
): Promise<{ resend: Outgoing | undefined } | { lead: Lead; mergedEventIds: string[] }> {
  const holder = person.pendingEventId;
  const open = holder !== null && (person.pendingUntil ?? 0) > nowMs;
  if (open && holder !== event.id && (await joinWindow(env.DB, person.id, holder, event.id, lead))) {
    log.info('lead merged into a pending delivery', { event_id: event.id, into: holder });
    return { resend: undefined };
  }
  if (open && holder === event.id) {
    // Back too early (a redelivered message): wait out the rest of the window.
    await deferEvent(env.DB, event.id, nowMs, lead);
    return {
      resend: {
        body: { eventId: event.id },
        delaySeconds: queueDelaySeconds((person.pendingUntil ?? nowMs) - nowMs),
      },
    };
  }
  if (
    windowMs > 0 &&
    holder !== event.id &&
    (await openWindow(env.DB, person.id, event.id, nowMs + windowMs, nowMs))
  ) {
    await deferEvent(env.DB, event.id, nowMs, lead);
    return { resend: { body: { eventId: event.id }, delaySeconds: queueDelaySeconds(windowMs) } };
  }
  const merged = await closeWindow(env.DB, person.id, event.id);
  return {
    lead: merged.reduce((into, repeat) => mergeLeads(into, repeat.lead as Lead), lead),
    mergedEventIds: merged.map((repeat) => repeat.id),
  };
}

/** The lead with what its event was: the provider's type, and for an update the person's status. */
function withEvent(lead: Lead, eventType: string | undefined): Lead {
  const status = statusOf(eventType);
  return {
    ...lead,
    ...(eventType === undefined ? {} : { event: eventType }),
    ...(status === undefined ? {} : { status }),
  };
}

type LeadOf =
  | { lead: Lead; input: LeadInput }
  | { problem: string; lead?: Lead; input?: LeadInput }
  | { lookupFailed: string };

async function leadOf(event: StoredEvent, source: Source, env: Env): Promise<LeadOf> {
  let lead: Lead;
  let input: LeadInput;
  try {
    const payload = validatePayload(source.schema, await parsePayload(event.contentType, event.body));
    input = await source.toLead(payload, env);
    lead = normalizeLead(input, {
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
  return problem
    ? { problem: `${problem}: the lead has neither a valid email nor a phone`, lead, input }
    : { lead, input };
}
