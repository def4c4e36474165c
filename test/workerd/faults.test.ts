// Crashes and faults at each step from ingest to the CRM, injected into the bindings the Worker's
// handlers are called with: D1 failing on the insert, the claims and the record of outcomes, the
// queue send failing after the insert, a consumer abandoned mid-batch, KV down. For each, nothing is
// lost, and nothing reaches a CRM twice beyond the documented at-least-once repeat of one
// `webhook-id` (README, "Nothing lost"): a CRM record is updated, never made twice.
//
// The test plays the queue: messages go to a recording queue, and each batch is handed to
// deliverBatch by hand, so every redelivery is a step whose acks and retries can be checked.
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { newId } from '../../src/lib/ids';
import { deliverBatch } from '../../src/pipeline/deliver';
import { carry, type DeliveryMessage } from '../../src/pipeline/enqueue';
import { sweep } from '../../src/pipeline/sweep';
import { listAttempts, listDeliveries } from '../../src/store/deliveries';
import { getEvent, insertEvents } from '../../src/store/events';
import {
  alertSink,
  captureConsole,
  dueNow,
  executionContext,
  expireLeases,
  failingD1,
  messageBatch,
  Redaction,
  unavailableKv,
  unavailableQueue,
} from './faults-helpers';
import { BASE, crmDeliveries, crmScript, fake, recordingQueue, signDemo, uniqueEmail } from './helpers';

const startedAt = Date.now();
const redaction = new Redaction();
const answers: string[] = [];
let output: ReturnType<typeof captureConsole>;
/** The bindings every handler here runs with: this file's alerts stay out of the shared fakes. */
const alerts = alertSink();
const base = { ...env, ...alerts.bindings } as Env;

beforeAll(() => {
  output = captureConsole();
});

afterAll(async () => {
  const posted = await alerts.flush(Date.now() + 3_600_000);
  output.restore();
  expect(output.lines.length).toBeGreaterThan(10);
  expect(redaction.scan([...output.lines, ...answers, ...posted])).toEqual([]);
});

/** A new person's email, remembered for the redaction check. */
const emailFor = (label: string) => {
  const email = uniqueEmail(label);
  redaction.add(email);
  return email;
};

const phoneFor = () => {
  const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
  redaction.addPhone(phone);
  return phone;
};

interface Ingested {
  status: number;
  contentType: string | null;
  answer: { id?: string; code?: string };
  /** What the handler put on the delivery queue. */
  sent: DeliveryMessage[];
}

/** Posts a lead signed as `demo` signs, straight into the Worker's fetch handler with `faults` bound. */
async function ingest(
  lead: Record<string, unknown>,
  options: { source?: string; id?: string; faults?: Partial<Env> } = {},
): Promise<Ingested> {
  const body = JSON.stringify(lead);
  const headers = signDemo(body, options.id ? { id: options.id } : {});
  redaction.add(headers['webhook-signature'].slice(3));
  const queue = recordingQueue();
  const request = new Request(`${BASE}/in/${options.source ?? 'demo'}`, { method: 'POST', headers, body });
  const response = await worker.fetch(
    request,
    { ...base, DELIVERIES: queue.queue, ...options.faults },
    executionContext(),
  );
  const text = await response.text();
  answers.push(text);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    answer: JSON.parse(text) as Ingested['answer'],
    sent: queue.sent.map((message) => message.body as DeliveryMessage),
  };
}

/** Ingests a lead that must be accepted, and answers its event id and its one queue message. */
async function accepted(lead: Record<string, unknown>, source = 'demo') {
  const result = await ingest(lead, { source });
  expect(result.status).toBe(202);
  const id = result.answer.id!;
  // The event travels in its message too (ACCEPT_MODE concurrent): src/pipeline/accept.ts.
  expect(result.sent.map((m) => [m.eventId, m.event?.source])).toEqual([[id, source]]);
  return { id, message: result.sent[0]! };
}

/** Hands the consumer one batch, as the queue would, with `faults` bound; what it re-sent is recorded. */
async function consume(bodies: readonly DeliveryMessage[], faults: Partial<Env> = {}, attempts = 1) {
  const queue = recordingQueue();
  const played = messageBatch(bodies, { attempts });
  await deliverBatch(played.batch, { ...base, DELIVERIES: queue.queue, ...faults });
  return { ...played, sent: queue.sent.map((message) => message.body as DeliveryMessage) };
}

const statusOf = async (id: string) => (await getEvent(env.DB, id))?.status;

/** The webhook-ids the mock CRM received for one person: the at-least-once contract is one id. */
const webhookIds = async (email: string) => [
  ...new Set((await crmDeliveries(email)).map((d) => d.webhookId)),
];

describe('the consumer dies after calling the CRMs of a batch', () => {
  it('retries every message; the repeats carry the same webhook-id, one contact each, all delivered', async () => {
    const [a, b, c] = [emailFor('fault-a'), emailFor('fault-b'), emailFor('fault-c')];
    // b's first call fails, so the batch wrote to the CRMs for some leads and not for others.
    await crmScript(b, [{ status: 500 }]);
    const events = [
      await accepted({ email: a }),
      await accepted({ email: b }),
      await accepted({ email: c }, 't-hubspot'),
    ];

    // The batch's one transaction of outcomes fails at its end, after every CRM call was made.
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO destination_health'), { times: 1 });
    const first = await consume(
      events.map((e) => e.message),
      { DB: d1.db },
    );
    expect(d1.failed).toHaveLength(1);
    expect(first.acked).toEqual([]);
    expect(first.retried.map((r) => r.id)).toEqual(['m0', 'm1', 'm2']);
    expect(first.sent).toEqual([]);
    expect((await crmDeliveries(a)).map((d) => d.status)).toEqual([201]);
    expect((await crmDeliveries(b)).map((d) => d.status)).toEqual([500]);
    expect(await fake('hubspot').records({ email: c })).toHaveLength(1);
    for (const { id } of events) expect(await listAttempts(env.DB, id)).toEqual([]);

    // The queue redelivers the batch. The deliveries are still leased to the consumer that died: each
    // message leaves one for when its lease ends, instead of being acked with nothing to follow it.
    const second = await consume(
      events.map((e) => e.message),
      {},
      2,
    );
    expect(second.acked).toEqual(['m0', 'm1', 'm2']);
    expect(second.sent).toEqual(
      events.map((e, i) => ({ eventId: e.id, destination: i === 2 ? 'hubspot' : 'crm' })),
    );

    for (const { id } of events) await expireLeases(id);
    const third = await consume(second.sent);
    expect(third.acked).toEqual(['m0', 'm1', 'm2']);
    for (const { id } of events) expect(await statusOf(id)).toBe('delivered');

    // The webhook receiver got each lead again under the same webhook-id, so it can drop the repeat;
    // HubSpot upserts by email: one contact.
    expect(await webhookIds(a)).toEqual([events[0]!.id]);
    expect((await crmDeliveries(b)).map((d) => [d.webhookId, d.status])).toEqual([
      [events[1]!.id, 500],
      [events[1]!.id, 201],
    ]);
    expect(await fake('hubspot').records({ email: c })).toHaveLength(1);
    for (const { id } of events) {
      const attempts = await listAttempts(env.DB, id);
      expect(attempts.map((x) => x.error_class)).toEqual(['ok']);
    }
  });
});

describe('D1 failing', () => {
  it('on the insert: 202, the event travels in its queue message; the consumer stores it and delivers once', async () => {
    const email = emailFor('fault-insert');
    const webhookId = `msg_${crypto.randomUUID()}`;
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO events'));
    const accepted = await ingest({ email }, { id: webhookId, faults: { DB: d1.db } });
    expect(accepted.status).toBe(202);
    const id = accepted.answer.id!;
    expect(await statusOf(id)).toBeUndefined();
    expect(accepted.sent.map((m) => m.eventId)).toEqual([id]);

    // The consumer stores what the message carried, then routes and delivers it.
    expect((await consume(accepted.sent)).acked).toEqual(['m0']);
    expect(await statusOf(id)).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => [d.webhookId, d.status])).toEqual([[id, 201]]);
    // A redelivery of the webhook is the same event.
    const again = await ingest({ email }, { id: webhookId });
    expect([again.status, again.answer.id]).toEqual([200, id]);
    expect(again.sent.map((m) => m.eventId)).not.toContain(id);
  });

  it('on the insert with the queue down too: 503 internal_error, nothing stored; the retry is accepted once', async () => {
    const email = emailFor('fault-insert-send');
    const webhookId = `msg_${crypto.randomUUID()}`;
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO events'));
    const down = unavailableQueue();
    const refused = await ingest({ email }, { id: webhookId, faults: { DB: d1.db, DELIVERIES: down.queue } });
    expect(refused.status).toBe(503);
    expect(refused.contentType).toBe('application/problem+json');
    expect(refused.answer.code).toBe('internal_error');
    const stored = () =>
      env.DB.prepare('SELECT id FROM events WHERE source = ?1 AND idempotency_key = ?2')
        .bind('demo', webhookId)
        .all<{ id: string }>();
    expect((await stored()).results).toEqual([]);

    // The sender retries the same delivery (its own id, a fresh signature) once both are back.
    const retried = await ingest({ email }, { id: webhookId });
    expect(retried.status).toBe(202);
    const id = retried.answer.id!;
    expect((await stored()).results).toEqual([{ id }]);
    expect(retried.sent.map((m) => m.eventId)).toEqual([id]);
    expect((await consume(retried.sent)).acked).toEqual(['m0']);
    expect(await statusOf(id)).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => d.status)).toEqual([201]);
  });

  it('the message consumed before the insert commits: one event, answered 202, delivered once', async () => {
    const email = emailFor('fault-race');
    const body = new TextEncoder().encode(JSON.stringify({ email }));
    const event = {
      id: newId('evt'),
      source: 'demo',
      idempotencyKey: `msg_${crypto.randomUUID()}`,
      receivedAt: Date.now(),
      contentType: 'application/json',
      headers: {},
      body,
    };
    const message = carry(event)!;
    expect((await consume([message])).acked).toEqual(['m0']);
    expect(await statusOf(event.id)).toBe('delivered');
    // The request's own insert, landing after: the same event, not a redelivery of it.
    expect(await insertEvents(env.DB, [event])).toEqual([{ duplicate: false, id: event.id }]);
    expect((await crmDeliveries(email)).map((d) => [d.webhookId, d.status])).toEqual([[event.id, 201]]);
  });

  it('on the claim of the event: retried, the CRM not called; the retry delivers once', async () => {
    const email = emailFor('fault-claim');
    const { id, message } = await accepted({ email });
    const d1 = failingD1(env.DB, (sql) => sql.includes("SET status = 'routing'"));
    const first = await consume([message], { DB: d1.db });
    expect(d1.failed).toHaveLength(1);
    expect(first.acked).toEqual([]);
    expect(first.retried).toEqual([{ id: 'm0', delaySeconds: expect.any(Number) }]);
    expect(await statusOf(id)).toBe('queued');
    expect(await crmDeliveries(email)).toEqual([]);

    const again = await consume([message], {}, 2);
    expect(again.acked).toEqual(['m0']);
    expect(await statusOf(id)).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => d.status)).toEqual([201]);
  });

  it('on the claim of a delivery being retried: retried, the CRM not called; the retry delivers once', async () => {
    const email = emailFor('fault-take');
    await crmScript(email, [{ status: 503 }]);
    const { id, message } = await accepted({ email });
    const first = await consume([message]);
    expect(first.sent).toEqual([{ eventId: id, destination: 'crm' }]);
    expect((await listDeliveries(env.DB, id))[0]?.status).toBe('retrying');
    await dueNow(id);

    const d1 = failingD1(env.DB, (sql) => sql.includes("UPDATE deliveries SET status = 'delivering'"));
    const failed = await consume(first.sent, { DB: d1.db });
    expect(d1.failed).toHaveLength(1);
    expect(failed.acked).toEqual([]);
    expect(failed.retried).toHaveLength(1);
    expect((await crmDeliveries(email)).map((d) => d.status)).toEqual([503]);

    const again = await consume(first.sent, {}, 2);
    expect(again.acked).toEqual(['m0']);
    expect(await statusOf(id)).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => [d.webhookId, d.status])).toEqual([
      [id, 503],
      [id, 201],
    ]);
  });

  it('on the write of the attempt: retried, never acked before D1 holds it; delivered once', async () => {
    const email = emailFor('fault-attempt');
    const { id, message } = await accepted({ email });
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO attempts'), { times: 1 });
    const first = await consume([message], { DB: d1.db });
    expect(first.acked).toEqual([]);
    expect(first.retried).toHaveLength(1);
    expect(await listAttempts(env.DB, id)).toEqual([]);

    // Redelivered while the dead attempt's lease runs: a message for its end takes its place.
    const second = await consume([message], {}, 2);
    expect(second.acked).toEqual(['m0']);
    expect(second.sent).toEqual([{ eventId: id, destination: 'crm' }]);
    await expireLeases(id);
    expect((await consume(second.sent)).acked).toEqual(['m0']);

    expect(await statusOf(id)).toBe('delivered');
    const attempts = await listAttempts(env.DB, id);
    expect(attempts.map((a) => [a.attempt, a.error_class])).toEqual([[2, 'ok']]);
    const [delivery] = await listDeliveries(env.DB, id);
    expect(delivery).toMatchObject({ status: 'delivered', deliveredAt: expect.any(Number) });
    // The one repeat the receiver sees is the same webhook-id.
    expect(await webhookIds(email)).toEqual([id]);
    expect(await crmDeliveries(email)).toHaveLength(2);
    // A later copy of the message finds it finished: nothing more is sent.
    const late = await consume([message], {}, 3);
    expect(late).toMatchObject({ acked: ['m0'], sent: [] });
    expect(await crmDeliveries(email)).toHaveLength(2);
  });
});

describe('the queue send failing after the insert', () => {
  it('answers 202 (the event is durable); the sweep enqueues it and it is delivered once', async () => {
    const email = emailFor('fault-send');
    const down = unavailableQueue();
    const result = await ingest({ email }, { faults: { DELIVERIES: down.queue } });
    expect(result.status).toBe(202);
    expect(down.tries()).toBe(1);
    const id = result.answer.id!;
    expect(await statusOf(id)).toBe('queued');

    // Not before REQUEUE_AFTER_SECONDS: the message may only be late.
    const early = recordingQueue();
    await sweep({ ...base, DELIVERIES: early.queue });
    expect(early.sent.map((m) => m.body)).not.toContainEqual({ eventId: id });

    const later = recordingQueue();
    const requeueAfterMs = Number(env.REQUEUE_AFTER_SECONDS) * 1000;
    await sweep({ ...base, DELIVERIES: later.queue }, Date.now() + requeueAfterMs + 1000);
    const mine = later.sent.map((m) => m.body as DeliveryMessage).filter((m) => m.eventId === id);
    expect(mine).toEqual([{ eventId: id }]);
    expect((await consume(mine)).acked).toEqual(['m0']);
    expect(await statusOf(id)).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => d.status)).toEqual([201]);
  });
});

describe('the isolate restarting mid-batch', () => {
  it('while routing: the event’s lease ends, the sweep enqueues it again, delivered once', async () => {
    const email = emailFor('fault-evicted-routing');
    const { id, message } = await accepted({ email });
    // The routing transaction never answers: the isolate is gone while it is in flight.
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO deliveries'), { times: 1, mode: 'hang' });
    const abandoned = consume([message], { DB: d1.db });
    await d1.hung;
    expect(await statusOf(id)).toBe('routing');
    d1.cut();
    // What the dead consumer still does reaches neither D1 nor the queue; its message was never acked.
    await abandoned;

    await expireLeases(id);
    const queue = recordingQueue();
    const requeueAfterMs = Number(env.REQUEUE_AFTER_SECONDS) * 1000;
    await sweep({ ...base, DELIVERIES: queue.queue }, Date.now() + requeueAfterMs + 1000);
    const mine = queue.sent.map((m) => m.body as DeliveryMessage).filter((m) => m.eventId === id);
    expect(mine).toEqual([{ eventId: id }]);
    expect((await consume(mine)).acked).toEqual(['m0']);
    expect(await statusOf(id)).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => [d.webhookId, d.status])).toEqual([[id, 201]]);
  });

  it('after the CRM calls: the leases end, the redelivered batch finishes it; no second contact', async () => {
    const email = emailFor('fault-evicted');
    const phone = phoneFor();
    const webhookEmail = emailFor('fault-evicted-webhook');
    const events = [
      await accepted({ email, first_name: 'Evicted' }, 't-hubspot'),
      await accepted({ phone, first_name: 'Evicted' }, 't-hubspot'),
      await accepted({ email: webhookEmail }),
    ];
    const d1 = failingD1(env.DB, (sql) => sql.includes('INSERT INTO attempts'), { times: 1, mode: 'hang' });
    const abandoned = consume(
      events.map((e) => e.message),
      { DB: d1.db },
    );
    await d1.hung;
    // Every CRM was called; D1 holds none of it.
    expect(await fake('hubspot').records({ email })).toHaveLength(1);
    expect(await fake('hubspot').records({ phone })).toHaveLength(1);
    expect(await crmDeliveries(webhookEmail)).toHaveLength(1);
    d1.cut();
    await abandoned;

    // The queue hands the unacked batch over again once its leases are over. A phone-only contact is
    // found by search, which lags behind writes (1.5 s in the fake); the 60 s lease outlasts that.
    for (const { id } of events) await expireLeases(id);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const again = await consume(
      events.map((e) => e.message),
      {},
      2,
    );
    expect(again.acked).toEqual(['m0', 'm1', 'm2']);
    for (const { id } of events) expect(await statusOf(id)).toBe('delivered');
    expect(await fake('hubspot').records({ email })).toHaveLength(1);
    expect(await fake('hubspot').records({ phone })).toHaveLength(1);
    expect(await webhookIds(webhookEmail)).toEqual([events[2]!.id]);
  });
});

describe('KV unavailable', () => {
  it('Salesforce still delivers: the token is fetched, the cache is skipped', async () => {
    // A connected app of its own, so no token of another test is in this isolate's memory.
    const client = { id: `fault-app-${crypto.randomUUID()}`, secret: `fault-secret-${crypto.randomUUID()}` };
    redaction.add(client.secret);
    await fake('salesforce').post('clients', client);
    const email = emailFor('fault-kv');
    const { id, message } = await accepted({ email, first_name: 'Kay', last_name: 'Vee' }, 't-salesforce');
    const down = unavailableKv();
    const faults: Partial<Env> = {
      KV: down.kv,
      DESTINATION_SALESFORCE_CLIENT_ID: client.id,
      DESTINATION_SALESFORCE_CLIENT_SECRET: client.secret,
    };
    const delivered = await consume([message], faults);
    expect(delivered.acked).toEqual(['m0']);
    expect(await statusOf(id)).toBe('delivered');
    expect(await fake('salesforce').records({ email })).toHaveLength(1);
    expect(down.calls).toEqual(expect.arrayContaining(['get', 'put']));
    const tokenRequests = (await fake('salesforce').requests()).filter(
      (r) => r.path === '/services/oauth2/token' && r.at >= startedAt && r.status === 200,
    );
    expect(tokenRequests.length).toBeGreaterThanOrEqual(1);
  });
});
