// The HubSpot adapter against the fake HubSpot (test/servers/hubspot.ts), over real HTTP.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FieldValue, LeadPath } from '../../../src/destinations/fields';
import { HUBSPOT_DEFAULT_FIELDS, hubspotDestination } from '../../../src/destinations/hubspot';
import type { DeliveryContext, DeliveryOutcome, DeliveryRequest } from '../../../src/destinations/types';
import type { Lead } from '../../../src/leads/lead';
import {
  type FakeContact,
  type FakeHubspot,
  type ReceivedRequest,
  startFakeHubspot,
} from '../../servers/hubspot';

const TOKEN = 'pat-na1-test';
const READONLY = 'pat-na1-readonly';
const UPSERT = '/crm/v3/objects/contacts/batch/upsert';
const UPDATE = '/crm/v3/objects/contacts/batch/update';
const SEARCH = '/crm/v3/objects/contacts/search';
const CONTACTS = '/crm/v3/objects/contacts';

let fake: FakeHubspot;
let seq = 0;

beforeAll(async () => {
  fake = await startFakeHubspot({ tokens: [TOKEN, `${READONLY}:readonly`], customProperties: ['budget'] });
});
afterAll(() => fake.close());
beforeEach(async () => {
  await control('reset', {});
  await control('tokens', { token: TOKEN, valid: true });
});

async function control(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${fake.url}/__control/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}
async function records(query: { email?: string; phone?: string } = {}): Promise<FakeContact[]> {
  const params = new URLSearchParams(query as Record<string, string>);
  return (await fetch(`${fake.url}/__control/records?${params}`)).json() as Promise<FakeContact[]>;
}
async function calls(): Promise<string[]> {
  const log = (await (await fetch(`${fake.url}/__control/requests`)).json()) as ReceivedRequest[];
  return log.map((r) => `${r.method} ${r.path} ${r.status}`);
}

function lead(over: Partial<Lead>): Lead {
  return {
    normalizer_version: '1',
    source: 'test',
    utm: {},
    tags: [],
    consent: {},
    custom: {},
    original: {},
    flags: [],
    ...over,
  };
}
function request(l: Lead, recordId: string | null = null): DeliveryRequest {
  seq++;
  return {
    eventId: `evt_${seq}`,
    source: 'test',
    receivedAt: 0,
    lead: l,
    person: { id: `per_${seq}`, recordId, action: recordId ? 'update' : 'create' },
    mergedEventIds: [],
  };
}
function destination(
  over: {
    token?: string;
    baseUrl?: string;
    fields?: Record<string, LeadPath>;
    constants?: Record<string, FieldValue>;
  } = {},
) {
  return hubspotDestination('crm', {
    baseUrl: over.baseUrl ?? fake.url,
    token: over.token ?? TOKEN,
    fields: { ...HUBSPOT_DEFAULT_FIELDS, ...over.fields },
    constants: over.constants ?? {},
  });
}
const context = (over: Partial<DeliveryContext> = {}): DeliveryContext => ({
  nowMs: Date.now(),
  timeoutMs: 2000,
  ...over,
});
async function deliver(
  requests: DeliveryRequest[],
  options: Parameters<typeof destination>[0] = {},
  ctx: Partial<DeliveryContext> = {},
): Promise<DeliveryOutcome[]> {
  const outcomes = await destination(options).deliver(requests, context(ctx));
  expect(outcomes).toHaveLength(requests.length);
  for (const [i, outcome] of outcomes.entries()) {
    const l = requests[i]?.lead;
    // Reasons carry codes and property names only, never what HubSpot quoted of the lead.
    for (const value of [l?.email, l?.phone, l?.first_name, l?.last_name, TOKEN])
      if (value) expect(outcome.reason).not.toContain(value);
  }
  return outcomes;
}
const strip = ({ durationMs: _d, ...rest }: DeliveryOutcome) => rest;

const ana = () => lead({ email: 'ana@example.com', first_name: 'Ana', last_name: 'Silva', company: 'Acme' });

describe('hubspot: leads with an email (batch upsert)', () => {
  it('creates a contact with every mapped property and answers its id', async () => {
    const [outcome] = await deliver([request(ana())]);
    const [contact] = await records({ email: 'ana@example.com' });
    expect(contact?.properties).toMatchObject({
      email: 'ana@example.com',
      firstname: 'Ana',
      lastname: 'Silva',
      company: 'Acme',
    });
    expect(strip(outcome as DeliveryOutcome)).toEqual({
      errorClass: 'ok',
      httpStatus: 200,
      reason: 'HTTP 200',
      recordId: contact?.id,
    });
    expect(await calls()).toEqual([`POST ${UPSERT} 200`]);
  });

  it('delivers a group of 3 leads in exactly one API call, each with its own id', async () => {
    const emails = ['a@example.com', 'b@example.com', 'c@example.com'];
    const outcomes = await deliver(emails.map((email) => request(lead({ email }))));
    const ids = await Promise.all(emails.map(async (email) => (await records({ email }))[0]?.id));
    expect(outcomes.map((o) => [o.errorClass, o.recordId])).toEqual(ids.map((id) => ['ok', id]));
    expect(new Set(ids).size).toBe(3);
    expect(await calls()).toEqual([`POST ${UPSERT} 200`]);
  });

  it('splits more than 100 leads into batches of 100', async () => {
    const group = Array.from({ length: 150 }, (_, i) => request(lead({ email: `p${i}@example.com` })));
    const outcomes = await deliver(group);
    expect(outcomes.filter((o) => o.errorClass === 'ok')).toHaveLength(150);
    expect(await calls()).toEqual([`POST ${UPSERT} 200`, `POST ${UPSERT} 200`]);
    expect(await records()).toHaveLength(150);
  });

  it('two upserts of the same email give one contact, updated', async () => {
    const [first] = await deliver([request(ana())]);
    const [second] = await deliver([request(lead({ email: 'ana@example.com', first_name: 'Anna' }))]);
    const all = await records({ email: 'ana@example.com' });
    expect(all).toHaveLength(1);
    expect(all[0]?.properties.firstname).toBe('Anna');
    expect(second?.recordId).toBe(first?.recordId);
  });

  it('sends one email twice in a group in two batches, as HubSpot refuses duplicate ids in one', async () => {
    const direct = await fetch(`${fake.url}${UPSERT}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [1, 2].map(() => ({ id: 'dup@example.com', idProperty: 'email', properties: {} })),
      }),
    });
    expect(direct.status).toBe(400);
    expect(((await direct.json()) as { message: string }).message).toMatch(
      /^Duplicate IDs found in batch input/,
    );
    await control('reset', {});

    const outcomes = await deliver([
      request(lead({ email: 'dup@example.com' })),
      request(lead({ email: 'dup@example.com' })),
    ]);
    const all = await records({ email: 'dup@example.com' });
    expect(all).toHaveLength(1);
    expect(outcomes.map((o) => [o.errorClass, o.recordId])).toEqual([
      ['ok', all[0]?.id],
      ['ok', all[0]?.id],
    ]);
    expect(await calls()).toEqual([`POST ${UPSERT} 200`, `POST ${UPSERT} 200`]);
  });

  it('answers a 207 per input: the bad email is client_error with the code, the others ok', async () => {
    const outcomes = await deliver([
      request(lead({ email: 'good1@example.com' })),
      request(lead({ email: 'ana..bad@example.com', first_name: 'Bad' })),
      request(lead({ email: 'good2@example.com' })),
    ]);
    const [good1] = await records({ email: 'good1@example.com' });
    const [good2] = await records({ email: 'good2@example.com' });
    expect(outcomes.map(strip)).toEqual([
      { errorClass: 'ok', httpStatus: 207, reason: 'HTTP 207', recordId: good1?.id },
      {
        errorClass: 'client_error',
        httpStatus: 207,
        reason: 'HTTP 207 VALIDATION_ERROR INVALID_EMAIL (email)',
      },
      { errorClass: 'ok', httpStatus: 207, reason: 'HTTP 207', recordId: good2?.id },
    ]);
    expect(await records({ email: 'ana..bad@example.com' })).toHaveLength(0);
    expect(await calls()).toEqual([`POST ${UPSERT} 207`]);
  });

  it('reads the code from the message when an error has no errors[] list', async () => {
    await control('script', {
      email: 'ana@example.com',
      responses: [
        {
          status: 400,
          body: {
            status: 'error',
            category: 'VALIDATION_ERROR',
            message:
              'Property values were not valid: [{"isValid":false,"message":"Ana Silva is not valid","error":"INVALID_OPTION","name":"hs_lead_status"}]',
          },
        },
      ],
    });
    const [outcome] = await deliver([request(ana())]);
    expect(strip(outcome as DeliveryOutcome)).toEqual({
      errorClass: 'client_error',
      httpStatus: 207,
      reason: 'HTTP 207 VALIDATION_ERROR INVALID_OPTION (hs_lead_status)',
    });
  });

  it('an invalid picklist option is client_error naming the property', async () => {
    const [outcome] = await deliver([request(ana())], { constants: { hs_lead_status: 'HOT' } });
    expect(outcome?.errorClass).toBe('client_error');
    expect(outcome?.reason).toBe('HTTP 207 VALIDATION_ERROR INVALID_OPTION (hs_lead_status)');
  });

  it('an unknown property is config_error for every lead, naming the property', async () => {
    const outcomes = await deliver(
      [request(lead({ email: 'a@example.com' })), request(lead({ email: 'b@example.com' }))],
      { constants: { hs_foo: 'x' } },
    );
    expect(outcomes.map(strip)).toEqual(
      [1, 2].map(() => ({
        errorClass: 'config_error',
        httpStatus: 207,
        reason: 'HTTP 207 VALIDATION_ERROR PROPERTY_DOESNT_EXIST (hs_foo)',
      })),
    );
    expect(await records()).toHaveLength(0);
  });

  it('a custom property the portal has is accepted', async () => {
    const [outcome] = await deliver([request(lead({ email: 'a@example.com', custom: { budget: 5000 } }))], {
      fields: { budget: 'custom.budget' },
    });
    expect(outcome?.errorClass).toBe('ok');
    expect((await records({ email: 'a@example.com' }))[0]?.properties.budget).toBe('5000');
  });

  it('a lead with a stale record id is re-resolved by its email, never dead', async () => {
    const [created] = await deliver([request(ana())]);
    const [again] = await deliver([request(ana(), '999999')]);
    expect(again).toMatchObject({ errorClass: 'ok', recordId: created?.recordId });
    const [fresh] = await deliver([request(lead({ email: 'new@example.com' }), '888888')]);
    expect(fresh?.errorClass).toBe('ok');
    expect(await records({ email: 'ana@example.com' })).toHaveLength(1);
    expect(await records({ email: 'new@example.com' })).toHaveLength(1);
  });
});

describe('hubspot: phone-only leads (update by id, search, create)', () => {
  const phoneOnly = (over: Partial<Lead> = {}) =>
    lead({ phone: '+351912345678', first_name: 'Rui', ...over });

  it('creates, then updates by the stored id with one batch update', async () => {
    const [created] = await deliver([request(phoneOnly())]);
    expect(created).toMatchObject({ errorClass: 'ok', httpStatus: 201, reason: 'HTTP 201' });
    const [updated] = await deliver([
      request(phoneOnly({ first_name: 'Rui Pedro' }), created?.recordId ?? null),
    ]);
    expect(strip(updated as DeliveryOutcome)).toEqual({
      errorClass: 'ok',
      httpStatus: 200,
      reason: 'HTTP 200',
      recordId: created?.recordId,
    });
    const all = await records({ phone: '+351912345678' });
    expect(all.map((c) => [c.id, c.properties.firstname])).toEqual([[created?.recordId, 'Rui Pedro']]);
    expect(await calls()).toEqual([`POST ${SEARCH} 200`, `POST ${CONTACTS} 201`, `POST ${UPDATE} 200`]);
  });

  it('finds the person by phone and updates them instead of creating a second contact', async () => {
    const [withEmail] = await deliver([request(lead({ email: 'rui@example.com', phone: '+351912345678' }))]);
    const [found] = await deliver([request(phoneOnly())]);
    expect(found).toMatchObject({ errorClass: 'ok', recordId: withEmail?.recordId });
    expect(await records({ phone: '+351912345678' })).toHaveLength(1);
    expect((await calls()).slice(1)).toEqual([
      `POST ${SEARCH} 200`,
      `PATCH ${CONTACTS}/${withEmail?.recordId} 200`,
    ]);
  });

  it('a record gone (not found) is found again by phone, without a second contact', async () => {
    const [existing] = await deliver([request(lead({ email: 'rui@example.com', phone: '+351912345678' }))]);
    const [outcome] = await deliver([request(phoneOnly(), '999999')]);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: existing?.recordId });
    expect(await records({ phone: '+351912345678' })).toHaveLength(1);
    expect((await calls()).slice(1)).toEqual([
      `POST ${UPDATE} 207`,
      `POST ${SEARCH} 200`,
      `PATCH ${CONTACTS}/${existing?.recordId} 200`,
    ]);
  });

  it('a record gone (not found) with no one to find is created again, never dead', async () => {
    const [outcome] = await deliver([request(phoneOnly(), '999999')]);
    const all = await records({ phone: '+351912345678' });
    expect(all).toHaveLength(1);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 201, recordId: all[0]?.id });
    expect(await calls()).toEqual([`POST ${UPDATE} 207`, `POST ${SEARCH} 200`, `POST ${CONTACTS} 201`]);
  });

  it('a create answering 409 CONFLICT updates the existing contact it names', async () => {
    const [existing] = await deliver([request(lead({ email: 'work@example.com' }))]);
    const direct = await fetch(`${fake.url}${CONTACTS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email: 'work@example.com' } }),
    });
    expect(direct.status).toBe(409);
    expect(await direct.json()).toMatchObject({
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${existing?.recordId}`,
    });
    await control('reset', {});

    const [again] = await deliver([request(lead({ email: 'work@example.com' }))]);
    // A phone-only lead whose mapping writes a work email from a custom field.
    const [outcome] = await deliver([request(phoneOnly({ custom: { work: 'work@example.com' } }))], {
      fields: { email: 'custom.work' },
    });
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: again?.recordId });
    expect(await records({ email: 'work@example.com' })).toHaveLength(1);
    expect((await calls()).slice(1)).toEqual([
      `POST ${SEARCH} 200`,
      `POST ${CONTACTS} 409`,
      `PATCH ${CONTACTS}/${again?.recordId} 200`,
    ]);
  });

  it('classifies a refused create: invalid option client_error, unknown property config_error', async () => {
    const [option] = await deliver([request(phoneOnly())], { constants: { lifecyclestage: 'hot' } });
    expect(strip(option as DeliveryOutcome)).toEqual({
      errorClass: 'client_error',
      httpStatus: 400,
      reason: 'HTTP 400 VALIDATION_ERROR INVALID_OPTION (lifecyclestage)',
    });
    const [unknown] = await deliver([request(phoneOnly())], { fields: { hs_foo: 'first_name' } });
    expect(strip(unknown as DeliveryOutcome)).toEqual({
      errorClass: 'config_error',
      httpStatus: 400,
      reason: 'HTTP 400 VALIDATION_ERROR PROPERTY_DOESNT_EXIST (hs_foo)',
    });
    expect(await records()).toHaveLength(0);
  });

  it('a 5xx on create is server_error', async () => {
    await control('script', { phone: '+351912345678', responses: [{ status: 500 }] });
    const [outcome] = await deliver([request(phoneOnly())]);
    expect(strip(outcome as DeliveryOutcome)).toEqual({
      errorClass: 'server_error',
      httpStatus: 500,
      reason: 'HTTP 500',
    });
    expect(await records()).toHaveLength(0);
  });
});

describe('hubspot: known people (batch update by id)', () => {
  const rui = (over: Partial<Lead> = {}) => lead({ phone: '+351912345678', first_name: 'Rui', ...over });

  it('a phone-only person who comes back with an email gets it on the same contact', async () => {
    const [created] = await deliver([request(rui())]);
    const [withEmail] = await deliver([
      request(rui({ email: 'rui@example.com', last_name: 'Costa' }), created?.recordId ?? null),
    ]);
    expect(strip(withEmail as DeliveryOutcome)).toEqual({
      errorClass: 'ok',
      httpStatus: 200,
      reason: 'HTTP 200',
      recordId: created?.recordId,
    });
    const all = await records();
    expect(all.map((c) => [c.id, c.properties.email, c.properties.phone, c.properties.lastname])).toEqual([
      [created?.recordId, 'rui@example.com', '+351912345678', 'Costa'],
    ]);
    // Updated by id, not upserted by email: the upsert would have made a second contact.
    expect(await calls()).toEqual([`POST ${SEARCH} 200`, `POST ${CONTACTS} 201`, `POST ${UPDATE} 200`]);
  });

  it('a group of 3 known people costs exactly 1 API call, each with its own id', async () => {
    const [a, b] = await deliver([
      request(lead({ email: 'a@example.com' })),
      request(lead({ email: 'b@example.com' })),
    ]);
    const [c] = await deliver([request(rui())]);
    const before = (await calls()).length;
    const outcomes = await deliver([
      request(lead({ email: 'a@example.com', first_name: 'A' }), a?.recordId ?? null),
      request(lead({ email: 'b@example.com', first_name: 'B' }), b?.recordId ?? null),
      request(rui({ first_name: 'C' }), c?.recordId ?? null),
    ]);
    expect(outcomes.map((o) => [o.errorClass, o.httpStatus, o.recordId])).toEqual([
      ['ok', 200, a?.recordId],
      ['ok', 200, b?.recordId],
      ['ok', 200, c?.recordId],
    ]);
    expect((await calls()).slice(before)).toEqual([`POST ${UPDATE} 200`]);
    expect((await records()).map((contact) => [contact.id, contact.properties.firstname])).toEqual([
      [a?.recordId, 'A'],
      [b?.recordId, 'B'],
      [c?.recordId, 'C'],
    ]);
  });

  it('a mixed group costs 2 calls: known people in one update, new ones (and the gone) in one upsert', async () => {
    const [known, gone] = await deliver([
      request(lead({ email: 'known@example.com' })),
      request(lead({ email: 'gone@example.com' })),
    ]);
    const archived = await fetch(`${fake.url}${CONTACTS}/${gone?.recordId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(archived.status).toBe(204);
    const outcomes = await deliver([
      request(lead({ email: 'known@example.com', first_name: 'K' }), known?.recordId ?? null),
      request(lead({ email: 'gone@example.com', first_name: 'G' }), gone?.recordId ?? null),
      request(lead({ email: 'new@example.com', first_name: 'N' })),
    ]);
    const [again] = await records({ email: 'gone@example.com' });
    const [fresh] = await records({ email: 'new@example.com' });
    expect(outcomes.map((o) => [o.errorClass, o.recordId])).toEqual([
      ['ok', known?.recordId],
      ['ok', again?.id],
      ['ok', fresh?.id],
    ]);
    expect(again?.id).not.toBe(gone?.recordId);
    expect((await calls()).slice(2)).toEqual([`POST ${UPDATE} 207`, `POST ${UPSERT} 200`]);
    expect(await records()).toHaveLength(3);
  });

  it('a deleted contact id with an email is upserted by email onto the contact holding it, ok', async () => {
    const [ana1] = await deliver([request(ana())]);
    const [phoneOnly] = await deliver([request(rui())]);
    await fetch(`${fake.url}${CONTACTS}/${phoneOnly?.recordId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const [outcome] = await deliver([
      request(lead({ email: 'ana@example.com', phone: '+351912345678' }), phoneOnly?.recordId ?? null),
    ]);
    expect(strip(outcome as DeliveryOutcome)).toEqual({
      errorClass: 'ok',
      httpStatus: 200,
      reason: 'HTTP 200',
      recordId: ana1?.recordId,
    });
    const all = await records();
    expect(all.map((c) => [c.id, c.properties.email, c.properties.phone])).toEqual([
      [ana1?.recordId, 'ana@example.com', '+351912345678'],
    ]);
    expect((await calls()).slice(-2)).toEqual([`POST ${UPDATE} 207`, `POST ${UPSERT} 200`]);
  });

  it('an email another contact already holds: the lead lands on that contact, no new one', async () => {
    const [holder] = await deliver([request(ana())]);
    const [phoneOnly] = await deliver([request(rui())]);
    const [outcome] = await deliver([
      request(lead({ email: 'ana@example.com', phone: '+351912345678' }), phoneOnly?.recordId ?? null),
    ]);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: holder?.recordId });
    expect(await records({ email: 'ana@example.com' })).toHaveLength(1);
    expect(await records()).toHaveLength(2);
    expect((await calls()).slice(-2)).toEqual([`POST ${UPDATE} 207`, `POST ${UPSERT} 200`]);
  });

  it('an invalid value fails that known person alone (client_error), the others ok', async () => {
    const [a, b] = await deliver([
      request(lead({ email: 'a@example.com' })),
      request(lead({ email: 'b@example.com' })),
    ]);
    const outcomes = await deliver([
      request(lead({ email: 'a@example.com', first_name: 'A' }), a?.recordId ?? null),
      request(lead({ email: 'b..bad@example.com' }), b?.recordId ?? null),
    ]);
    expect(outcomes.map(strip)).toEqual([
      { errorClass: 'ok', httpStatus: 207, reason: 'HTTP 207', recordId: a?.recordId },
      {
        errorClass: 'client_error',
        httpStatus: 207,
        reason: 'HTTP 207 VALIDATION_ERROR INVALID_EMAIL (email)',
      },
    ]);
    expect((await records({ email: 'b@example.com' }))[0]?.id).toBe(b?.recordId);
    expect((await calls()).slice(1)).toEqual([`POST ${UPDATE} 207`]);
  });

  it('a 5xx on the update is server_error for the whole group, and nothing else is sent', async () => {
    const [a] = await deliver([request(lead({ email: 'a@example.com', first_name: 'A' }))]);
    await control('script', { email: 'a@example.com', responses: [{ status: 503 }] });
    const outcomes = await deliver([
      request(lead({ email: 'a@example.com', first_name: 'Z' }), a?.recordId ?? null),
      request(lead({ email: 'new@example.com' })),
    ]);
    expect(outcomes.map(strip)).toEqual(
      [1, 2].map(() => ({ errorClass: 'server_error', httpStatus: 503, reason: 'HTTP 503' })),
    );
    expect((await records()).map((c) => c.properties.firstname)).toEqual(['A']);
    expect((await calls()).slice(1)).toEqual([`POST ${UPDATE} 503`]);
  });

  it('an input HubSpot leaves out without a result or an error is PATCHed alone', async () => {
    const [a] = await deliver([request(lead({ email: 'a@example.com' }))]);
    await control('script', {
      email: 'a@example.com',
      responses: [{ status: 200, body: { status: 'COMPLETE', results: [] } }],
    });
    const [outcome] = await deliver([
      request(lead({ email: 'a@example.com', first_name: 'A' }), a?.recordId ?? null),
    ]);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: a?.recordId });
    expect((await calls()).slice(1)).toEqual([`POST ${UPDATE} 200`, `PATCH ${CONTACTS}/${a?.recordId} 200`]);
    expect((await records())[0]?.properties.firstname).toBe('A');
  });

  it('the fake answers the batch update as HubSpot does: 207 OBJECT_NOT_FOUND by ids, 400 on duplicates', async () => {
    const [a] = await deliver([request(lead({ email: 'a@example.com' }))]);
    const post = (inputs: unknown) =>
      fetch(`${fake.url}${UPDATE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ inputs }),
      });
    const partial = await post([
      { id: a?.recordId, properties: { firstname: 'A' }, objectWriteTraceId: 't1' },
      { id: '999999', properties: { firstname: 'X' }, objectWriteTraceId: 't2' },
    ]);
    expect(partial.status).toBe(207);
    expect(await partial.json()).toMatchObject({
      status: 'COMPLETE',
      numErrors: 1,
      results: [{ id: a?.recordId, properties: { firstname: 'A' } }],
      errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } }],
    });
    const duplicate = await post([1, 2].map(() => ({ id: a?.recordId, properties: {} })));
    expect(duplicate.status).toBe(400);
    expect(((await duplicate.json()) as { message: string }).message).toMatch(
      /^Duplicate IDs found in batch input/,
    );
  });
});

describe('hubspot: whole-call failures', () => {
  it('401 INVALID_AUTHENTICATION is config_error for the whole group, in one call', async () => {
    await control('tokens', { token: TOKEN, valid: false });
    const outcomes = await deliver([
      request(lead({ email: 'a@example.com' })),
      request(lead({ email: 'b@example.com' })),
      request(lead({ phone: '+351912345678' })),
    ]);
    expect(outcomes.map(strip)).toEqual(
      [1, 2, 3].map(() => ({
        errorClass: 'config_error',
        httpStatus: 401,
        reason: 'HTTP 401 INVALID_AUTHENTICATION',
      })),
    );
    expect(await calls()).toEqual([`POST ${UPSERT} 401`]);
  });

  it('403 MISSING_SCOPES (a read-only token) is config_error', async () => {
    const outcomes = await deliver([request(lead({ phone: '+351912345678' }))], { token: READONLY });
    expect(strip(outcomes[0] as DeliveryOutcome)).toEqual({
      errorClass: 'config_error',
      httpStatus: 403,
      reason: 'HTTP 403 MISSING_SCOPES',
    });
    // The search is a read and passes; the create needs the write scope.
    expect(await calls()).toEqual([`POST ${SEARCH} 200`, `POST ${CONTACTS} 403`]);
  });

  it('a 5xx on the batch is server_error for every input', async () => {
    await control('script', { email: 'b@example.com', responses: [{ status: 503 }] });
    const outcomes = await deliver([
      request(lead({ email: 'a@example.com' })),
      request(lead({ email: 'b@example.com' })),
    ]);
    expect(outcomes.map(strip)).toEqual(
      [1, 2].map(() => ({ errorClass: 'server_error', httpStatus: 503, reason: 'HTTP 503' })),
    );
    expect(await records()).toHaveLength(0);
  });

  it('a slow answer past timeoutMs is a timeout; the write landed, and the retry adds no contact', async () => {
    await control('script', {
      email: 'ana@example.com',
      responses: [{ status: 200, delayMs: 1200, apply: true }],
    });
    const [late] = await deliver([request(ana())], {}, { timeoutMs: 200 });
    expect(strip(late as DeliveryOutcome)).toEqual({
      errorClass: 'timeout',
      httpStatus: null,
      reason: 'no response within 200 ms',
    });
    const [landed] = await records({ email: 'ana@example.com' });
    expect(landed).toBeDefined();
    const [retry] = await deliver([request(ana())]);
    expect(retry).toMatchObject({ errorClass: 'ok', recordId: landed?.id });
    expect(await records({ email: 'ana@example.com' })).toHaveLength(1);
  });

  it('an unreachable HubSpot is network for every lead, without throwing', async () => {
    const gone = await startFakeHubspot({ tokens: [TOKEN] });
    const baseUrl = gone.url;
    await gone.close();
    const outcomes = await deliver([request(ana()), request(lead({ phone: '+351912345678' }))], { baseUrl });
    expect(outcomes.map(strip)).toEqual(
      [1, 2].map(() => ({ errorClass: 'network', httpStatus: null, reason: 'connection failed' })),
    );
  });
});

describe('hubspot: rate limits', () => {
  it('paces when the ten-secondly window is nearly spent, then 429 is rate_limited with the interval', async () => {
    await control('rate-limit', { limit: 3, windowSeconds: 10 });
    const [first] = await deliver([request(lead({ email: 'a@example.com' }))]);
    expect(first?.errorClass).toBe('ok');
    expect(first?.paceSeconds).toBeUndefined();
    const [second] = await deliver([request(lead({ email: 'b@example.com' }))]);
    expect(second).toMatchObject({ errorClass: 'ok', paceSeconds: 10 });
    await deliver([request(lead({ email: 'c@example.com' }))]);
    const outcomes = await deliver([
      request(lead({ email: 'd@example.com' })),
      request(lead({ phone: '+351912345678' })),
    ]);
    expect(outcomes.map(strip)).toEqual(
      [1, 2].map(() => ({
        errorClass: 'rate_limited',
        httpStatus: 429,
        reason: 'HTTP 429 RATE_LIMIT TEN_SECONDLY_ROLLING',
        retryAfterSeconds: 10,
        paceSeconds: 10,
      })),
    );
    // The phone-only lead was not sent into the same limit.
    expect((await calls()).at(-1)).toBe(`POST ${UPSERT} 429`);
    expect(await calls()).toHaveLength(4);
  });

  it('keeps the calls this group still needs in reserve', async () => {
    await control('rate-limit', { limit: 10, windowSeconds: 10 });
    for (const email of ['a', 'b', 'c', 'd', 'e', 'f'])
      await deliver([request(lead({ email: `${email}@example.com` }))]);
    const outcomes = await deliver([
      request(lead({ email: 'g@example.com' })),
      request(lead({ phone: '+351910000001' })),
      request(lead({ phone: '+351910000002' })),
      request(lead({ phone: '+351910000003' })),
    ]);
    // 3 left in the window after the upsert, 6 calls still planned (search + create per phone lead).
    expect(outcomes.map((o) => [o.errorClass, o.paceSeconds])).toEqual([
      ['ok', 10],
      ['ok', 10],
      ['ok', 10],
      ['ok', 10],
    ]);
  });

  it('takes Retry-After when HubSpot sends one', async () => {
    await control('script', {
      email: 'ana@example.com',
      responses: [{ status: 429, headers: { 'Retry-After': '7' } }],
    });
    const [outcome] = await deliver([request(ana())]);
    expect(outcome).toMatchObject({ errorClass: 'rate_limited', retryAfterSeconds: 7 });
  });

  it('DAILY: paces to midnight UTC when the day is spent, and its 429 retries after midnight', async () => {
    await control('rate-limit', { limit: 0, windowSeconds: 10, daily: 1 });
    const nowMs = Date.UTC(2026, 0, 1, 23, 0, 0);
    const [last] = await deliver([request(ana())], {}, { nowMs });
    expect(last).toMatchObject({ errorClass: 'ok', paceSeconds: 3600 });
    const [refused] = await deliver([request(lead({ email: 'b@example.com' }))], {}, { nowMs: nowMs + 1000 });
    expect(strip(refused as DeliveryOutcome)).toEqual({
      errorClass: 'rate_limited',
      httpStatus: 429,
      reason: 'HTTP 429 RATE_LIMIT DAILY',
      retryAfterSeconds: 3599,
      paceSeconds: 3599,
    });
  });
});

describe('hubspot: search lag and merges', () => {
  it('search lags behind a create; the next delivery with the returned id creates nothing new', async () => {
    await control('search-lag', { ms: 5000 });
    const phone = '+351912345678';
    const [created] = await deliver([request(lead({ phone, first_name: 'Rui' }))]);
    const search = await fetch(`${fake.url}${SEARCH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'EQ', value: phone }] }],
      }),
    });
    expect(((await search.json()) as { total: number }).total).toBe(0);
    const [again] = await deliver([request(lead({ phone, first_name: 'Rui' }), created?.recordId ?? null)]);
    expect(again).toMatchObject({ errorClass: 'ok', recordId: created?.recordId });
    expect(await records({ phone })).toHaveLength(1);

    const [withEmail] = await deliver([request(ana())]);
    const [emailAgain] = await deliver([request(ana(), withEmail?.recordId ?? null)]);
    expect(emailAgain?.recordId).toBe(withEmail?.recordId);
    expect(await records({ email: 'ana@example.com' })).toHaveLength(1);
  });

  it('search finds a contact once the lag has passed', async () => {
    await control('search-lag', { ms: 150 });
    const [created] = await deliver([request(lead({ email: 'rui@example.com', phone: '+351912345678' }))]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [found] = await deliver([request(lead({ phone: '+351912345678' }))]);
    expect(found).toMatchObject({ errorClass: 'ok', recordId: created?.recordId });
    expect(await records({ phone: '+351912345678' })).toHaveLength(1);
  });

  it('pairs upsert results that land on merged contacts, whose email names no input', async () => {
    const [a, b, c, d] = await deliver(
      ['a', 'b', 'c', 'd'].map((x) => request(lead({ email: `${x}@example.com` }))),
    );
    await control('merge', { from: a?.recordId, into: b?.recordId });
    await control('merge', { from: c?.recordId, into: d?.recordId });
    // Without a stored id (the pipeline lost it) they are upserted by their old emails.
    const outcomes = await deliver([
      request(lead({ email: 'a@example.com' })),
      request(lead({ email: 'c@example.com' })),
    ]);
    expect(outcomes.map((o) => [o.errorClass, o.recordId])).toEqual([
      ['ok', b?.recordId],
      ['ok', d?.recordId],
    ]);
    // The batch could not say which result was whose: each input again alone.
    expect((await calls()).slice(1)).toEqual([
      `POST ${UPSERT} 200`,
      `POST ${UPSERT} 200`,
      `POST ${UPSERT} 200`,
    ]);
    expect(await records()).toHaveLength(2);
  });

  it('a merged contact id keeps working and answers the surviving id', async () => {
    const [a] = await deliver([request(lead({ email: 'a@example.com', phone: '+351910000001' }))]);
    const [b] = await deliver([request(lead({ email: 'b@example.com' }))]);
    await control('merge', { from: a?.recordId, into: b?.recordId });

    const [patched] = await deliver([
      request(lead({ phone: '+351910000001', first_name: 'A' }), a?.recordId ?? null),
    ]);
    expect(patched).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: b?.recordId });
    const [updated] = await deliver([request(lead({ email: 'a@example.com' }), a?.recordId ?? null)]);
    expect(updated).toMatchObject({ errorClass: 'ok', recordId: b?.recordId });
    // One batch update each: the single result, with the survivor's id, pairs with the single input.
    expect((await calls()).slice(-2)).toEqual([`POST ${UPDATE} 200`, `POST ${UPDATE} 200`]);

    const all = await records();
    expect(all.map((c) => [c.id, [c.properties.email, ...c.additionalEmails].sort(), c.mergedIds])).toEqual([
      [b?.recordId, ['a@example.com', 'b@example.com'], [a?.recordId]],
    ]);
  });

  it('several merged ids in one batch update: each is PATCHed alone and answers its survivor', async () => {
    const [a, b, c, d] = await deliver(
      ['a', 'b', 'c', 'd'].map((x) => request(lead({ email: `${x}@example.com` }))),
    );
    await control('merge', { from: a?.recordId, into: b?.recordId });
    await control('merge', { from: c?.recordId, into: d?.recordId });
    const outcomes = await deliver([
      request(lead({ email: 'a@example.com' }), a?.recordId ?? null),
      request(lead({ email: 'c@example.com' }), c?.recordId ?? null),
    ]);
    expect(outcomes.map((o) => [o.errorClass, o.httpStatus, o.recordId])).toEqual([
      ['ok', 200, b?.recordId],
      ['ok', 200, d?.recordId],
    ]);
    // Two results with ids no input named: the update could not say whose was whose.
    expect((await calls()).slice(1)).toEqual([
      `POST ${UPDATE} 200`,
      `PATCH ${CONTACTS}/${a?.recordId} 200`,
      `PATCH ${CONTACTS}/${c?.recordId} 200`,
    ]);
    expect((await records()).map((contact) => contact.id)).toEqual([b?.recordId, d?.recordId]);
  });
});

describe('hubspot fake: persistence', () => {
  it('keeps contacts across a restart when persistPath is set', async () => {
    const persistPath = join(mkdtempSync(join(tmpdir(), 'fake-hubspot-')), 'contacts.json');
    const first = await startFakeHubspot({ tokens: [TOKEN], persistPath });
    const created = await hubspotDestination('crm', {
      baseUrl: first.url,
      token: TOKEN,
      fields: HUBSPOT_DEFAULT_FIELDS,
      constants: {},
    }).deliver([request(ana())], context());
    await first.close();
    const second = await startFakeHubspot({ tokens: [TOKEN], persistPath });
    try {
      const again = await hubspotDestination('crm', {
        baseUrl: second.url,
        token: TOKEN,
        fields: HUBSPOT_DEFAULT_FIELDS,
        constants: {},
      }).deliver([request(lead({ email: 'ana@example.com', first_name: 'Anna' }))], context());
      expect(again[0]?.recordId).toBe(created[0]?.recordId);
      const saved = (await (await fetch(`${second.url}/__control/records`)).json()) as FakeContact[];
      expect(saved.map((c) => [c.id, c.properties.firstname])).toEqual([[created[0]?.recordId, 'Anna']]);
    } finally {
      await second.close();
    }
  });
});
