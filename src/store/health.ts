/**
 * Destination health in D1, where every consumer sees the same state at once: paused or not, and
 * until when it is held. Read once per consumer batch; written only when something changes (a
 * pause, a resume, a hold, a failure run), never once per event on its own.
 */

export type PausedBy = 'config' | 'outage' | 'operator';

export interface DestinationHealth {
  destination: string;
  pausedAt: number | null;
  pausedBy: PausedBy | null;
  pausedReason: string | null;
  probeAt: number | null;
  probeIntervalSeconds: number | null;
  holdUntil: number | null;
  failureStreak: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

export interface HealthRow {
  destination: string;
  paused_at: number | null;
  paused_by: PausedBy | null;
  paused_reason: string | null;
  probe_at: number | null;
  probe_interval_s: number | null;
  hold_until: number | null;
  failure_streak: number;
  last_success_at: number | null;
  last_failure_at: number | null;
}

const toHealth = (row: HealthRow): DestinationHealth => ({
  destination: row.destination,
  pausedAt: row.paused_at,
  pausedBy: row.paused_by,
  pausedReason: row.paused_reason,
  probeAt: row.probe_at,
  probeIntervalSeconds: row.probe_interval_s,
  holdUntil: row.hold_until,
  failureStreak: row.failure_streak,
  lastSuccessAt: row.last_success_at,
  lastFailureAt: row.last_failure_at,
});

export const healthy = (destination: string): DestinationHealth => ({
  destination,
  pausedAt: null,
  pausedBy: null,
  pausedReason: null,
  probeAt: null,
  probeIntervalSeconds: null,
  holdUntil: null,
  failureStreak: 0,
  lastSuccessAt: null,
  lastFailureAt: null,
});

/** Every destination's health, for the caller's batch (the consumer reads it with its claims). */
export const healthStatement = (db: D1Database): D1PreparedStatement =>
  db.prepare('SELECT * FROM destination_health');

export const toHealthMap = (rows: readonly HealthRow[]): Map<string, DestinationHealth> =>
  new Map(rows.map((row) => [row.destination, toHealth(row)]));

export async function readHealth(db: D1Database): Promise<Map<string, DestinationHealth>> {
  const { results } = await healthStatement(db).all<HealthRow>();
  return toHealthMap(results);
}

/**
 * Pauses the destination; the first probe is due after `probeSeconds` (none for an operator's
 * pause). Already paused, it keeps its pause time and probe schedule and takes the latest reason
 * (a probe that met another error says so); an operator's pause is never turned into an automatic
 * one. RETURNING names it when it was newly paused or its reason changed.
 */
export function pauseStatement(
  db: D1Database,
  destination: string,
  by: PausedBy,
  reason: string,
  nowMs: number,
  probeSeconds: number | null,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO destination_health (destination, paused_at, paused_by, paused_reason, probe_at, probe_interval_s, updated_at)
       VALUES (?1, ?4, ?2, ?3, ?5, ?6, ?4)
       ON CONFLICT (destination) DO UPDATE SET
         paused_at = COALESCE(paused_at, ?4),
         paused_by = CASE WHEN paused_by = 'operator' THEN 'operator' ELSE ?2 END,
         paused_reason = CASE WHEN paused_by = 'operator' AND ?2 != 'operator' THEN paused_reason ELSE ?3 END,
         probe_at = CASE WHEN paused_at IS NULL OR ?2 = 'operator' THEN ?5 ELSE probe_at END,
         probe_interval_s = CASE WHEN paused_at IS NULL OR ?2 = 'operator' THEN ?6 ELSE probe_interval_s END,
         updated_at = ?4
       WHERE paused_at IS NULL OR paused_reason IS NOT ?3
       RETURNING destination`,
    )
    .bind(
      destination,
      by,
      reason,
      nowMs,
      probeSeconds === null ? null : nowMs + probeSeconds * 1000,
      probeSeconds,
    );
}

/** Makes the destination active again; RETURNING tells whether it was paused. */
export function resumeStatement(db: D1Database, destination: string, nowMs: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE destination_health SET paused_at = NULL, paused_by = NULL, paused_reason = NULL, probe_at = NULL,
         probe_interval_s = NULL, failure_streak = 0, last_success_at = ?2, updated_at = ?2
       WHERE destination = ?1 AND paused_at IS NOT NULL
       RETURNING destination`,
    )
    .bind(destination, nowMs);
}

/**
 * Takes the next probe of a destination paused by a failure (never one an operator paused): one
 * delivery may be attempted; the next probe waits twice as long, up to an hour.
 */
export async function claimProbe(db: D1Database, destination: string, nowMs: number): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE destination_health SET probe_at = ?2 + MIN(probe_interval_s * 2, 3600) * 1000,
         probe_interval_s = MIN(probe_interval_s * 2, 3600), updated_at = ?2
       WHERE destination = ?1 AND paused_at IS NOT NULL AND paused_by != 'operator' AND probe_at <= ?2
       RETURNING destination`,
    )
    .bind(destination, nowMs)
    .first();
  return row !== null;
}

/**
 * A batch's attempts at one destination, folded into its health: successes end the failure run,
 * transient failures lengthen it (circuitStatement then decides), and a hold only ever moves later.
 */
export function attemptsStatement(
  db: D1Database,
  destination: string,
  result: { successes: number; failures: number; holdUntil: number | undefined },
  nowMs: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO destination_health (destination, failure_streak, hold_until, last_success_at, last_failure_at, updated_at)
       VALUES (?1, CASE WHEN ?2 > 0 THEN 0 ELSE ?3 END, ?4, CASE WHEN ?2 > 0 THEN ?5 END, CASE WHEN ?3 > 0 THEN ?5 END, ?5)
       ON CONFLICT (destination) DO UPDATE SET
         failure_streak = CASE WHEN ?2 > 0 THEN 0 ELSE failure_streak + ?3 END,
         hold_until = MAX(COALESCE(hold_until, 0), COALESCE(?4, 0)),
         last_success_at = CASE WHEN ?2 > 0 THEN ?5 ELSE last_success_at END,
         last_failure_at = CASE WHEN ?3 > 0 THEN ?5 ELSE last_failure_at END,
         updated_at = ?5`,
    )
    .bind(destination, result.successes, result.failures, result.holdUntil ?? null, nowMs);
}

/** Opens the circuit when the failure run reached the threshold. RETURNING names it when it did. */
export function circuitStatement(
  db: D1Database,
  destination: string,
  threshold: number,
  nowMs: number,
  probeSeconds: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE destination_health SET paused_at = ?3, paused_by = 'outage',
         paused_reason = 'outage: ' || failure_streak || ' failed calls in a row',
         probe_at = ?3 + ?4 * 1000, probe_interval_s = ?4, updated_at = ?3
       WHERE destination = ?1 AND paused_at IS NULL AND failure_streak >= ?2
       RETURNING destination`,
    )
    .bind(destination, threshold, nowMs, probeSeconds);
}
