/**
 * Replay: an operator sends stored events through delivery again — a dead event after the CRM is
 * fixed, an invalid one after a mapping fix, or a delivered one on purpose. The stored raw body is
 * mapped again with today's source code, so a fix applies to old events too.
 */
import { requeueEvents } from '../store/events';
import type { DeliveryMessage } from './accept';

export async function replay(
  env: Env,
  ids: readonly string[],
  nowMs: number = Date.now(),
): Promise<string[]> {
  const requeued = await requeueEvents(env.DB, ids, nowMs);
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < requeued.length; i += 100) {
    await env.DELIVERIES.sendBatch(
      requeued
        .slice(i, i + 100)
        .map((eventId) => ({ body: { eventId } satisfies DeliveryMessage, contentType: 'json' })),
    );
  }
  return requeued;
}
