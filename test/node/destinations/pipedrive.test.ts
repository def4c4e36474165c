import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PipedriveOptions, pipedriveDestination } from '../../../src/destinations/pipedrive';
import type { DeliveryContext, DeliveryRequest } from '../../../src/destinations/types';
import type { Lead } from '../../../src/leads/lead';
import { type FakePipedrive, startFakePipedrive } from '../../servers/pipedrive';

const TOKEN = 'pd-test-token';
const KEY_SOURCE = '312f85de0ced3e87d5102af8799f88638fb0924a';
const KEY_BUDGET = '3b71d5b6cea10e23f3f433d248add2020d4aff2e';
const KEY_UNKNOWN = 'ebe2933b7b968117db0d0ca12a6b89eea6968e73';
const LABEL_WEBINAR = 7;
const LABEL_GOOGLE = 8;

let fake: FakePipedrive;

beforeAll(async () => {
  fake = await startFakePipedrive({
    tokens: [TOKEN],
    customFields: [KEY_SOURCE, KEY_BUDGET],
    labels: [LABEL_WEBINAR, LABEL_GOOGLE],
    owners: [1, 12],
  });
});
afterAll(() => fake.close());
beforeEach(() => control('reset'));

async function control(name: string, body: unknown = {}): Promise<void> {
  const response = await fetch(`${fake.url}/__control/${name}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

interface StoredPerson {
  id: number;
  name: string;
  org_id: number | null;
  emails: { value: string; primary: boolean; label: string }[];
  phones: { value: string; primary: boolean; label: string }[];
  label_ids: number[];
  owner_id: number;
  visible_to: number;
  custom_fields: Record<string, unknown>;
}

async function records(query = ''): Promise<StoredPerson[]> {
  return (await (await fetch(`${fake.url}/__control/records${query}`)).json()) as StoredPerson[];
}

async function organizations(): Promise<{ id: number; name: string }[]> {
  return (await (await fetch(`${fake.url}/__control/organizations`)).json()) as {
    id: number;
    name: string;
  }[];
}

/** The API calls the fake received, as `METHOD path status`. */
async function calls(): Promise<string[]> {
  const list = (await (await fetch(`${fake.url}/__control/requests`)).json()) as {
    method: string;
    path: string;
    status: number;
  }[];
  return list.map((r) => `${r.method} ${r.path} ${r.status}`);
}

/** A call to the real API surface of the fake, as a user or another integration would make it. */
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${fake.url}/api/v2${path}`, {
    method,
    headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

const lead = (over: Partial<Lead> = {}): Lead => ({
  normalizer_version: '3',
  source: 'typeform',
  email: 'jane.doe@example.com',
  first_name: 'Jane',
  last_name: 'Doe',
  utm: {},
  tags: [],
  consent: {},
  custom: {},
  original: {},
  flags: [],
  ...over,
});

let sequence = 0;
const request = (l: Lead, recordId: string | null = null): DeliveryRequest => ({
  eventId: `evt_${++sequence}`,
  source: l.source,
  receivedAt: Date.now(),
  lead: l,
  person: { id: `per_${sequence}`, recordId, action: recordId ? 'update' : 'create' },
  mergedEventIds: [],
});

const context = (over: Partial<DeliveryContext> = {}): DeliveryContext => ({
  nowMs: Date.now(),
  timeoutMs: 2000,
  ...over,
});

const adapter = (over: Partial<PipedriveOptions> = {}) =>
  pipedriveDestination('pipedrive', {
    baseUrl: fake.url,
    token: TOKEN,
    fields: { [KEY_SOURCE]: 'utm.source', [KEY_BUDGET]: 'custom.budget' },
    constants: { owner_id: 12, visible_to: 3 },
    labels: { 'campaign:webinar-2026': LABEL_WEBINAR, 'utm_source:google': LABEL_GOOGLE },
    ...over,
  });

async function deliverOne(l: Lead, recordId: string | null = null, ctx = context(), over = {}) {
  const [result] = await adapter(over).deliver([request(l, recordId)], ctx);
  if (!result) throw new Error('no outcome');
  return result;
}

describe('pipedrive adapter: one person per lead', () => {
  it('creates a person with v2 emails/phones, custom fields, labels and constants', async () => {
    const result = await deliverOne(
      lead({
        phone: '+4915112345678',
        utm: { source: 'google' },
        custom: { budget: 5000 },
        tags: ['campaign:webinar-2026', 'form:contact', 'utm_source:google'],
      }),
    );
    expect(result).toMatchObject({
      errorClass: 'ok',
      httpStatus: 200,
      reason: 'HTTP 200 created',
      recordId: '1',
    });
    expect(result.paceSeconds).toBeUndefined();
    const [person, ...others] = await records('?email=jane.doe@example.com');
    expect(others).toEqual([]);
    expect(person).toMatchObject({
      id: 1,
      name: 'Jane Doe',
      org_id: null,
      emails: [{ value: 'jane.doe@example.com', primary: true, label: 'work' }],
      phones: [{ value: '+4915112345678', primary: true, label: 'work' }],
      label_ids: [LABEL_WEBINAR, LABEL_GOOGLE],
      owner_id: 12,
      visible_to: 3,
      custom_fields: { [KEY_SOURCE]: 'google', [KEY_BUDGET]: 5000 },
    });
    // Email, then phone: neither finds anyone.
    expect(await calls()).toEqual([
      'GET /api/v2/persons/search 200',
      'GET /api/v2/persons/search 200',
      'POST /api/v2/persons 200',
    ]);
  });

  it('names a person without a name by the email local part, and an update does not overwrite it', async () => {
    const nameless = lead({ first_name: undefined, last_name: undefined });
    const created = await deliverOne(nameless);
    expect((await records())[0]?.name).toBe('jane.doe');
    await api('PATCH', '/persons/1', { name: 'Jane Typed-By-Sales' });
    const updated = await deliverOne(nameless, created.recordId ?? null);
    expect(updated).toMatchObject({ errorClass: 'ok', recordId: '1' });
    expect((await records())[0]?.name).toBe('Jane Typed-By-Sales');
  });

  it('updates a known person with exactly one API call', async () => {
    const created = await deliverOne(lead());
    expect(created.recordId).toBe('1');
    const before = (await calls()).length;
    const updated = await deliverOne(lead({ first_name: 'Janet' }), '1');
    expect(updated).toMatchObject({
      errorClass: 'ok',
      httpStatus: 200,
      reason: 'HTTP 200 updated',
      recordId: '1',
    });
    expect((await calls()).slice(before)).toEqual(['PATCH /api/v2/persons/1 200']);
    const all = await records();
    expect(all.map((p) => [p.id, p.name])).toEqual([[1, 'Janet Doe']]);
  });

  it('finds a person by email search and updates it instead of creating a second one', async () => {
    await api('POST', '/persons', {
      name: 'J. Doe',
      emails: [{ value: 'Jane.Doe@Example.com', primary: true }],
    });
    const result = await deliverOne(lead());
    expect(result).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 updated', recordId: '1' });
    expect(await calls()).toEqual([
      'POST /api/v2/persons 200',
      'GET /api/v2/persons/search 200',
      'PATCH /api/v2/persons/1 200',
    ]);
    const all = await records();
    expect(all.map((p) => [p.id, p.name])).toEqual([[1, 'Jane Doe']]);
  });

  it('falls back to phone search when the email finds nobody', async () => {
    await api('POST', '/persons', { name: 'Caller', phones: [{ value: '+4915112345678', primary: true }] });
    const result = await deliverOne(lead({ phone: '+4915112345678' }));
    expect(result).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 updated', recordId: '1' });
    expect((await calls()).slice(1)).toEqual([
      'GET /api/v2/persons/search 200',
      'GET /api/v2/persons/search 200',
      'PATCH /api/v2/persons/1 200',
    ]);
    const [person, ...others] = await records('?phone=%2B4915112345678');
    expect(others).toEqual([]);
    expect(person?.emails).toEqual([{ value: 'jane.doe@example.com', primary: true, label: 'work' }]);
  });

  it('re-resolves a person merged away (404) to the survivor by email search: one record, not dead', async () => {
    const a = await deliverOne(lead());
    const b = await deliverOne(lead({ email: 'jane@work.example', first_name: 'J.' }));
    expect([a.recordId, b.recordId]).toEqual(['1', '2']);
    await control('merge', { from: 1, into: 2 });
    const before = (await calls()).length;
    const result = await deliverOne(lead(), '1');
    expect(result).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 updated', recordId: '2' });
    expect((await calls()).slice(before)).toEqual([
      'PATCH /api/v2/persons/1 404',
      'GET /api/v2/persons/search 200',
      'PATCH /api/v2/persons/2 200',
    ]);
    expect((await records('?email=jane.doe@example.com')).map((p) => p.id)).toEqual([2]);
    expect((await records()).length).toBe(1);
  });

  it('re-creates a deleted person once, then updates the new id', async () => {
    await deliverOne(lead());
    await control('delete', { id: 1 });
    const before = (await calls()).length;
    const recreated = await deliverOne(lead(), '1');
    expect(recreated).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 created', recordId: '2' });
    expect((await calls()).slice(before)).toEqual([
      'PATCH /api/v2/persons/1 404',
      'GET /api/v2/persons/search 200',
      'POST /api/v2/persons 200',
    ]);
    const again = await deliverOne(lead(), '2');
    expect(again).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 updated', recordId: '2' });
    expect((await records()).map((p) => p.id)).toEqual([2]);
  });

  it('does not patch a deleted person that the lagging search index still lists', async () => {
    await deliverOne(lead());
    await control('search-lag', { ms: 60_000 });
    await control('delete', { id: 1 });
    const listed = await api(
      'GET',
      '/persons/search?term=jane.doe%40example.com&fields=email&exact_match=true',
    );
    expect(listed.json).toMatchObject({ data: { items: [{ item: { id: 1 } }] } });
    const before = (await calls()).length;
    const result = await deliverOne(lead(), '1');
    expect(result).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 created', recordId: '2' });
    expect((await calls()).slice(before)).toEqual([
      'PATCH /api/v2/persons/1 404',
      'GET /api/v2/persons/search 200',
      'POST /api/v2/persons 200',
    ]);
    expect((await records()).length).toBe(1);
  });

  it('search lag: a second delivery right after a create, given the record id, updates it', async () => {
    await control('search-lag', { ms: 1000 });
    const created = await deliverOne(lead());
    expect(created.recordId).toBe('1');
    // The lag is real: a search right now does not see the new person.
    const search = await api(
      'GET',
      '/persons/search?term=jane.doe%40example.com&fields=email&exact_match=true',
    );
    expect(search.json).toMatchObject({ data: { items: [] } });
    const again = await deliverOne(lead({ first_name: 'Janet' }), created.recordId ?? null);
    expect(again).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 updated', recordId: '1' });
    expect((await records()).map((p) => [p.id, p.name])).toEqual([[1, 'Janet Doe']]);
  });

  it('creates one organisation for two people of one company and links both', async () => {
    const destination = adapter();
    const results = await destination.deliver(
      [
        request(lead({ company: 'Acme GmbH' })),
        request(lead({ email: 'max@acme.example', first_name: 'Max', company: 'acme gmbh' })),
      ],
      context(),
    );
    expect(results.map((r) => [r.errorClass, r.recordId])).toEqual([
      ['ok', '1'],
      ['ok', '2'],
    ]);
    expect(await organizations()).toMatchObject([{ id: 1, name: 'Acme GmbH' }]);
    expect((await records()).map((p) => [p.id, p.org_id])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(await calls()).toEqual([
      'GET /api/v2/organizations/search 200',
      'POST /api/v2/organizations 200',
      'GET /api/v2/persons/search 200',
      'POST /api/v2/persons 200',
      'GET /api/v2/persons/search 200',
      'POST /api/v2/persons 200',
    ]);
  });

  it('links an existing organisation found by exact name search', async () => {
    await api('POST', '/organizations', { name: 'Acme GmbH' });
    const result = await deliverOne(lead({ company: 'ACME GMBH' }));
    expect(result.errorClass).toBe('ok');
    expect((await organizations()).length).toBe(1);
    expect((await records())[0]?.org_id).toBe(1);
  });

  it('answers one outcome per request, in order, for a mixed batch', async () => {
    const results = await adapter().deliver(
      [
        request(lead({ email: 'one@example.com' })),
        request(lead({ email: 'two@localhost' })),
        request(lead({ email: 'three@example.com' })),
      ],
      context(),
    );
    expect(results.map((r) => [r.errorClass, r.recordId])).toEqual([
      ['ok', '1'],
      ['client_error', undefined],
      ['ok', '2'],
    ]);
  });
});

describe('pipedrive adapter: classification', () => {
  it('401 for an unknown token is a config_error, and the rest of the batch is not sent', async () => {
    const results = await adapter({ token: 'wrong' }).deliver([request(lead()), request(lead())], context());
    expect(results.map((r) => [r.errorClass, r.httpStatus, r.reason])).toEqual([
      ['config_error', 401, 'HTTP 401 unauthorized'],
      ['config_error', 401, 'not sent after HTTP 401 unauthorized'],
    ]);
    expect(await calls()).toEqual(['GET /api/v2/persons/search 401']);
  });

  it('a revoked token is a config_error until it is restored', async () => {
    await control('tokens', { token: TOKEN, valid: false });
    expect(await deliverOne(lead())).toMatchObject({ errorClass: 'config_error', httpStatus: 401 });
    await control('tokens', { token: TOKEN, valid: true });
    expect(await deliverOne(lead())).toMatchObject({ errorClass: 'ok', recordId: '1' });
  });

  it('403 is a config_error', async () => {
    await control('script', {
      email: 'jane.doe@example.com',
      responses: [{ status: 403, body: { success: false, error: 'Scope and URL mismatch', errorCode: 403 } }],
    });
    expect(await deliverOne(lead())).toMatchObject({
      errorClass: 'config_error',
      httpStatus: 403,
      reason: 'HTTP 403 forbidden',
    });
  });

  it('an invalid email value is a client_error with the error code and no PII', async () => {
    const result = await deliverOne(lead({ email: 'jane.doe@localhost', phone: '+4915112345678' }));
    expect(result).toMatchObject({
      errorClass: 'client_error',
      httpStatus: 400,
      reason: 'HTTP 400 ERR_SCHEMA_VALIDATION_FAILED (emails.0.value)',
    });
    for (const pii of ['jane', 'localhost', 'Doe', '4915112345678']) expect(result.reason).not.toContain(pii);
    expect(await records()).toEqual([]);
  });

  it('an unknown custom-field key is a config_error naming the key', async () => {
    const result = await deliverOne(lead({ utm: { source: 'google' } }), null, context(), {
      fields: { [KEY_UNKNOWN]: 'utm.source' },
    });
    expect(result).toMatchObject({
      errorClass: 'config_error',
      httpStatus: 400,
      reason: `HTTP 400 ERR_SCHEMA_VALIDATION_FAILED unknown field custom_fields.${KEY_UNKNOWN}`,
    });
  });

  it('an unknown top-level constant is a config_error naming it', async () => {
    const result = await deliverOne(lead(), null, context(), { constants: { job_titel: 'CTO' } });
    expect(result).toMatchObject({
      errorClass: 'config_error',
      reason: 'HTTP 400 ERR_SCHEMA_VALIDATION_FAILED unknown field job_titel',
    });
  });

  it.each([
    [{ labels: { 'form:contact': 99 } }, 'unknown label_ids'],
    [{ constants: { owner_id: 999 } }, 'unknown owner_id'],
    [{ constants: { visible_to: 4 } }, 'invalid visible_to'],
  ])('a bad configured reference (%o) is a config_error: %s', async (over, problem) => {
    const result = await deliverOne(lead({ tags: ['form:contact'] }), null, context(), over);
    expect(result).toMatchObject({
      errorClass: 'config_error',
      httpStatus: 400,
      reason: `HTTP 400 ERR_SCHEMA_VALIDATION_FAILED ${problem}`,
    });
  });

  it('an organisation lookup answering 404 is a config_error', async () => {
    const result = await deliverOne(lead({ company: 'Acme GmbH' }), null, context(), {
      baseUrl: `${fake.url}/wrong-prefix`,
    });
    expect(result).toMatchObject({
      errorClass: 'config_error',
      httpStatus: 404,
      reason: 'HTTP 404 organization not found',
    });
  });

  it('429 past the window is rate_limited with retryAfterSeconds from x-ratelimit-reset', async () => {
    await control('rate-limit', { limit: 2, windowSeconds: 2 });
    const results = await adapter().deliver(
      [
        request(lead()),
        request(lead({ email: 'two@example.com' })),
        request(lead({ email: 'three@example.com' })),
      ],
      context(),
    );
    expect(results[0]).toMatchObject({ errorClass: 'ok', recordId: '1', paceSeconds: 2 });
    expect(results[1]).toMatchObject({
      errorClass: 'rate_limited',
      httpStatus: 429,
      reason: 'HTTP 429 search rate limit',
      retryAfterSeconds: 2,
    });
    expect(results[2]).toMatchObject({
      errorClass: 'rate_limited',
      reason: 'not sent after HTTP 429 search rate limit',
      retryAfterSeconds: 2,
    });
    expect(await calls()).toEqual([
      'GET /api/v2/persons/search 200',
      'POST /api/v2/persons 200',
      'GET /api/v2/persons/search 429',
    ]);
  });

  it('the search limit (separate from the window) answers 429: rate_limited', async () => {
    await control('rate-limit', { limit: 100, windowSeconds: 2, searchLimit: 1 });
    const first = await deliverOne(lead());
    const second = await deliverOne(lead({ email: 'two@example.com' }));
    expect(first.errorClass).toBe('ok');
    expect(second).toMatchObject({ errorClass: 'rate_limited', httpStatus: 429, retryAfterSeconds: 2 });
  });

  it('429 with Retry-After uses it', async () => {
    await control('script', {
      email: 'jane.doe@example.com',
      responses: [{ status: 429, headers: { 'retry-after': '7' } }],
    });
    expect(await deliverOne(lead())).toMatchObject({ errorClass: 'rate_limited', retryAfterSeconds: 7 });
  });

  it('5xx is a server_error and writes nothing', async () => {
    await control('script', { email: 'jane.doe@example.com', responses: [{ status: 500 }] });
    expect(await deliverOne(lead())).toMatchObject({
      errorClass: 'server_error',
      httpStatus: 500,
      reason: 'HTTP 500 ERR_UNKNOWN',
    });
    await control('script', { email: 'jane.doe@example.com', responses: [{ status: 502, body: {} }] });
    expect(await deliverOne(lead(), '5')).toMatchObject({
      errorClass: 'server_error',
      httpStatus: 502,
      reason: 'HTTP 502',
    });
    expect(await records()).toEqual([]);
  });

  it('408 is a request_timeout', async () => {
    await control('script', { email: 'jane.doe@example.com', responses: [{ status: 408 }] });
    expect(await deliverOne(lead())).toMatchObject({ errorClass: 'request_timeout', httpStatus: 408 });
  });

  it('an answer slower than timeoutMs is a timeout', async () => {
    await control('script', { email: 'jane.doe@example.com', responses: [{ status: 200, delayMs: 600 }] });
    const result = await deliverOne(lead(), null, context({ timeoutMs: 200 }));
    expect(result).toMatchObject({
      errorClass: 'timeout',
      httpStatus: null,
      reason: 'no response within 200 ms',
    });
    expect(await records()).toEqual([]);
  });

  it('a create applied but answered too late is found on the retry: still one person', async () => {
    await control('script', {
      email: 'jane.doe@example.com',
      responses: [
        { status: 200, body: { success: true, data: { items: [] } } },
        { status: 200, delayMs: 600, apply: true },
      ],
    });
    const lost = await deliverOne(lead(), null, context({ timeoutMs: 200 }));
    expect(lost).toMatchObject({ errorClass: 'timeout', httpStatus: null });
    const retried = await deliverOne(lead());
    expect(retried).toMatchObject({ errorClass: 'ok', reason: 'HTTP 200 updated', recordId: '1' });
    expect((await records()).map((p) => p.id)).toEqual([1]);
  });

  it('an unreachable Pipedrive is a network outcome', async () => {
    const result = await deliverOne(lead(), null, context(), { baseUrl: 'http://127.0.0.1:1' });
    expect(result).toMatchObject({ errorClass: 'network', httpStatus: null, reason: 'connection failed' });
  });
});

describe('pipedrive adapter: pacing', () => {
  it('sets paceSeconds once the 2-second window is nearly spent', async () => {
    await control('rate-limit', { limit: 10, windowSeconds: 2 });
    const created = await deliverOne(lead());
    expect(created.paceSeconds).toBeUndefined();
    const paces: (number | undefined)[] = [];
    for (let i = 0; i < 7; i++) paces.push((await deliverOne(lead(), '1')).paceSeconds);
    // Calls 3 to 8 leave 7..2 of 10; call 9 leaves 1, the reserve (a tenth of the limit).
    expect(paces).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, 2]);
  });

  it('paces to midnight UTC when x-daily-requests-left reaches 0, and a 429 then waits as long', async () => {
    const nowMs = Date.UTC(2026, 11, 1, 23, 59, 0);
    await deliverOne(lead());
    await control('daily', { left: 1 });
    const last = await deliverOne(lead(), '1', context({ nowMs }));
    expect(last).toMatchObject({ errorClass: 'ok', paceSeconds: 60 });
    const refused = await deliverOne(lead(), '1', context({ nowMs }));
    expect(refused).toMatchObject({
      errorClass: 'rate_limited',
      httpStatus: 429,
      retryAfterSeconds: 60,
      paceSeconds: 60,
    });
  });
});

describe('fake pipedrive', () => {
  it('rejects unknown keys and malformed contact arrays in v2 error shape', async () => {
    const unknown = await api('POST', '/persons', { name: 'X', email: 'x@example.com' });
    expect(unknown).toEqual({
      status: 400,
      json: {
        success: false,
        error: "Validation failed: email: Parameter 'email' is not allowed for this request",
        code: 'ERR_SCHEMA_VALIDATION_FAILED',
        error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.',
        data: null,
        additional_data: null,
      },
    });
    const flat = await api('POST', '/persons', { name: 'X', emails: 'x@example.com' });
    expect(flat.status).toBe(400);
    const unauthorized = await fetch(`${fake.url}/api/v2/persons/search?term=x`, {
      headers: { 'x-api-token': 'nope' },
    });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(await unauthorized.json()).toEqual({
      success: false,
      error: 'unauthorized access',
      errorCode: 401,
      error_info: 'Please check developers.pipedrive.com',
    });
  });

  it('keeps records across a restart when persistPath is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-pipedrive-'));
    const persistPath = join(dir, 'state.json');
    try {
      const first = await startFakePipedrive({ tokens: [TOKEN], persistPath });
      const options = { baseUrl: first.url, token: TOKEN, fields: {}, constants: {}, labels: {} };
      const [created] = await pipedriveDestination('pd', options).deliver([request(lead())], context());
      expect(created?.recordId).toBe('1');
      await first.close();
      const second = await startFakePipedrive({ tokens: [TOKEN], persistPath });
      try {
        const [again] = await pipedriveDestination('pd', { ...options, baseUrl: second.url }).deliver(
          [request(lead({ email: 'other@example.com' }))],
          context(),
        );
        expect(again?.recordId).toBe('2');
        const stored = (await (await fetch(`${second.url}/__control/records`)).json()) as StoredPerson[];
        expect(stored.map((p) => p.id)).toEqual([1, 2]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
