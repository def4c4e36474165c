// Person-level dedupe: one person is created once in the CRM and updated after, whatever form,
// casing or order their leads arrive in; repeats within the merge window become one delivery.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { deadLetterBatch } from '../../src/pipeline/dead-letter';
import { deliverBatch } from '../../src/pipeline/deliver';
import type { DeliveryMessage } from '../../src/pipeline/enqueue';
import { listDeliveries } from '../../src/store/deliveries';
import { getEvent } from '../../src/store/events';
import {
  crmDeliveries,
  crmScript,
  postDemo,
  recordingQueue,
  storeLead,
  uniqueEmail,
  waitForStatus,
} from './helpers';

interface CrmRecord {
  id: string;
  email: string | null;
  updates: number;
}
const crmRecords = async (email: string): Promise<CrmRecord[]> =>
  (
    await fetch(
      `${inject('crmUrl').replace(/\/leads$/, '')}/__control/records?email=${encodeURIComponent(email)}`,
    )
  ).json();

const storeEvent = (lead: Record<string, unknown>, receivedAt = Date.now()) =>
  storeLead(lead, 'demo', receivedAt);

async function consume(ids: (string | DeliveryMessage)[], environment: Env = env) {
  const batch = createMessageBatch<DeliveryMessage>(
    'inlet-deliveries',
    ids.map((id, i) => ({
      id: `m${i}`,
      timestamp: new Date(),
      attempts: 1,
      body: typeof id === 'string' ? { eventId: id } : id,
    })),
  );
  const ctx = createExecutionContext();
  await deliverBatch(batch, environment);
  return getQueueResult(batch, ctx);
}

describe('one person, one CRM record', () => {
  it('the same person from two forms reaches the CRM as one person, created then updated', async () => {
    const email = uniqueEmail('twoforms');
    const first = await postDemo({ email, first_name: 'Lin', form: 'webinar-signup' });
    const firstEvent = await waitForStatus((await first.json<{ id: string }>()).id, ['delivered']);
    const second = await postDemo({
      email: `  ${email.toUpperCase()}`,
      company: 'Acme',
      form: 'pricing-page',
    });
    const secondEvent = await waitForStatus((await second.json<{ id: string }>()).id, ['delivered']);

    const records = await crmRecords(email);
    expect(records).toHaveLength(1);
    expect(records[0]?.updates).toBe(1);
    expect((await crmDeliveries(email)).map((d) => d.type)).toEqual(['lead.created', 'lead.updated']);
    expect(firstEvent.lead).toMatchObject({ email });
    expect(secondEvent.lead).toMatchObject({ email, company: 'Acme' });
  });

  it('a phone-only lead and a later lead with that phone and an email are one person', async () => {
    const email = uniqueEmail('phonefirst');
    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const a = await postDemo({ phone, first_name: 'Phone' });
    await waitForStatus((await a.json<{ id: string }>()).id, ['delivered']);
    const b = await postDemo({ phone, email });
    await waitForStatus((await b.json<{ id: string }>()).id, ['delivered']);
    const c = await postDemo({ email, company: 'Later Inc' });
    await waitForStatus((await c.json<{ id: string }>()).id, ['delivered']);
    const people = await env.DB.prepare(
      `SELECT DISTINCT person_id FROM events WHERE json_extract(lead, '$.phone') = ?1 OR json_extract(lead, '$.email') = ?2`,
    )
      .bind(phone, email)
      .all<{ person_id: string }>();
    expect(people.results).toHaveLength(1);
  });

  it('two people sharing a phone (a switchboard) but not an email stay two people', async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const first = uniqueEmail('reception');
    const second = uniqueEmail('colleague');
    const a = await postDemo({ email: first, phone });
    await waitForStatus((await a.json<{ id: string }>()).id, ['delivered']);
    const b = await postDemo({ email: second, phone });
    await waitForStatus((await b.json<{ id: string }>()).id, ['delivered']);
    expect(await crmRecords(first)).toHaveLength(1);
    expect(await crmRecords(second)).toHaveLength(1);
    expect((await crmDeliveries(second)).map((d) => d.type)).toEqual(['lead.created']);
  });

  it('two first leads of a new person consumed at the same moment create one record', async () => {
    const email = uniqueEmail('race');
    const a = await storeEvent({ email, first_name: 'Ana' });
    const b = await storeEvent({ email, last_name: 'Lima' });
    const { queue, sent } = recordingQueue();
    const result = await consume([a, b], { ...env, DELIVERIES: queue });
    // One is delivered as the creation; the other's delivery waits for it rather than creating a
    // second record. Both messages are acked: the waiting delivery is re-sent fresh to come back
    // after the creation (waiting is not an attempt, so it must not use up the queue's retries).
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toHaveLength(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.delaySeconds).toBeGreaterThanOrEqual(5);
    const waiting = sent[0]?.body as DeliveryMessage;
    expect(waiting.destination).toBe('crm');
    const [delivery] = await listDeliveries(env.DB, waiting.eventId);
    expect(delivery).toMatchObject({ status: 'queued', attempts: 0 });
    await consume([waiting]);
    expect((await getEvent(env.DB, waiting.eventId))?.status).toBe('delivered');
    expect(await crmRecords(email)).toHaveLength(1);
    expect((await crmDeliveries(email)).map((d) => d.type)).toEqual(['lead.created', 'lead.updated']);
  });
});

/** Waits until the delivery's backoff has passed, so the next message for it is due. */
async function untilDue(eventId: string): Promise<void> {
  const [delivery] = await listDeliveries(env.DB, eventId);
  const wait = (delivery?.nextAttemptAt ?? 0) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 10));
}

describe('a create that may have happened', () => {
  it("keeps the person's other leads waiting until the creating event's next attempt, then they update", async () => {
    const email = uniqueEmail('ambiguous');
    // The CRM answers only after Inlet's timeout: it may well have created the record.
    await crmScript(email, [{ status: 201, delayMs: 3000 }]);
    const a = await storeEvent({ email, first_name: 'Ama' });
    const b = await storeEvent({ email, company: 'Later Ltd' });
    const { queue, sent } = recordingQueue();
    const environment = { ...env, DELIVERIES: queue };

    const first = await consume([a], environment);
    expect(first.explicitAcks).toEqual(['m0']);
    expect(sent.map((m) => m.body)).toEqual([{ eventId: a, destination: 'crm' }]);
    expect((await listDeliveries(env.DB, a))[0]?.status).toBe('retrying');

    // The second lead must not create the person again while A's create is unresolved.
    const second = await consume([b], environment);
    expect(second.explicitAcks).toEqual(['m0']);
    expect(sent.map((m) => m.body)).toEqual([
      { eventId: a, destination: 'crm' },
      { eventId: b, destination: 'crm' },
    ]);
    expect(sent[1]?.delaySeconds).toBeGreaterThanOrEqual(1);
    expect((await listDeliveries(env.DB, b))[0]).toMatchObject({ status: 'queued', attempts: 0 });

    await untilDue(a);
    await consume([{ eventId: a, destination: 'crm' }], environment);
    expect((await getEvent(env.DB, a))?.status).toBe('delivered');
    await consume([{ eventId: b, destination: 'crm' }], environment);
    expect((await getEvent(env.DB, b))?.status).toBe('delivered');
    // The CRM logs the slow first answer only when it finally sends it.
    let received = await crmDeliveries(email);
    for (let i = 0; i < 40 && received.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      received = await crmDeliveries(email);
    }
    expect(received.map((d) => d.type).sort()).toEqual(['lead.created', 'lead.created', 'lead.updated']);
    expect(received.filter((d) => d.type === 'lead.created').every((d) => d.webhookId === a)).toBe(true);
    expect(received.find((d) => d.type === 'lead.updated')?.webhookId).toBe(b);
  });
});

describe('a create retried after a lost answer', () => {
  it('keeps the right to create through a later 429: the person is never created twice', async () => {
    const email = uniqueEmail('lostthen429');
    // The first create lands but its answer is lost; its retry meets a 429.
    await crmScript(email, [{ status: 201, delayMs: 3000 }, { status: 429 }]);
    const a = await storeEvent({ email, first_name: 'Ada' });
    const b = await storeEvent({ email, company: 'Second Lead Ltd' });
    const { queue, sent } = recordingQueue();
    const environment = { ...env, DELIVERIES: queue };
    await consume([a], environment);
    await untilDue(a);
    await consume([{ eventId: a, destination: 'crm' }], environment);
    expect((await listDeliveries(env.DB, a))[0]).toMatchObject({ status: 'retrying', attempts: 2 });

    // B comes now: it must wait for A, not create the person a second time.
    const second = await consume([b], environment);
    expect(second.explicitAcks).toEqual(['m0']);
    expect(sent.at(-1)?.body).toEqual({ eventId: b, destination: 'crm' });
    expect((await listDeliveries(env.DB, b))[0]).toMatchObject({ status: 'queued', attempts: 0 });
    let received = await crmDeliveries(email);
    for (let i = 0; i < 40 && received.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      received = await crmDeliveries(email);
    }
    expect(received.filter((d) => d.webhookId === b)).toEqual([]);
  });
});

describe('a create whose retry waits in a queue backlog', () => {
  it('keeps the right to create after its lease has run out, while its retry is still to come', async () => {
    const email = uniqueEmail('backlog');
    // The first create lands but its answer is lost; the retry is still queued behind a backlog
    // when the lease it was given has run out (set here by moving the lease's end into the past).
    await crmScript(email, [{ status: 201, delayMs: 3000 }]);
    const a = await storeEvent({ email, first_name: 'Ada' });
    const b = await storeEvent({ email, company: 'Backlog Ltd' });
    const { queue, sent } = recordingQueue();
    const environment = { ...env, DELIVERIES: queue };
    await consume([a], environment);
    expect((await listDeliveries(env.DB, a))[0]).toMatchObject({ status: 'retrying', attempts: 1 });
    await env.DB.prepare('UPDATE person_destinations SET creating_until = ?1 WHERE creating_by = ?2')
      .bind(Date.now() - 1, a)
      .run();

    // B must wait for A's retry, not take the expired lease and create a second record.
    await consume([b], environment);
    expect(sent.at(-1)?.body).toEqual({ eventId: b, destination: 'crm' });
    expect((await listDeliveries(env.DB, b))[0]).toMatchObject({ status: 'queued', attempts: 0 });

    await untilDue(a);
    await consume([{ eventId: a, destination: 'crm' }], environment);
    await consume([{ eventId: b, destination: 'crm' }], environment);
    expect((await getEvent(env.DB, a))?.status).toBe('delivered');
    expect((await getEvent(env.DB, b))?.status).toBe('delivered');
    let received = await crmDeliveries(email);
    for (let i = 0; i < 40 && received.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      received = await crmDeliveries(email);
    }
    expect(received.find((d) => d.webhookId === b)?.type).toBe('lead.updated');
    expect(await crmRecords(email)).toHaveLength(1);
  });

  it('a holder dead-lettered with the right to create leaves the person as maybe created: the next lead updates', async () => {
    const email = uniqueEmail('deadletter');
    await crmScript(email, [{ status: 201, delayMs: 3000 }]);
    const a = await storeEvent({ email, first_name: 'Ada' });
    const { queue } = recordingQueue();
    const environment = { ...env, DELIVERIES: queue };
    await consume([a], environment);
    const batch = createMessageBatch<DeliveryMessage>('inlet-dlq', [
      { id: 'd0', timestamp: new Date(), attempts: 10, body: { eventId: a, destination: 'crm' } },
    ]);
    await deadLetterBatch(batch, env);
    expect((await listDeliveries(env.DB, a))[0]?.status).toBe('dead');

    const b = await storeEvent({ email, company: 'After The Dead' });
    await consume([b], environment);
    expect((await getEvent(env.DB, b))?.status).toBe('delivered');
    let received = await crmDeliveries(email);
    for (let i = 0; i < 40 && received.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      received = await crmDeliveries(email);
    }
    expect(received.find((d) => d.webhookId === b)?.type).toBe('lead.updated');
    expect(await crmRecords(email)).toHaveLength(1);
  });
});

describe('a create that never got an answer', () => {
  it('ends dead, and the next lead of that person updates instead of creating a second record', async () => {
    const email = uniqueEmail('neveranswered');
    // The create lands but its answer is lost; every retry fails until the attempts run out.
    await crmScript(email, [{ status: 201, delayMs: 3000 }, { status: 503 }, { status: 503 }]);
    const a = await storeEvent({ email, first_name: 'Ada' });
    const { queue } = recordingQueue();
    const environment = { ...env, DELIVERIES: queue };
    await consume([a], environment);
    for (let i = 0; i < 2; i++) {
      await untilDue(a);
      await consume([{ eventId: a, destination: 'crm' }], environment);
    }
    expect((await listDeliveries(env.DB, a))[0]).toMatchObject({ status: 'dead', attempts: 3 });

    const b = await storeEvent({ email, company: 'Came Back Ltd' });
    await consume([b], environment);
    expect((await getEvent(env.DB, b))?.status).toBe('delivered');
    let received = await crmDeliveries(email);
    for (let i = 0; i < 40 && received.length < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      received = await crmDeliveries(email);
    }
    expect(received.find((d) => d.webhookId === b)?.type).toBe('lead.updated');
    expect(await crmRecords(email)).toHaveLength(1);
  });
});

describe('merge window', () => {
  it('folds repeats of one person within the window into one delivery', async () => {
    const { queue, sent } = recordingQueue();
    const windowed = { ...env, PERSON_MERGE_WINDOW_SECONDS: '1', DELIVERIES: queue };
    const email = uniqueEmail('window');
    const now = Date.now();
    const a = await storeEvent({ email, first_name: 'Mia', form: 'ebook' }, now);
    const b = await storeEvent({ email, company: 'Acme', form: 'demo-request' }, now + 1);

    const opened = await consume([a], windowed);
    expect(opened.explicitAcks).toEqual(['m0']);
    expect(sent).toEqual([{ body: { eventId: a }, delaySeconds: 1 }]);
    expect((await getEvent(env.DB, a))?.status).toBe('queued');

    const joined = await consume([b], windowed);
    expect(joined.explicitAcks).toEqual(['m0']);
    const merged = await getEvent(env.DB, b);
    expect(merged?.status).toBe('merged');
    expect(await crmDeliveries(email)).toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fired = await consume([a], windowed);
    expect(fired.explicitAcks).toEqual(['m0']);
    const holder = await getEvent(env.DB, a);
    expect(holder?.status).toBe('delivered');
    expect((await listDeliveries(env.DB, a))[0]?.attempts).toBe(1);
    expect(holder?.lead).toMatchObject({ email, first_name: 'Mia', company: 'Acme', form: 'demo-request' });

    const delivered = await crmDeliveries(email);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.mergedEventIds).toEqual([b]);
  });

  it('a lead after the window closed is delivered on its own, as an update', async () => {
    const { queue, sent } = recordingQueue();
    const windowed = { ...env, PERSON_MERGE_WINDOW_SECONDS: '1', DELIVERIES: queue };
    const email = uniqueEmail('late');
    const a = await storeEvent({ email });
    await consume([a], windowed);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await consume([a], windowed);
    expect((await getEvent(env.DB, a))?.status).toBe('delivered');

    const b = await storeEvent({ email, company: 'After' });
    const opened = await consume([b], windowed);
    expect(opened.explicitAcks).toEqual(['m0']);
    expect(sent.at(-1)).toEqual({ body: { eventId: b }, delaySeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await consume([b], windowed);
    expect((await getEvent(env.DB, b))?.status).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => d.type)).toEqual(['lead.created', 'lead.updated']);
  });
});
