/**
 * Erasure of one person and retention of everyone's data. Both delete what could identify a
 * person — payloads, headers, leads, the hashed identifiers, the CRM record links, alert samples —
 * and leave the rollup counts (src/store/stats.ts), which hold none.
 */
import { personKeys } from '../leads/identity';
import { normalizeEmail } from '../leads/normalize/email';
import { normalizePhone } from '../leads/normalize/phone';
import { FINAL_EVENT_STATUSES, sqlList } from '../pipeline/status';

export interface Erased {
  erased: boolean;
  dry_run: boolean;
  people: number;
  deleted: {
    events: number;
    deliveries: number;
    attempts: number;
    people: number;
    person_destinations: number;
    alert_events: number;
  };
}

/**
 * Deletes a person found by email or phone (normalised as a lead's are, then hashed: the same
 * keys as `people` holds), with every event that belongs to them and its deliveries and attempts.
 */
export async function erasePerson(
  db: D1Database,
  who: { email?: string; phone?: string },
  options: { dryRun?: boolean } = {},
): Promise<Erased> {
  const dryRun = options.dryRun === true;
  const email = who.email === undefined ? undefined : normalizeEmail(who.email).email;
  const phone = who.phone === undefined ? undefined : normalizePhone(who.phone).phone;
  const none: Erased = {
    erased: false,
    dry_run: dryRun,
    people: 0,
    deleted: { events: 0, deliveries: 0, attempts: 0, people: 0, person_destinations: 0, alert_events: 0 },
  };
  if (!email && !phone) return none;
  const keys = await personKeys({ ...(email ? { email } : {}), ...(phone ? { phone } : {}) });
  const { results: people } = await db
    .prepare('SELECT id FROM people WHERE email_key = ?1 OR phone_key = ?2')
    .bind(keys.email ?? null, keys.phone ?? null)
    .all<{ id: string }>();
  if (people.length === 0) return none;
  const personIds = JSON.stringify(people.map((p) => p.id));
  const { results: events } = await db
    .prepare(
      `SELECT id FROM events WHERE person_id IN (SELECT value FROM json_each(?1))
       UNION SELECT e.id FROM events e JOIN events m ON e.merged_into = m.id
       WHERE m.person_id IN (SELECT value FROM json_each(?1))`,
    )
    .bind(personIds)
    .all<{ id: string }>();
  const eventIds = JSON.stringify(events.map((e) => e.id));
  const inEvents = 'IN (SELECT value FROM json_each(?1))';
  if (dryRun) {
    const counts = await db.batch<{ n: number }>([
      db.prepare(`SELECT count(*) AS n FROM attempts WHERE event_id ${inEvents}`).bind(eventIds),
      db.prepare(`SELECT count(*) AS n FROM deliveries WHERE event_id ${inEvents}`).bind(eventIds),
      db.prepare(`SELECT count(*) AS n FROM alert_events WHERE event_id ${inEvents}`).bind(eventIds),
      db.prepare(`SELECT count(*) AS n FROM person_destinations WHERE person_id ${inEvents}`).bind(personIds),
    ]);
    const n = (i: number) => counts[i]?.results[0]?.n ?? 0;
    return {
      erased: false,
      dry_run: true,
      people: people.length,
      deleted: {
        events: events.length,
        attempts: n(0),
        deliveries: n(1),
        alert_events: n(2),
        person_destinations: n(3),
        people: people.length,
      },
    };
  }
  const results = await db.batch([
    db.prepare(`DELETE FROM attempts WHERE event_id ${inEvents}`).bind(eventIds),
    db.prepare(`DELETE FROM deliveries WHERE event_id ${inEvents}`).bind(eventIds),
    db.prepare(`DELETE FROM alert_events WHERE event_id ${inEvents}`).bind(eventIds),
    // A group's sample names event ids and a masked lead: dropped where it is about this person.
    db
      .prepare(
        `UPDATE alert_groups SET sample = NULL
         WHERE sample IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(?1) WHERE instr(alert_groups.sample, value) > 0)`,
      )
      .bind(eventIds),
    db.prepare(`DELETE FROM events WHERE id ${inEvents}`).bind(eventIds),
    // Remembered by id, so a queue message that carried one of them cannot store it again.
    db
      .prepare(`INSERT OR IGNORE INTO erased_events (id, erased_at) SELECT value, ?2 FROM json_each(?1)`)
      .bind(eventIds, Date.now()),
    db.prepare(`DELETE FROM person_destinations WHERE person_id ${inEvents}`).bind(personIds),
    db.prepare(`DELETE FROM people WHERE id ${inEvents}`).bind(personIds),
  ]);
  const changes = (i: number) => results[i]?.meta.changes ?? 0;
  return {
    erased: true,
    dry_run: false,
    people: people.length,
    deleted: {
      attempts: changes(0),
      deliveries: changes(1),
      alert_events: changes(2),
      events: changes(4),
      person_destinations: changes(6),
      people: changes(7),
    },
  };
}

/** Events purged per sweep: a day's backlog of a busy gateway clears within hours, never in one statement. */
export const PURGE_LIMIT = 500;

/**
 * Purges the payload, headers and leads of finished events received more than `days` ago, and the
 * alert samples of groups closed as long ago. Events still in flight are never purged.
 */
export async function purgeExpired(db: D1Database, days: number, nowMs: number): Promise<number> {
  const before = nowMs - days * 86_400_000;
  const [purged] = await db.batch([
    db
      .prepare(
        `UPDATE events SET body = x'', headers = '{}', lead = NULL, lead_input = NULL, purged_at = ?2
         WHERE rowid IN (
           SELECT rowid FROM events WHERE purged_at IS NULL AND received_at < ?1
             AND status IN (${sqlList(FINAL_EVENT_STATUSES)})
           ORDER BY received_at LIMIT ?3)`,
      )
      .bind(before, nowMs, PURGE_LIMIT),
    db
      .prepare(
        `UPDATE alert_groups SET sample = NULL WHERE status = 'closed' AND closed_at < ?1 AND sample IS NOT NULL`,
      )
      .bind(before),
  ]);
  return purged?.meta.changes ?? 0;
}
