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
import { campaignOf, deferEvent, eventUpdateStatement, type StoredEvent, updateEvent } from '../store/events';
import {
  closeWindow,
  joinWindow,
  openWindow,
  type Person,
  resolvePerson,
  seenStatement,
} from '../store/people';
import type { Outgoing } from './enqueue';
import { parsePayload, validatePayload } from './parse';
import { decide, queueDelaySeconds } from './retry-policy';
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

/** What routing left for the queue: messages to send (waiting out a hold or a window). */
export type RoutingResult = { routed: Routed; resend: Outgoing[] } | { resend: Outgoing[] };

export async function routeEvent(
  env: Env,
  event: StoredEvent,
  settingsNow: Settings,
  gate: (destination: string) => Promise<Gate>,
  nowMs: number,
  leaseMs: number,
): Promise<RoutingResult> {
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
    const decision = decide({ errorClass: 'lookup_failed' }, event.attempts, settingsNow.retry);
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

  const person = await resolvePerson(env.DB, await personKeys(mapped.lead), nowMs, {
    source: event.source,
    campaign: campaignOf(mapped.lead),
  });
  let lead = withEvent(mapped.lead, event.eventType ?? undefined);
  let mergedEventIds: string[] = [];
  // A window this event opened is closed by it even if merging was switched off meanwhile, so the
  // leads folded into it are delivered.
  if (settingsNow.mergeWindowMs > 0 || person.pendingEventId === event.id) {
    const window = await mergeWindow(env, event, person, lead, settingsNow.mergeWindowMs, nowMs);
    if ('resend' in window) return window.resend === undefined ? { resend: [] } : { resend: [window.resend] };
    lead = window.lead;
    mergedEventIds = window.mergedEventIds;
  }

  let names = destinationsFor(config.routes, event.source, lead).filter((name) =>
    Object.hasOwn(config.destinations, name),
  );
  // An update (a cancellation) changes records that exist; it never creates one.
  if (eventKind(source.events, event.eventType ?? undefined) === 'update' && names.length > 0) {
    const known = await knownIn(env.DB, person.id);
    names = names.filter((name) => known.has(name));
    if (names.length === 0) {
      await updateEvent(env.DB, event.id, {
        status: 'ignored',
        lead,
        leadInput: mapped.input,
        personId: person.id,
        lastError: 'no_record: an update for a person no routed destination has a record of',
      });
      return { resend: [] };
    }
  }
  if (names.length === 0) {
    await updateEvent(env.DB, event.id, {
      status: 'unrouted',
      lead,
      leadInput: mapped.input,
      personId: person.id,
      lastError: null,
    });
    log.info('no route for the lead; kept as unrouted', { event_id: event.id, source: event.source });
    return { resend: [] };
  }

  const gates = await Promise.all(names.map(gate));
  const statuses = gates.map((g) =>
    g.kind === 'open' ? 'delivering' : g.kind === 'paused' ? 'paused' : 'queued',
  );
  const results = await env.DB.batch<{ destination: string; attempts: number; attempt_base: number }>([
    ...names.map((name, i) => routeStatement(env.DB, event.id, name, statuses[i]!, nowMs, leaseMs)),
    eventUpdateStatement(env.DB, event.id, {
      status: 'delivering',
      lead,
      leadInput: mapped.input,
      personId: person.id,
      lastError: null,
    }),
    seenStatement(env.DB, person.id, nowMs),
    // A replay may find every delivery already finished: the event's status says so at once.
    summaryStatement(env.DB, event.id, nowMs),
  ]);
  const taken: Routed['taken'] = [];
  const resend: Outgoing[] = [];
  names.forEach((name, i) => {
    const row = results[i]?.results[0];
    const g = gates[i]!;
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
        body: { eventId: event.id, destination: name },
        delaySeconds: queueDelaySeconds(g.untilMs - nowMs),
      });
  });
  return { routed: { taken, lead, personId: person.id, mergedEventIds }, resend };
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

type Mapped =
  | { lead: Lead; input: LeadInput }
  | { problem: string; lead?: Lead; input?: LeadInput }
  | { lookupFailed: string };

async function leadOf(event: StoredEvent, source: Source, env: Env): Promise<Mapped> {
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
