import { describe, expect, it } from 'vitest';
import { EVENT_STATUS_LIST } from '../../src/pipeline/status';
import { TEST_ADMIN_TOKEN } from '../secrets';
import { adminGet, call, crmScript, postDemo, uniqueEmail, waitForStatus } from './helpers';

describe('admin', () => {
  it('is 401 without a token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic dGVzdA==' }]) {
      const response = await call('/admin/events/evt_x', { headers });
      expect(response.status).toBe(401);
      expect((await response.json<{ code: string }>()).code).toBe('unauthorized');
    }
  });

  it('reads back an event with status, attempts, lead and the request with credentials redacted', async () => {
    const email = uniqueEmail('admin');
    const { id } = await (await postDemo({ email })).json<{ id: string }>();
    const response = await adminGet(`/admin/events/${id}`);
    expect(response.status).toBe(200);
    const event = await response.json<{
      id: string;
      status: string;
      request: { headers: Record<string, string>; body: string };
    }>();
    expect(event.id).toBe(id);
    expect(['queued', 'delivering', 'delivered']).toContain(event.status);
    expect(event.request.headers['webhook-signature']).toBe('[redacted]');
    expect(JSON.parse(event.request.body)).toEqual({ email });
  });

  it('is 404 for an unknown event', async () => {
    expect((await adminGet('/admin/events/evt_missing')).status).toBe(404);
  });

  it('filters by every event status, merged and unrouted included; an unknown one is 422', async () => {
    for (const status of EVENT_STATUS_LIST)
      expect((await adminGet(`/admin/events?status=${status}`)).status, status).toBe(200);
    expect((await adminGet('/admin/events?status=retried')).status).toBe(422);
  });

  it('health answers without auth', async () => {
    const response = await call('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('replay', () => {
  const adminPost = (path: string, body?: unknown) =>
    call(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('a dead event replayed after the CRM is fixed ends delivered, with both attempts kept', async () => {
    const email = uniqueEmail('replay');
    await crmScript(email, [{ status: 422 }]);
    const { id } = await (await postDemo({ email })).json<{ id: string }>();
    expect((await waitForStatus(id, ['dead', 'delivered'])).status).toBe('dead');

    const response = await adminPost(`/admin/events/${id}/replay`);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ replayed: [id] });
    const event = await waitForStatus(id, ['delivered']);
    expect(event.attempts.map((a) => a.http_status)).toEqual([422, 201]);
  });

  it('replays in bulk by status, and lists events by status', async () => {
    const emails = [uniqueEmail('bulk'), uniqueEmail('bulk')];
    const ids: string[] = [];
    for (const email of emails) {
      await crmScript(email, [{ status: 400 }]);
      ids.push((await (await postDemo({ email })).json<{ id: string }>()).id);
    }
    for (const id of ids) await waitForStatus(id, ['dead']);

    const listed = await (await adminGet('/admin/events?status=dead&limit=500')).json<{
      events: { id: string }[];
    }>();
    expect(listed.events.map((e) => e.id)).toEqual(expect.arrayContaining(ids));

    const response = await adminPost('/admin/replay', { status: 'dead', source: 'demo' });
    expect(response.status).toBe(202);
    expect((await response.json<{ replayed: string[] }>()).replayed).toEqual(expect.arrayContaining(ids));
    for (const id of ids) expect((await waitForStatus(id, ['delivered'])).status).toBe('delivered');
  });

  it('rejects a malformed bulk request with 422 and an unknown id with 404', async () => {
    expect((await adminPost('/admin/replay', { status: 'everything' })).status).toBe(422);
    expect((await adminPost('/admin/events/evt_missing/replay')).status).toBe(404);
    expect((await adminGet('/admin/events?limit=100000')).status).toBe(422);
  });
});
