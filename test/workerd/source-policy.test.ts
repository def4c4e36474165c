// What a source accepts beyond its happy path: an event policy changed in the configuration, a
// body-hash dedupe that expires so a real repeat submission is a new event, and a platform whose
// dashboard-made webhooks cannot sign, verified by a URL token instead.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hmac, toHex, utf8 } from '../../src/verify/crypto';
import calendlyCanceled from '../fixtures/calendly/invitee-canceled.json';
import webflowV1 from '../fixtures/webflow/form-submission-v1-docs.json';
import { TEST_N8N_SECRET } from '../secrets';
import { call, uniqueEmail, waitForStatus } from './helpers';
import { postSigned } from './signers';

const dev = env as unknown as Record<string, string>;

describe('an event policy set in the configuration', () => {
  it('ignores what it is told to (here Calendly cancellations), with a 200 that says so', async () => {
    const canceled = structuredClone(calendlyCanceled) as { payload: { uri: string } };
    canceled.payload.uri = `${canceled.payload.uri}-${crypto.randomUUID()}`;
    const response = await postSigned(
      'calendly',
      't-calendly-quiet',
      JSON.stringify(canceled),
      'application/json',
      'calendly',
    );
    expect(response.status).toBe(200);
    const answer = await response.json<{ id: string; ignored: boolean; event_type: string }>();
    expect(answer).toMatchObject({ ignored: true, event_type: 'invitee.canceled' });
    const event = await waitForStatus(answer.id, ['ignored']);
    expect(event.deliveries).toEqual([]);
    const stored = await env.DB.prepare('SELECT status, event_type FROM events WHERE id = ?1')
      .bind(answer.id)
      .first();
    expect(stored).toEqual({ status: 'ignored', event_type: 'invitee.canceled' });
  });
});

describe('dedupe on the body, within a window', () => {
  async function postN8n(body: string) {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = toHex(await hmac('SHA-256', utf8(TEST_N8N_SECRET), utf8(`${timestamp}.${body}`)));
    return call('/in/n8n', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-inlet-timestamp': String(timestamp),
        'x-inlet-signature': `sha256=${signature}`,
      },
      body,
    });
  }

  it('a repeat inside the window is a redelivery; the same body after it is a new submission', async () => {
    const body = JSON.stringify({ email: uniqueEmail('again'), first_name: 'Again' });
    const first = await postN8n(body);
    expect(first.status).toBe(202);
    const { id } = await first.json<{ id: string }>();
    await waitForStatus(id, ['delivered']);
    const retried = await postN8n(body);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ id, duplicate: true });

    // A day and a bit later (the default window is 24 h), the person submits the same form again.
    await env.DB.prepare('UPDATE events SET received_at = received_at - ?2 WHERE id = ?1')
      .bind(id, 25 * 3600 * 1000)
      .run();
    const later = await postN8n(body);
    expect(later.status).toBe(202);
    const second = await later.json<{ id: string }>();
    expect(second.id).not.toBe(id);
    const event = await waitForStatus(second.id, ['delivered']);
    // The same person: delivered as an update of the record the first one created.
    expect(event.deliveries).toMatchObject([{ destination: 'crm', status: 'delivered' }]);
    const keys = await env.DB.prepare(
      'SELECT id, idempotency_key FROM events WHERE id IN (?1, ?2) ORDER BY id',
    )
      .bind(id, second.id)
      .all<{ id: string; idempotency_key: string }>();
    expect(keys.results[0]?.idempotency_key).toMatch(/^sha256:[0-9a-f]{64}@evt_/);
    expect(keys.results[1]?.idempotency_key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('a sender that cannot sign', () => {
  const token = () => dev.SOURCE_WEBFLOW_DASHBOARD_SECRET ?? '';
  const post = (query: string, body = structuredClone(webflowV1) as Record<string, unknown>) =>
    call(`/in/webflow-dashboard${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, _id: crypto.randomUUID() }),
    });

  it("Webflow's dashboard webhook (no signature headers) is accepted with the URL token, and only with it", async () => {
    const accepted = await post(`?token=${encodeURIComponent(token())}`);
    expect(accepted.status).toBe(202);
    const event = await waitForStatus((await accepted.json<{ id: string }>()).id, [
      'delivered',
      'invalid',
      'dead',
    ]);
    expect(event.status).toBe('delivered');
    expect(event.lead).toMatchObject({ email: 'some.one@example.com', source: 'webflow-dashboard' });

    expect((await post('')).status).toBe(401);
    expect((await post('?token=wrong')).status).toBe(401);
  });

  it('the signed Webflow source still requires its signature', async () => {
    const unsigned = await call('/in/webflow', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webflowV1),
    });
    expect(unsigned.status).toBe(401);
    const signed = await postSigned(
      'webflow',
      'webflow',
      JSON.stringify({ ...webflowV1, _id: crypto.randomUUID() }),
    );
    expect(signed.status).toBe(202);
  });
});
