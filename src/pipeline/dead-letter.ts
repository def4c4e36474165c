/**
 * The dead-letter queue's consumer. A message lands here after its last retry; the event is marked
 * `dead` and stays in D1, visible and replayable. Acked only once D1 says so.
 */
import { log } from '../lib/log';
import { markDead } from '../store/events';
import type { DeliveryMessage } from './accept';

export async function deadLetterBatch(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      if (await markDead(env.DB, message.body.eventId, 'retries exhausted')) {
        log.warn('retries exhausted; event dead', {
          event_id: message.body.eventId,
          attempts: message.attempts,
        });
      }
      message.ack();
    } catch {
      message.retry({ delaySeconds: 30 });
    }
  }
}
