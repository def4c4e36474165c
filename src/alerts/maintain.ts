/**
 * The alerts' side of the cron sweep: a summary for each group that kept failing since its last
 * message ("412 more since 10:02"), a recovery message for each group quiet for a whole window
 * (then closed), and the backlog check. Writes to the outbox only; `send.ts` posts.
 */
import { config } from '../config';
import { alertSettings, channelsFor, raiseInto, wroteMessage } from './raise';
import type { AlertKind, AlertMessageKind } from './types';

const LIMIT = 100;

interface GroupRow {
  id: string;
  kind: AlertKind;
  source: string | null;
  destination: string | null;
  count: number;
  told_count: number;
  told_at: number | null;
}

function message(
  db: D1Database,
  group: GroupRow,
  kind: AlertMessageKind,
  nowMs: number,
): D1PreparedStatement[] {
  return channelsFor(config.alerts.channels, group).map((channel) =>
    db
      .prepare(
        `INSERT OR IGNORE INTO alert_outbox (group_id, channel, message_kind, from_count, to_count, since_at, created_at, next_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)`,
      )
      .bind(group.id, channel, kind, group.told_count, group.count, group.told_at ?? nowMs, nowMs),
  );
}

/** Summaries, recoveries and the backlog; answers whether a message was written. */
export async function maintainAlerts(env: Env, nowMs: number = Date.now()): Promise<boolean> {
  // Without a channel there is nobody to tell: no group is ever raised, nothing to maintain.
  if (Object.keys(config.alerts.channels).length === 0) return false;
  const settings = alertSettings(config.alerts);
  const since = nowMs - settings.windowMs;
  const db = env.DB;
  const statements: D1PreparedStatement[] = [];

  const { results: growing } = await db
    .prepare(
      `SELECT * FROM alert_groups WHERE status = 'open' AND told_at IS NOT NULL AND told_at <= ?1 AND count > told_count
       LIMIT ?2`,
    )
    .bind(since, LIMIT)
    .all<GroupRow>();
  for (const group of growing) {
    statements.push(...message(db, group, 'summary', nowMs));
    statements.push(
      db
        .prepare('UPDATE alert_groups SET told_count = ?2, told_at = ?3 WHERE id = ?1')
        .bind(group.id, group.count, nowMs),
    );
  }

  // A pause ends with the destination's resume, not with quiet; a backlog with the check below.
  const { results: quiet } = await db
    .prepare(
      `SELECT * FROM alert_groups WHERE status = 'open' AND kind NOT IN ('paused', 'backlog') AND last_at <= ?1
       LIMIT ?2`,
    )
    .bind(since, LIMIT)
    .all<GroupRow>();
  for (const group of quiet) statements.push(...closeStatements(db, group, nowMs));

  // The backlog: deliveries waiting longer than the threshold, per destination.
  const { results: backlog } = await db
    .prepare(
      `SELECT destination, count(*) AS n, MIN(event_id) AS oldest FROM deliveries
       WHERE status IN ('queued', 'retrying', 'paused', 'delivering') AND created_at < ?1
       GROUP BY destination`,
    )
    .bind(nowMs - settings.backlogMs)
    .all<{ destination: string; n: number; oldest: string }>();
  const outbox: number[] = [];
  const minutes = Math.round(settings.backlogMs / 60_000);
  for (const row of backlog) {
    const alert = {
      kind: 'backlog' as const,
      source: null,
      destination: row.destination,
      errorClass: null,
      sample: { eventId: row.oldest, reason: `${row.n} deliveries waiting longer than ${minutes} min` },
    };
    outbox.push(...raiseInto(statements, db, alert, nowMs));
  }
  const waitingFor = new Set(backlog.map((row) => row.destination));
  const { results: drained } = await db
    .prepare(`SELECT * FROM alert_groups WHERE status = 'open' AND kind = 'backlog'`)
    .all<GroupRow>();
  for (const group of drained)
    if (group.destination && !waitingFor.has(group.destination))
      statements.push(...closeStatements(db, group, nowMs));

  if (statements.length === 0) return false;
  const results = await db.batch(statements);
  return (
    growing.length > 0 ||
    quiet.some((g) => g.told_at !== null) ||
    wroteMessage(results, outbox) ||
    drained.length > 0
  );
}

/** Closes a group, with a recovery message when anything was posted about it. */
export function closeStatements(db: D1Database, group: GroupRow, nowMs: number): D1PreparedStatement[] {
  return [
    ...(group.told_at === null ? [] : message(db, group, 'recovered', nowMs)),
    db
      .prepare(`UPDATE alert_groups SET status = 'closed', closed_at = ?2 WHERE id = ?1`)
      .bind(group.id, nowMs),
  ];
}

/** The destination resumed: its open `paused` group closes with a recovery message. */
export async function destinationRecovered(env: Env, destination: string, nowMs: number): Promise<boolean> {
  const { results } = await env.DB.prepare(
    `SELECT * FROM alert_groups WHERE status = 'open' AND kind = 'paused' AND destination = ?1`,
  )
    .bind(destination)
    .all<GroupRow>();
  if (results.length === 0) return false;
  await env.DB.batch(results.flatMap((group) => closeStatements(env.DB, group, nowMs)));
  return results.some((group) => group.told_at !== null);
}
