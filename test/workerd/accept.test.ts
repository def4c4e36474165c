// The accept path in each ACCEPT_MODE (src/pipeline/accept.ts): what the 2xx waits for, what the
// queue message carries, how a redelivery is answered, and the points where it can fail: a message
// that outlives its event's erasure, and one that runs out of retries before D1 ever held its event.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { deadLetterBatch } from '../../src/pipeline/dead-letter';
import { deliverBatch } from '../../src/pipeline/deliver';
import type { DeliveryMessage } from '../../src/pipeline/enqueue';
import { getEvent } from '../../src/store/events';
import { TEST_ADMIN_TOKEN } from '../secrets';
import { executionContext, failingD1, messageBatch } from './faults-helpers';
import { BASE, call, crmDeliveries, recordingQueue, signDemo, uniqueEmail } from './helpers';

async function post(lead: Record<string, unknown>, id: string, bindings: Partial<Env> = {}) {
  const body = JSON.stringify(lead);
  const queue = recordingQueue();
  const response = await worker.fetch(
    new Request(`${BASE}/in/demo`, { method: 'POST', headers: signDemo(body, { id }), body }),
    { ...env, DELIVERIES: queue.queue, ...bindings },
    executionContext(),
  );
  return {
    status: response.status,
    answer: await response.json<{ id: string; duplicate?: boolean }>(),
    sent: queue.sent.map((m) => m.body as DeliveryMessage),
  };
}

async function consume(bodies: readonly DeliveryMessage[]) {
  const played = messageBatch(bodies);
  await deliverBatch(played.batch, { ...env, DELIVERIES: recordingQueue().queue });
  return played;
}

const statusOf = async (id: string) => (await getEvent(env.DB, id))?.status;

describe('ACCEPT_MODE serial', () => {
  it('stores, then sends a pointer: the body never travels; a redelivery sends nothing', async () => {
    const email = uniqueEmail('serial');
    const webhookId = `msg_${crypto.randomUUID()}`;
    const serial = { ACCEPT_MODE: 'serial' };
    const first = await post({ email }, webhookId, serial);
    expect(first.status).toBe(202);
    expect(first.sent).toEqual([{ eventId: first.answer.id }]);
    expect(await statusOf(first.answer.id)).toBe('queued');
    const again = await post({ email }, webhookId, serial);
    expect([again.status, again.answer]).toEqual([200, { id: first.answer.id, duplicate: true }]);
    expect(again.sent).toEqual([]);
  });
});

describe('ACCEPT_MODE concurrent (the default)', () => {
  it('stores and sends at once: found by id at the 2xx; a redelivery is a duplicate whose message the consumer drops', async () => {
    const email = uniqueEmail('concurrent');
    const webhookId = `msg_${crypto.randomUUID()}`;
    const first = await post({ email }, webhookId);
    expect(first.status).toBe(202);
    expect(await statusOf(first.answer.id)).toBe('queued');
    expect(first.sent.map((m) => [m.eventId, m.event?.text])).toEqual([
      [first.answer.id, JSON.stringify({ email })],
    ]);

    const again = await post({ email }, webhookId);
    expect([again.status, again.answer]).toEqual([200, { id: first.answer.id, duplicate: true }]);
    // Sent before D1 said it was a redelivery: it carries a fresh id that D1 never takes.
    expect(again.sent).toHaveLength(1);
    const played = await consume([...first.sent, ...again.sent]);
    expect(played.acked).toEqual(['m0', 'm1']);
    expect(await statusOf(first.answer.id)).toBe('delivered');
    expect(await statusOf(again.sent[0]!.eventId)).toBeUndefined();
    expect((await crmDeliveries(email)).map((d) => d.webhookId)).toEqual([first.answer.id]);
  });

  it('a body too large to travel takes the serial path', async () => {
    const email = uniqueEmail('large');
    const first = await post({ email, notes: 'x'.repeat(70_000) }, `msg_${crypto.randomUUID()}`);
    expect(first.status).toBe(202);
    expect(first.sent).toEqual([{ eventId: first.answer.id }]);
  });

  it('a message that comes back after its event was erased does not store it again', async () => {
    const email = uniqueEmail('erased');
    const first = await post({ email }, `msg_${crypto.randomUUID()}`);
    expect((await consume(first.sent)).acked).toEqual(['m0']);
    expect(await statusOf(first.answer.id)).toBe('delivered');
    const erased = await call('/admin/erase', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(erased.status).toBe(200);
    expect(await statusOf(first.answer.id)).toBeUndefined();

    // The queue hands the same message over again (it delivers at least once).
    expect((await consume(first.sent)).acked).toEqual(['m0']);
    expect(await statusOf(first.answer.id)).toBeUndefined();
    expect(await crmDeliveries(email)).toHaveLength(1);
  });

  it('a message out of retries whose event D1 never held: stored by the dead-letter consumer, dead and replayable', async () => {
    const email = uniqueEmail('dlq');
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO events'));
    const accepted = await post({ email }, `msg_${crypto.randomUUID()}`, { DB: d1.db });
    expect(accepted.status).toBe(202);
    expect(await statusOf(accepted.answer.id)).toBeUndefined();
    const played = messageBatch(accepted.sent, { attempts: 10, queue: 'inlet-deliveries-dlq' });
    await deadLetterBatch(played.batch, env);
    expect(played.acked).toEqual(['m0']);
    expect(await statusOf(accepted.answer.id)).toBe('dead');
  });
});

describe('ACCEPT_MODE queue-first', () => {
  const queueFirst = { ACCEPT_MODE: 'queue-first' };

  it('sends only: the consumer stores the event; a redelivery is answered 202 too and deduped there', async () => {
    const email = uniqueEmail('queuefirst');
    const webhookId = `msg_${crypto.randomUUID()}`;
    const first = await post({ email }, webhookId, queueFirst);
    expect(first.status).toBe(202);
    // Nothing in D1 until a consumer has stored it.
    expect(await statusOf(first.answer.id)).toBeUndefined();
    const again = await post({ email }, webhookId, queueFirst);
    expect(again.status).toBe(202);
    expect(again.answer.id).not.toBe(first.answer.id);

    const played = await consume([...first.sent, ...again.sent]);
    expect(played.acked).toEqual(['m0', 'm1']);
    expect(await statusOf(first.answer.id)).toBe('delivered');
    expect(await statusOf(again.answer.id)).toBeUndefined();
    expect((await crmDeliveries(email)).map((d) => d.webhookId)).toEqual([first.answer.id]);
  });

  it('a failed send is a 503: the message was the only copy', async () => {
    const failing = {
      send: async () => {
        throw new Error('queue unavailable');
      },
      sendBatch: async () => {
        throw new Error('queue unavailable');
      },
    } as unknown as Queue;
    const body = JSON.stringify({ email: uniqueEmail('queuefirst-down') });
    const response = await worker.fetch(
      new Request(`${BASE}/in/demo`, { method: 'POST', headers: signDemo(body), body }),
      { ...env, ...queueFirst, DELIVERIES: failing },
      executionContext(),
    );
    expect(response.status).toBe(503);
    expect((await response.json<{ code: string }>()).code).toBe('internal_error');
  });
});
