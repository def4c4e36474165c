/** The Worker: HTTP ingest and admin, the delivery and dead-letter consumers, and the cron sweep. */
import { alertsBatch } from './alerts/wake';
import { app } from './app';
import { setLogLevel } from './lib/log';
import { deadLetterBatch } from './pipeline/dead-letter';
import { deliverBatch } from './pipeline/deliver';
import type { DeliveryMessage } from './pipeline/enqueue';
import { jobsBatch, type ReplayJobMessage } from './pipeline/replay-jobs';
import { sweep } from './pipeline/sweep';

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    setLogLevel(env.LOG_LEVEL);
    if (batch.queue.endsWith('-dlq')) await deadLetterBatch(batch, env);
    else if (batch.queue === 'inlet-alerts') await alertsBatch(batch, env);
    else if (batch.queue === 'inlet-jobs')
      await jobsBatch(batch as unknown as MessageBatch<ReplayJobMessage>, env);
    else await deliverBatch(batch, env);
  },
  async scheduled(_controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    ctx.waitUntil(sweep(env));
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
