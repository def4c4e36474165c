// The consumers called directly with a MessageBatch, asserting exactly which messages are acked
// and which retried: a message is never acked while its work failed.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { deadLetterBatch } from '../../src/pipeline/dead-letter';
import { deliverBatch } from '../../src/pipeline/deliver';
import type { DeliveryMessage } from '../../src/pipeline/enqueue';
import { sweep } from '../../src/pipeline/sweep';
import { listDeliveries } from '../../src/store/deliveries';
import { getEvent } from '../../src/store/events';
import { dueNow, failingD1 } from './faults-helpers';
import {
  aroundD1,
  crmDeliveries,
  crmScript,
  recordingQueue,
  storeLead,
  uniqueEmail,
  waitForStatus,
} from './helpers';

const storeEvent = (email: string, receivedAt = Date.now()) => storeLead({ email }, 'demo', receivedAt);

async function consume(
  handler: typeof deliverBatch,
  ids: (string | DeliveryMessage)[],
  environment: Env = env,
) {
  const batch = createMessageBatch<DeliveryMessage>(
    'inlet-deliveries',
    ids.map((id, i) => ({
      id: `m${i}`,
      timestamp: new Date(),
      attempts: 1,
      body: typeof id === 'string' ? { eventId: id } : id,
    })),
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

/** A hold on the `crm` destination, as a 429 with Retry-After writes it. */
const holdCrm = (untilMs: number) =>
  env.DB.prepare(
    `INSERT INTO destination_health (destination, hold_until, updated_at) VALUES ('crm', ?1, ?2)
     ON CONFLICT (destination) DO UPDATE SET hold_until = ?1`,
  )
    .bind(untilMs, Date.now())
    .run();

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
    await holdCrm(Date.now() + 30_000);
    const { queue, sent } = recordingQueue();
    try {
      const result = await consume(deliverBatch, [id], { ...env, DELIVERIES: queue });
      // Acked only because a fresh copy was sent, delayed to the end of the hold: a queue retry
      // would count against the message's retries although nothing was attempted.
      // The event is routed; its delivery waits, with no attempt made.
      expect(result.explicitAcks).toEqual(['m0']);
      expect(result.retryMessages).toEqual([]);
      expect(sent).toEqual([{ body: { eventId: id, destination: 'crm' }, delaySeconds: expect.any(Number) }]);
      expect(sent[0]?.delaySeconds).toBeGreaterThanOrEqual(29);
      expect(await crmDeliveries(email)).toHaveLength(0);
      expect((await getEvent(env.DB, id))?.status).toBe('delivering');
      const [delivery] = await listDeliveries(env.DB, id);
      expect(delivery).toMatchObject({ destination: 'crm', status: 'queued', attempts: 0 });

      // Its own message, back while the hold lasts: waits again, acked, never retried (a batch of
      // held deliveries has nothing to claim; found by `npm run chaos`, where such messages went
      // round until the dead-letter queue took them).
      const again = await consume(deliverBatch, [sent[0]!.body as DeliveryMessage], {
        ...env,
        DELIVERIES: queue,
      });
      expect(again.explicitAcks).toEqual(['m0']);
      expect(again.retryMessages).toEqual([]);
      expect(sent.at(-1)).toEqual({
        body: { eventId: id, destination: 'crm' },
        delaySeconds: expect.any(Number),
      });
      expect((await listDeliveries(env.DB, id))[0]).toMatchObject({ status: 'queued', attempts: 0 });
    } finally {
      await holdCrm(0);
    }
  });

  it('keeps the original message (a retry) when the fresh copy cannot be sent', async () => {
    const id = await storeEvent(uniqueEmail('nosend'));
    await holdCrm(Date.now() + 30_000);
    const failing = {
      send: () => Promise.reject(new Error('queue unavailable')),
      sendBatch: () => Promise.reject(new Error('queue unavailable')),
    } as unknown as Queue;
    try {
      const result = await consume(deliverBatch, [id], { ...env, DELIVERIES: failing });
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toHaveLength(1);
      expect(result.delays[0]).toBeGreaterThanOrEqual(1);
    } finally {
      await holdCrm(0);
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

describe('a delivery no message could take', () => {
  /** An event routed to `crm` whose delivery is left as a crashed consumer leaves it. */
  async function heldDelivery(leaseUntil: number): Promise<string> {
    const id = await storeEvent(uniqueEmail('crashed'));
    await env.DB.batch([
      env.DB.prepare(
        `UPDATE events SET status = 'delivering', person_id = 'per_crashed', lead = json_object('email', 'x@example.com') WHERE id = ?1`,
      ).bind(id),
      env.DB.prepare(
        `INSERT INTO deliveries (event_id, destination, status, attempts, lease_until, enqueued_at, created_at)
         VALUES (?1, 'crm', 'delivering', 1, ?2, ?3, ?3)`,
      ).bind(id, leaseUntil, Date.now() - 3_600_000),
    ]);
    return id;
  }

  it('held by a consumer that died: its message comes back when the lease ends, never dropped', async () => {
    const id = await heldDelivery(Date.now() + 5_000);
    const { queue, sent } = recordingQueue();
    const result = await consume(deliverBatch, [{ eventId: id, destination: 'crm' }], {
      ...env,
      DELIVERIES: queue,
    });
    expect(result.explicitAcks).toEqual(['m0']);
    expect(sent).toEqual([{ body: { eventId: id, destination: 'crm' }, delaySeconds: expect.any(Number) }]);
    expect(sent[0]?.delaySeconds).toBeGreaterThanOrEqual(4);
  });

  it('left with no message at all: the sweep finds it once its lease is long over', async () => {
    const id = await heldDelivery(Date.now() - 3_600_000);
    const { queue, sent } = recordingQueue();
    await sweep({ ...env, DELIVERIES: queue });
    expect(sent.map((m) => m.body)).toContainEqual({ eventId: id, destination: 'crm' });
  });
});

/** env.DB, counting its round trips (a batch is one) as the consumer makes them. */
function countingDb(): { db: D1Database; calls: () => number } {
  let calls = 0;
  const db = aroundD1(env.DB, (roundTrip) => {
    calls++;
    return roundTrip();
  });
  return { db, calls: () => calls };
}

describe('a batch of messages', () => {
  it('routes and delivers ten new events in five D1 round trips, however many events', async () => {
    for (const size of [1, 10]) {
      const ids = await Promise.all(
        Array.from({ length: size }, () => storeEvent(uniqueEmail(`batch${size}`))),
      );
      const { db, calls } = countingDb();
      const result = await consume(deliverBatch, ids, { ...env, DB: db });
      expect(result.explicitAcks).toHaveLength(size);
      for (const id of ids) expect((await getEvent(env.DB, id))?.status).toBe('delivered');
      // Health and claims; people; deliveries; person records; outcomes.
      expect(calls()).toBe(5);
    }
  });

  it('takes ten retries in four D1 round trips', async () => {
    const emails = Array.from({ length: 10 }, () => uniqueEmail('retries'));
    for (const email of emails) await crmScript(email, [{ status: 503 }]);
    const ids = await Promise.all(emails.map((email) => storeEvent(email)));
    const { queue, sent } = recordingQueue();
    await consume(deliverBatch, ids, { ...env, DELIVERIES: queue });
    expect(sent).toHaveLength(10);
    for (const id of ids) await dueNow(id);
    const { db, calls } = countingDb();
    const retried = await consume(
      deliverBatch,
      sent.map((m) => m.body as DeliveryMessage),
      { ...env, DB: db },
    );
    expect(retried.explicitAcks).toHaveLength(10);
    for (const id of ids) expect((await getEvent(env.DB, id))?.status).toBe('delivered');
    expect(calls()).toBe(4);
  });

  it("one event's own failure retries its message only; the others are delivered", async () => {
    const good = [await storeEvent(uniqueEmail('good1')), await storeEvent(uniqueEmail('good2'))];
    // No email and no phone: invalid, and its alert's write fails.
    const bad = await storeEvent('');
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO alert_groups'));
    const result = await consume(deliverBatch, [good[0]!, bad, good[1]!], { ...env, DB: d1.db });
    expect(d1.failed.length).toBeGreaterThan(0);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm2']);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m1']);
    for (const id of good) expect((await getEvent(env.DB, id))?.status).toBe('delivered');
  });

  it('two leads of one new person in one batch are one person', async () => {
    const email = uniqueEmail('samebatch');
    const a = await storeEvent(email);
    const b = await storeEvent(email.toUpperCase());
    await consume(deliverBatch, [a, b], { ...env, DELIVERIES: recordingQueue().queue });
    const people = await env.DB.prepare('SELECT person_id FROM events WHERE id IN (?1, ?2)')
      .bind(a, b)
      .all<{ person_id: string }>();
    const ids = people.results.map((row) => row.person_id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBeTruthy();
    expect(ids[0]).toBe(ids[1]);
  });
});
