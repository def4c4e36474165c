/**
 * D1 queries for people: the identity behind leads. A person is found by the hash of their
 * normalised email or phone, so a lead from a second form updates the person the first one created.
 */
import { newId } from '../lib/ids';

export interface Person {
  id: string;
  emailKey: string | null;
  phoneKey: string | null;
  firstSeen: number;
  lastSeen: number;
  pendingEventId: string | null;
  pendingUntil: number | null;
}

interface PersonRow {
  id: string;
  email_key: string | null;
  phone_key: string | null;
  first_seen: number;
  last_seen: number;
  pending_event_id: string | null;
  pending_until: number | null;
}

const toPerson = (row: PersonRow): Person => ({
  id: row.id,
  emailKey: row.email_key,
  phoneKey: row.phone_key,
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
  pendingEventId: row.pending_event_id,
  pendingUntil: row.pending_until,
});

export interface Keys {
  email?: string;
  phone?: string;
}

/**
 * Email is the stronger identifier. A phone alone identifies a person only when it cannot
 * contradict an email: the lead has none, or the person holding the phone has none yet. Shared
 * numbers (a switchboard, a household) would otherwise merge different people. `?1` is the email
 * key, `?2` the phone key.
 */
const FIND = `SELECT * FROM people WHERE email_key = ?1
  UNION ALL
  SELECT * FROM people WHERE phone_key = ?2 AND (?1 IS NULL OR email_key IS NULL)
  LIMIT 1`;

/** Where a person's first lead came from: their cohort in the stats. */
export interface FirstSeen {
  source: string;
  campaign: string | null;
}

/**
 * The people these keys identify, created on first sight, for a whole consumer batch in one D1
 * round trip (one transaction): per lead, create the person if nobody matches, teach a known one
 * the identifiers it lacked, then read who it is. Two leads of one new person in the batch resolve
 * to one person: the first creates it, the second finds it. A known person learns an identifier
 * only while no other person holds it (UPDATE OR IGNORE on the unique keys); a new person whose
 * phone is already someone else's is created without it. Each destination's record of the person,
 * and the right to create it there, are in person_destinations (src/store/deliveries.ts).
 */
export async function resolvePeople(
  db: D1Database,
  wanted: readonly { keys: Keys; first?: FirstSeen }[],
  nowMs: number,
): Promise<Person[]> {
  if (wanted.length === 0) return [];
  const results = await db.batch<PersonRow>(
    wanted.flatMap(({ keys, first }) => {
      const email = keys.email ?? null;
      const phone = keys.phone ?? null;
      return [
        db
          .prepare(
            `INSERT INTO people (id, email_key, phone_key, first_seen, last_seen, first_source, first_campaign)
             SELECT ?3, ?1, CASE WHEN EXISTS (SELECT 1 FROM people WHERE phone_key = ?2) THEN NULL ELSE ?2 END, ?4, ?4, ?5, ?6
             WHERE NOT EXISTS (SELECT 1 FROM people WHERE email_key = ?1)
               AND NOT EXISTS (SELECT 1 FROM people WHERE phone_key = ?2 AND (?1 IS NULL OR email_key IS NULL))
             ON CONFLICT DO NOTHING`,
          )
          .bind(email, phone, newId('per', nowMs), nowMs, first?.source ?? null, first?.campaign ?? null),
        // last_seen is written with the routing; only a new identifier is written here.
        db
          .prepare(
            `UPDATE OR IGNORE people SET email_key = COALESCE(email_key, ?1), phone_key = COALESCE(phone_key, ?2)
             WHERE id = (SELECT id FROM (${FIND}))
               AND ((?1 IS NOT NULL AND email_key IS NULL) OR (?2 IS NOT NULL AND phone_key IS NULL))`,
          )
          .bind(email, phone),
        db.prepare(FIND).bind(email, phone),
      ];
    }),
  );
  return wanted.map((_, i) => {
    const row = results[3 * i + 2]?.results[0];
    if (!row) throw new Error('person missing after its insert');
    return toPerson(row);
  });
}

/** The person was seen again: written in the routing batch. */
export function seenStatement(db: D1Database, personId: string, nowMs: number): D1PreparedStatement {
  return db.prepare('UPDATE people SET last_seen = MAX(last_seen, ?2) WHERE id = ?1').bind(personId, nowMs);
}

/** Opens a merge window held by `eventId`, unless another event already holds an open one. */
export async function openWindow(
  db: D1Database,
  personId: string,
  eventId: string,
  untilMs: number,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE people SET pending_event_id = ?2, pending_until = ?3
       WHERE id = ?1 AND (pending_event_id IS NULL OR pending_event_id = ?2 OR pending_until < ?4)`,
    )
    .bind(personId, eventId, untilMs, nowMs)
    .run();
  return result.meta.changes > 0;
}

/**
 * Folds `eventId` into the open window of `holderId`, atomically with the window still being open:
 * if the holder closed it first, nothing changes and the event is delivered on its own.
 */
export async function joinWindow(
  db: D1Database,
  personId: string,
  holderId: string,
  eventId: string,
  lead: unknown,
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE events SET status = 'merged', merged_into = ?3, lead = ?4, lease_until = NULL, person_id = ?1,
         campaign = COALESCE(json_extract(?4, '$.campaign'), json_extract(?4, '$.utm.campaign'))
       WHERE id = ?2 AND EXISTS (SELECT 1 FROM people WHERE id = ?1 AND pending_event_id = ?3)`,
    )
    .bind(personId, eventId, holderId, JSON.stringify(lead))
    .run();
  return result.meta.changes > 0;
}

/**
 * Closes the window and returns the events folded into it (id and lead), oldest first, in one
 * transaction.
 */
export async function closeWindow(
  db: D1Database,
  personId: string,
  holderId: string,
): Promise<{ id: string; lead: unknown }[]> {
  const [, merged] = await db.batch<{ id: string; lead: string }>([
    db
      .prepare(
        'UPDATE people SET pending_event_id = NULL, pending_until = NULL WHERE id = ?1 AND pending_event_id = ?2',
      )
      .bind(personId, holderId),
    db
      .prepare(
        `SELECT id, lead FROM events WHERE merged_into = ?1 AND status = 'merged' ORDER BY received_at, id`,
      )
      .bind(holderId),
  ]);
  return (merged?.results ?? []).map((row) => ({ id: row.id, lead: JSON.parse(row.lead) }));
}
