/**
 * The cron sweep, the safety net behind "answered 2xx means delivered or dead": it enqueues events
 * whose queue send failed at ingest, deliveries left waiting without a message (a re-send that
 * failed, a consumer that died holding one), the parked deliveries of a destination that is active again, and the probe of each
 * paused destination whose probe is due, so a destination resumes by itself without new traffic.
 */
import { maintainAlerts } from '../alerts/maintain';
import { sendAlerts } from '../alerts/send';
import { config } from '../config';
import { settings } from '../config/settings';
import { log } from '../lib/log';
import { parkedDelivery, unparkDeliveries } from '../store/deliveries';
import { listUnsent, touchEnqueued } from '../store/events';
import { claimProbe, readHealth } from '../store/health';
import { purgeExpired } from '../store/privacy';
import { flushRejections } from '../store/stats';
import { enqueue, type Outgoing } from './enqueue';
import { resumeStalledJobs } from './replay-jobs';

const SWEEP_LIMIT = 100;
const UNPARK_LIMIT = 1000;

export async function sweep(env: Env, nowMs: number = Date.now()): Promise<number> {
  const staleBefore = nowMs - settings(env).requeueAfterMs;
  const outgoing: Outgoing[] = [];

  const events = await listUnsent(env.DB, staleBefore, SWEEP_LIMIT);
  outgoing.push(...events.map((eventId) => ({ body: { eventId } })));

  const { results: stale } = await env.DB.prepare(
    `SELECT event_id, destination FROM deliveries
     WHERE (status IN ('queued', 'retrying') AND COALESCE(next_attempt_at, enqueued_at) < ?1)
        OR (status = 'delivering' AND lease_until < ?1)
     ORDER BY enqueued_at LIMIT ?2`,
  )
    .bind(staleBefore, SWEEP_LIMIT)
    .all<{ event_id: string; destination: string }>();
  outgoing.push(...stale.map((row) => ({ body: { eventId: row.event_id, destination: row.destination } })));

  const health = await readHealth(env.DB);
  for (const name of Object.keys(config.destinations)) {
    const h = health.get(name);
    if (!h?.pausedAt) {
      const ids = await unparkDeliveries(env.DB, name, nowMs, UNPARK_LIMIT);
      outgoing.push(...ids.map((eventId) => ({ body: { eventId, destination: name } })));
    } else if (h.pausedBy !== 'operator' && (h.probeAt ?? Infinity) <= nowMs) {
      const eventId = await parkedDelivery(env.DB, name);
      if (eventId && (await claimProbe(env.DB, name, nowMs)))
        outgoing.push({ body: { eventId, destination: name, probe: true } });
    }
  }

  // Bulk replays whose chunk message was lost, events past retention, and the rejection counts
  // of this isolate: housekeeping that must never fail the sweep.
  try {
    await resumeStalledJobs(env, nowMs);
    await purgeExpired(env.DB, config.retention.days, nowMs);
    await flushRejections(env.DB, nowMs);
  } catch (error) {
    log.error('sweep housekeeping failed; next sweep', {
      error: error instanceof Error ? error.name : 'unknown',
    });
  }

  // Alerts: summaries, recoveries and the backlog, then whatever the outbox holds. Never allowed
  // to fail the sweep: the outbox keeps it for the next minute.
  try {
    await maintainAlerts(env, nowMs);
    await sendAlerts(env, nowMs);
  } catch (error) {
    log.error('alert maintenance failed; next sweep', {
      error: error instanceof Error ? error.name : 'unknown',
    });
  }

  if (outgoing.length === 0) return 0;
  await enqueue(env.DELIVERIES, outgoing);
  await touchEnqueued(env.DB, events, nowMs);
  if (stale.length)
    await env.DB.batch(
      stale.map((row) =>
        env.DB.prepare(
          'UPDATE deliveries SET enqueued_at = ?3, next_attempt_at = NULL WHERE event_id = ?1 AND destination = ?2',
        ).bind(row.event_id, row.destination, nowMs),
      ),
    );
  log.warn('sweep re-enqueued work', { events: events.length, deliveries: outgoing.length - events.length });
  return outgoing.length;
}
