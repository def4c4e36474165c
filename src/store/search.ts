/**
 * Event search for the operator: filters compiled to one SQL query with only the conditions asked
 * for (so SQLite can use the index each one has), paged by id, which is time-ordered. A person is
 * found through the hashed identifiers of `people`, never through a clear-text column.
 */
import { personKeys } from '../leads/identity';
import { normalizeEmail } from '../leads/normalize/email';
import { normalizePhone } from '../leads/normalize/phone';
import { timePrefix } from '../lib/ids';
import type { DeliveryStatus, EventStatus } from '../pipeline/status';

export interface EventFilter {
  status?: EventStatus | undefined;
  source?: string | undefined;
  destination?: string | undefined;
  deliveryStatus?: DeliveryStatus | undefined;
  errorClass?: string | undefined;
  campaign?: string | undefined;
  eventType?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  /** Received at or after (ms). */
  fromMs?: number | undefined;
  /** Received before (ms). */
  toMs?: number | undefined;
}

export interface EventRange {
  /** Newest first, below this id (a page cursor). */
  before?: string | undefined;
  /** Oldest first, above this id (a bulk replay's progress). */
  after?: string | undefined;
  /** Up to and including this id (a bulk replay's snapshot). */
  upto?: string | undefined;
}

export interface EventListItem {
  id: string;
  source: string;
  status: EventStatus;
  event_type: string | null;
  campaign: string | null;
  received_at: string;
  delivered_at: string | null;
  attempts: number;
  last_error: string | null;
  person_id: string | null;
  deliveries: { destination: string; status: DeliveryStatus; attempts: number; last_error: string | null }[];
}

interface Where {
  sql: string;
  binds: unknown[];
}

/** The error class of a `last_error` (`client_error: HTTP 400`): the expression the indexes of migration 0008 hold. */
const ERROR_CLASS_SQL = (column: string) => `substr(${column}, 1, instr(${column}, ':') - 1)`;

/**
 * The WHERE clause of a filter, or `undefined` when it cannot match anything (an unknown person).
 * `shape` is what it is for, since the plan that serves one differs (bench/stats.mjs measured both
 * at a million events): a `page` stops at its limit, so a delivery condition is probed per event on
 * the deliveries' primary key; a `count` reads every match, so the matching deliveries are listed
 * once from their own index.
 */
export async function whereOf(
  filter: EventFilter,
  range: EventRange = {},
  shape: 'page' | 'count' = 'page',
): Promise<Where | undefined> {
  const conditions: string[] = [];
  const binds: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    // `?` placeholders become numbered ones, so one clause can be composed of many.
    conditions.push(
      sql.replace(/\?/g, () => {
        binds.push(values.shift());
        return `?${binds.length}`;
      }),
    );
  };
  if (filter.status) add('e.status = ?', filter.status);
  if (filter.source) add('e.source = ?', filter.source);
  if (filter.campaign) add('e.campaign = ?', filter.campaign);
  if (filter.eventType) add('e.event_type = ?', filter.eventType);
  // Ids start with the time they were received: a time range is a range of the primary key.
  if (filter.fromMs !== undefined) add('e.id >= ?', `evt_${timePrefix(filter.fromMs)}`);
  if (filter.toMs !== undefined) add('e.id < ?', `evt_${timePrefix(filter.toMs)}`);
  if (range.before) add('e.id < ?', range.before);
  if (range.after) add('e.id > ?', range.after);
  if (range.upto) add('e.id <= ?', range.upto);
  if (filter.destination || filter.deliveryStatus) {
    const values = [filter.destination, filter.deliveryStatus].filter((value) => value !== undefined);
    const parts = [
      ...(filter.destination ? ['d.destination = ?'] : []),
      // `+`: not the status index, which would walk every delivery of that status for each event.
      ...(filter.deliveryStatus ? [shape === 'page' ? '+d.status = ?' : 'd.status = ?'] : []),
    ];
    if (shape === 'page')
      add(
        `EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND ${parts.join(' AND ')})`,
        ...values,
      );
    else add(`e.id IN (SELECT d.event_id FROM deliveries d WHERE ${parts.join(' AND ')})`, ...values);
  }
  if (filter.errorClass) {
    // The event's own error (`no_contact: …`) or one of its deliveries' (`client_error: HTTP 400`),
    // each found through its expression index.
    add(
      `e.id IN (SELECT id FROM events WHERE ${ERROR_CLASS_SQL('last_error')} = ? AND last_error IS NOT NULL
                UNION SELECT event_id FROM deliveries WHERE ${ERROR_CLASS_SQL('last_error')} = ? AND last_error IS NOT NULL)`,
      filter.errorClass,
      filter.errorClass,
    );
  }
  if (filter.email !== undefined || filter.phone !== undefined) {
    const email = filter.email === undefined ? undefined : normalizeEmail(filter.email).email;
    const phone = filter.phone === undefined ? undefined : normalizePhone(filter.phone).phone;
    if (!email && !phone) return undefined;
    const keys = await personKeys({ ...(email ? { email } : {}), ...(phone ? { phone } : {}) });
    add(
      'e.person_id IN (SELECT id FROM people WHERE email_key = ? OR phone_key = ?)',
      keys.email ?? null,
      keys.phone ?? null,
    );
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', binds };
}

interface Row {
  id: string;
  source: string;
  status: EventStatus;
  event_type: string | null;
  campaign: string | null;
  received_at: number;
  delivered_at: number | null;
  attempts: number;
  last_error: string | null;
  person_id: string | null;
  deliveries: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One page of events, newest first (or oldest first with `range.after`), with their deliveries. */
export async function searchEvents(
  db: D1Database,
  filter: EventFilter,
  range: EventRange,
  limit: number,
): Promise<EventListItem[]> {
  const where = await whereOf(filter, range);
  if (!where) return [];
  const order = range.after !== undefined ? 'ASC' : 'DESC';
  const { results } = await db
    .prepare(
      `SELECT e.id, e.source, e.status, e.event_type, e.campaign, e.received_at, e.delivered_at, e.attempts,
         e.last_error, e.person_id,
         (SELECT json_group_array(json_object('destination', d.destination, 'status', d.status,
            'attempts', d.attempts, 'last_error', d.last_error))
          FROM deliveries d WHERE d.event_id = e.id) AS deliveries
       FROM events e ${where.sql} ORDER BY e.id ${order} LIMIT ${Math.trunc(limit)}`,
    )
    .bind(...where.binds)
    .all<Row>();
  return results.map((row) => ({
    ...row,
    received_at: new Date(row.received_at).toISOString(),
    delivered_at: iso(row.delivered_at),
    deliveries: row.deliveries ? JSON.parse(row.deliveries) : [],
  }));
}

/** Ids only, oldest first: what a bulk replay walks. */
export async function matchingIds(
  db: D1Database,
  filter: EventFilter,
  range: EventRange,
  limit: number,
): Promise<string[]> {
  const where = await whereOf(filter, range);
  if (!where) return [];
  const { results } = await db
    .prepare(`SELECT e.id FROM events e ${where.sql} ORDER BY e.id ASC LIMIT ${Math.trunc(limit)}`)
    .bind(...where.binds)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

/** How many events match, and the newest of them: a bulk replay's snapshot. */
export async function countMatching(
  db: D1Database,
  filter: EventFilter,
): Promise<{ count: number; newest: string | null }> {
  const where = await whereOf(filter, {}, 'count');
  if (!where) return { count: 0, newest: null };
  const row = await db
    .prepare(`SELECT count(*) AS count, max(e.id) AS newest FROM events e ${where.sql}`)
    .bind(...where.binds)
    .first<{ count: number; newest: string | null }>();
  return { count: row?.count ?? 0, newest: row?.newest ?? null };
}
