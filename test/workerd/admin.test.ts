import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { EVENT_STATUS_LIST } from '../../src/pipeline/status';
import * as s from '../../src/routes/admin-schemas';
import { purgeExpired } from '../../src/store/privacy';
import { TEST_ADMIN_TOKEN } from '../secrets';
import {
  adminGet,
  call,
  crmScript,
  env,
  postDemo,
  postLead,
  readEvent,
  uniqueEmail,
  waitForStatus,
} from './helpers';

const adminPost = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The answer, checked against the schema the OpenAPI document publishes for it. */
async function answer<S extends v.GenericSchema>(response: Response, schema: S, status = 200) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return v.parse(schema, JSON.parse(text)) as v.InferOutput<S>;
}

const search = async (query: string) =>
  answer(await adminGet(`/admin/events?${query}`), s.EventListSchema).then((page) =>
    page.events.map((e) => e.id),
  );

async function deadEvent(label: string, lead: Record<string, unknown> = {}): Promise<string> {
  const email = uniqueEmail(label);
  await crmScript(email, [{ status: 400 }]);
  const id = await postLead('demo', { email, ...lead });
  await waitForStatus(id, ['dead']);
  return id;
}

describe('admin: auth and contract', () => {
  it('is 401 without a token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic dGVzdA==' }]) {
      const response = await call('/admin/events/evt_x', { headers });
      expect(response.status).toBe(401);
      expect((await response.json<{ code: string }>()).code).toBe('unauthorized');
    }
  });

  it('after ten wrong tokens from one address in a minute, answers 429 with Retry-After, even to the right one', async () => {
    const from = { 'cf-connecting-ip': '203.0.113.99' };
    for (let i = 0; i < 10; i++)
      expect(
        (await call('/admin/events', { headers: { ...from, authorization: 'Bearer guess' } })).status,
      ).toBe(401);
    const held = await call('/admin/events', {
      headers: { ...from, authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(held.status).toBe(429);
    expect((await held.json<{ code: string }>()).code).toBe('too_many_requests');
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not held.
    const other = { 'cf-connecting-ip': '198.51.100.4', authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    expect((await call('/admin/events', { headers: other })).status).toBe(200);
  });

  it('serves an OpenAPI 3.1 document of every route, generated from the schemas, and a reference page', async () => {
    const response = await call('/admin/openapi.json');
    expect(response.status).toBe(200);
    const doc = await response.json<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { parameters: { name: string }[]; responses: Record<string, unknown> }>
      >;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/admin/events',
        '/admin/events/{id}',
        '/admin/replay-jobs',
        '/admin/replay-jobs/{id}/cancel',
        '/admin/stats/funnel',
        '/admin/stats/cohorts',
        '/admin/stats/latency',
        '/admin/erase',
        '/admin/destinations/{name}/pause',
      ]),
    );
    const searchParams = doc.paths['/admin/events']!.get!.parameters.map((p) => p.name);
    expect(searchParams).toEqual(
      expect.arrayContaining([
        'status',
        'source',
        'destination',
        'delivery_status',
        'error_class',
        'campaign',
        'email',
        'phone',
        'from',
        'to',
        'limit',
        'cursor',
      ]),
    );
    expect(doc.paths['/admin/events/{id}']!.get!.responses['200']).toMatchObject({
      content: {
        'application/json': { schema: { properties: { lead_before: {}, normalizer_version: {} } } },
      },
    });
    const page = await call('/admin/reference');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/admin/openapi.json');
  });

  it('answers a bad query with 400 invalid_request naming the parameter, never quoting it', async () => {
    for (const query of [
      'status=retried',
      'limit=100000',
      'from=yesterday',
      'cursor=bm90LWFuLWlk',
      'error_class=Robert%27)',
    ]) {
      const response = await adminGet(`/admin/events?${query}`);
      const problem = await answer(response, s.ProblemSchema, 400);
      expect(problem.code).toBe('invalid_request');
      const param = query.split('=')[0]!;
      expect(problem.issues?.[0]?.path).toBe(param);
      expect(JSON.stringify(problem)).not.toContain(decodeURIComponent(query.split('=')[1]!));
    }
    for (const status of EVENT_STATUS_LIST)
      expect((await adminGet(`/admin/events?status=${status}`)).status).toBe(200);
  });

  it('health answers without auth', async () => {
    expect(await (await call('/health')).json()).toEqual({ status: 'ok' });
  });
});

describe('admin: search', () => {
  it('finds events by status, source, destination, delivery status, error class, campaign and type', async () => {
    const campaign = `spring-${Date.now()}`;
    const dead = await deadEvent('search', { campaign });
    const delivered = await postLead('demo', { email: uniqueEmail('search'), utm_campaign: campaign });
    await waitForStatus(delivered, ['delivered']);

    expect(await search(`campaign=${campaign}`)).toEqual([delivered, dead]);
    expect(await search(`campaign=${campaign}&status=dead`)).toEqual([dead]);
    const counted = await answer(
      await adminGet(`/admin/events?campaign=${campaign}&limit=1&total=true`),
      s.EventListSchema,
    );
    expect(counted).toMatchObject({ total: 2, events: [{ id: delivered }] });
    expect(await search(`campaign=${campaign}&source=demo&destination=crm&delivery_status=dead`)).toEqual([
      dead,
    ]);
    expect(await search(`campaign=${campaign}&error_class=client_error`)).toEqual([dead]);
    expect(await search(`campaign=${campaign}&error_class=rate_limited`)).toEqual([]);
    expect(await search(`campaign=${campaign}&source=zoom`)).toEqual([]);
    expect(await search(`campaign=${campaign}&delivery_status=delivered`)).toEqual([delivered]);

    const [item] = (
      await answer(await adminGet(`/admin/events?campaign=${campaign}&status=dead`), s.EventListSchema)
    ).events;
    expect(item).toMatchObject({
      id: dead,
      campaign,
      status: 'dead',
      deliveries: [{ destination: 'crm', status: 'dead' }],
    });
  });

  it("finds a person's events by email or phone however they are written, through the hashes", async () => {
    const email = uniqueEmail('Person');
    const phone = `+1415555${String(Date.now()).slice(-4)}`;
    const first = await postLead('demo', { email, phone });
    await waitForStatus(first, ['delivered']);
    const second = await postLead('demo', { email: `  ${email.toUpperCase()} ` });
    await waitForStatus(second, ['delivered', 'merged']);

    expect(await search(`email=${encodeURIComponent(email.toUpperCase())}`)).toEqual([second, first]);
    const national = `(415) 555-${phone.slice(-4)}`;
    expect(await search(`phone=${encodeURIComponent(phone)}`)).toEqual(expect.arrayContaining([first]));
    expect(await search(`phone=${encodeURIComponent(national)}`)).toEqual([]); // no region: not the same number
    expect(await search(`email=nobody.${Date.now()}@example.com`)).toEqual([]);
    expect(await search('email=not-an-email')).toEqual([]);
    // No column holds the clear text: the people table has only hashes.
    const row = await env.DB.prepare('SELECT * FROM people WHERE email_key IS NOT NULL LIMIT 1').first();
    expect(JSON.stringify(row)).not.toContain('@');
  });

  it('pages by cursor without gaps or repeats, and filters a time range', async () => {
    const source = 't-unrouted';
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await postLead(source, { email: uniqueEmail('page') }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: v.InferOutput<typeof s.EventListSchema> = await answer(
        await adminGet(`/admin/events?source=${source}&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
        s.EventListSchema,
      );
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const from = new Date(before).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    expect(await search(`source=${source}&from=${from}&to=${to}`)).toHaveLength(5);
    expect(await search(`source=${source}&to=${from}`)).toEqual([]);
  });
});

describe('admin: one event', () => {
  it('shows the request with credentials redacted, the lead before and after normalisation, deliveries and attempts', async () => {
    const email = uniqueEmail('Detail');
    const response = await postDemo({
      email: `  ${email.toUpperCase()}`,
      phone: '(415) 555-0199',
      first_name: 'ada',
    });
    const { id } = await response.json<{ id: string }>();
    await waitForStatus(id, ['delivered']);
    const event = await answer(await adminGet(`/admin/events/${id}`), s.EventDetailSchema);
    expect(event.request?.headers['webhook-signature']).toBe('[redacted]');
    expect(JSON.parse(event.request!.body)).toMatchObject({ first_name: 'ada' });
    expect(event.lead_before).toMatchObject({ email: `  ${email.toUpperCase()}`, phone: '(415) 555-0199' });
    expect(event.lead).toMatchObject({ email, phone: '+14155550199', first_name: 'Ada' });
    expect(event.normalizer_version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    expect(event.deliveries).toMatchObject([{ destination: 'crm', status: 'delivered', attempts: 1 }]);
    expect(event.attempts).toMatchObject([{ destination: 'crm', attempt: 1, error_class: 'ok' }]);
  });

  it('is 404 for an unknown event', async () => {
    expect((await adminGet('/admin/events/evt_missing')).status).toBe(404);
  });
});

describe('admin: replay', () => {
  it('a dead event replayed after the CRM is fixed ends delivered, with both attempts kept', async () => {
    const email = uniqueEmail('replay');
    await crmScript(email, [{ status: 422 }]);
    const { id } = await (await postDemo({ email })).json<{ id: string }>();
    expect((await waitForStatus(id, ['dead', 'delivered'])).status).toBe('dead');
    const replayed = await answer(await adminPost(`/admin/events/${id}/replay`), s.ReplayedSchema, 202);
    expect(replayed).toEqual({ replayed: [id], count: 1 });
    const event = await waitForStatus(id, ['delivered']);
    expect(event.attempts.map((a) => a.http_status)).toEqual([422, 201]);
  });

  it('a delivery replayed after using all its attempts gets the whole retry schedule again', async () => {
    const email = uniqueEmail('budget');
    // Three attempts (the tests' DELIVERY_MAX_ATTEMPTS) fail; after the replay one more fails, and
    // the retry it earns (a fresh budget, not a single attempt) lands.
    await crmScript(email, [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const { id } = await (await postDemo({ email })).json<{ id: string }>();
    expect((await waitForStatus(id, ['dead', 'delivered'], 25_000)).status).toBe('dead');
    await answer(await adminPost(`/admin/events/${id}/replay`), s.ReplayedSchema, 202);
    const event = await waitForStatus(id, ['delivered', 'dead'], 25_000);
    expect(event.status).toBe('delivered');
    expect(event.attempts.map((a) => [a.attempt, a.http_status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 503],
      [5, 201],
    ]);
  }, 60_000);

  it('replays a list of ids; refuses a malformed body with 400 and an unknown event with 404', async () => {
    const ids = [await deadEvent('ids'), await deadEvent('ids')];
    const replayed = await answer(await adminPost('/admin/replay', { ids }), s.ReplayedSchema, 202);
    expect(replayed.replayed.sort()).toEqual([...ids].sort());
    for (const id of ids) await waitForStatus(id, ['delivered']);
    expect((await adminPost('/admin/replay', { status: 'everything' })).status).toBe(400);
    expect((await adminPost('/admin/events/evt_missing/replay')).status).toBe(404);
  });
});

describe('admin: bulk replay jobs', () => {
  const waitForJob = async (id: string, ready: (job: v.InferOutput<typeof s.JobSchema>) => boolean) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { job } = await answer(await adminGet(`/admin/replay-jobs/${id}`), s.JobAnswerSchema);
      if (ready(job)) return job;
      if (Date.now() > deadline) throw new Error(`job stuck: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('replays every event a filter matches in chunks, with progress, once each, safe to start twice', async () => {
    const campaign = `bulk-${Date.now()}`;
    const ids: string[] = [];
    // More than one chunk (CHUNK_SIZE is 50) would take a minute here; the chunking itself is
    // proven below with a filter spanning several chunks of stored rows.
    for (let i = 0; i < 4; i++) ids.push(await deadEvent('bulk', { campaign }));
    const body = { filter: { status: 'dead', campaign } };
    const started = await answer(
      await adminPost('/admin/replay-jobs', body, { 'idempotency-key': `k-${campaign}` }),
      s.JobAnswerSchema,
      202,
    );
    expect(started.job).toMatchObject({
      status: expect.stringMatching(/running|done/),
      matched: 4,
      filter: body.filter,
    });
    // The same request again answers the same job instead of starting another.
    const again = await answer(
      await adminPost('/admin/replay-jobs', body, { 'idempotency-key': `k-${campaign}` }),
      s.JobAnswerSchema,
      200,
    );
    expect(again.job.id).toBe(started.job.id);

    const done = await waitForJob(started.job.id, (job) => job.status === 'done');
    expect(done).toMatchObject({ matched: 4, replayed: 4, skipped: 0 });
    for (const id of ids) {
      const event = await waitForStatus(id, ['delivered']);
      expect(event.attempts.map((a) => a.http_status)).toEqual([400, 201]); // one replay each
    }
    const listed = await answer(await adminGet('/admin/replay-jobs?limit=5'), s.JobListSchema);
    expect(listed.jobs.map((j) => j.id)).toContain(started.job.id);
  });

  it('walks a large match in chunks, a chunk message handled twice replays nothing twice', async () => {
    const { runChunk, startJob } = await import('../../src/pipeline/replay-jobs');
    // 120 stored events of a source no route reaches (unrouted), replayed as events: cheap to make.
    const source = `t-chunks`;
    const now = Date.now();
    const { newId } = await import('../../src/lib/ids');
    const rows = Array.from({ length: 120 }, (_, i) => newId('evt', now - 1000 + i));
    await env.DB.batch(
      rows.map((id) =>
        env.DB.prepare(
          `INSERT INTO events (id, source, idempotency_key, status, received_at, content_type, headers, body, enqueued_at)
           VALUES (?1, ?2, ?1, 'unrouted', ?3, 'application/json', '{}', x'7b7d', ?3)`,
        ).bind(id, source, now),
      ),
    );
    // Started by hand so this test drives each chunk itself (no queue consumer runs them).
    const send = env.JOBS.send.bind(env.JOBS);
    const sent: unknown[] = [];
    (env.JOBS as { send: Queue['send'] }).send = async (body) => {
      sent.push(body);
      return undefined as never;
    };
    try {
      const { job } = await startJob(env, { filter: { source }, includeDelivered: false });
      expect(job.matched).toBe(120);
      await Promise.all([runChunk(env, job.id), runChunk(env, job.id)]); // a duplicate message
      let row = await env.DB.prepare('SELECT replayed, skipped, after_id FROM replay_jobs WHERE id = ?1')
        .bind(job.id)
        .first<{ replayed: number; skipped: number; after_id: string }>();
      expect(row).toMatchObject({ replayed: 50, skipped: 0, after_id: rows[49] });
      await runChunk(env, job.id);
      await runChunk(env, job.id);
      await runChunk(env, job.id); // finds nothing after the last: done
      row = await env.DB.prepare('SELECT replayed, skipped, status FROM replay_jobs WHERE id = ?1')
        .bind(job.id)
        .first();
      expect(row).toMatchObject({ replayed: 120, skipped: 0, status: 'done' });
    } finally {
      (env.JOBS as { send: Queue['send'] }).send = send;
    }
  });

  it('stops when canceled, and a canceled job stays canceled', async () => {
    const campaign = `cancel-${Date.now()}`;
    await deadEvent('cancel', { campaign });
    const { job } = await answer(
      await adminPost('/admin/replay-jobs', { filter: { status: 'dead', campaign, source: 'nowhere' } }),
      s.JobAnswerSchema,
      202,
    );
    expect(job).toMatchObject({ status: 'done', matched: 0 }); // nothing matched: done at once
    const running = await answer(
      await adminPost('/admin/replay-jobs', { filter: { status: 'dead', campaign } }),
      s.JobAnswerSchema,
      202,
    );
    const canceled = await answer(
      await adminPost(`/admin/replay-jobs/${running.job.id}/cancel`),
      s.JobAnswerSchema,
    );
    expect(['canceled', 'done']).toContain(canceled.job.status);
    expect((await adminPost('/admin/replay-jobs/rpj_missing/cancel')).status).toBe(404);
    expect((await adminPost('/admin/replay-jobs', { filter: { status: 'sideways' } })).status).toBe(400);
  });
});

describe('admin: stats', () => {
  it('counts the funnel per source, campaign and day as events finish, and requests refused by reason', async () => {
    const campaign = `funnel-${Date.now()}`;
    const read = async () =>
      answer(await adminGet(`/admin/stats/funnel?source=demo&campaign=${campaign}`), s.FunnelSchema);
    expect((await read()).rows).toEqual([]);

    const delivered = await postLead('demo', { email: uniqueEmail('funnel'), campaign });
    await waitForStatus(delivered, ['delivered']);
    await deadEvent('funnel', { campaign });
    const invalid = await postLead('demo', { campaign, email: 'no at sign', first_name: 'Bad' });
    await waitForStatus(invalid, ['invalid']);

    const funnel = await read();
    expect(funnel.rows).toEqual([
      expect.objectContaining({
        source: 'demo',
        campaign,
        received: 3,
        delivered: 1,
        dead: 1,
        invalid: 1,
        pending: 0,
      }),
    ]);
    expect(funnel.totals).toMatchObject({ received: 3, delivered: 1, dead: 1, invalid: 1 });

    // A replayed dead event moves from dead to delivered: counted once, never twice.
    const [dead] = await search(`campaign=${campaign}&status=dead`);
    await adminPost(`/admin/events/${dead}/replay`);
    await waitForStatus(dead!, ['delivered']);
    expect((await read()).totals).toMatchObject({ received: 3, delivered: 2, dead: 0 });

    // Refused requests: a bad signature and malformed JSON, counted by reason (flushed by the sweep).
    const before = (await answer(await adminGet('/admin/stats/funnel?source=demo'), s.FunnelSchema)).totals
      .rejected;
    await call('/in/demo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'x' },
      body: '{}',
    });
    expect((await postDemo({ first_name: 'No Contact' })).status).toBe(422);
    await call('/in/no-such-source', { method: 'POST', body: '{}' });
    const { flushRejections } = await import('../../src/store/stats');
    await flushRejections(env.DB);
    const after = await answer(await adminGet('/admin/stats/funnel?source=demo'), s.FunnelSchema);
    expect(after.totals.rejected).toBeGreaterThan(before);
    expect(after.rejected.map((r) => r.code)).toEqual(
      expect.arrayContaining(['invalid_signature', 'invalid_payload']),
    );
    const unknown = await answer(await adminGet('/admin/stats/funnel?source=(unknown)'), s.FunnelSchema);
    expect(unknown.rejected.map((r) => r.code)).toContain('unknown_source');
  });

  it('gives weekly cohorts of new people by first source and campaign, and latency percentiles', async () => {
    const campaign = `cohort-${Date.now()}`;
    const ids = [
      await postLead('demo', { email: uniqueEmail('cohort'), campaign }),
      await postLead('demo', { email: uniqueEmail('cohort'), campaign }),
    ];
    for (const id of ids) await waitForStatus(id, ['delivered']);
    const { cohorts } = await answer(
      await adminGet(`/admin/stats/cohorts?campaign=${campaign}`),
      s.CohortsSchema,
    );
    const monday = new Date();
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    expect(cohorts).toEqual([
      { week: monday.toISOString().slice(0, 10), source: 'demo', campaign, people: 2, returned: 0 },
    ]);

    const latency = await answer(await adminGet('/admin/stats/latency?source=demo'), s.LatencySchema);
    expect(latency.count).toBeGreaterThanOrEqual(2);
    expect(latency.p50_ms).toBeGreaterThan(0);
    expect(latency.p50_ms!).toBeLessThanOrEqual(latency.p99_ms ?? Number.POSITIVE_INFINITY);
    expect(latency.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(latency.count);
  });
});

describe('admin: erasure and retention', () => {
  it('erases a person: events, leads, deliveries, attempts and CRM links, answering what was deleted', async () => {
    const email = uniqueEmail('erase');
    const ids = [await postLead('demo', { email }), await postLead('demo', { email, campaign: 'later' })];
    for (const id of ids) await waitForStatus(id, ['delivered', 'merged']);
    const funnelBefore = (await answer(await adminGet('/admin/stats/funnel?source=demo'), s.FunnelSchema))
      .totals;

    const preview = await answer(await adminPost('/admin/erase', { email, dry_run: true }), s.ErasedSchema);
    expect(preview).toMatchObject({
      erased: false,
      dry_run: true,
      people: 1,
      deleted: { events: 2, people: 1 },
    });
    expect((await adminGet(`/admin/events/${ids[0]}`)).status).toBe(200); // a dry run deletes nothing
    const erased = await answer(
      await adminPost('/admin/erase', { email: email.toUpperCase() }),
      s.ErasedSchema,
    );
    expect(erased).toMatchObject({ erased: true, people: 1, deleted: { events: 2, people: 1 } });
    expect(erased.deleted.deliveries).toBeGreaterThanOrEqual(1);
    expect(erased.deleted.attempts).toBeGreaterThanOrEqual(1);
    expect(erased.deleted.person_destinations).toBe(1);
    expect(erased.deleted).toEqual(preview.deleted);
    for (const id of ids) expect((await adminGet(`/admin/events/${id}`)).status).toBe(404);
    expect(await search(`email=${email}`)).toEqual([]);
    // The counts outlive the data.
    expect((await answer(await adminGet('/admin/stats/funnel?source=demo'), s.FunnelSchema)).totals).toEqual(
      funnelBefore,
    );
    // Twice is harmless.
    expect(await answer(await adminPost('/admin/erase', { email }), s.ErasedSchema)).toMatchObject({
      erased: false,
    });
    expect((await adminPost('/admin/erase', { email, phone: '+14155550100' })).status).toBe(400);
  });

  it('purges payloads, headers and leads of finished events past retention; the rows and counts stay', async () => {
    const id = await postLead('demo', { email: uniqueEmail('retain') });
    await waitForStatus(id, ['delivered']);
    const purged = await purgeExpired(env.DB, 30, Date.now() + 31 * 86_400_000);
    expect(purged).toBeGreaterThanOrEqual(1);
    const event = await answer(await adminGet(`/admin/events/${id}`), s.EventDetailSchema);
    expect(event).toMatchObject({ status: 'delivered', request: null, lead: null, lead_before: null });
    expect(event.purged_at).not.toBeNull();
    const row = await env.DB.prepare('SELECT length(body) AS bytes, headers FROM events WHERE id = ?1')
      .bind(id)
      .first();
    expect(row).toEqual({ bytes: 0, headers: '{}' });
    // Nothing left to map: a replay is refused rather than turning it invalid.
    expect((await adminPost(`/admin/events/${id}/replay`)).status).toBe(409);
    expect((await readEvent(id)).status).toBe('delivered');
  });
});
