// What each path costs in binding calls and bytes, counted on the real bindings inside workerd.
// `npm run bench` prints the table; these are counts, not timings, so they are exact and stable.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import { app } from '../src/app';
import { deliverBatch } from '../src/pipeline/deliver';
import { hmac, toHex, utf8 } from '../src/verify/crypto';
import { signDemo, uniqueEmail } from '../test/workerd/helpers';

interface Counts {
  d1: number;
  kvRead: number;
  kvWrite: number;
  queueSend: number;
  queueBytes: number;
}

function counting(): { env: Env; counts: Counts } {
  const counts: Counts = { d1: 0, kvRead: 0, kvWrite: 0, queueSend: 0, queueBytes: 0 };
  const statement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop === 'bind') return (...args: unknown[]) => statement(value.apply(target, args));
        if (['first', 'run', 'all', 'raw'].includes(String(prop))) {
          return (...args: unknown[]) => {
            counts.d1++;
            return value.apply(target, args);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counts.d1++;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const kv = new Proxy(env.KV, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === 'get') counts.kvRead++;
      if (prop === 'put' || prop === 'delete') counts.kvWrite++;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const queue = {
    send: (body: unknown, options?: QueueSendOptions) => {
      counts.queueSend++;
      counts.queueBytes += JSON.stringify(body).length;
      return env.DELIVERIES.send(body, options);
    },
    sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => {
      counts.queueSend++;
      for (const m of messages) counts.queueBytes += JSON.stringify(m.body).length;
      return env.DELIVERIES.sendBatch(messages, options);
    },
  } as unknown as Queue;
  return { env: { ...env, DB: db, KV: kv, DELIVERIES: queue }, counts };
}

async function measure(label: string, requests: () => Request, n = 20) {
  const { env: countingEnv, counts } = counting();
  let status = 0;
  let bytesIn = 0;
  for (let i = 0; i < n; i++) {
    const request = requests();
    bytesIn +=
      Number(request.headers.get('content-length') ?? 0) || (await request.clone().arrayBuffer()).byteLength;
    const ctx = createExecutionContext();
    status = (await app.fetch(request, countingEnv, ctx)).status;
    await waitOnExecutionContext(ctx);
  }
  return { label, status, perRequest: perN(counts, n), bytesIn: Math.round(bytesIn / n) };
}

const perN = (c: Counts, n: number) =>
  Object.fromEntries(Object.entries(c).map(([k, value]) => [k, Math.round((value / n) * 100) / 100]));

// Each lead its own phone: a phone shared across people would add a (refused) identity write.
let phones = 0;
const leadBody = (email: string) =>
  JSON.stringify({
    email,
    name: 'Ada Lovelace',
    phone: `+1 415 555 ${1000 + (phones++ % 9000)}`,
    company: 'Acme',
    utm_source: 'ads',
  });

it('counts binding calls and bytes per path', async () => {
  // The rejected paths log one line each; the table is what this run is for.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const rows = [];
  rows.push(
    await measure('ingest: new event (202)', () => {
      const body = leadBody(uniqueEmail('cost'));
      return new Request('https://inlet.test/in/demo', { method: 'POST', headers: signDemo(body), body });
    }),
  );
  const dupBody = leadBody(uniqueEmail('dup'));
  const dupHeaders = signDemo(dupBody, { id: 'msg_cost_dup' });
  await app.fetch(
    new Request('https://inlet.test/in/demo', { method: 'POST', headers: dupHeaders, body: dupBody }),
    env,
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

  // Delivery: one consumer batch of 10 events, counted per event: first for 10 new people, then
  // for the same 10 people again (known persons: an update, no person insert).
  const emails = Array.from({ length: 10 }, () => uniqueEmail('batch'));
  for (const [label, round] of [
    ['deliver: new person, per event (batch of 10)', 1],
    ['deliver: known person, per event (batch of 10)', 2],
  ] as const) {
    const ids: string[] = [];
    for (const email of emails) {
      const body = leadBody(email).replace('"ads"', `"ads-${round}"`);
      const response = await app.fetch(
        new Request('https://inlet.test/in/demo', { method: 'POST', headers: signDemo(body), body }),
        env,
        createExecutionContext(),
      );
      ids.push((await response.json<{ id: string }>()).id);
    }
    const { env: countingEnv, counts } = counting();
    const acked: string[] = [];
    await deliverBatch(
      {
        queue: 'inlet-deliveries',
        metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
        messages: ids.map((eventId, i) => ({
          id: `m${i}`,
          timestamp: new Date(),
          attempts: 1,
          body: { eventId },
          ack: () => acked.push(eventId),
          retry: () => undefined,
        })),
        ackAll: () => undefined,
        retryAll: () => undefined,
      },
      countingEnv,
    );
    expect(acked).toHaveLength(10);
    rows.push({ label, status: 200, perRequest: perN(counts, 10), bytesIn: 0 });
  }

  const stored = await env.DB.prepare(
    "SELECT avg(length(body) + length(headers) + length(coalesce(lead, '')) + length(id) + length(idempotency_key)) AS bytes FROM events",
  ).first<{ bytes: number }>();

  console.log('\nbinding calls and bytes per request (counted on real bindings in workerd)');
  const header = ['path', 'status', 'body B', 'D1 calls', 'KV reads', 'KV writes', 'queue sends', 'queue B'];
  const table = rows.map((r) => [
    r.label,
    String(r.status),
    String(r.bytesIn),
    ...['d1', 'kvRead', 'kvWrite', 'queueSend', 'queueBytes'].map((k) => String(r.perRequest[k])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]?.length ?? 0)));
  for (const row of [header, ...table])
    console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  console.log(
    `average stored event row: ~${Math.round(stored?.bytes ?? 0)} bytes (body + headers + lead + keys)`,
  );
  expect(rows[0]?.perRequest).toMatchObject({ d1: 1, kvRead: 0, kvWrite: 0, queueSend: 1 });
});
