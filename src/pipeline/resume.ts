/**
 * Resuming a destination by hand (the admin API): active again at once, and its parked deliveries
 * sent now (the sweep sends any beyond the first thousand).
 */
import { destinationRecovered } from '../alerts/maintain';
import { wakeSender } from '../alerts/wake';
import { unparkDeliveries } from '../store/deliveries';
import { resumeStatement } from '../store/health';
import { enqueue } from './enqueue';

export async function resumeDestination(
  env: Env,
  destination: string,
  nowMs: number = Date.now(),
): Promise<number> {
  await resumeStatement(env.DB, destination, nowMs).run();
  // The pause is over: its alert closes with a recovery message.
  if (await destinationRecovered(env, destination, nowMs)) await wakeSender(env);
  return resendParked(env, destination, nowMs);
}

/**
 * A destination active again: its parked deliveries (the first `limit`; the sweep sends the rest)
 * back in the queue's hands. Answers how many were sent.
 */
export async function resendParked(
  env: Env,
  destination: string,
  nowMs: number,
  limit = 1000,
): Promise<number> {
  const ids = await unparkDeliveries(env.DB, destination, nowMs, limit);
  await enqueue(
    env.DELIVERIES,
    ids.map((eventId) => ({ body: { eventId, destination } })),
  );
  return ids.length;
}
