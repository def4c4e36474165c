/**
 * Replay: an operator sends stored events through again — a dead delivery after the CRM is fixed,
 * an invalid event after a mapping fix, an unrouted one once a route exists, or a delivered one on
 * purpose. The stored raw body is mapped and routed again with today's configuration, so a fix
 * applies to old events too; deliveries that already succeeded are not repeated unless asked.
 */
import { requeueDeliveries } from '../store/deliveries';
import { requeueEvents } from '../store/events';
import { enqueue } from './enqueue';

export interface ReplayOptions {
  /** Only this destination's delivery. */
  destination?: string;
  /** Deliver again where it was delivered already. */
  includeDelivered?: boolean;
}

export async function replay(
  env: Env,
  ids: readonly string[],
  options: ReplayOptions = {},
  nowMs: number = Date.now(),
): Promise<string[]> {
  // Deliveries first, so the routing that follows finds them waiting and takes them.
  await requeueDeliveries(env.DB, ids, nowMs, options);
  const requeued = await requeueEvents(env.DB, ids, nowMs);
  await enqueue(
    env.DELIVERIES,
    requeued.map((eventId) => ({ body: { eventId } })),
  );
  return requeued;
}
