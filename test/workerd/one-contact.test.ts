// Exactly one contact per person per CRM, raced: a redelivered webhook, two first leads of one
// person in one batch, a create whose answer was lost while the CRM's search lags behind it, and a
// phone-only person whose second lead comes before the search index shows the first.
import { describe, expect, it } from 'vitest';
import {
  crmDeliveries,
  crmScript,
  deliveryOf,
  fake,
  postDemo,
  postLead,
  uniqueEmail,
  waitForStatus,
} from './helpers';

const settled = ['delivered', 'partial', 'dead', 'invalid'];

describe('one contact per person per CRM', () => {
  it('a redelivered webhook is one event and one contact', async () => {
    const email = uniqueEmail('redeliver');
    const body = { email, first_name: 'Re' };
    const first = await postDemo(body, { source: 't-hubspot', id: `msg_${email}` });
    const again = await postDemo(body, { source: 't-hubspot', id: `msg_${email}` });
    expect([first.status, again.status]).toEqual([202, 200]);
    await waitForStatus((await first.json<{ id: string }>()).id, settled);
    expect(await fake('hubspot').records({ email })).toHaveLength(1);
  });

  it('two first leads of one new person at once: one contact, created once then updated', async () => {
    const email = uniqueEmail('twice');
    const ids = await Promise.all([
      postLead('t-pipedrive', { email, first_name: 'Twin' }),
      postLead('t-pipedrive', { email, company: `Twin Co ${crypto.randomUUID().slice(0, 6)}` }),
    ]);
    for (const id of ids) expect((await waitForStatus(id, settled, 25_000)).status).toBe('delivered');
    expect(await fake('pipedrive').records({ email })).toHaveLength(1);
  }, 30_000);

  it('a create whose answer was lost is retried after the search lag, finding the record it made', async () => {
    const email = uniqueEmail('lost');
    // The search goes through; the create is applied, then answered after Inlet's timeout.
    await fake('pipedrive').script({ email }, [
      { status: 200, apply: true },
      { status: 200, apply: true, delayMs: 3000 },
    ]);
    const first = await postLead('t-lag', { email, first_name: 'Lost' });
    // A second lead of the same person meanwhile waits for the first's create instead of creating.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await postLead('t-lag', { email, company: 'Meanwhile' });
    const a = await waitForStatus(first, settled, 25_000);
    const b = await waitForStatus(second, settled, 25_000);
    expect([a.status, b.status]).toEqual(['delivered', 'delivered']);
    const [lost, retried] = a.attempts;
    expect(lost).toMatchObject({ error_class: 'timeout' });
    expect(lost?.retry_in_s).toBeGreaterThanOrEqual(2);
    expect(Date.parse(retried!.started_at) - Date.parse(lost!.started_at)).toBeGreaterThanOrEqual(2000);
    expect(await fake('pipedrive').records({ email })).toHaveLength(1);
  }, 30_000);

  it('a phone-only person is updated by record id, not searched, so a lagging index cannot duplicate it', async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const first = await waitForStatus(await postLead('t-hubspot', { phone, first_name: 'Phone' }), settled);
    expect(first.status).toBe('delivered');
    // Right after the create, within the fake's 1.5 s search lag.
    const second = await waitForStatus(await postLead('t-hubspot', { phone, company: 'Dial Co' }), settled);
    expect(second.status).toBe('delivered');
    expect(deliveryOf(second, 'hubspot')?.record_id).toBe(deliveryOf(first, 'hubspot')?.record_id);
    expect(await fake('hubspot').records({ phone })).toHaveLength(1);
  });

  it('a record the webhook receiver no longer knows (404) is delivered as new, not dead', async () => {
    const email = uniqueEmail('forgotten');
    expect((await waitForStatus(await postLead('demo', { email }), settled)).status).toBe('delivered');
    await crmScript(email, [{ status: 404 }]);
    const again = await waitForStatus(await postLead('demo', { email, company: 'After Restart' }), settled);
    expect(again.status).toBe('delivered');
    expect((await crmDeliveries(email)).map((d) => [d.type, d.status])).toEqual([
      ['lead.created', 201],
      ['lead.updated', 404],
      ['lead.created', 201],
    ]);
  });
});
