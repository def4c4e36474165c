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

/** The WHERE clause of a filter, or `undefined` when it cannot match anything (an unknown person). */
export async function whereOf(filter: EventFilter, range: EventRange = {}): Promise<Where | undefined> {
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
    const parts = [
      'd.event_id = e.id',
      ...(filter.destination ? ['d.destination = ?'] : []),
      ...(filter.deliveryStatus ? ['d.status = ?'] : []),
    ];
    add(
      `EXISTS (SELECT 1 FROM deliveries d WHERE ${parts.join(' AND ')})`,
      ...[filter.destination, filter.deliveryStatus].filter((value) => value !== undefined),
    );
  }
  if (filter.errorClass) {
    const prefix = `${filter.errorClass.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`;
    add(
      `(e.last_error LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.last_error LIKE ? ESCAPE '\\'))`,
      prefix,
      prefix,
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
  const where = await whereOf(filter);
  if (!where) return { count: 0, newest: null };
  const row = await db
    .prepare(`SELECT count(*) AS count, max(e.id) AS newest FROM events e ${where.sql}`)
    .bind(...where.binds)
    .first<{ count: number; newest: string | null }>();
  return { count: row?.count ?? 0, newest: row?.newest ?? null };
}
