/**
 * The dead-letter queue's consumer. A message lands here after its last retry (its handling kept
 * throwing: D1 down for hours, a bug). What it named is marked `dead` and stays in D1, visible and
 * replayable: the one delivery, or an event that was never routed. Acked only once D1 says so.
 */
import type { Alert } from '../alerts/raise';
import { raiseNow } from '../alerts/wake';
import { log } from '../lib/log';
import { abandonCreationStatement, summaryStatement } from '../store/deliveries';
import { insertStatements, markDead } from '../store/events';
import { carriedEvent, type DeliveryMessage } from './enqueue';
import { FINAL_DELIVERY_STATUSES, sqlList } from './status';

export async function deadLetterBatch(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const { eventId, destination } = message.body;
    try {
      let marked: boolean;
      if (destination) {
        const nowMs = Date.now();
        const [updated] = await env.DB.batch([
          env.DB.prepare(
            `UPDATE deliveries SET status = 'dead', lease_until = NULL, last_error = COALESCE(last_error, 'retries exhausted')
             WHERE event_id = ?1 AND destination = ?2 AND status NOT IN (${sqlList(FINAL_DELIVERY_STATUSES)})`,
          ).bind(eventId, destination),
          summaryStatement(env.DB, eventId, nowMs),
          abandonCreationStatement(env.DB, eventId, destination),
        ]);
        marked = (updated?.meta.changes ?? 0) > 0;
        if (marked) {
          const alert: Alert = {
            kind: 'dead',
            source: null,
            destination,
            errorClass: 'retries_exhausted',
            eventId,
          };
          await raiseNow(env, alert, nowMs);
        }
      } else {
        // An event its message carried may be in no other place: stored first, then marked dead.
        const carried = carriedEvent(message.body);
        if (carried) await env.DB.batch(insertStatements(env.DB, carried));
        marked = await markDead(env.DB, eventId, 'retries exhausted', ['queued', 'routing']);
      }
      if (marked)
        log.warn('retries exhausted; dead', { event_id: eventId, destination, attempts: message.attempts });
      message.ack();
    } catch {
      message.retry({ delaySeconds: 30 });
    }
  }
}
