/**
 * Raising an alert: a few D1 statements the caller adds to the batch it writes anyway (the
 * consumer's outcome batch), so an alert costs no round trip of its own and never delays a lead.
 * Nothing is posted here: messages go to the outbox, and `src/alerts/send.ts` posts them.
 */
import { config } from '../config';
import type { AlertChannelConfig, AlertsConfig } from '../config/schema';
import { newId } from '../lib/ids';
import type { AlertKind, AlertSample } from './types';

export interface Alert {
  kind: AlertKind;
  source: string | null;
  destination: string | null;
  errorClass: string | null;
  sample?: AlertSample;
  /** The delivery it is about, replayable from the message. */
  eventId?: string;
  /** Failures this raise adds (a throttled counter flushes several at once). */
  increment?: number;
  /** The count at which the first message is due: 1, or a burst threshold. */
  postAt?: number;
}

export interface AlertSettings {
  windowMs: number;
  invalidThreshold: number;
  verificationThreshold: number;
  backlogMs: number;
  adminUrl: string;
}

export function alertSettings(alerts: AlertsConfig): AlertSettings {
  return {
    windowMs: (alerts.windowMinutes ?? 10) * 60_000,
    invalidThreshold: alerts.thresholds?.invalid ?? 5,
    verificationThreshold: alerts.thresholds?.verification ?? 10,
    backlogMs: (alerts.thresholds?.backlogMinutes ?? 30) * 60_000,
    adminUrl: alerts.adminUrl ?? 'http://127.0.0.1:8787',
  };
}

export const groupKey = (alert: Pick<Alert, 'kind' | 'source' | 'destination' | 'errorClass'>): string =>
  [alert.kind, alert.source ?? '', alert.destination ?? '', alert.errorClass ?? ''].join('|');

const listed = (list: readonly string[] | undefined, value: string | null): boolean =>
  list === undefined || (value !== null && list.includes(value));

/** The channels that get this alert, by their filters. Pure. */
export function channelsFor(
  channels: Readonly<Record<string, AlertChannelConfig>>,
  alert: Pick<Alert, 'kind' | 'source' | 'destination'>,
): string[] {
  return Object.entries(channels)
    .filter(
      ([, channel]) =>
        listed(channel.kinds, alert.kind) &&
        (alert.source === null || listed(channel.sources, alert.source)) &&
        (alert.destination === null || listed(channel.destinations, alert.destination)),
    )
    .map(([name]) => name);
}

/**
 * The statements that count the alert into its open group (opening one if none is), link its
 * event, and, when the group reaches its first message, write that message for each channel. The
 * channel inserts RETURN a row when they wrote one: the caller then wakes the sender.
 */
export function raiseStatements(
  db: D1Database,
  alert: Alert,
  channels: readonly string[],
  nowMs: number,
): D1PreparedStatement[] {
  const key = groupKey(alert);
  const statements = [
    db
      .prepare(
        `INSERT INTO alert_groups (id, key, kind, source, destination, error_class, status, count, first_at, last_at, post_at, sample)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?8, ?9, ?10)
         ON CONFLICT (key) WHERE status = 'open' DO UPDATE SET
           count = count + ?7, last_at = ?8, sample = COALESCE(?10, sample)`,
      )
      .bind(
        newId('alg', nowMs),
        key,
        alert.kind,
        alert.source,
        alert.destination,
        alert.errorClass,
        alert.increment ?? 1,
        nowMs,
        alert.postAt ?? 1,
        alert.sample ? JSON.stringify(alert.sample) : null,
      ),
  ];
  if (alert.eventId)
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO alert_events (group_id, event_id, destination)
           SELECT id, ?2, ?3 FROM alert_groups WHERE key = ?1 AND status = 'open'`,
        )
        .bind(key, alert.eventId, alert.destination ?? ''),
    );
  for (const channel of channels)
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO alert_outbox (group_id, channel, message_kind, from_count, to_count, since_at, created_at, next_at)
           SELECT id, ?2, 'opened', 0, count, first_at, ?3, ?3 FROM alert_groups
           WHERE key = ?1 AND status = 'open' AND told_at IS NULL AND count >= post_at
           RETURNING id`,
        )
        .bind(key, channel, nowMs),
    );
  // The first message is written once: from now on the group is told, and counts go to summaries.
  statements.push(
    db
      .prepare(
        `UPDATE alert_groups SET told_at = ?2, told_count = count
         WHERE key = ?1 AND status = 'open' AND told_at IS NULL AND count >= post_at`,
      )
      .bind(key, nowMs),
  );
  return statements;
}

/**
 * Appends the alert's statements to a batch being built, and answers the indexes of those that
 * write a message: after the batch, `wroteMessage(results, indexes)` says whether to wake the sender.
 */
export function raiseInto(
  statements: D1PreparedStatement[],
  db: D1Database,
  alert: Alert,
  nowMs: number,
  channels: readonly string[] = channelsFor(config.alerts.channels, alert),
): number[] {
  // No channel takes it: nothing to count, nothing to write.
  if (channels.length === 0) return [];
  const start = statements.length;
  const added = raiseStatements(db, alert, channels, nowMs);
  statements.push(...added);
  // The channel inserts follow the upsert and the optional event link.
  const first = start + (alert.eventId ? 2 : 1);
  return channels.map((_, i) => first + i);
}

export const wroteMessage = (results: readonly D1Result[], indexes: readonly number[]): boolean =>
  indexes.some((i) => (results[i]?.results?.length ?? 0) > 0);
