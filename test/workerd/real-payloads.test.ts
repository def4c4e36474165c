/// <reference types="vite/client" />
// The providers' own published examples (test/fixtures/ORIGINS.md says where each comes from),
// signed as each provider signs and posted through the edge on the real bindings: every delivery a
// provider documents for the subscription gets a 2xx, leads are delivered, updates reach only the
// records that exist, and what is not a lead is kept as `ignored` with its event type.
import { describe, expect, inject, it } from 'vitest';
import calendlyCanceled from '../fixtures/calendly/invitee-canceled.json';
import calendlyCreated from '../fixtures/calendly/invitee-created-docs.json';
import hubspotBatch from '../fixtures/hubspot/webhooks-v3-batch-docs.json';
import metaLead from '../fixtures/meta/lead-graph-api-docs-sample.json';
import metaWebhook from '../fixtures/meta/leadgen-webhook-docs-sample.json';
import { TEST_HUBSPOT_TOKEN } from '../secrets';
import { crmDeliveries, type EventView, readEvent, waitForStatus } from './helpers';
import { postSigned } from './signers';

const fixtures = import.meta.glob<{ default: unknown }>('../fixtures/*/*.json', { eager: true });
const fixture = (path: string): unknown => {
  const found = fixtures[`../fixtures/${path}`];
  if (!found) throw new Error(`no fixture ${path}`);
  return structuredClone(found.default);
};

const FINAL = ['delivered', 'partial', 'dead', 'invalid', 'unrouted', 'ignored'];

/** What the delivery is: a lead (delivered), not a lead (ignored), or a lead without a contact. */
type Expect = 'delivered' | 'ignored' | 'invalid';

const CASES: [provider: string, file: string, expected: Expect, eventType?: string][] = [
  ['typeform', 'typeform/form-response-docs.json', 'delivered', 'form_response'],
  ['tally', 'tally/form-response-docs.json', 'delivered', 'FORM_RESPONSE'],
  ['webflow', 'webflow/form-submission-v2-docs.json', 'delivered', 'form_submission'],
  ['webflow', 'webflow/form-submission-v1-docs.json', 'delivered', 'form_submission'],
  ['calendly', 'calendly/invitee-created-docs.json', 'delivered', 'invitee.created'],
  // Answers only, no email or name question: kept, but nobody to contact.
  ['calendly', 'calendly/routing-form-submission-created.json', 'invalid', 'routing_form_submission.created'],
  ['calcom', 'calcom/booking-created-docs.json', 'delivered', 'BOOKING_CREATED'],
  ['calcom', 'calcom/booking-requested.json', 'delivered', 'BOOKING_REQUESTED'],
  ['calcom', 'calcom/booking-rescheduled.json', 'delivered', 'BOOKING_RESCHEDULED'],
  ['calcom', 'calcom/meeting-ended.json', 'ignored', 'MEETING_ENDED'],
  ['calcom', 'calcom/ping.json', 'ignored', 'PING'],
  ['calcom', 'calcom/form-submitted.json', 'invalid', 'FORM_SUBMITTED'],
  ['zoom', 'zoom/webinar-registration-created-docs.json', 'delivered', 'webinar.registration_created'],
  ['zoom', 'zoom/meeting-registration-created-no-event-ts.json', 'delivered', 'meeting.registration_created'],
  ['zoom', 'zoom/webinar-registration-created-no-event-ts.json', 'delivered', 'webinar.registration_created'],
  ['hubspot', 'hubspot/contact-v1-identity-profiles.json', 'delivered', 'workflow'],
  ['hubspot', 'hubspot/contact-deletion.json', 'ignored', 'contact.deletion'],
  ['pipedrive', 'pipedrive/person-delete-v2.json', 'ignored', 'delete.person'],
  // Pipedrive's own examples carry no email or phone (`emails: []`).
  ['pipedrive', 'pipedrive/person-create-v2.json', 'invalid', 'create.person'],
  ['mailchimp', 'mailchimp/subscribe.json', 'delivered', 'subscribe'],
  // Contact sources read no event type: the person is picked from the provider's contact paths.
  ['stripe', 'stripe/customer-created-sdk.json', 'delivered'],
  // No person in a setup intent (`customer: null`).
  ['stripe', 'stripe/setup-intent-created-docs.json', 'invalid'],
  ['shopify', 'shopify/customers-create-docs.json', 'delivered'],
  ['intercom', 'intercom/user-created-sample.json', 'delivered'],
  // An anonymous lead (`email: ""`, `name: null`, only a pseudonym): nobody to contact.
  ['intercom', 'intercom/contact-created-anonymous-sample.json', 'invalid'],
  ['paddle', 'paddle/customer-created-sdk.json', 'delivered'],
  // Only `customer_id`; the email is not in the payload.
  ['paddle', 'paddle/transaction-completed-sdk.json', 'invalid'],
];

/** The body as the provider sends it: JSON, or the form fields Mailchimp posts. */
function encode(provider: string, payload: unknown): { body: string; contentType: string } {
  if (provider === 'mailchimp')
    return {
      body: new URLSearchParams(payload as Record<string, string>).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  return { body: JSON.stringify(payload), contentType: 'application/json' };
}

async function post(provider: string, payload: unknown, source = provider) {
  const { body, contentType } = encode(provider, payload);
  return postSigned(provider, source, body, contentType);
}

describe("providers' published examples through the edge", () => {
  it.each(CASES)('%s %s: 2xx, then %s', async (provider, file, expected, eventType) => {
    const response = await post(provider, fixture(file));
    expect([200, 202], await response.clone().text()).toContain(response.status);
    const { id, ids } = await response.json<{ id: string; ids?: string[] }>();
    for (const eventId of ids ?? [id]) {
      const event = await waitForStatus(eventId, FINAL);
      expect(event.status).toBe(expected);
      expect((event as EventView & { event_type: string | null }).event_type).toBe(eventType ?? null);
    }
  });

  it("zoom's endpoint.url_validation is answered with the signed token, and stores nothing", async () => {
    const payload = fixture('zoom/endpoint-url-validation.json') as { payload: { plainToken: string } };
    const response = await post('zoom', payload);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      plainToken: payload.payload.plainToken,
      encryptedToken: expect.any(String),
    });
  });

  it("Meta's sample (ids as JSON numbers) is split per lead, each read from the Graph API and delivered", async () => {
    const graph = inject('graphUrl').replace(/\/v\d+\.\d+$/, '');
    const leadgenIds = metaWebhook.entry[0]!.changes.map((change) => String(change.value.leadgen_id));
    for (const id of leadgenIds)
      await fetch(`${graph}/__control/leads`, {
        method: 'POST',
        body: JSON.stringify({ id, lead: { ...metaLead, id } }),
      });
    const response = await post('meta', metaWebhook);
    expect(response.status).toBe(202);
    const { ids } = await response.json<{ ids: string[] }>();
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const event = await waitForStatus(id, FINAL);
      expect(event.status).toBe('delivered');
      expect(event.lead).toMatchObject({
        email: 'joe@example.com',
        full_name: 'Joe Example',
        source: 'meta',
      });
    }
  });
});

describe('HubSpot app webhooks', () => {
  const hubspot = () => inject('hubspotUrl');
  async function contact(email: string, firstname: string): Promise<string> {
    const response = await fetch(`${hubspot()}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_HUBSPOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email, firstname } }),
    });
    expect(response.status).toBe(201);
    return (await response.json<{ id: string }>()).id;
  }

  it("HubSpot's array of events: each contact read from the CRM API by its id and delivered once", async () => {
    const stamp = Date.now();
    const [changed, created] = await Promise.all([
      contact(`changed.${stamp}@example.com`, 'Changed'),
      contact(`created.${stamp}@example.com`, 'Created'),
    ]);
    // HubSpot's documented batch, with ids of contacts the fake knows.
    const batch = structuredClone(hubspotBatch);
    batch[0]!.objectId = Number(changed);
    batch[1]!.objectId = Number(created);
    batch[0]!.eventId = stamp;
    batch[1]!.eventId = stamp + 1;
    const response = await post('hubspot', batch);
    expect(response.status).toBe(202);
    const { ids } = await response.json<{ ids: string[] }>();
    expect(ids).toHaveLength(2);
    const events = await Promise.all(ids.map((id) => waitForStatus(id, FINAL)));
    expect(events.map((e) => e.status)).toEqual(['delivered', 'delivered']);
    expect(events.map((e) => e.lead?.email).sort()).toEqual(
      [`changed.${stamp}@example.com`, `created.${stamp}@example.com`].sort(),
    );
    // A redelivery (HubSpot retries with the same event ids) is one event per contact still.
    const again = await post('hubspot', batch);
    expect(again.status).toBe(200);
    expect((await again.json<{ ids: string[] }>()).ids).toEqual(ids);
  });

  it("a contact's creation and its property changes in one delivery are one read and one event", async () => {
    const stamp = Date.now();
    const id = Number(await contact(`burst.${stamp}@example.com`, 'Burst'));
    const events = ['contact.creation', 'contact.propertyChange', 'contact.propertyChange'].map(
      (type, i) => ({
        eventId: stamp + i,
        subscriptionId: 1,
        portalId: 33,
        occurredAt: stamp,
        subscriptionType: type,
        attemptNumber: 0,
        objectId: id,
        ...(type === 'contact.propertyChange' ? { propertyName: 'firstname', propertyValue: 'Burst' } : {}),
      }),
    );
    const response = await post('hubspot', events);
    expect(response.status).toBe(202);
    const { ids } = await response.json<{ ids: string[] }>();
    expect(ids).toHaveLength(1);
    expect((await waitForStatus(ids[0]!, FINAL)).status).toBe('delivered');
  });

  it('a contact deleted before it is read is invalid (nothing to deliver), not retried for ever', async () => {
    const response = await post('hubspot', [
      {
        eventId: Date.now(),
        subscriptionType: 'contact.creation',
        objectId: 999_999_999,
        portalId: 33,
        occurredAt: Date.now(),
      },
    ]);
    expect(response.status).toBe(202);
    const { ids } = await response.json<{ ids: string[] }>();
    const event = await waitForStatus(ids[0]!, FINAL);
    expect(event.status).toBe('invalid');
    expect(event.last_error).toBe('lookup_failed: hubspot crm api HTTP 404');
  });
});

describe('updates (cancellations)', () => {
  it('a cancellation of a known person updates the record it has; of an unknown one creates nothing', async () => {
    const email = `cancel.${Date.now()}@example.com`;
    const created = structuredClone(calendlyCreated) as { payload: { email: string; uri: string } };
    created.payload.email = email;
    created.payload.uri = `${created.payload.uri}-${email}`;
    const first = await waitForStatus(
      (await (await post('calendly', created)).json<{ id: string }>()).id,
      FINAL,
    );
    expect(first.status).toBe('delivered');

    const canceled = structuredClone(calendlyCanceled) as { payload: { email: string; uri: string } };
    canceled.payload.email = email;
    canceled.payload.uri = `${canceled.payload.uri}-${email}`;
    const response = await post('calendly', canceled);
    expect(response.status).toBe(202);
    const update = await waitForStatus((await response.json<{ id: string }>()).id, FINAL);
    expect(update.status).toBe('delivered');
    expect(update.deliveries.map((d) => d.destination)).toEqual(['crm', 'pipedrive']);
    // The update says what happened, for a CRM field to record (map `status` in `fields`).
    expect(update.lead).toMatchObject({ email, event: 'invitee.canceled', status: 'canceled' });
    const received = await crmDeliveries(email);
    expect(received.map((d) => [d.type, (d.lead as { status?: string }).status])).toEqual([
      ['lead.created', undefined],
      ['lead.updated', 'canceled'],
    ]);

    const stranger = structuredClone(calendlyCanceled) as { payload: { email: string; uri: string } };
    stranger.payload.email = `stranger.${Date.now()}@example.com`;
    stranger.payload.uri = `${stranger.payload.uri}-stranger-${Date.now()}`;
    const ignored = await waitForStatus(
      (await (await post('calendly', stranger)).json<{ id: string }>()).id,
      FINAL,
    );
    expect(ignored.status).toBe('ignored');
    expect(ignored.deliveries).toEqual([]);
    expect(ignored.last_error).toMatch(/^no_record/);
    expect((await readEvent(ignored.id)).lead).toMatchObject({ email: stranger.payload.email });
  });
});
