/**
 * The cron sweep: enqueues events that were stored but whose queue send failed at ingest. With the
 * insert-then-send order in accept.ts, this is what makes "answered 2xx" mean "will be delivered".
 */
import { settings } from '../config';
import { log } from '../lib/log';
import { listUnsent, touchEnqueued } from '../store/events';
import type { DeliveryMessage } from './accept';

const SWEEP_LIMIT = 100;

export async function sweep(env: Env, nowMs: number = Date.now()): Promise<number> {
  const ids = await listUnsent(env.DB, nowMs - settings(env).requeueAfterMs, SWEEP_LIMIT);
  if (ids.length === 0) return 0;
  await env.DELIVERIES.sendBatch(
    ids.map((eventId) => ({ body: { eventId } satisfies DeliveryMessage, contentType: 'json' })),
  );
  await touchEnqueued(env.DB, ids, nowMs);
  log.warn('sweep re-enqueued events', { count: ids.length });
  return ids.length;
}
