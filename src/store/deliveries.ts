/**
 * D1 queries for deliveries (one event × one destination), their attempts, and each person's
 * record in each destination. Functions named `…Statement` return a prepared statement for the
 * caller's batch, so a whole consumer batch's outcomes commit in one transaction.
 */
import type { ErrorClass } from '../lib/outcome';
import {
  type DeliveryStatus,
  FINAL_DELIVERY_STATUSES,
  FINAL_EVENT_STATUSES,
  sqlList,
} from '../pipeline/status';

export interface StoredDelivery {
  eventId: string;
  destination: string;
  status: DeliveryStatus;
  attempts: number;
  leaseUntil: number | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  lastError: string | null;
  recordId: string | null;
}

export interface DeliveryRow {
  event_id: string;
  destination: string;
  status: DeliveryStatus;
  attempts: number;
  /** Attempts made before the last replay: the retry policy counts from here. */
  attempt_base: number;
  lease_until: number | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  last_error: string | null;
  record_id: string | null;
}

export const toDelivery = (row: DeliveryRow): StoredDelivery => ({
  eventId: row.event_id,
  destination: row.destination,
  status: row.status,
  attempts: row.attempts,
  leaseUntil: row.lease_until,
  nextAttemptAt: row.next_attempt_at,
  deliveredAt: row.delivered_at,
  lastError: row.last_error,
  recordId: row.record_id,
});

const FINAL = sqlList(FINAL_DELIVERY_STATUSES);

/** A delivery may be taken when it waits and is due, or when its last taker's lease ran out. */
const TAKEABLE = `((status IN ('queued', 'retrying') AND (next_attempt_at IS NULL OR next_attempt_at <= ?3))
  OR (status = 'delivering' AND lease_until < ?3))`;

/**
 * Creates the event's deliveries, taken for an attempt at once (status `delivering`), or parked
 * (`paused`) for a paused destination. A delivery that already exists is taken only when it is
 * waiting (a replay set it `queued`); a delivered one is left alone. RETURNING names the taken ones.
 */
export function routeStatement(
  db: D1Database,
  eventId: string,
  destination: string,
  status: 'delivering' | 'paused' | 'queued',
  nowMs: number,
  leaseMs: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO deliveries (event_id, destination, status, attempts, lease_until, enqueued_at, created_at)
       VALUES (?1, ?2, ?4, CASE WHEN ?4 = 'delivering' THEN 1 ELSE 0 END, CASE WHEN ?4 = 'delivering' THEN ?5 END, ?3, ?3)
       ON CONFLICT (event_id, destination) DO UPDATE SET
         status = excluded.status, attempts = attempts + excluded.attempts, lease_until = excluded.lease_until
       WHERE ${TAKEABLE}
       RETURNING *`,
    )
    .bind(eventId, destination, nowMs, status, nowMs + leaseMs);
}

/** Takes one delivery for an attempt (attempts + 1, a lease); a probe may take a parked one. */
export function claimStatement(
  db: D1Database,
  eventId: string,
  destination: string,
  nowMs: number,
  leaseMs: number,
  probe: boolean,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE deliveries SET status = 'delivering', lease_until = ?4, attempts = attempts + 1
       WHERE event_id = ?1 AND destination = ?2 AND (${TAKEABLE} OR (?5 AND status = 'paused'))
       RETURNING *`,
    )
    .bind(eventId, destination, nowMs, nowMs + leaseMs, probe ? 1 : 0);
}

/**
 * Parks a waiting delivery of a paused destination: no attempt is made or used up. One being
 * attempted right now is left to finish.
 */
export function parkStatement(
  db: D1Database,
  eventId: string,
  destination: string,
  nowMs: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE deliveries SET status = 'paused', lease_until = NULL
       WHERE event_id = ?1 AND destination = ?2
         AND (status IN ('queued', 'retrying') OR (status = 'delivering' AND lease_until < ?3))`,
    )
    .bind(eventId, destination, nowMs);
}

/** Gives a taken delivery back without an attempt having been made (a hold, another event's creation). */
export function releaseStatement(db: D1Database, eventId: string, destination: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE deliveries SET status = 'queued', attempts = MAX(0, attempts - 1), lease_until = NULL
       WHERE event_id = ?1 AND destination = ?2 AND status = 'delivering'`,
    )
    .bind(eventId, destination);
}

export interface AttemptRecord {
  eventId: string;
  destination: string;
  attempt: number;
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  errorClass: ErrorClass;
  reason: string | null;
  retryInSeconds: number | null;
}

/**
 * Every try is a row, numbered in order. The number can run ahead of the delivery's `attempts`,
 * which counts only the tries that count (one given back by a pause does not).
 */
export function attemptStatement(db: D1Database, attempt: AttemptRecord): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO attempts (event_id, destination, attempt, started_at, duration_ms, http_status, error_class, reason, retry_in_s)
       VALUES (?1, ?2, MAX(?3, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM attempts WHERE event_id = ?1 AND destination = ?2)),
         ?4, ?5, ?6, ?7, ?8, ?9)`,
    )
    .bind(
      attempt.eventId,
      attempt.destination,
      attempt.attempt,
      attempt.startedAt,
      attempt.durationMs,
      attempt.httpStatus,
      attempt.errorClass,
      attempt.reason,
      attempt.retryInSeconds,
    );
}

export interface DeliveryUpdate {
  status: Exclude<DeliveryStatus, 'delivering'>;
  nextAttemptAt?: number;
  deliveredAt?: number;
  lastError?: string | null;
  recordId?: string;
  /** A paused delivery's attempt is given back: a configuration error is not the lead's fault. */
  refundAttempt?: boolean;
}

export function updateStatement(
  db: D1Database,
  eventId: string,
  destination: string,
  update: DeliveryUpdate,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE deliveries SET status = ?3, lease_until = NULL, next_attempt_at = ?4,
         delivered_at = COALESCE(?5, delivered_at), last_error = ?6, record_id = COALESCE(?7, record_id),
         attempts = attempts - ?8
       WHERE event_id = ?1 AND destination = ?2`,
    )
    .bind(
      eventId,
      destination,
      update.status,
      update.nextAttemptAt ?? null,
      update.deliveredAt ?? null,
      update.lastError ?? null,
      update.recordId ?? null,
      update.refundAttempt ? 1 : 0,
    );
}

/**
 * Sets the event's status from its deliveries: `delivering` while any is unfinished, then
 * `delivered`, `dead`, or `partial` when some of each. Its last error is the first failing
 * delivery's, prefixed by the destination.
 */
export function summaryStatement(db: D1Database, eventId: string, nowMs: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE events SET
         status = CASE
           WHEN EXISTS (SELECT 1 FROM deliveries WHERE event_id = ?1 AND status NOT IN (${FINAL})) THEN 'delivering'
           WHEN NOT EXISTS (SELECT 1 FROM deliveries WHERE event_id = ?1 AND status = 'dead') THEN 'delivered'
           WHEN NOT EXISTS (SELECT 1 FROM deliveries WHERE event_id = ?1 AND status = 'delivered') THEN 'dead'
           ELSE 'partial' END,
         delivered_at = CASE
           WHEN NOT EXISTS (SELECT 1 FROM deliveries WHERE event_id = ?1 AND status != 'delivered') THEN ?2
           ELSE delivered_at END,
         last_error = (SELECT destination || ' ' || last_error FROM deliveries
                       WHERE event_id = ?1 AND status != 'delivered' AND last_error IS NOT NULL
                       ORDER BY destination LIMIT 1),
         lease_until = NULL
       WHERE id = ?1 AND status NOT IN (${sqlList(FINAL_EVENT_STATUSES.filter((s) => s !== 'delivered' && s !== 'dead' && s !== 'partial'))})`,
    )
    .bind(eventId, nowMs);
}

export async function listDeliveries(db: D1Database, eventId: string): Promise<StoredDelivery[]> {
  const { results } = await db
    .prepare('SELECT * FROM deliveries WHERE event_id = ?1 ORDER BY destination')
    .bind(eventId)
    .all<DeliveryRow>();
  return results.map(toDelivery);
}

export interface AttemptView {
  destination: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  http_status: number | null;
  error_class: ErrorClass;
  reason: string | null;
  retry_in_s: number | null;
}

export async function listAttempts(db: D1Database, eventId: string): Promise<AttemptView[]> {
  const { results } = await db
    .prepare(
      `SELECT destination, attempt, started_at, duration_ms, http_status, error_class, reason, retry_in_s
       FROM attempts WHERE event_id = ?1 ORDER BY started_at, destination, attempt`,
    )
    .bind(eventId)
    .all<Omit<AttemptView, 'started_at'> & { started_at: number }>();
  return results.map((row) => ({ ...row, started_at: new Date(row.started_at).toISOString() }));
}

/**
 * Puts deliveries back in the queue's hands for a replay: the named destinations, or every one
 * that did not end delivered. A delivery being attempted right now is left alone.
 */
export async function requeueDeliveries(
  db: D1Database,
  eventIds: readonly string[],
  nowMs: number,
  options: { destination?: string; includeDelivered?: boolean } = {},
): Promise<{ eventId: string; destination: string }[]> {
  if (eventIds.length === 0) return [];
  const results = await db.batch<{ event_id: string; destination: string }>(
    requeueDeliveryStatements(db, eventIds, nowMs, options),
  );
  return results.flatMap((result) =>
    result.results.map((row) => ({ eventId: row.event_id, destination: row.destination })),
  );
}

/**
 * A condition every statement of a replay carries: a bulk replay's chunk only takes effect while
 * the job still stands where the chunk began, so a chunk message handled twice replays nothing twice.
 */
export interface ReplayGuard {
  jobId: string;
  afterId: string;
}

/** The guard as SQL, its two values bound at `?n` and `?n+1`. */
export function guardSql(n: number): string {
  return `EXISTS (SELECT 1 FROM replay_jobs WHERE id = ?${n} AND after_id = ?${n + 1} AND status = 'running')`;
}

export function requeueDeliveryStatements(
  db: D1Database,
  eventIds: readonly string[],
  nowMs: number,
  options: { destination?: string; includeDelivered?: boolean } = {},
  guard?: ReplayGuard,
): D1PreparedStatement[] {
  return eventIds.map((id) =>
    db
      .prepare(
        `UPDATE deliveries SET status = 'queued', enqueued_at = ?2, lease_until = NULL, next_attempt_at = NULL,
           attempt_base = attempts
         WHERE event_id = ?1 AND (?3 IS NULL OR destination = ?3) AND (?4 OR status != 'delivered')
           AND NOT (status = 'delivering' AND lease_until >= ?2)
           AND EXISTS (SELECT 1 FROM events WHERE id = ?1 AND purged_at IS NULL)${guard ? ` AND ${guardSql(5)}` : ''}
         RETURNING event_id, destination`,
      )
      .bind(
        id,
        nowMs,
        options.destination ?? null,
        options.includeDelivered ? 1 : 0,
        ...(guard ? [guard.jobId, guard.afterId] : []),
      ),
  );
}

/** Parked deliveries of a destination that is active again, up to `limit`, set back to `queued`. */
export async function unparkDeliveries(
  db: D1Database,
  destination: string,
  nowMs: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `UPDATE deliveries SET status = 'queued', enqueued_at = ?2, next_attempt_at = NULL
       WHERE rowid IN (SELECT rowid FROM deliveries WHERE destination = ?1 AND status = 'paused' ORDER BY event_id LIMIT ?3)
       RETURNING event_id`,
    )
    .bind(destination, nowMs, limit)
    .all<{ event_id: string }>();
  return results.map((row) => row.event_id);
}

/** One parked delivery of a destination, for a probe. */
export async function parkedDelivery(db: D1Database, destination: string): Promise<string | undefined> {
  const row = await db
    .prepare(
      `SELECT event_id FROM deliveries WHERE destination = ?1 AND status = 'paused' ORDER BY event_id LIMIT 1`,
    )
    .bind(destination)
    .first<{ event_id: string }>();
  return row?.event_id;
}

/** Deliveries waiting in each status, per destination: the admin's view of a backlog. */
export async function deliveryCounts(
  db: D1Database,
): Promise<Map<string, Partial<Record<DeliveryStatus, number>>>> {
  const { results } = await db
    .prepare(
      `SELECT destination, status, count(*) AS n FROM deliveries
       WHERE status NOT IN (${FINAL}) GROUP BY destination, status`,
    )
    .all<{ destination: string; status: DeliveryStatus; n: number }>();
  const out = new Map<string, Partial<Record<DeliveryStatus, number>>>();
  for (const row of results) out.set(row.destination, { ...out.get(row.destination), [row.status]: row.n });
  return out;
}

// ---- A person's record in a destination -------------------------------------------------------

export interface PersonRecord {
  recordId: string | null;
  deliveries: number;
  /** A create ended unanswered: the destination may know the person without Inlet knowing its id. */
  maybeCreated: boolean;
  creatingUntil: number | null;
  creatingBy: string | null;
}

interface PersonRecordRow {
  record_id: string | null;
  deliveries: number;
  maybe_created: number;
  creating_until: number | null;
  creating_by: string | null;
}

/**
 * Two statements for the caller's batch: take the right to create the person in this destination
 * (only while it has no record there and no other event holds the right), then read the row. The
 * first returns a row only when the right was taken.
 *
 * A lease that has run out passes to another event only when its holder's delivery there is over:
 * a holder whose create may have landed waits for its retry, and in a queue backlog that retry can
 * come long after any fixed lease. Taking the right from it then made a second record (found by
 * the 10,000-lead run, docs/reliability-run.md).
 */
export function creationStatements(
  db: D1Database,
  personId: string,
  destination: string,
  eventId: string,
  nowMs: number,
  leaseMs: number,
): [D1PreparedStatement, D1PreparedStatement] {
  return [
    db
      .prepare(
        `INSERT INTO person_destinations (person_id, destination, creating_until, creating_by)
         VALUES (?1, ?2, ?4, ?5)
         ON CONFLICT (person_id, destination) DO UPDATE SET creating_until = ?4, creating_by = ?5
         WHERE record_id IS NULL AND deliveries = 0 AND maybe_created = 0
           AND (creating_until IS NULL OR creating_by = ?5 OR (creating_until < ?3 AND NOT EXISTS (
             SELECT 1 FROM deliveries AS holder
             WHERE holder.event_id = person_destinations.creating_by
               AND holder.destination = person_destinations.destination
               AND holder.status NOT IN (${FINAL}))))
         RETURNING person_id`,
      )
      .bind(personId, destination, nowMs, nowMs + leaseMs, eventId),
    db
      .prepare('SELECT * FROM person_destinations WHERE person_id = ?1 AND destination = ?2')
      .bind(personId, destination),
  ];
}

export const toPersonRecord = (row: PersonRecordRow | undefined): PersonRecord => ({
  recordId: row?.record_id ?? null,
  deliveries: row?.deliveries ?? 0,
  maybeCreated: (row?.maybe_created ?? 0) > 0,
  creatingUntil: row?.creating_until ?? null,
  creatingBy: row?.creating_by ?? null,
});

export type { PersonRecordRow };

/** The destinations where the person has a record (or had a lead delivered). */
export async function knownIn(db: D1Database, personId: string): Promise<Set<string>> {
  const { results } = await db
    .prepare(
      'SELECT destination FROM person_destinations WHERE person_id = ?1 AND (record_id IS NOT NULL OR deliveries > 0 OR maybe_created = 1)',
    )
    .bind(personId)
    .all<{ destination: string }>();
  return new Set(results.map((row) => row.destination));
}

/** What an attempt means for the person's creation lease in this destination, when it was a create. */
export type CreationAfterAttempt =
  /** Not a create, or nothing to change. */
  | { kind: 'keep' }
  /** The destination surely did not create the person (it refused): another lead may create. */
  | { kind: 'release' }
  /**
   * The create ended (dead, paused) after an attempt whose answer was lost: the person may exist
   * there, so the next lead updates (found by search, or by email) rather than creates.
   */
  | { kind: 'uncertain' }
  /**
   * The create may have happened (a timeout, a dropped connection, a 5xx after the write): the
   * same event keeps the right to create until after its next attempt, so no other lead of this
   * person creates a second record meanwhile.
   */
  | { kind: 'hold'; untilMs: number };

/** The person's side of an attempt in this destination: a delivery (count, record id) or the lease. */
export function personRecordStatement(
  db: D1Database,
  personId: string,
  destination: string,
  outcome:
    | { delivered: true; recordId: string | undefined }
    | { delivered: false; creation: CreationAfterAttempt },
): D1PreparedStatement | undefined {
  if (outcome.delivered) {
    return db
      .prepare(
        `INSERT INTO person_destinations (person_id, destination, record_id, deliveries) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (person_id, destination) DO UPDATE SET deliveries = deliveries + 1,
           creating_until = NULL, creating_by = NULL, record_id = COALESCE(?3, record_id)`,
      )
      .bind(personId, destination, outcome.recordId ?? null);
  }
  const { creation } = outcome;
  if (creation.kind === 'release')
    return db
      .prepare(
        'UPDATE person_destinations SET creating_until = NULL, creating_by = NULL WHERE person_id = ?1 AND destination = ?2',
      )
      .bind(personId, destination);
  if (creation.kind === 'uncertain')
    return db
      .prepare(
        'UPDATE person_destinations SET creating_until = NULL, creating_by = NULL, maybe_created = 1 WHERE person_id = ?1 AND destination = ?2',
      )
      .bind(personId, destination);
  if (creation.kind === 'hold')
    return db
      .prepare('UPDATE person_destinations SET creating_until = ?3 WHERE person_id = ?1 AND destination = ?2')
      .bind(personId, destination, creation.untilMs);
  return undefined;
}

/**
 * A delivery ended outside an attempt (the dead-letter queue) while it may hold the right to create
 * its person: any create it made may have landed, so the next lead updates rather than creates.
 */
export const abandonCreationStatement = (db: D1Database, eventId: string, destination: string) =>
  db
    .prepare(
      `UPDATE person_destinations SET creating_until = NULL, creating_by = NULL, maybe_created = 1
       WHERE creating_by = ?1 AND destination = ?2`,
    )
    .bind(eventId, destination);
