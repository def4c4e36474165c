// What each path costs in binding calls and bytes, counted on the real bindings inside workerd.
// `npm run bench` prints the table; these are counts, not timings, so they are exact and stable.
//
// D1 and KV are the real local bindings, wrapped in counters. The queue is counted at the producer
// (each `send`/`sendBatch` call and its message bytes) and not forwarded: a message sent for real
// would be taken by this test's own queue consumer in the background and race the batches measured
// here (deliverBatch is called by hand, with the messages the consumer would get).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import { app } from '../src/app';
import { deliverBatch } from '../src/pipeline/deliver';
import type { DeliveryMessage } from '../src/pipeline/enqueue';
import { listAttempts, listDeliveries } from '../src/store/deliveries';
import { getEvent } from '../src/store/events';
import { hmac, toHex, utf8 } from '../src/verify/crypto';
import { crmDeliveries, crmScript, signDemo, uniqueEmail } from '../test/workerd/helpers';

interface Counts {
  /** D1 round trips: each `first`/`run`/`all`/`raw` of a statement, and each `batch`. */
  d1: number;
  /** Statements D1 executed: one per single call, every statement of a batch. */
  d1Statements: number;
  /** Rows D1 read and wrote, from each result's meta: what D1 bills. */
  rowsRead: number;
  rowsWritten: number;
  kvRead: number;
  kvWrite: number;
  queueSend: number;
  queueBytes: number;
}

type Sent = { body: unknown; delaySeconds: number | undefined };

function counting(): { env: Env; counts: Counts; sent: Sent[] } {
  const counts: Counts = {
    d1: 0,
    d1Statements: 0,
    rowsRead: 0,
    rowsWritten: 0,
    kvRead: 0,
    kvWrite: 0,
    queueSend: 0,
    queueBytes: 0,
  };
  const metered = (meta: { rows_read?: number; rows_written?: number } | undefined) => {
    counts.rowsRead += meta?.rows_read ?? 0;
    counts.rowsWritten += meta?.rows_written ?? 0;
  };
  const sent: Sent[] = [];
  const statement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop === 'bind') return (...args: unknown[]) => statement(value.apply(target, args));
        if (prop === 'first')
          // Run as all() to read the meta first() hides; the same row comes back.
          return async (column?: string) => {
            counts.d1++;
            counts.d1Statements++;
            const result = await target.all<Record<string, unknown>>();
            metered(result.meta);
            const row = result.results[0] ?? null;
            return column === undefined || row === null ? row : row[column];
          };
        if (prop === 'run' || prop === 'all') {
          return async (...args: unknown[]) => {
            counts.d1++;
            counts.d1Statements++;
            const result = await value.apply(target, args);
            metered(result.meta);
            return result;
          };
        }
        if (prop === 'raw') throw new Error('bench: D1 raw() not metered');
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql));
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          counts.d1++;
          counts.d1Statements += statements.length;
          const results = await target.batch(statements);
          for (const result of results) metered(result.meta);
          return results;
        };
      }
      if (prop === 'exec' || prop === 'withSession') throw new Error(`bench: D1 ${String(prop)} not counted`);
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const kv = new Proxy(env.KV, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === 'get' || prop === 'getWithMetadata' || prop === 'list') counts.kvRead++;
      if (prop === 'put' || prop === 'delete') counts.kvWrite++;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const queue = {
    send: async (body: unknown, options?: QueueSendOptions) => {
      counts.queueSend++;
      counts.queueBytes += JSON.stringify(body).length;
      sent.push({ body, delaySeconds: options?.delaySeconds });
    },
    sendBatch: async (messages: Iterable<MessageSendRequest>) => {
      counts.queueSend++;
      for (const m of messages) {
        counts.queueBytes += JSON.stringify(m.body).length;
        sent.push({ body: m.body, delaySeconds: m.delaySeconds });
      }
    },
  } as unknown as Queue;
  return { env: { ...env, DB: db, KV: kv, DELIVERIES: queue }, counts, sent };
}

interface Row {
  label: string;
  status: number;
  perRequest: Record<string, number>;
  bytesIn: number;
}

/**
 * `n` requests one after the other, counted with the work they leave to `waitUntil`: that work is
 * awaited once all were answered, so work a burst shares (a deferred flush) is counted once, as
 * the burst pays it.
 */
async function measure(
  label: string,
  requests: () => Request,
  n = 20,
  vars: Partial<Env> = {},
): Promise<Row> {
  const { env: counted, counts } = counting();
  const countingEnv = { ...counted, ...vars };
  let status = 0;
  let bytesIn = 0;
  const contexts: ExecutionContext[] = [];
  for (let i = 0; i < n; i++) {
    const request = requests();
    bytesIn +=
      Number(request.headers.get('content-length') ?? 0) || (await request.clone().arrayBuffer()).byteLength;
    const ctx = createExecutionContext();
    contexts.push(ctx);
    status = (await app.fetch(request, countingEnv, ctx)).status;
  }
  await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
  return { label, status, perRequest: perN(counts, n), bytesIn: Math.round(bytesIn / n) };
}

const perN = (c: Counts, n: number) =>
  Object.fromEntries(Object.entries(c).map(([k, value]) => [k, Math.round((value / n) * 100) / 100]));

// Each lead its own phone: a phone shared across people would add a (refused) identity write.
let phones = 0;
const leadBody = (email: string, utm = 'ads') =>
  JSON.stringify({
    email,
    name: 'Ada Lovelace',
    phone: `+1 415 555 ${1000 + (phones++ % 9000)}`,
    company: 'Acme',
    utm_source: utm,
  });

/**
 * Ingests a lead (uncounted) and answers its queue message, as the consumer will get it (with the
 * event in it: ACCEPT_MODE concurrent).
 */
async function ingest(email: string, utm: string): Promise<DeliveryMessage> {
  const body = leadBody(email, utm);
  const queue = counting();
  const response = await app.fetch(
    new Request('https://inlet.test/in/demo', { method: 'POST', headers: signDemo(body), body }),
    { ...env, DELIVERIES: queue.env.DELIVERIES },
    createExecutionContext(),
  );
  expect(response.status).toBe(202);
  const { id } = await response.json<{ id: string }>();
  const message = queue.sent[0]?.body as DeliveryMessage;
  expect(message.eventId).toBe(id);
  return message;
}

/**
 * One consumer batch, as the queue would hand it over, on the counting bindings: counted per
 * message (one message = one delivery here: every demo lead has one destination, `crm`).
 */
async function consume(label: string, bodies: DeliveryMessage[]): Promise<{ row: Row; sent: Sent[] }> {
  const { env: countingEnv, counts, sent } = counting();
  const acked: number[] = [];
  const retried: number[] = [];
  await deliverBatch(
    {
      queue: 'inlet-deliveries',
      metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
      messages: bodies.map((body, i) => ({
        id: `m${i}`,
        timestamp: new Date(),
        attempts: 1,
        body,
        ack: () => acked.push(i),
        retry: () => retried.push(i),
      })),
      ackAll: () => undefined,
      retryAll: () => undefined,
    },
    countingEnv,
  );
  // Every message answered with an ack: a queue retry would mean the batch's work failed.
  expect(retried).toEqual([]);
  expect(acked).toHaveLength(bodies.length);
  return { row: { label, status: 200, perRequest: perN(counts, bodies.length), bytesIn: 0 }, sent };
}

/** Every event's one delivery, to `crm`, as the measured path should have left it. */
async function expectDeliveries(
  ids: string[],
  expected: { event: string; status: string; attempts: number },
): Promise<void> {
  for (const id of ids) {
    expect((await getEvent(env.DB, id))?.status).toBe(expected.event);
    const deliveries = await listDeliveries(env.DB, id);
    expect(deliveries.map((d) => [d.destination, d.status, d.attempts])).toEqual([
      ['crm', expected.status, expected.attempts],
    ]);
    expect(await listAttempts(env.DB, id)).toHaveLength(expected.attempts);
  }
}

const BATCH = 10;

it('counts binding calls and bytes per path', async () => {
  // The rejected paths log one line each, the consumer one per attempt; the table is what this run is for.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const rows: Row[] = [];
  rows.push(
    await measure('ingest: new event (202)', () => {
      const body = leadBody(uniqueEmail('cost'));
      return new Request('https://inlet.test/in/demo', { method: 'POST', headers: signDemo(body), body });
    }),
  );
  for (const mode of ['serial', 'queue-first'])
    rows.push(
      await measure(
        `ingest: new event (202), ACCEPT_MODE ${mode}`,
        () => {
          const body = leadBody(uniqueEmail('cost'));
          return new Request('https://inlet.test/in/demo', { method: 'POST', headers: signDemo(body), body });
        },
        20,
        { ACCEPT_MODE: mode },
      ),
    );
  const dupBody = leadBody(uniqueEmail('dup'));
  const dupHeaders = signDemo(dupBody, { id: 'msg_cost_dup' });
  await app.fetch(
    new Request('https://inlet.test/in/demo', { method: 'POST', headers: dupHeaders, body: dupBody }),
    { ...env, DELIVERIES: counting().env.DELIVERIES },
    createExecutionContext(),
  );
  rows.push(
    await measure(
      'ingest: redelivery (200)',
      () => new Request('https://inlet.test/in/demo', { method: 'POST', headers: dupHeaders, body: dupBody }),
    ),
  );
  rows.push(
    await measure('ingest: bad signature (401)', () => {
      const body = leadBody('x@example.com');
      return new Request('https://inlet.test/in/demo', { method: 'POST', headers: signDemo('{}'), body });
    }),
  );
  rows.push(
    await measure('ingest: schema mismatch (422)', () => {
      const body = JSON.stringify({ email: { address: 'x@example.com' } });
      return new Request('https://inlet.test/in/demo', { method: 'POST', headers: signDemo(body), body });
    }),
  );

  // A Meta Lead Ads webhook batching 5 leads: 5 events, stored and enqueued in one call each.
  const metaSecret = (env as unknown as Record<string, string>).SOURCE_META_SECRET ?? '';
  const metaRequests: Request[] = [];
  for (let n = 0; n < 20; n++) {
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '104857600012345',
          time: 1764001000,
          changes: Array.from({ length: 5 }, (_, i) => ({
            field: 'leadgen',
            value: {
              leadgen_id: `${Date.now()}${n}${i}`,
              page_id: '104857600012345',
              form_id: '1',
              created_time: 1764000998,
            },
          })),
        },
      ],
    });
    const signature = toHex(await hmac('SHA-256', utf8(metaSecret), utf8(body)));
    metaRequests.push(
      new Request('https://inlet.test/in/meta', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
        body,
      }),
    );
  }
  rows.push(await measure('ingest: Meta batch of 5 leads (202)', () => metaRequests.shift() as Request));

  // Delivery: one consumer batch of 10 messages, counted per delivery. A new event's message is
  // `{eventId}` (routed, then its one delivery attempted in the same batch); a retry is
  // `{eventId, destination}`. The batch-wide costs (the destination health read, the person
  // records read, the one D1 batch of outcomes) are shared by the 10.
  const people = Array.from({ length: BATCH }, () => uniqueEmail('batch'));
  const newMessages = await Promise.all(people.map((email) => ingest(email, 'ads-1')));
  const newIds = newMessages.map((m) => m.eventId);
  const fresh = await consume(`deliver: new person (batch of ${BATCH})`, newMessages);
  rows.push(fresh.row);
  expect(fresh.sent).toEqual([]);
  await expectDeliveries(newIds, { event: 'delivered', status: 'delivered', attempts: 1 });

  const knownMessages = await Promise.all(people.map((email) => ingest(email, 'ads-2')));
  const knownIds = knownMessages.map((m) => m.eventId);
  const known = await consume(`deliver: known person (batch of ${BATCH})`, knownMessages);
  rows.push(known.row);
  await expectDeliveries(knownIds, { event: 'delivered', status: 'delivered', attempts: 1 });
  for (const email of people)
    expect((await crmDeliveries(email)).map((d) => d.type)).toEqual(['lead.created', 'lead.updated']);

  // The queue delivers at least once: the same messages again find their events final.
  const repeated = await consume(`deliver: repeated message, event final (batch of ${BATCH})`, knownMessages);
  rows.push(repeated.row);
  expect(repeated.sent).toEqual([]);
  for (const email of people) expect(await crmDeliveries(email)).toHaveLength(2);

  // A failed attempt (the CRM answers 500) re-sends `{eventId, destination}` with the backoff as
  // its delay; the retry batch is those messages, once they are due.
  const failing = Array.from({ length: BATCH }, () => uniqueEmail('retry'));
  for (const email of failing) await crmScript(email, [{ status: 500 }]);
  const failingMessages = await Promise.all(failing.map((email) => ingest(email, 'ads-1')));
  const failingIds = failingMessages.map((m) => m.eventId);
  const failed = await consume(
    `deliver: new person, attempt fails, retry re-sent (batch of ${BATCH})`,
    failingMessages,
  );
  rows.push(failed.row);
  await expectDeliveries(failingIds, { event: 'delivering', status: 'retrying', attempts: 1 });
  expect(failed.sent.map((s) => s.body)).toEqual(
    failingIds.map((eventId) => ({ eventId, destination: 'crm' })),
  );
  const due = Math.max(
    ...(await Promise.all(
      failingIds.map(async (id) => (await listDeliveries(env.DB, id))[0]?.nextAttemptAt ?? 0),
    )),
  );
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now()) + 50));
  const retry = await consume(
    `deliver: retry of a delivery (batch of ${BATCH})`,
    failed.sent.map((s) => s.body as DeliveryMessage),
  );
  rows.push(retry.row);
  expect(retry.sent).toEqual([]);
  await expectDeliveries(failingIds, { event: 'delivered', status: 'delivered', attempts: 2 });

  const stored = await env.DB.prepare(
    "SELECT avg(length(body) + length(headers) + length(coalesce(lead, '')) + length(id) + length(idempotency_key)) AS bytes FROM events",
  ).first<{ bytes: number }>();

  const lines = ['\nbinding calls and bytes per request or delivery (counted on real bindings in workerd)'];
  const header = [
    'path',
    'status',
    'body B',
    'D1 calls',
    'D1 stmts',
    'rows read',
    'rows written',
    'KV reads',
    'KV writes',
    'queue sends',
    'queue B',
  ];
  const table = rows.map((r) => [
    r.label,
    String(r.status),
    String(r.bytesIn),
    ...['d1', 'd1Statements', 'rowsRead', 'rowsWritten', 'kvRead', 'kvWrite', 'queueSend', 'queueBytes'].map(
      (k) => String(r.perRequest[k]),
    ),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]?.length ?? 0)));
  for (const row of [header, ...table])
    lines.push(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  lines.push(
    `average stored event row: ~${Math.round(stored?.bytes ?? 0)} bytes (body + headers + lead + keys)`,
  );
  quiet.mockRestore();
  console.log(lines.join('\n'));
  // For scripts/bench.mjs, which writes docs/benchmarks.md: workerd's test runner cannot write a
  // file, so the figures go to the console on one marked line.
  console.log(
    `BENCH_COST_JSON ${JSON.stringify({ rows, storedEventBytes: Math.round(stored?.bytes ?? 0) })}`,
  );
  expect(rows[0]?.perRequest).toMatchObject({ d1: 1, kvRead: 0, kvWrite: 0, queueSend: 1 });
}, 120_000);
