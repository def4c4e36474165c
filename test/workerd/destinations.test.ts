// Routing and the CRM destinations, through the edge and the real queue to the fake CRMs on
// 127.0.0.1: each lead lands as one contact, routed by test/inlet.config.ts, each delivery with
// its own attempts, a failing destination never delaying or re-sending another's delivery.
import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../secrets';
import {
  adminGet,
  call,
  crmDeliveries,
  crmScript,
  deliveryOf,
  fake,
  postLead,
  readEvent,
  uniqueEmail,
  waitForStatus,
} from './helpers';

const settled = ['delivered', 'partial', 'dead', 'invalid', 'unrouted'];

describe('HubSpot', () => {
  it('a lead becomes one contact with its properties; the next lead of that person updates it', async () => {
    const email = uniqueEmail('hs');
    const event = await waitForStatus(
      await postLead('t-hubspot', { email, first_name: 'Ada', last_name: 'Byron', company: 'Analytical' }),
      settled,
    );
    expect(event.status).toBe('delivered');
    const [contact, ...more] = await fake('hubspot').records({ email });
    expect(more).toHaveLength(0);
    expect(contact?.properties).toMatchObject({
      email,
      firstname: 'Ada',
      lastname: 'Byron',
      company: 'Analytical',
    });
    expect(deliveryOf(event, 'hubspot')).toMatchObject({
      status: 'delivered',
      attempts: 1,
      record_id: contact?.id,
    });

    const again = await waitForStatus(await postLead('t-hubspot', { email, job_title: 'Countess' }), settled);
    expect(again.status).toBe('delivered');
    const contacts = await fake('hubspot').records({ email });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]?.properties).toMatchObject({ jobtitle: 'Countess', firstname: 'Ada' });
  });

  it('a lead HubSpot refuses is dead with its reason code and no contact data; others in the batch land', async () => {
    const bad = uniqueEmail('hsbad');
    const good = uniqueEmail('hsgood');
    await fake('hubspot').script({ email: bad }, [
      {
        status: 400,
        body: {
          status: 'error',
          category: 'VALIDATION_ERROR',
          message: 'Property values were not valid',
          errors: [{ code: 'INVALID_EMAIL', context: { propertyName: ['email'] } }],
        },
      },
    ]);
    const [refused, landed] = await Promise.all([
      postLead('t-hubspot', { email: bad }).then((id) => waitForStatus(id, settled)),
      postLead('t-hubspot', { email: good }).then((id) => waitForStatus(id, settled)),
    ]);
    expect(refused.status).toBe('dead');
    expect(deliveryOf(refused, 'hubspot')?.attempts).toBe(1);
    expect(refused.last_error).toMatch(/^hubspot client_error: HTTP \d+ .*INVALID_EMAIL/);
    expect(refused.last_error).not.toContain(bad);
    expect(landed.status).toBe('delivered');
  });
});

describe('Pipedrive', () => {
  it('a lead becomes one person linked to its organisation', async () => {
    const email = uniqueEmail('pd');
    const company = `Org ${crypto.randomUUID().slice(0, 8)}`;
    const event = await waitForStatus(
      await postLead('t-pipedrive', { email, full_name: 'Grace Hopper', company }),
      settled,
    );
    expect(event.status).toBe('delivered');
    const people = await fake('pipedrive').records({ email });
    expect(people).toHaveLength(1);
    expect(people[0]).toMatchObject({ name: 'Grace Hopper', org_id: expect.any(Number) });
    expect(deliveryOf(event, 'pipedrive')?.record_id).toBe(String(people[0]?.id));
  });

  it('a person deleted in Pipedrive since is created again, once, never dead', async () => {
    const email = uniqueEmail('pdgone');
    await waitForStatus(await postLead('t-pipedrive', { email, full_name: 'Gone Soon' }), settled);
    const [person] = await fake('pipedrive').records({ email });
    await fake('pipedrive').post('delete', { id: person?.id });
    const event = await waitForStatus(await postLead('t-pipedrive', { email, company: 'Back Inc' }), settled);
    expect(event.status).toBe('delivered');
    const live = (await fake('pipedrive').records({ email })).filter(
      (p) => !p.deleted && p.active_flag !== false,
    );
    expect(live.length).toBe(1);
    expect(live[0]?.id).not.toBe(person?.id);
  });
});

describe('Salesforce', () => {
  it('a lead with only an email becomes one Lead (required fields filled), and is updated after', async () => {
    const email = uniqueEmail('sf');
    const event = await waitForStatus(await postLead('t-salesforce', { email }), settled);
    expect(event.status).toBe('delivered');
    const again = await waitForStatus(
      await postLead('t-salesforce', { email, full_name: 'Ada Lovelace' }),
      settled,
    );
    expect(again.status).toBe('delivered');
    const records = await fake('salesforce').records({ email });
    expect(records).toHaveLength(1);
    expect(records[0]?.fields).toMatchObject({
      LastName: 'Lovelace',
      FirstName: 'Ada',
      Company: '[not provided]',
      Email: email,
    });
    expect(deliveryOf(again, 'salesforce')?.record_id).toBe(records[0]?.id);
  });
});

describe('routing', () => {
  it('fans out to every routed destination; one failing never delays or re-sends the other', async () => {
    const email = uniqueEmail('fanout');
    await crmScript(email, [{ status: 500 }]);
    const event = await waitForStatus(await postLead('t-fanout', { email }), settled);
    expect(event.status).toBe('delivered');
    expect(event.deliveries.map((d) => [d.destination, d.status, d.attempts])).toEqual([
      ['crm', 'delivered', 2],
      ['hubspot', 'delivered', 1],
    ]);
    const hubspotAttempts = event.attempts.filter((a) => a.destination === 'hubspot');
    const crmAttempts = event.attempts.filter((a) => a.destination === 'crm');
    expect(hubspotAttempts.map((a) => a.error_class)).toEqual(['ok']);
    expect(crmAttempts.map((a) => a.http_status)).toEqual([500, 201]);
    // HubSpot's attempt did not wait for the webhook's retry.
    expect(Date.parse(hubspotAttempts[0]!.started_at)).toBeLessThan(Date.parse(crmAttempts[1]!.started_at));
    expect(await fake('hubspot').records({ email })).toHaveLength(1);
  });

  it('an event with one destination dead and one delivered is partial', async () => {
    const email = uniqueEmail('partial');
    await crmScript(email, [{ status: 422 }]);
    const event = await waitForStatus(await postLead('t-fanout', { email }), settled);
    expect(event.status).toBe('partial');
    expect(deliveryOf(event, 'crm')?.status).toBe('dead');
    expect(deliveryOf(event, 'hubspot')?.status).toBe('delivered');
    expect(event.last_error).toBe('crm client_error: HTTP 422');
  });

  it('a route filtered on the campaign takes only the leads that match', async () => {
    const webinar = uniqueEmail('webinar');
    const other = uniqueEmail('spring');
    const [a, b] = await Promise.all([
      postLead('t-filter', { email: webinar, campaign: 'Webinar-2026-Q1' }).then((id) =>
        waitForStatus(id, settled),
      ),
      postLead('t-filter', { email: other, campaign: 'spring-sale' }).then((id) =>
        waitForStatus(id, settled),
      ),
    ]);
    expect(a.deliveries.map((d) => d.destination)).toEqual(['crm', 'hubspot']);
    expect(b.deliveries.map((d) => d.destination)).toEqual(['crm']);
    expect(await fake('hubspot').records({ email: other })).toHaveLength(0);
  });

  it('a source without a route keeps its events, unrouted and undelivered', async () => {
    const email = uniqueEmail('unrouted');
    const event = await waitForStatus(await postLead('t-unrouted', { email }), settled);
    expect(event.status).toBe('unrouted');
    expect(event.deliveries).toEqual([]);
    expect(event.lead).toMatchObject({ email });
    expect(await crmDeliveries(email)).toHaveLength(0);
    const listed = await adminGet('/admin/events?status=unrouted&source=t-unrouted');
    expect((await listed.json<{ events: { id: string }[] }>()).events.map((e) => e.id)).toContain(event.id);
  });
});

describe('replay of one delivery', () => {
  it('replays only the dead delivery; the delivered one is not sent again', async () => {
    const email = uniqueEmail('replayone');
    await crmScript(email, [{ status: 400 }]);
    const event = await waitForStatus(await postLead('t-fanout', { email }), settled);
    expect(event.status).toBe('partial');
    const response = await adminGet(`/admin/events/${event.id}`);
    expect(response.status).toBe(200);
    const replayed = await fetchReplay(event.id);
    expect(replayed).toBe(202);
    const after = await waitForStatus(event.id, ['delivered', 'dead']);
    expect(after.status).toBe('delivered');
    expect(deliveryOf(after, 'crm')?.attempts).toBe(2);
    expect(deliveryOf(after, 'hubspot')?.attempts).toBe(1);
    expect(after.attempts.filter((a) => a.destination === 'hubspot')).toHaveLength(1);
  });
});

async function fetchReplay(id: string): Promise<number> {
  const response = await call(`/admin/events/${id}/replay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  return response.status;
}

describe('admin: destinations', () => {
  it('lists every configured destination with its type and state', async () => {
    const response = await adminGet('/admin/destinations');
    expect(response.status).toBe(200);
    const { destinations } = await response.json<{
      destinations: { name: string; type: string; state: string }[];
    }>();
    expect(destinations.map((d) => [d.name, d.type])).toEqual(
      expect.arrayContaining([
        ['crm', 'webhook'],
        ['hubspot', 'hubspot'],
        ['pipedrive', 'pipedrive'],
        ['salesforce', 'salesforce'],
      ]),
    );
    expect(destinations.find((d) => d.name === 'salesforce')?.state).toBe('active');
  });

  it('the event view shows each delivery and each attempt with its destination', async () => {
    const email = uniqueEmail('view');
    const id = await postLead('t-fanout', { email });
    await waitForStatus(id, settled);
    const event = await readEvent(id);
    expect(event.deliveries.map((d) => d.destination)).toEqual(['crm', 'hubspot']);
    expect(new Set(event.attempts.map((a) => a.destination))).toEqual(new Set(['crm', 'hubspot']));
  });
});
