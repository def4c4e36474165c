// Provider sources through the HTTP edge with the development secrets of .dev.vars.example: the
// route runs each preset's handshakes, verification and idempotency, the mapping turns real payload
// fixtures into leads, and a failed verification never reaches D1 or the queue. Signatures are made
// here with WebCrypto from each provider's spec; the Node suite also signs with the providers' SDKs.
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { hmac, toBase64, toHex, utf8 } from '../../src/verify/crypto';
import metaLead from '../fixtures/meta/lead.json';
import metaWebhook from '../fixtures/meta/leadgen-webhook.json';
import typeformPayload from '../fixtures/typeform/contact-form.json';
import { TEST_ADMIN_TOKEN } from '../secrets';
import { call, fake, waitForStatus } from './helpers';

// vitest.config.ts binds every value of .dev.vars.example, so these are the shipped development secrets.
const dev = env as unknown as Record<string, string>;
const secret = (name: string) => (dev[`SOURCE_${name.toUpperCase()}_SECRET`] ?? '').split(/\s+/)[0] ?? '';
const hmacOf = async (algorithm: 'SHA-1' | 'SHA-256', key: string, text: string) =>
  hmac(algorithm, utf8(key), utf8(text));

const eventCount = async () =>
  (await env.DB.prepare('SELECT count(*) AS n FROM events').first<{ n: number }>())?.n ?? 0;

describe('typeform', () => {
  it('a signed form_response is accepted, mapped from the real payload shape, and delivered', async () => {
    const email = `typeform.${Date.now()}@example.com`;
    const payload = structuredClone(typeformPayload) as typeof typeformPayload & { event_id: string };
    payload.event_id = `tf_${crypto.randomUUID()}`;
    const body = JSON.stringify(payload).replace(/"email":"[^"]+"/, `"email":"${email}"`);
    const signature = `sha256=${toBase64(await hmacOf('SHA-256', secret('typeform'), body))}`;
    const response = await call('/in/typeform', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'typeform-signature': signature },
      body,
    });
    expect(response.status).toBe(202);
    const event = await waitForStatus((await response.json<{ id: string }>()).id, [
      'delivered',
      'invalid',
      'dead',
    ]);
    expect(event.status).toBe('delivered');
    expect(event.lead).toMatchObject({ email, source: 'typeform' });

    const again = await call('/in/typeform', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'typeform-signature': signature },
      body,
    });
    expect(again.status).toBe(200);
  });

  it('a tampered body is 401 and stores nothing', async () => {
    const before = await eventCount();
    const body = JSON.stringify(typeformPayload);
    const signature = `sha256=${toBase64(await hmacOf('SHA-256', secret('typeform'), body))}`;
    const response = await call('/in/typeform', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'typeform-signature': signature },
      body: body.replace('Book a demo', 'Book a dem0'),
    });
    expect(response.status).toBe(401);
    expect(await eventCount()).toBe(before);
  });
});

describe('meta lead ads', () => {
  it('answers the GET subscription handshake only with the right verify token', async () => {
    const ok = await call(
      `/in/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${dev.SOURCE_META_VERIFY_TOKEN}`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await call('/in/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope');
    expect(wrong.status).toBe(403);
    expect((await wrong.json<{ code: string }>()).code).toBe('handshake_rejected');
  });

  it('splits a batch into one event per lead, reads each lead from the Graph API, and delivers it', async () => {
    const graph = inject('graphUrl').replace(/\/v\d+\.\d+$/, '');
    const stamp = Date.now();
    const ids = [`${stamp}01`, `${stamp}02`];
    const emails = ids.map((id) => `meta.${id}@example.com`);
    for (const [i, id] of ids.entries()) {
      const lead = structuredClone(metaLead);
      lead.id = id;
      lead.field_data = lead.field_data.map((field) =>
        field.name === 'email' ? { ...field, values: [emails[i] ?? ''] } : field,
      );
      await fetch(`${graph}/__control/leads`, { method: 'POST', body: JSON.stringify({ id, lead }) });
    }
    const webhook = structuredClone(metaWebhook);
    webhook.entry[0]!.changes.forEach((change, i) => {
      change.value.leadgen_id = ids[i] ?? '';
    });
    const body = JSON.stringify(webhook);
    const headers = {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${toHex(await hmacOf('SHA-256', secret('meta'), body))}`,
    };
    const response = await call('/in/meta', { method: 'POST', headers, body });
    expect(response.status).toBe(202);
    const accepted = await response.json<{ ids: string[] }>();
    expect(accepted.ids).toHaveLength(2);
    for (const [i, id] of accepted.ids.entries()) {
      const event = await waitForStatus(id, ['delivered', 'invalid', 'dead']);
      expect(event.status).toBe('delivered');
      expect(event.lead).toMatchObject({ email: emails[i], source: 'meta' });
    }
    const again = await call('/in/meta', { method: 'POST', headers, body });
    expect(again.status).toBe(200);
    expect((await again.json<{ ids: string[] }>()).ids).toEqual(accepted.ids);
    // Meta Lead Ads route to HubSpot (inlet.config.ts): one contact, upserted once.
    expect(await fake('hubspot').records({ email: emails[0] ?? '' })).toHaveLength(1);
  });

  it('a lead the Graph API does not know is stored as invalid, and delivered when replayed after the fix', async () => {
    const leadgenId = `late${Date.now()}`;
    const webhook = structuredClone(metaWebhook);
    webhook.entry[0]!.changes = webhook.entry[0]!.changes.slice(0, 1);
    webhook.entry[0]!.changes[0]!.value.leadgen_id = leadgenId;
    const body = JSON.stringify(webhook);
    const response = await call('/in/meta', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${toHex(await hmacOf('SHA-256', secret('meta'), body))}`,
      },
      body,
    });
    const [id = ''] = (await response.json<{ ids: string[] }>()).ids;
    const event = await waitForStatus(id, ['delivered', 'invalid', 'dead']);
    expect(event.status).toBe('invalid');
    expect(event.last_error).toMatch(/^lookup_failed: graph api HTTP 400 code 100/);

    // The lead appears in the Graph API (say, a permission was granted): a replay delivers it.
    const lead = structuredClone(metaLead);
    lead.id = leadgenId;
    lead.field_data = lead.field_data.map((field) =>
      field.name === 'email'
        ? { ...field, values: [`${leadgenId}@example.com`] }
        : field.name === 'phone_number'
          ? { ...field, values: [] }
          : field,
    );
    await fetch(`${inject('graphUrl').replace(/\/v\d+\.\d+$/, '')}/__control/leads`, {
      method: 'POST',
      body: JSON.stringify({ id: leadgenId, lead }),
    });
    const replay = await call(`/admin/events/${id}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(replay.status).toBe(202);
    const replayed = await waitForStatus(id, ['delivered']);
    expect(replayed.lead).toMatchObject({ email: `${leadgenId}@example.com` });
  });
});

describe('signed handshakes are answered, not stored', () => {
  it('zoom endpoint.url_validation', async () => {
    const before = await eventCount();
    const body = JSON.stringify({
      event: 'endpoint.url_validation',
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
      event_ts: Date.now(),
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const response = await call('/in/zoom', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-zm-request-timestamp': ts,
        'x-zm-signature': `v0=${toHex(await hmacOf('SHA-256', secret('zoom'), `v0:${ts}:${body}`))}`,
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: toHex(await hmacOf('SHA-256', secret('zoom'), 'qgg8vlvZRS6UYooatFL8Aw')),
    });
    expect(await eventCount()).toBe(before);
  });

  it('slack url_verification', async () => {
    const body = JSON.stringify({
      token: 'x',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const response = await call('/in/slack', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': `v0=${toHex(await hmacOf('SHA-256', secret('slack'), `v0:${ts}:${body}`))}`,
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
  });

  it('mailchimp and mandrill probes get a 2xx', async () => {
    expect((await call('/in/mailchimp')).status).toBe(200);
    expect((await call('/in/mandrill', { method: 'HEAD' })).status).toBe(200);
  });

  it('an unsigned zoom validation is 401', async () => {
    const response = await call('/in/zoom', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'abc' } }),
    });
    expect(response.status).toBe(401);
  });
});

describe('sources without signatures', () => {
  it('pipedrive over HTTP Basic auth: right credentials 202, wrong 401', async () => {
    const body = JSON.stringify({
      meta: { action: 'create', entity: 'person', id: String(Date.now()) },
      data: { name: 'Pat Drive', emails: [{ value: `pipe.${Date.now()}@example.com`, primary: true }] },
    });
    const ok = await call('/in/pipedrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(secret('pipedrive'))}` },
      body,
    });
    expect(ok.status).toBe(202);
    const event = await waitForStatus((await ok.json<{ id: string }>()).id, ['delivered', 'invalid']);
    expect(event.lead).toMatchObject({ full_name: 'Pat Drive' });
    const wrong = await call('/in/pipedrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('inlet:wrong')}` },
      body,
    });
    expect(wrong.status).toBe(401);
  });

  it('mailchimp with the token in the URL: form-encoded subscribe event delivered', async () => {
    const email = `chimp.${Date.now()}@example.com`;
    const body = new URLSearchParams({
      type: 'subscribe',
      fired_at: '2026-11-25 10:00:00',
      'data[id]': 'a1b2c3',
      'data[email]': email,
      'data[merges][FNAME]': 'Chimp',
    }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await call(`/in/mailchimp?token=${secret('mailchimp')}`, { method: 'POST', headers, body });
    expect(ok.status).toBe(202);
    const event = await waitForStatus((await ok.json<{ id: string }>()).id, ['delivered', 'invalid']);
    expect(event.lead).toMatchObject({ email, first_name: 'Chimp' });
    expect((await call('/in/mailchimp?token=nope', { method: 'POST', headers, body })).status).toBe(401);
  });

  it('twilio form post signed over URL + sorted params', async () => {
    const params = {
      From: '+14155550100',
      To: '+14155550199',
      Body: 'Interested in a demo',
      MessageSid: `SM${Date.now()}`,
    };
    const url = 'https://inlet.test/in/twilio';
    const signed =
      url +
      Object.keys(params)
        .sort()
        .map((k) => k + params[k as keyof typeof params])
        .join('');
    const response = await call('/in/twilio', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': toBase64(await hmacOf('SHA-1', secret('twilio'), signed)),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(202);
    const event = await waitForStatus((await response.json<{ id: string }>()).id, ['delivered', 'invalid']);
    expect(event.lead).toMatchObject({ phone: '+14155550100' });
  });
});
