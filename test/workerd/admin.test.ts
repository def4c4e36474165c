import { describe, expect, it } from 'vitest';
import { adminGet, call, postDemo, uniqueEmail } from './helpers';

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

  it('health answers without auth', async () => {
    const response = await call('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
