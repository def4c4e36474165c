// The consumers called directly with a MessageBatch, asserting exactly which messages are acked
// and which retried: a message is never acked while its work failed.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';
import type { DeliveryMessage } from '../../src/pipeline/accept';
import { deadLetterBatch } from '../../src/pipeline/dead-letter';
import { deliverBatch } from '../../src/pipeline/deliver';
import { sweep } from '../../src/pipeline/sweep';
import { getEvent, insertEvent } from '../../src/store/events';
import { writeHold } from '../../src/store/holds';
import { crmDeliveries, recordingQueue, uniqueEmail, waitForStatus } from './helpers';

async function storeEvent(email: string, receivedAt = Date.now()): Promise<string> {
  const result = await insertEvent(env.DB, {
    id: newId('evt'),
    source: 'demo',
    idempotencyKey: `test:${crypto.randomUUID()}`,
    receivedAt,
    contentType: 'application/json',
    headers: {},
    body: new TextEncoder().encode(JSON.stringify({ email })),
  });
  return result.id;
}

async function consume(handler: typeof deliverBatch, ids: string[], environment: Env = env) {
  const batch = createMessageBatch<DeliveryMessage>(
    'inlet-deliveries',
    ids.map((eventId, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: { eventId } })),
  );
  // getQueueResult reports which messages were retried but not their delay: record it on the way.
  const delays: (number | undefined)[] = [];
  const spied: MessageBatch<DeliveryMessage> = {
    queue: batch.queue,
    metadata: batch.metadata,
    messages: batch.messages.map((message, i) => ({
      id: message.id,
      timestamp: message.timestamp,
      attempts: message.attempts,
      body: message.body,
      ack: () => message.ack(),
      retry: (options?: QueueRetryOptions) => {
        delays[i] = options?.delaySeconds;
        message.retry(options);
      },
    })),
    ackAll: () => batch.ackAll(),
    retryAll: (options?: QueueRetryOptions) => batch.retryAll(options),
  };
  const ctx = createExecutionContext();
  await handler(spied, environment);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

/** A D1 that fails every call, as during an outage. */
const brokenDb = new Proxy(env.DB, {
  get: () => () => {
    throw new Error('D1_ERROR: network connection lost');
  },
});

describe('delivery consumer', () => {
  it('acks a delivered event and a message whose event is already final', async () => {
    const email = uniqueEmail('direct');
    const id = await storeEvent(email);
    const first = await consume(deliverBatch, [id]);
    expect(first.explicitAcks).toEqual(['m0']);
    expect((await getEvent(env.DB, id))?.status).toBe('delivered');
    const again = await consume(deliverBatch, [id]);
    expect(again.explicitAcks).toEqual(['m0']);
    expect(await crmDeliveries(email)).toHaveLength(1);
  });

  it('retries, never acks, when D1 fails', async () => {
    const id = await storeEvent(uniqueEmail('d1down'));
    const result = await consume(deliverBatch, [id], { ...env, DB: brokenDb });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.delays[0]).toBeGreaterThanOrEqual(1);
  });

  it('waits out a destination hold without calling the CRM and without using up an attempt', async () => {
    const email = uniqueEmail('held');
    const id = await storeEvent(email);
    await writeHold(env.KV, 'crm', Date.now() + 30_000, Date.now());
    const { queue, sent } = recordingQueue();
    try {
      const result = await consume(deliverBatch, [id], { ...env, DELIVERIES: queue });
      // Acked only because a fresh copy was sent, delayed to the end of the hold: a queue retry
      // would count against the message's retries although nothing was attempted.
      expect(result.explicitAcks).toEqual(['m0']);
      expect(result.retryMessages).toEqual([]);
      expect(sent).toEqual([{ body: { eventId: id }, delaySeconds: expect.any(Number) }]);
      expect(sent[0]?.delaySeconds).toBeGreaterThanOrEqual(29);
      expect(await crmDeliveries(email)).toHaveLength(0);
      const event = await getEvent(env.DB, id);
      expect(event?.status).toBe('queued');
      expect(event?.attempts).toBe(0);
    } finally {
      await env.KV.delete('hold:crm');
    }
  });

  it('keeps the original message (a retry) when the fresh copy cannot be sent', async () => {
    const id = await storeEvent(uniqueEmail('nosend'));
    await writeHold(env.KV, 'crm', Date.now() + 30_000, Date.now());
    const failing = {
      send: () => Promise.reject(new Error('queue unavailable')),
      sendBatch: () => Promise.reject(new Error('queue unavailable')),
    } as unknown as Queue;
    try {
      const result = await consume(deliverBatch, [id], { ...env, DELIVERIES: failing });
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toHaveLength(1);
      expect(result.delays[0]).toBeGreaterThanOrEqual(29);
    } finally {
      await env.KV.delete('hold:crm');
    }
  });
});

describe('dead-letter consumer', () => {
  it('marks the event dead and acks; a late copy never undoes a delivery', async () => {
    const dead = await storeEvent(uniqueEmail('dlq'));
    const result = await consume(deadLetterBatch, [dead]);
    expect(result.explicitAcks).toEqual(['m0']);
    const event = await getEvent(env.DB, dead);
    expect(event?.status).toBe('dead');
    expect(event?.lastError).toBe('retries exhausted');

    const delivered = await storeEvent(uniqueEmail('late'));
    await consume(deliverBatch, [delivered]);
    await consume(deadLetterBatch, [delivered]);
    expect((await getEvent(env.DB, delivered))?.status).toBe('delivered');
  });

  it('retries when D1 fails', async () => {
    const id = await storeEvent(uniqueEmail('dlqdown'));
    const result = await consume(deadLetterBatch, [id], { ...env, DB: brokenDb });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
  });
});

describe('sweep', () => {
  it('enqueues an event whose queue send never happened, and it is delivered', async () => {
    const email = uniqueEmail('swept');
    const id = await storeEvent(email, Date.now() - 3_600_000);
    // Pretend the send failed an hour ago: nothing is on the queue for this event.
    await env.DB.prepare('UPDATE events SET enqueued_at = ?2 WHERE id = ?1')
      .bind(id, Date.now() - 3_600_000)
      .run();
    expect(await sweep(env)).toBeGreaterThanOrEqual(1);
    expect((await waitForStatus(id, ['delivered'])).status).toBe('delivered');
    // Recent events are left alone: they may simply be waiting in the queue.
    const recent = await storeEvent(uniqueEmail('recent'));
    await sweep(env);
    expect((await getEvent(env.DB, recent))?.enqueuedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});
