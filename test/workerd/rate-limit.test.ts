// Its own file: the hold a 429 writes applies to every delivery to `crm` in this file's storage.
import { describe, expect, it } from 'vitest';
import {
  crmDeliveries,
  crmScript,
  deliveryOf,
  fake,
  postDemo,
  postLead,
  uniqueEmail,
  waitForEvent,
  waitForStatus,
} from './helpers';

describe('a rate-limited CRM', () => {
  it('a 429 with Retry-After: 7 is retried no sooner than 7 s later, and holds other leads too', async () => {
    const email = uniqueEmail('limited');
    await crmScript(email, [{ status: 429, headers: { 'retry-after': '7' } }]);
    const response = await postDemo({ email });
    const { id } = await response.json<{ id: string }>();
    await waitForEvent(id, (event) => deliveryOf(event, 'crm')?.status === 'retrying');

    // A second lead during the hold is not sent until the hold ends.
    const other = uniqueEmail('held');
    const second = await postDemo({ email: other });
    const otherId = (await second.json<{ id: string }>()).id;

    const event = await waitForStatus(id, ['delivered', 'dead'], 25_000);
    expect(event.status).toBe('delivered');
    const [first, retry] = event.attempts;
    expect(first).toMatchObject({ http_status: 429, error_class: 'rate_limited', retry_in_s: 7 });
    const gap = Date.parse(retry!.started_at) - Date.parse(first!.started_at);
    expect(gap).toBeGreaterThanOrEqual(7000);

    const held = await waitForStatus(otherId, ['delivered', 'dead'], 25_000);
    expect(held.status).toBe('delivered');
    const [heldDelivery] = await crmDeliveries(other);
    expect(heldDelivery!.at - Date.parse(first!.started_at)).toBeGreaterThanOrEqual(6000);
  }, 40_000);
});

describe('rate-limit headers', () => {
  it('a CRM whose window is nearly spent holds that destination before it has to answer 429', async () => {
    const email = uniqueEmail('paced');
    // Pipedrive's headers on the create: 1 call left of 40 in this window, which resets in 3 s.
    await fake('pipedrive').script({ email }, [
      { status: 200, apply: true },
      {
        status: 200,
        apply: true,
        headers: { 'x-ratelimit-limit': '40', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '3' },
      },
    ]);
    const first = await waitForStatus(await postLead('t-pipedrive', { email }), ['delivered', 'dead']);
    expect(first.status).toBe('delivered');
    const paced = Date.parse(first.attempts[0]!.started_at);

    const next = await waitForStatus(await postLead('t-pipedrive', { email: uniqueEmail('next') }), [
      'delivered',
      'dead',
    ]);
    expect(next.status).toBe('delivered');
    // Held, not attempted: one attempt, made after the window reset, and no 429 on the way.
    expect(next.attempts).toHaveLength(1);
    expect(next.attempts[0]?.error_class).toBe('ok');
    expect(Date.parse(next.attempts[0]!.started_at) - paced).toBeGreaterThanOrEqual(2500);
  }, 30_000);
});
