/**
 * D1 queries for events and their delivery attempts. D1 is the source of truth: the unique
 * (source, idempotency_key) constraint decides what is a redelivery, and the status column decides
 * whether a queue message still has work to do.
 */
import type { Lead } from '../leads/lead';
import { EVENT_STATUS_LIST, type EventStatus, isFinalEvent, sqlList } from '../pipeline/status';
import { guardSql, type ReplayGuard } from './deliveries';

export type { EventStatus };

export interface StoredEvent {
  id: string;
  source: string;
  idempotencyKey: string;
  status: EventStatus;
  receivedAt: number;
  contentType: string;
  headers: Record<string, string>;
  body: Uint8Array;
  lead: unknown;
  attempts: number;
  enqueuedAt: number;
  leaseUntil: number | null;
  deliveredAt: number | null;
  lastError: string | null;
  personId: string | null;
  mergedInto: string | null;
  eventType: string | null;
  campaign: string | null;
  requestId: string | null;
  /** What the source's mapping produced, before normalisation. */
  leadInput: unknown;
  purgedAt: number | null;
}

export interface EventRow {
  id: string;
  source: string;
  idempotency_key: string;
  status: EventStatus;
  received_at: number;
  content_type: string;
  headers: string | null;
  body: ArrayBuffer | number[] | null;
  lead: string | null;
  attempts: number;
  enqueued_at: number;
  lease_until: number | null;
  delivered_at: number | null;
  last_error: string | null;
  person_id: string | null;
  merged_into: string | null;
  event_type: string | null;
  campaign: string | null;
  request_id: string | null;
  lead_input: string | null;
  purged_at: number | null;
}

export function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    source: row.source,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    receivedAt: row.received_at,
    contentType: row.content_type,
    headers: row.headers === null ? {} : (JSON.parse(row.headers) as Record<string, string>),
    // D1 returns BLOBs as ArrayBuffer in workerd, as number[] in older runtimes.
    body:
      row.body === null
        ? new Uint8Array()
        : row.body instanceof ArrayBuffer
          ? new Uint8Array(row.body)
          : Uint8Array.from(row.body),
    lead: row.lead === null ? null : JSON.parse(row.lead),
    attempts: row.attempts,
    enqueuedAt: row.enqueued_at,
    leaseUntil: row.lease_until,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    personId: row.person_id,
    mergedInto: row.merged_into,
    eventType: row.event_type,
    campaign: row.campaign,
    requestId: row.request_id,
    leadInput: row.lead_input === null ? null : JSON.parse(row.lead_input),
    purgedAt: row.purged_at,
  };
}

export interface NewEvent {
  id: string;
  source: string;
  idempotencyKey: string;
  receivedAt: number;
  contentType: string;
  headers: Record<string, string>;
  body: Uint8Array;
  eventType?: string | undefined;
  requestId?: string | undefined;
  /** Stored as `ignored` (not a lead): kept and counted, never delivered. */
  ignored?: boolean | undefined;
  /**
   * When the key is only the body's hash: an earlier event with it older than this is a real
   * repeat submission, not a redelivery, so its key is retired and this one is stored anew.
   */
  dedupeWindowMs?: number | undefined;
  /** The signed content's key when the id is unsigned (src/verify/types.ts `replay`). */
  replay?: { key: string; windowMs: number } | undefined;
}

export type InsertResult =
  | { duplicate: false; id: string }
  | { duplicate: true; id: string; status: EventStatus };

/**
 * One event's insert, for the caller's batch: the statements retiring keys outside their windows,
 * then the insert, last, whose RETURNING names the event when it was new. Run again with the same
 * event (the consumer storing an event its queue message carried), it changes nothing.
 */
export function insertStatements(db: D1Database, event: NewEvent): D1PreparedStatement[] {
  return [
    ...(event.replay === undefined
      ? []
      : [
          // Outside its window, the same signed content is the sender's own repeat: its key retires.
          db
            .prepare(
              `UPDATE events SET replay_key = NULL WHERE source = ?1 AND replay_key = ?2 AND received_at < ?3`,
            )
            .bind(event.source, event.replay.key, event.receivedAt - event.replay.windowMs),
        ]),
    ...(event.dedupeWindowMs === undefined
      ? []
      : [
          db
            .prepare(
              `UPDATE events SET idempotency_key = idempotency_key || '@' || id
               WHERE source = ?1 AND idempotency_key = ?2 AND received_at < ?3`,
            )
            .bind(event.source, event.idempotencyKey, event.receivedAt - event.dedupeWindowMs),
        ]),
    db
      .prepare(
        `INSERT INTO events (id, source, idempotency_key, status, received_at, content_type, headers, body, enqueued_at, event_type, request_id, replay_key)
         SELECT ?1, ?2, ?3, ?8, ?4, ?5, ?6, ?7, ?4, ?9, ?10, ?11
         WHERE NOT EXISTS (SELECT 1 FROM erased_events WHERE id = ?1)
         ON CONFLICT DO NOTHING
         RETURNING id`,
      )
      .bind(
        event.id,
        event.source,
        event.idempotencyKey,
        event.receivedAt,
        event.contentType,
        JSON.stringify(event.headers),
        event.body,
        event.ignored ? 'ignored' : 'queued',
        event.eventType ?? null,
        event.requestId ?? null,
        event.replay?.key ?? null,
      ),
  ];
}

/**
 * Stores events in one round trip (a D1 batch, one transaction), however many a webhook carried.
 * A redelivery's insert does nothing; one more round trip then fetches the original ids, so only
 * duplicates pay for it.
 */
export async function insertEvents(db: D1Database, events: readonly NewEvent[]): Promise<InsertResult[]> {
  if (events.length === 0) return [];
  const statements = events.flatMap((event) => insertStatements(db, event));
  const results = await db.batch<{ id: string }>(statements);
  // The insert is the last statement of each event's group.
  let at = -1;
  const inserted = events.map((event) => {
    at += 1 + (event.dedupeWindowMs === undefined ? 0 : 1) + (event.replay === undefined ? 0 : 1);
    return results[at];
  });
  const duplicates = events.filter((_, i) => !inserted[i]?.results[0]);
  const originals = duplicates.length
    ? await db.batch<{ id: string; status: EventStatus }>(
        duplicates.map((event) =>
          db
            .prepare(
              `SELECT id, status FROM events WHERE source = ?1 AND (idempotency_key = ?2 OR replay_key = ?3)
               ORDER BY idempotency_key = ?2 DESC LIMIT 1`,
            )
            .bind(event.source, event.idempotencyKey, event.replay?.key ?? null),
        ),
      )
    : [];
  let next = 0;
  return events.map((_, i) => {
    const id = inserted[i]?.results[0]?.id;
    if (id) return { duplicate: false, id };
    const original = originals[next++]?.results[0];
    if (!original) throw new Error('event vanished between insert and lookup');
    // The consumer stored it first, from the queue message sent alongside: this very event.
    if (original.id === events[i]?.id) return { duplicate: false, id: original.id };
    return { duplicate: true, id: original.id, status: original.status };
  });
}

export async function insertEvent(db: D1Database, event: NewEvent): Promise<InsertResult> {
  const [result] = await insertEvents(db, [event]);
  if (!result) throw new Error('insert returned no result');
  return result;
}

export async function getEvent(db: D1Database, id: string): Promise<StoredEvent | undefined> {
  const row = await db.prepare('SELECT * FROM events WHERE id = ?1').bind(id).first<EventRow>();
  return row ? toEvent(row) : undefined;
}

/**
 * Takes the event to map and route it. Queues deliver at least once, and the sweep or a replay may
 * enqueue an event twice: the lease makes sure only one consumer routes it at a time, and any later
 * status makes every later routing message a no-op. `attempts` counts routings (a provider lookup
 * that fails is retried like a delivery).
 */
export function claimEventStatement(
  db: D1Database,
  id: string,
  nowMs: number,
  leaseMs: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE events SET status = 'routing', lease_until = ?2, attempts = attempts + 1
       WHERE id = ?1 AND (status = 'queued' OR (status = 'routing' AND lease_until < ?3))
       RETURNING *`,
    )
    .bind(id, nowMs + leaseMs, nowMs);
}

export interface EventUpdate {
  status: EventStatus;
  lead?: Lead;
  /** The lead as mapped, before normalisation: kept for the operator to compare. */
  leadInput?: unknown;
  personId?: string;
  deliveredAt?: number;
  lastError?: string | null;
}

/** The campaign a lead is counted and searched under: its own, else its UTM campaign. */
export function campaignOf(lead: Lead): string | null {
  return lead.campaign ?? lead.utm.campaign ?? null;
}

export function eventUpdateStatement(db: D1Database, id: string, update: EventUpdate): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE events SET status = ?2, lease_until = NULL,
         lead = COALESCE(?3, lead), delivered_at = COALESCE(?4, delivered_at), last_error = ?5,
         person_id = COALESCE(?6, person_id), campaign = COALESCE(?7, campaign),
         lead_input = COALESCE(?8, lead_input)
       WHERE id = ?1`,
    )
    .bind(
      id,
      update.status,
      update.lead === undefined ? null : JSON.stringify(update.lead),
      update.deliveredAt ?? null,
      update.lastError ?? null,
      update.personId ?? null,
      update.lead === undefined ? null : campaignOf(update.lead),
      update.leadInput === undefined ? null : JSON.stringify(update.leadInput),
    );
}

/**
 * Hands the event back to the queue without an attempt having been made (a merge window is open,
 * or another event is creating the person): the claim's attempt count is undone.
 */
export async function deferEvent(db: D1Database, id: string, nowMs: number, lead?: unknown): Promise<void> {
  await db
    .prepare(
      `UPDATE events SET status = 'queued', attempts = attempts - 1, lease_until = NULL, enqueued_at = ?2,
         lead = COALESCE(?3, lead)
       WHERE id = ?1`,
    )
    .bind(id, nowMs, lead === undefined ? null : JSON.stringify(lead))
    .run();
}

export async function updateEvent(db: D1Database, id: string, update: EventUpdate): Promise<void> {
  await eventUpdateStatement(db, id, update).run();
}

/**
 * Marks dead an event in one of `from` (by default any status that is not final), so a late DLQ
 * copy never undoes a delivery.
 */
export async function markDead(
  db: D1Database,
  id: string,
  reason: string,
  from: readonly EventStatus[] = EVENT_STATUS_LIST.filter((s) => !isFinalEvent(s)),
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE events SET status = 'dead', lease_until = NULL, last_error = COALESCE(last_error, ?2)
       WHERE id = ?1 AND status IN (${sqlList(from)})`,
    )
    .bind(id, reason)
    .run();
  return result.meta.changes > 0;
}

/**
 * Events stored but never picked up (their queue send failed), or whose routing consumer died
 * (its lease long over): the sweep enqueues them again.
 */
export async function listUnsent(db: D1Database, olderThanMs: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM events
       WHERE (status = 'queued' AND enqueued_at < ?1) OR (status = 'routing' AND lease_until < ?1)
       ORDER BY enqueued_at LIMIT ?2`,
    )
    .bind(olderThanMs, limit)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

export async function touchEnqueued(db: D1Database, ids: readonly string[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db.batch(
    ids.map((id) => db.prepare('UPDATE events SET enqueued_at = ?2 WHERE id = ?1').bind(id, nowMs)),
  );
}

/**
 * Puts events back in the queue's hands to be mapped and routed again (with today's mapping and
 * routes). An event a consumer is routing right now is left alone; its deliveries are requeued
 * separately (src/store/deliveries.ts), never while one is being attempted.
 */
export async function requeueEvents(
  db: D1Database,
  ids: readonly string[],
  nowMs: number,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const results = await db.batch<{ id: string }>(requeueEventStatements(db, ids, nowMs));
  return results.flatMap((result) => result.results.map((row) => row.id));
}

export function requeueEventStatements(
  db: D1Database,
  ids: readonly string[],
  nowMs: number,
  guard?: ReplayGuard,
): D1PreparedStatement[] {
  return ids.map((id) =>
    db
      .prepare(
        `UPDATE events SET status = 'queued', enqueued_at = ?2, lease_until = NULL, merged_into = NULL
         WHERE id = ?1 AND NOT (status = 'routing' AND lease_until >= ?2) AND purged_at IS NULL${guard ? ` AND ${guardSql(3)}` : ''}
         RETURNING id`,
      )
      .bind(id, nowMs, ...(guard ? [guard.jobId, guard.afterId] : [])),
  );
}
