// The Salesforce adapter against the fake org (test/servers/salesforce.ts): real HTTP on 127.0.0.1,
// the fake's own validation, token endpoint and limits deciding every outcome asserted here.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  SALESFORCE_DEFAULT_CONSTANTS,
  SALESFORCE_DEFAULT_FIELDS,
  type SalesforceOptions,
  salesforceDestination,
} from '../../../src/destinations/salesforce';
import type { DeliveryContext, DeliveryOutcome, DeliveryRequest } from '../../../src/destinations/types';
import type { Lead } from '../../../src/leads/lead';
import {
  type FakeSalesforce,
  type ReceivedRequest,
  type SalesforceRecord,
  startFakeSalesforce,
} from '../../servers/salesforce';

const CLIENT = { id: 'inlet-app', secret: 'inlet-secret' };
const EXTERNAL_ID = 'Inlet_Person_Id__c';
const TOKEN_PATH = '/services/oauth2/token';
const API = '/services/data/v62.0';

let sf: FakeSalesforce;
let seq = 0;

beforeAll(async () => {
  sf = await startFakeSalesforce({
    clients: [CLIENT],
    externalIdFields: [EXTERNAL_ID, 'Crm_Key__c'],
    customFields: ['Budget_Known__c'],
  });
});
afterAll(() => sf.close());
beforeEach(() => control('reset', {}));

function lead(fields: Partial<Lead> = {}): Lead {
  return {
    normalizer_version: '1',
    source: 'test',
    utm: {},
    tags: [],
    consent: {},
    custom: {},
    original: {},
    flags: [],
    ...fields,
  };
}

function request(l: Lead, recordId: string | null = null, personId = `per_${++seq}`): DeliveryRequest {
  return {
    eventId: `evt_${++seq}`,
    source: 'test',
    receivedAt: Date.now(),
    lead: l,
    person: { id: personId, recordId, action: recordId ? 'update' : 'create' },
    mergedEventIds: [],
  };
}

const context = (extra: Partial<DeliveryContext> = {}): DeliveryContext => ({
  nowMs: Date.now(),
  timeoutMs: 2000,
  ...extra,
});

const destination = (extra: Partial<SalesforceOptions> = {}) =>
  salesforceDestination('salesforce', {
    loginUrl: sf.url,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    object: 'Lead',
    apiVersion: 'v62.0',
    fields: SALESFORCE_DEFAULT_FIELDS.Lead,
    constants: SALESFORCE_DEFAULT_CONSTANTS.Lead,
    ...extra,
  });

async function deliverOne(
  l: Lead,
  recordId: string | null = null,
  extra: Partial<SalesforceOptions> = {},
  personId?: string,
): Promise<DeliveryOutcome> {
  const [outcome] = await destination(extra).deliver([request(l, recordId, personId)], context());
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

async function control(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sf.url}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return response.status === 204 ? undefined : response.json();
}

const records = async (query: string) =>
  ((await control(`records?${query}`)) as SalesforceRecord[]).filter((r) => !r.isDeleted);
const requests = async () => (await control('requests')) as ReceivedRequest[];
const tokenCalls = async () => (await requests()).filter((r) => r.path === TOKEN_PATH).length;
/** The API calls (not token calls) after the first `from` requests, as `METHOD path status`. */
const apiCallsSince = async (from: number) =>
  (await requests())
    .slice(from)
    .filter((r) => r.path !== TOKEN_PATH)
    .map((r) => `${r.method} ${r.path.replace(API, '')} ${r.status}`);

/** A connected app no other test has used, so this module's token cache has nothing for it. */
async function freshClient(): Promise<Pick<SalesforceOptions, 'clientId' | 'clientSecret'>> {
  const id = `app-${++seq}`;
  await control('clients', { id, secret: `secret-${id}` });
  return { clientId: id, clientSecret: `secret-${id}` };
}

async function rawToken(): Promise<string> {
  const response = await fetch(`${sf.url}${TOKEN_PATH}`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function raw(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sf.url}${API}${path}`, {
    method,
    headers: { authorization: `Bearer ${await rawToken()}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const ADA = {
  email: 'ada@example.com',
  first_name: 'Ada',
  last_name: 'Lovelace',
  company: 'Analytical Engines',
  phone: '+441234567890',
  job_title: 'CTO',
  country: 'GB',
  city: 'London',
};

describe('salesforce destination: finding and writing the one record', () => {
  it('creates a Lead with the mapped fields and the constants', async () => {
    const before = (await requests()).length;
    const outcome = await deliverOne(lead(ADA));
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 201, reason: 'HTTP 201' });
    expect(outcome.recordId).toMatch(/^00Q\w{15}$/);
    expect('paceSeconds' in outcome).toBe(false);
    const [record, ...others] = await records('email=ada@example.com');
    expect(others).toEqual([]);
    expect(record?.id).toBe(outcome.recordId);
    expect(record?.fields).toEqual({
      Email: 'ada@example.com',
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Company: 'Analytical Engines',
      Phone: '+441234567890',
      Title: 'CTO',
      Country: 'GB',
      City: 'London',
      LeadSource: 'Web',
    });
    // Not found by email, then not by phone: only then a create.
    expect(await apiCallsSince(before)).toEqual([
      'GET /query 200',
      'GET /query 200',
      'POST /sobjects/Lead 201',
    ]);
  });

  it('updates the stored record id with one PATCH and nothing else', async () => {
    const created = await deliverOne(lead(ADA));
    const before = (await requests()).length;
    const outcome = await deliverOne(lead({ ...ADA, job_title: 'CEO' }), created.recordId ?? null);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: created.recordId });
    expect(await apiCallsSince(before)).toEqual([`PATCH /sobjects/Lead/${created.recordId} 204`]);
    const found = await records('email=ada@example.com');
    expect(found.map((r) => [r.id, r.fields.Title])).toEqual([[created.recordId, 'CEO']]);
  });

  it('finds the person by email and updates it instead of creating a second record', async () => {
    const created = await deliverOne(lead(ADA));
    const before = (await requests()).length;
    const outcome = await deliverOne(lead({ email: 'ada@example.com', city: 'Paris' }));
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: created.recordId });
    expect(await apiCallsSince(before)).toEqual([
      'GET /query 200',
      `PATCH /sobjects/Lead/${created.recordId} 204`,
    ]);
    const found = await records('email=ada@example.com');
    expect(found.map((r) => [r.fields.City, r.fields.LastName])).toEqual([['Paris', 'Lovelace']]);
  });

  it('finds the person by phone when no record has the email', async () => {
    const created = await deliverOne(lead({ phone: '+15550001111', last_name: 'Hopper' }));
    const before = (await requests()).length;
    const outcome = await deliverOne(lead({ email: 'grace@example.com', phone: '+15550001111' }));
    expect(outcome).toMatchObject({ errorClass: 'ok', recordId: created.recordId });
    expect(await apiCallsSince(before)).toEqual([
      'GET /query 200',
      'GET /query 200',
      `PATCH /sobjects/Lead/${created.recordId} 204`,
    ]);
    const found = await records('phone=%2B15550001111');
    expect(found.map((r) => r.fields.Email)).toEqual(['grace@example.com']);
  });

  it('re-resolves a deleted record: creates it anew, never reports the lead dead', async () => {
    const first = await deliverOne(lead(ADA));
    await control('delete', { id: first.recordId });
    const before = (await requests()).length;
    const outcome = await deliverOne(lead(ADA), first.recordId ?? null);
    expect(outcome.errorClass).toBe('ok');
    expect(outcome.httpStatus).toBe(201);
    expect(outcome.recordId).not.toBe(first.recordId);
    expect(await apiCallsSince(before)).toEqual([
      `PATCH /sobjects/Lead/${first.recordId} 404`,
      'GET /query 200',
      'GET /query 200',
      'POST /sobjects/Lead 201',
    ]);
    expect((await records('email=ada@example.com')).map((r) => r.id)).toEqual([outcome.recordId]);
  });

  it('re-resolves an id that is not found to the existing record, without a second one', async () => {
    const first = await deliverOne(lead(ADA));
    const outcome = await deliverOne(lead(ADA), '00QFk9999999999AAA');
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: first.recordId });
    expect((await records('email=ada@example.com')).length).toBe(1);
  });

  it('fills a missing LastName and Company on create only, so an update keeps the real ones', async () => {
    const created = await deliverOne(lead({ email: 'only@example.com' }));
    expect(created).toMatchObject({ errorClass: 'ok', httpStatus: 201 });
    const [record] = await records('email=only@example.com');
    expect(record?.fields).toEqual({
      Email: 'only@example.com',
      LastName: '[not provided]',
      Company: '[not provided]',
      LeadSource: 'Web',
    });
    await deliverOne(
      lead({ email: 'only@example.com', last_name: 'Byron', company: 'Ada Ltd' }),
      created.recordId,
    );
    await deliverOne(lead({ email: 'only@example.com', first_name: 'Augusta' }), created.recordId ?? null);
    const [updated] = await records('email=only@example.com');
    expect([updated?.fields.FirstName, updated?.fields.LastName, updated?.fields.Company]).toEqual([
      'Augusta',
      'Byron',
      'Ada Ltd',
    ]);
  });

  it('escapes a quote in the email so SOQL finds the person', async () => {
    const email = "o'neil@x.com";
    const unescaped = await raw(
      'GET',
      `/query?${new URLSearchParams({ q: `SELECT Id FROM Lead WHERE Email = '${email}' ORDER BY CreatedDate LIMIT 1` })}`,
    );
    // The fake is as strict as SOQL: an unescaped quote is a malformed query.
    expect(unescaped.status).toBe(400);
    expect(((await unescaped.json()) as { errorCode: string }[])[0]?.errorCode).toBe('MALFORMED_QUERY');

    const created = await deliverOne(lead({ email, last_name: "O'Neil" }));
    expect(created).toMatchObject({ errorClass: 'ok', httpStatus: 201 });
    const before = (await requests()).length;
    const again = await deliverOne(lead({ email, first_name: 'Tip' }));
    expect(again).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: created.recordId });
    expect(await apiCallsSince(before)).toEqual([
      'GET /query 200',
      `PATCH /sobjects/Lead/${created.recordId} 204`,
    ]);
    expect((await records(`email=${encodeURIComponent(email)}`)).length).toBe(1);
  });

  it('updates the Contact of a converted lead and answers its id', async () => {
    const created = await deliverOne(lead(ADA));
    const { contactId } = (await control('convert', { id: created.recordId })) as { contactId: string };
    const before = (await requests()).length;
    const outcome = await deliverOne(lead({ ...ADA, job_title: 'Chief Engineer' }), created.recordId ?? null);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: contactId });
    expect(await apiCallsSince(before)).toEqual([
      `PATCH /sobjects/Lead/${created.recordId} 400`,
      'GET /query 200',
      `PATCH /sobjects/Contact/${contactId} 204`,
    ]);
    const found = await records('email=ada@example.com');
    expect(found.map((r) => [r.object, r.fields.Title])).toEqual([
      ['Lead', 'CTO'],
      ['Contact', 'Chief Engineer'],
    ]);
    // The next delivery, given the Contact id, goes straight to the Contact.
    const from = (await requests()).length;
    const next = await deliverOne(lead({ ...ADA, city: 'Cambridge' }), contactId);
    expect(next).toMatchObject({ errorClass: 'ok', recordId: contactId });
    expect(await apiCallsSince(from)).toEqual([`PATCH /sobjects/Contact/${contactId} 204`]);
    expect((await records('object=Contact&email=ada@example.com'))[0]?.fields.MailingCity).toBe('Cambridge');
  });

  it('answers client_error for a converted lead whose Contact is gone', async () => {
    const created = await deliverOne(lead(ADA));
    const { contactId } = (await control('convert', { id: created.recordId })) as { contactId: string };
    await control('delete', { id: contactId });
    const outcome = await deliverOne(lead(ADA), created.recordId ?? null);
    expect(outcome).toMatchObject({
      errorClass: 'client_error',
      httpStatus: 400,
      reason: 'HTTP 400 CANNOT_UPDATE_CONVERTED_LEAD',
    });
  });

  it('writes Contacts with the Contact mapping and its required LastName', async () => {
    const outcome = await deliverOne(lead({ email: 'c@example.com', city: 'Oslo' }), null, {
      object: 'Contact',
      fields: SALESFORCE_DEFAULT_FIELDS.Contact,
      constants: SALESFORCE_DEFAULT_CONSTANTS.Contact,
    });
    expect(outcome.errorClass).toBe('ok');
    expect(outcome.recordId).toMatch(/^003/);
    const [record] = await records('email=c@example.com');
    expect(record?.fields).toEqual({
      Email: 'c@example.com',
      MailingCity: 'Oslo',
      LastName: '[not provided]',
      LeadSource: 'Web',
    });
  });

  it('answers one outcome per request, in order, delivering two at a time', async () => {
    const emails = ['w1@example.com', 'w2@example.com', 'w3@example.com', 'w4@example.com'];
    for (const email of emails) {
      // The query of each is answered 300 ms late: four at once would take 300 ms, two at a time 600 ms.
      await control('script', { email, responses: [{ status: 200, apply: true, delayMs: 300 }] });
    }
    const group = [...emails.slice(0, 2), 'not-an-email', ...emails.slice(2)].map((email) =>
      request(lead({ email })),
    );
    const started = Date.now();
    const outcomes = await destination().deliver(group, context());
    const elapsed = Date.now() - started;
    expect(outcomes.map((o) => o.errorClass)).toEqual(['ok', 'ok', 'client_error', 'ok', 'ok']);
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(1200);
    for (const [index, email] of [...emails.slice(0, 2), '', ...emails.slice(2)].entries()) {
      if (!email) continue;
      const [record] = await records(`email=${email}`);
      expect(outcomes[index]?.recordId).toBe(record?.id);
    }
  });

  it('relies on the returned record id while SOQL would not see the new record yet', async () => {
    await control('search-lag', { ms: 5000 });
    const created = await deliverOne(lead(ADA));
    const query = await raw(
      'GET',
      `/query?${new URLSearchParams({ q: "SELECT Id FROM Lead WHERE Email = 'ada@example.com' ORDER BY CreatedDate LIMIT 1" })}`,
    );
    expect(((await query.json()) as { totalSize: number }).totalSize).toBe(0);
    const before = (await requests()).length;
    const again = await deliverOne(lead({ ...ADA, city: 'Bath' }), created.recordId ?? null);
    expect(again).toMatchObject({ errorClass: 'ok', recordId: created.recordId });
    expect(await apiCallsSince(before)).toEqual([`PATCH /sobjects/Lead/${created.recordId} 204`]);
    expect((await records('email=ada@example.com')).map((r) => r.fields.City)).toEqual(['Bath']);
  });
});

describe('salesforce destination: upsert on an external id', () => {
  it('upserts twice into one record, filling required fields only when it creates', async () => {
    const options = { externalIdField: EXTERNAL_ID };
    const before = (await requests()).length;
    const first = await deliverOne(lead({ email: 'x@example.com' }), null, options, 'per_ext1');
    expect(first).toMatchObject({ errorClass: 'ok', httpStatus: 201 });
    expect(await apiCallsSince(before)).toEqual([
      `PATCH /sobjects/Lead/${EXTERNAL_ID}/per_ext1 400`,
      `PATCH /sobjects/Lead/${EXTERNAL_ID}/per_ext1 201`,
    ]);
    const second = await deliverOne(
      lead({ email: 'x@example.com', last_name: 'Knuth' }),
      null,
      options,
      'per_ext1',
    );
    expect(second).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: first.recordId });
    const third = await deliverOne(
      lead({ email: 'x@example.com', city: 'Stanford' }),
      null,
      options,
      'per_ext1',
    );
    expect(third).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: first.recordId });
    const found = await records('email=x@example.com');
    expect(
      found.map((r) => [r.id, r.fields[EXTERNAL_ID], r.fields.LastName, r.fields.Company, r.fields.City]),
    ).toEqual([[first.recordId, 'per_ext1', 'Knuth', '[not provided]', 'Stanford']]);
  });

  it('takes the value from the field mapped to the external id, sent in the URL only', async () => {
    const options = {
      externalIdField: 'Crm_Key__c',
      fields: { ...SALESFORCE_DEFAULT_FIELDS.Lead, Crm_Key__c: 'custom.crm_key' as const },
    };
    const l = lead({ ...ADA, custom: { crm_key: 'K/1 2' } });
    const outcome = await deliverOne(l, null, options);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 201 });
    expect((await requests()).at(-1)?.path).toBe(`${API}/sobjects/Lead/Crm_Key__c/K%2F1%202`);
    const again = await deliverOne(l, null, options);
    expect(again).toMatchObject({ errorClass: 'ok', httpStatus: 200, recordId: outcome.recordId });
    expect((await records('email=ada@example.com')).map((r) => r.fields.Crm_Key__c)).toEqual(['K/1 2']);
  });

  it('answers client_error MULTIPLE_CHOICES when several records hold the external id', async () => {
    for (const name of ['One', 'Two']) {
      const created = await raw('POST', '/sobjects/Lead', {
        LastName: name,
        Company: 'Dup',
        [EXTERNAL_ID]: 'per_dup',
      });
      expect(created.status).toBe(201);
    }
    const outcome = await deliverOne(lead(ADA), null, { externalIdField: EXTERNAL_ID }, 'per_dup');
    expect(outcome).toMatchObject({
      errorClass: 'client_error',
      httpStatus: 300,
      reason: `HTTP 300 MULTIPLE_CHOICES (${EXTERNAL_ID})`,
    });
  });

  it('keeps the stored id when an old API version answers 204 to an update', async () => {
    const options = { externalIdField: EXTERNAL_ID, apiVersion: 'v45.0' };
    const first = await deliverOne(lead(ADA), null, options, 'per_old');
    expect(first).toMatchObject({ errorClass: 'ok', httpStatus: 201 });
    expect(first.recordId).toMatch(/^00Q/);
    const second = await deliverOne(lead(ADA), first.recordId ?? null, options, 'per_old');
    expect(second).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: first.recordId });
  });

  it('answers config_error naming an external id field the object lacks', async () => {
    const outcome = await deliverOne(lead(ADA), null, { externalIdField: 'Missing__c' });
    expect(outcome).toMatchObject({
      errorClass: 'config_error',
      httpStatus: 404,
      reason: 'HTTP 404 NOT_FOUND (Missing__c)',
    });
  });

  it('answers client_error when the mapped external id has no value in this lead', async () => {
    const outcome = await deliverOne(lead(ADA), null, {
      externalIdField: 'Crm_Key__c',
      fields: { ...SALESFORCE_DEFAULT_FIELDS.Lead, Crm_Key__c: 'custom.crm_key' },
    });
    expect(outcome).toMatchObject({
      errorClass: 'client_error',
      httpStatus: null,
      reason: 'no value for external id field (Crm_Key__c)',
    });
  });
});

describe('salesforce destination: the token', () => {
  it('fetches the token once for several deliveries and a concurrent group', async () => {
    const app = await freshClient();
    const before = await tokenCalls();
    const dest = destination(app);
    await dest.deliver([request(lead({ email: 't1@example.com' }))], context());
    await dest.deliver([request(lead({ email: 't2@example.com' }))], context());
    const group = await destination(app).deliver(
      ['t3@example.com', 't4@example.com', 't5@example.com'].map((email) => request(lead({ email }))),
      context(),
    );
    expect(group.map((o) => o.errorClass)).toEqual(['ok', 'ok', 'ok']);
    expect((await tokenCalls()) - before).toBe(1);
  });

  it('shares one token request between concurrent deliveries of a fresh app', async () => {
    const app = await freshClient();
    const before = await tokenCalls();
    const outcomes = await destination(app).deliver(
      ['c1@example.com', 'c2@example.com'].map((email) => request(lead({ email }))),
      context(),
    );
    expect(outcomes.map((o) => o.errorClass)).toEqual(['ok', 'ok']);
    expect((await tokenCalls()) - before).toBe(1);
  });

  it('refreshes the token once on INVALID_SESSION_ID and repeats the call', async () => {
    const app = await freshClient();
    const created = await deliverOne(lead(ADA), null, app);
    await control('expire-tokens', {});
    const before = (await requests()).length;
    const outcome = await deliverOne(lead({ ...ADA, city: 'York' }), created.recordId ?? null, app);
    expect(outcome).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: created.recordId });
    const since = (await requests())
      .slice(before)
      .map((r) => `${r.method} ${r.path.replace(API, '')} ${r.status}`);
    expect(since).toEqual([
      `PATCH /sobjects/Lead/${created.recordId} 401`,
      `POST ${TOKEN_PATH} 200`,
      `PATCH /sobjects/Lead/${created.recordId} 204`,
    ]);
  });

  it('answers config_error after one refresh when the session stays invalid', async () => {
    const app = await freshClient();
    const invalid = [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }];
    await control('script', {
      email: 'ada@example.com',
      responses: [
        { status: 401, body: invalid },
        { status: 401, body: invalid },
      ],
    });
    const before = await tokenCalls();
    const outcome = await deliverOne(lead(ADA), null, app);
    expect(outcome).toMatchObject({
      errorClass: 'config_error',
      httpStatus: 401,
      reason: 'HTTP 401 INVALID_SESSION_ID',
    });
    expect((await tokenCalls()) - before).toBe(2);
  });

  it.each([
    ['a disabled app', 'disable', 'HTTP 400 token: invalid_client'],
    ['a wrong secret', 'secret', 'HTTP 400 token: invalid_client'],
    ['an unknown client id', 'unknown', 'HTTP 400 token: invalid_client_id'],
  ])('answers config_error for %s', async (_name, how, reason) => {
    const app = await freshClient();
    if (how === 'disable') await control('clients', { id: app.clientId, valid: false });
    const options =
      how === 'secret'
        ? { ...app, clientSecret: 'wrong' }
        : how === 'unknown'
          ? { clientId: 'no-such-app', clientSecret: 'x' }
          : app;
    const before = (await requests()).length;
    const outcome = await deliverOne(lead(ADA), null, options);
    expect(outcome).toMatchObject({ errorClass: 'config_error', httpStatus: 400, reason });
    expect(await apiCallsSince(before)).toEqual([]);
  });

  it('answers network when the login URL does not answer', async () => {
    const outcome = await deliverOne(lead(ADA), null, { loginUrl: 'http://127.0.0.1:1' });
    expect(outcome).toMatchObject({
      errorClass: 'network',
      httpStatus: null,
      reason: 'token: connection failed',
    });
  });

  it('answers config_error without a call for a malformed API version', async () => {
    const before = (await requests()).length;
    const outcome = await deliverOne(lead(ADA), null, { apiVersion: '62' });
    expect(outcome).toMatchObject({ errorClass: 'config_error', httpStatus: null });
    expect((await requests()).length).toBe(before);
  });

  describe('shared through KV', () => {
    class MemoryKv {
      readonly values = new Map<string, string>();
      readonly puts: { key: string; ttl: number | undefined }[] = [];
      readonly deletes: string[] = [];
      async get(key: string, type?: string): Promise<unknown> {
        const value = this.values.get(key);
        if (value === undefined) return null;
        return type === 'json' ? JSON.parse(value) : value;
      }
      async put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> {
        this.values.set(key, value);
        this.puts.push({ key, ttl: options?.expirationTtl });
      }
      async delete(key: string): Promise<void> {
        this.values.delete(key);
        this.deletes.push(key);
      }
    }
    const kvKey = (clientId: string) =>
      `sf-token:${createHash('sha256')
        .update(sf.url + clientId)
        .digest('hex')}`;
    const withKv = (kv: MemoryKv) => context({ kv: kv as unknown as NonNullable<DeliveryContext['kv']> });

    it('stores the token under its hash with a TTL 60 s short of 30 minutes', async () => {
      const app = await freshClient();
      const kv = new MemoryKv();
      const [outcome] = await destination(app).deliver([request(lead(ADA))], withKv(kv));
      expect(outcome?.errorClass).toBe('ok');
      expect(kv.puts.map((p) => p.key)).toEqual([kvKey(app.clientId)]);
      expect(kv.puts[0]?.ttl).toBeGreaterThanOrEqual(1735);
      expect(kv.puts[0]?.ttl).toBeLessThanOrEqual(1740);
      expect(JSON.parse(kv.values.get(kvKey(app.clientId)) ?? '{}')).toMatchObject({ instanceUrl: sf.url });
    });

    it('uses a token another isolate stored, and refetches one that is about to expire', async () => {
      const token = await rawToken();
      const fresh = await freshClient();
      const kv = new MemoryKv();
      kv.values.set(
        kvKey(fresh.clientId),
        JSON.stringify({ accessToken: token, instanceUrl: sf.url, expiresAtMs: Date.now() + 20 * 60_000 }),
      );
      let before = await tokenCalls();
      const [used] = await destination(fresh).deliver([request(lead(ADA))], withKv(kv));
      expect(used?.errorClass).toBe('ok');
      expect((await tokenCalls()) - before).toBe(0);

      const expiring = await freshClient();
      kv.values.set(
        kvKey(expiring.clientId),
        JSON.stringify({ accessToken: token, instanceUrl: sf.url, expiresAtMs: Date.now() + 30_000 }),
      );
      before = await tokenCalls();
      const [refetched] = await destination(expiring).deliver([request(lead(ADA))], withKv(kv));
      expect(refetched?.errorClass).toBe('ok');
      expect((await tokenCalls()) - before).toBe(1);
      expect(kv.puts.map((p) => p.key)).toEqual([kvKey(expiring.clientId)]);
    });

    it('drops the KV entry of a token Salesforce refused', async () => {
      const app = await freshClient();
      const kv = new MemoryKv();
      await destination(app).deliver([request(lead(ADA))], withKv(kv));
      await control('expire-tokens', {});
      const [outcome] = await destination(app).deliver([request(lead(ADA))], withKv(kv));
      expect(outcome?.errorClass).toBe('ok');
      expect(kv.deletes).toEqual([kvKey(app.clientId)]);
      expect(kv.puts.length).toBe(2);
    });
  });
});

describe('salesforce destination: classification', () => {
  const PII = ['ada@example.com', 'Ada', 'Lovelace', '+441234567890', 'bad@nowhere', 'X'.repeat(41)];
  const expectNoPii = (reason: string) => {
    for (const value of PII) expect(reason).not.toContain(value);
  };

  it('answers client_error INVALID_EMAIL_ADDRESS from Salesforce validation, without the address', async () => {
    const outcome = await deliverOne(lead({ ...ADA, email: 'bad@nowhere' }));
    expect(outcome).toMatchObject({
      errorClass: 'client_error',
      httpStatus: 400,
      reason: 'HTTP 400 INVALID_EMAIL_ADDRESS (Email)',
    });
    expectNoPii(outcome.reason);
    expect(await records('email=bad@nowhere')).toEqual([]);
  });

  it('answers client_error STRING_TOO_LONG, without the value Salesforce quotes', async () => {
    const outcome = await deliverOne(lead({ ...ADA, first_name: 'X'.repeat(41) }));
    expect(outcome).toMatchObject({
      errorClass: 'client_error',
      httpStatus: 400,
      reason: 'HTTP 400 STRING_TOO_LONG (FirstName)',
    });
    expectNoPii(outcome.reason);
  });

  it.each([
    ['DUPLICATES_DETECTED', [], 'HTTP 400 DUPLICATES_DETECTED'],
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', [], 'HTTP 400 FIELD_CUSTOM_VALIDATION_EXCEPTION'],
    ['REQUIRED_FIELD_MISSING', ['Industry'], 'HTTP 400 REQUIRED_FIELD_MISSING (Industry)'],
  ])('answers client_error %s on the create', async (errorCode, fields, reason) => {
    await control('script', {
      email: 'ada@example.com',
      responses: [
        { status: 200, apply: true },
        { status: 400, body: [{ errorCode, message: 'Ada Lovelace ada@example.com refused', fields }] },
      ],
    });
    const outcome = await deliverOne(lead(ADA));
    expect(outcome).toMatchObject({ errorClass: 'client_error', httpStatus: 400, reason });
    expectNoPii(outcome.reason);
  });

  it('answers config_error naming a field the object lacks', async () => {
    const outcome = await deliverOne(lead({ ...ADA, custom: { budget: 5000 } }), null, {
      fields: { ...SALESFORCE_DEFAULT_FIELDS.Lead, Budget__c: 'custom.budget' },
    });
    expect(outcome).toMatchObject({
      errorClass: 'config_error',
      httpStatus: 400,
      reason: 'HTTP 400 INVALID_FIELD (Budget__c)',
    });
  });

  it.each([
    [403, 'INSUFFICIENT_ACCESS_OR_READONLY', 'config_error'],
    [403, 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', 'config_error'],
    [403, 'REQUEST_LIMIT_EXCEEDED', 'rate_limited'],
    [500, 'UNKNOWN_EXCEPTION', 'server_error'],
  ] as const)('answers HTTP %i %s as %s', async (status, errorCode, errorClass) => {
    await control('script', {
      email: 'ada@example.com',
      responses: [{ status, body: [{ errorCode, message: 'm' }] }],
    });
    const outcome = await deliverOne(lead(ADA));
    expect(outcome).toMatchObject({ errorClass, httpStatus: status, reason: `HTTP ${status} ${errorCode}` });
    expect(outcome.retryAfterSeconds).toBe(errorCode === 'REQUEST_LIMIT_EXCEEDED' ? 3600 : undefined);
  });

  it('answers rate_limited with Retry-After for a 429, and server_error for a 503', async () => {
    await control('script', {
      email: 'ada@example.com',
      responses: [
        { status: 429, headers: { 'retry-after': '7' } },
        { status: 503, headers: { 'retry-after': '30' } },
      ],
    });
    const limited = await deliverOne(lead(ADA));
    expect(limited).toMatchObject({
      errorClass: 'rate_limited',
      httpStatus: 429,
      retryAfterSeconds: 7,
      reason: 'HTTP 429 REQUEST_LIMIT_EXCEEDED',
    });
    const unavailable = await deliverOne(lead(ADA));
    expect(unavailable).toMatchObject({
      errorClass: 'server_error',
      httpStatus: 503,
      retryAfterSeconds: 30,
      reason: 'HTTP 503 SERVER_UNAVAILABLE',
    });
  });

  it('answers timeout for a create answered late, and the retry updates what landed', async () => {
    await control('script', {
      email: 'ada@example.com',
      responses: [
        { status: 200, apply: true },
        { status: 201, apply: true, delayMs: 800 },
      ],
    });
    const [late] = await destination().deliver([request(lead(ADA))], context({ timeoutMs: 300 }));
    expect(late).toMatchObject({
      errorClass: 'timeout',
      httpStatus: null,
      reason: 'no response within 300 ms',
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const landed = await records('email=ada@example.com');
    expect(landed.length).toBe(1);
    const retry = await deliverOne(lead(ADA));
    expect(retry).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: landed[0]?.id });
    expect((await records('email=ada@example.com')).length).toBe(1);
  });
});

describe('salesforce destination: API usage', () => {
  it('paces from 95 % of the allocation and answers rate_limited past it', async () => {
    const created = await deliverOne(lead(ADA));
    await control('rate-limit', { limit: 20, windowSeconds: 3600 });
    const paces: (number | undefined)[] = [];
    for (let i = 0; i < 20; i++)
      paces.push((await deliverOne(lead(ADA), created.recordId ?? null)).paceSeconds);
    expect(paces.slice(0, 18)).toEqual(Array(18).fill(undefined));
    expect(paces.slice(18)).toEqual([300, 300]);
    const past = await deliverOne(lead(ADA), created.recordId ?? null);
    expect(past).toMatchObject({
      errorClass: 'rate_limited',
      httpStatus: 403,
      reason: 'HTTP 403 REQUEST_LIMIT_EXCEEDED',
      retryAfterSeconds: 3600,
      paceSeconds: 300,
    });
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED past the daily limit', async () => {
    const small = await startFakeSalesforce({ clients: [CLIENT], dailyLimit: 1 });
    try {
      const [outcome] = await salesforceDestination('small', {
        loginUrl: small.url,
        clientId: CLIENT.id,
        clientSecret: CLIENT.secret,
        object: 'Lead',
        apiVersion: 'v62.0',
        fields: SALESFORCE_DEFAULT_FIELDS.Lead,
        constants: {},
      }).deliver([request(lead(ADA))], context());
      // The query spends the allocation (1/1), the create is refused.
      expect(outcome).toMatchObject({
        errorClass: 'rate_limited',
        httpStatus: 403,
        retryAfterSeconds: 3600,
        paceSeconds: 300,
      });
    } finally {
      await small.close();
    }
  });
});

describe('fake salesforce', () => {
  it('keeps records across a restart with persistPath', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-sf-'));
    const persistPath = join(dir, 'records.json');
    const options = { loginUrl: '', clientId: CLIENT.id, clientSecret: CLIENT.secret };
    try {
      const first = await startFakeSalesforce({ clients: [CLIENT], persistPath });
      const [created] = await destination({ ...options, loginUrl: first.url }).deliver(
        [request(lead(ADA))],
        context(),
      );
      await first.close();
      const second = await startFakeSalesforce({ clients: [CLIENT], persistPath });
      try {
        const [again] = await destination({ ...options, loginUrl: second.url }).deliver(
          [request(lead({ ...ADA, city: 'Bristol' }))],
          context(),
        );
        expect(again).toMatchObject({ errorClass: 'ok', httpStatus: 204, recordId: created?.recordId });
        const [other] = await destination({ ...options, loginUrl: second.url }).deliver(
          [request(lead({ email: 'new@example.com' }))],
          context(),
        );
        expect(other?.recordId).not.toBe(created?.recordId);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints one masked line per write', async () => {
    const printing = await startFakeSalesforce({ clients: [CLIENT], print: true });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const [outcome] = await salesforceDestination('p', {
        loginUrl: printing.url,
        clientId: CLIENT.id,
        clientSecret: CLIENT.secret,
        object: 'Lead',
        apiVersion: 'v62.0',
        fields: SALESFORCE_DEFAULT_FIELDS.Lead,
        constants: {},
      }).deliver([request(lead(ADA))], context());
      expect(log.mock.calls).toEqual([
        [`[fake-salesforce] created Lead ${outcome?.recordId} (a***@example.com)`],
      ]);
    } finally {
      log.mockRestore();
      await printing.close();
    }
  });
});
