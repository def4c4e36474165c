// HTTP load on loopback against `wrangler dev` (workerd, local D1/KV/Queues), side by side:
// the bare /health route as the floor, then each ingest path. Bounded in count and time, stops by
// itself. Local bindings are SQLite files and an in-process queue, so absolute numbers are far below
// the edge; the ratios show what each stage adds.
import { Webhook } from 'standardwebhooks';
import { ensureDevVars, readDevVars } from '../scripts/env.mjs';
import { startMockCrm } from '../test/servers/crm.ts';
import { startGateway } from './gateway.mjs';

const PORT = 8797;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

ensureDevVars();
const vars = readDevVars();
const crm = await startMockCrm({ secret: vars.DESTINATION_SECRET });
const gateway = await startGateway({
  port: PORT,
  state: '.tmp/bench-state',
  vars: { CRM_URL: crm.url },
  log: '.tmp/bench-wrangler.log',
}).catch(async (error) => {
  await crm.close();
  throw error;
});
const BASE = gateway.base;

try {
  const webhook = new Webhook(vars.SOURCE_DEMO_SECRET.split(/\s+/)[0]);
  const signed = (body, id = `msg_${crypto.randomUUID()}`) => {
    const now = new Date();
    return {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': webhook.sign(id, now, body),
    };
  };
  const lead = (i) =>
    JSON.stringify({
      email: `lead${i}.${Date.now()}@example.com`,
      name: 'Ada Lovelace',
      phone: '+1 415 555 0132',
    });
  const dupBody = lead(-1);
  const dupHeaders = signed(dupBody, 'msg_bench_duplicate');
  await fetch(`${BASE}/in/demo`, { method: 'POST', headers: dupHeaders, body: dupBody });

  const scenarios = [
    ['GET /health (floor)', () => fetch(`${BASE}/health`)],
    [
      'POST /in/demo bad signature (401)',
      (i) => fetch(`${BASE}/in/demo`, { method: 'POST', headers: signed('{}'), body: lead(i) }),
    ],
    [
      'POST /in/demo redelivery (200)',
      () => fetch(`${BASE}/in/demo`, { method: 'POST', headers: dupHeaders, body: dupBody }),
    ],
    [
      'POST /in/demo new event (202)',
      (i) => {
        const body = lead(i);
        return fetch(`${BASE}/in/demo`, { method: 'POST', headers: signed(body), body });
      },
    ],
  ];

  const results = [];
  for (const [name, send] of scenarios) {
    for (let i = 0; i < 20; i++) await (await send(i)).arrayBuffer(); // warm up
    const latencies = [];
    let next = 0;
    let errors = 0;
    const started = performance.now();
    const deadline = started + 60_000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS && performance.now() < deadline) {
          const i = next++;
          const t = performance.now();
          const response = await send(i);
          await response.arrayBuffer();
          if (response.status >= 500) errors++;
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
    results.push({ name, rps: latencies.length / seconds, p50: pct(0.5), p99: pct(0.99), errors });
  }

  const floor = results[0].rps;
  console.log(
    `\n${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, wrangler dev on loopback (gateway snapshot ${gateway.version})`,
  );
  console.log('scenario                               req/s   vs floor   p50 ms   p99 ms   5xx');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(38)} ${r.rps.toFixed(0).padStart(6)}   ${(r.rps / floor).toFixed(2).padStart(6)}x   ${r.p50.padStart(6)}   ${r.p99.padStart(6)}   ${r.errors}`,
    );
  }
} finally {
  await gateway.stop();
  await crm.close();
}
