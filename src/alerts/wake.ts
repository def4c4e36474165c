/**
 * Waking the alert sender, and the alerts queue's consumer. A wake-up is a hint, never the state:
 * the outbox in D1 is, and the cron sweep posts whatever a lost wake-up left behind.
 */
import { log } from '../lib/log';
import { type Alert, raiseInto, wroteMessage } from './raise';
import { sendAlerts } from './send';

export async function wakeSender(env: Env, delaySeconds?: number): Promise<void> {
  try {
    await env.ALERTS.send({ wake: true }, delaySeconds ? { delaySeconds } : undefined);
  } catch (error) {
    log.warn('waking the alert sender failed; the sweep will post', {
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

/**
 * Raises an alert on its own (not inside a batch being built): written with `alongside`, the
 * statements it belongs with, in one D1 batch; the sender is woken if a message was written.
 */
export async function raiseNow(
  env: Env,
  alert: Alert,
  nowMs: number,
  alongside: D1PreparedStatement[] = [],
): Promise<void> {
  const statements = [...alongside];
  const indexes = raiseInto(statements, env.DB, alert, nowMs);
  if (wroteMessage(await env.DB.batch(statements), indexes)) await wakeSender(env);
}

/** One run of the sender per batch of wake-ups, however many arrived. */
export async function alertsBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  try {
    const { waiting } = await sendAlerts(env);
    // A channel asked us to wait (429, an outage): come back within the minute, not only at the sweep.
    if (waiting > 0) await wakeSender(env, 30);
    batch.ackAll();
  } catch (error) {
    log.error('sending alerts failed; retrying', { error: error instanceof Error ? error.name : 'unknown' });
    batch.retryAll({ delaySeconds: 30 });
  }
}
