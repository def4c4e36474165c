// HTTP load on loopback against `wrangler dev` (workerd, local D1/KV/Queues), side by side: the
// bare /health route as the floor, then each ingest path, for each ACCEPT_MODE
// (src/pipeline/accept.ts) in its own gateway, the three started at once and measured in turns, so
// each round sees the same machine. Before each scenario the gateways' queue consumers have
// drained what the previous one left (the mock CRM stops receiving), so one gateway's delivery
// work does not run beside another's measurement; its own does (a new event is delivered while
// the scenario runs, as in production). Bounded in count and time, stops by itself. Local bindings
// are SQLite files and an in-process queue, so absolute numbers are far below the edge; the ratios
// show what each stage adds. Prints a markdown table; `--json FILE` writes the figures too.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { ensureDevVars, readDevVars } from '../scripts/env.mjs';
import { startMockCrm } from '../test/servers/crm.ts';
import { startGateway } from './gateway.mjs';

const { values: flags } = parseArgs({ options: { json: { type: 'string' }, md: { type: 'string' } } });
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Each ACCEPT_MODE at the default LOG_LEVEL, and again at `warn`: under wrangler dev a log line
// costs the local runtime more than the request around it, which says little about the edge.
const MODES = ['concurrent', 'serial', 'queue-first'].flatMap((accept) =>
  ['info', 'warn'].map((level) => ({ name: `${accept}, log ${level}`, accept, level })),
);

ensureDevVars();
const vars = readDevVars();
const crm = await startMockCrm({ secret: vars.DESTINATION_SECRET });
const gateways = {};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  await Promise.all(
    MODES.map(async (mode, i) => {
      const slug = `${mode.accept}-${mode.level}`;
      gateways[mode.name] = await startGateway({
        port: 8800 + 10 * i,
        state: `.tmp/bench-state-${slug}`,
        vars: { CRM_URL: crm.url, ACCEPT_MODE: mode.accept, LOG_LEVEL: mode.level },
        log: `.tmp/bench-wrangler-${slug}.log`,
      });
    }),
  );

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
  let leads = 0;
  const lead = () =>
    JSON.stringify({
      email: `lead${leads++}.${Date.now()}@example.com`,
      name: 'Ada Lovelace',
      phone: '+1 415 555 0132',
    });
  const duplicates = {};
  for (const { name } of MODES) {
    const body = lead();
    duplicates[name] = { body, id: `msg_bench_duplicate_${leads}` };
    await fetch(`${gateways[name].base}/in/demo`, {
      method: 'POST',
      headers: signed(body, duplicates[name].id),
      body,
    });
  }

  const scenarios = (mode) => {
    const base = gateways[mode].base;
    const dup = duplicates[mode];
    return [
      ['GET /health (floor)', () => fetch(`${base}/health`)],
      ...(mode.startsWith('concurrent')
        ? [
            [
              'POST /in/demo bad signature (401)',
              () => fetch(`${base}/in/demo`, { method: 'POST', headers: signed('{}'), body: lead() }),
            ],
          ]
        : []),
      // The same delivery again, signed anew as a provider's retry is: a run outlasts the tolerance.
      [
        'POST /in/demo redelivery',
        () => fetch(`${base}/in/demo`, { method: 'POST', headers: signed(dup.body, dup.id), body: dup.body }),
      ],
      [
        'POST /in/demo new event (202)',
        () => {
          const body = lead();
          return fetch(`${base}/in/demo`, { method: 'POST', headers: signed(body), body });
        },
      ],
    ];
  };

  /** Until the mock CRM has received nothing new for 1.5 s: every gateway's consumer is idle. */
  async function drained() {
    let last = -1;
    for (let i = 0; i < 120; i++) {
      const count = (await (await fetch(`${crm.url.replace(/\/leads$/, '')}/__control/deliveries`)).json())
        .length;
      if (count === last) return;
      last = count;
      await sleep(1500);
    }
  }

  async function measure(send) {
    for (let i = 0; i < 20; i++) await (await send()).arrayBuffer(); // warm up
    const latencies = [];
    const statuses = new Map();
    let next = 0;
    const started = performance.now();
    const deadline = started + 60_000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS && performance.now() < deadline) {
          next++;
          const t = performance.now();
          const response = await send();
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return {
      rps: latencies.length / seconds,
      p50: pct(0.5),
      p99: pct(0.99),
      statuses: Object.fromEntries(statuses),
    };
  }

  const runs = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { name: mode } of MODES) {
      for (const [name, send] of scenarios(mode)) {
        await drained();
        const result = await measure(send);
        runs.push({ round, mode, name, ...result });
        console.log(
          `round ${round} ${mode.padEnd(22)} ${name.padEnd(34)} ${result.rps.toFixed(0).padStart(5)} req/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  ${JSON.stringify(result.statuses)}`,
        );
      }
    }
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const rows = [];
  for (const { name: mode } of MODES) {
    for (const [name] of scenarios(mode)) {
      const mine = runs.filter((r) => r.mode === mode && r.name === name);
      // Each round's ratio is to the same gateway's floor in that round.
      const ratios = mine.map(
        (r) =>
          r.rps /
          runs.find((f) => f.round === r.round && f.mode === mode && f.name.startsWith('GET /health')).rps,
      );
      rows.push({
        mode,
        name,
        rps: median(mine.map((r) => r.rps)),
        ratio: median(ratios),
        ratioRange: [Math.min(...ratios), Math.max(...ratios)],
        p50: median(mine.map((r) => r.p50)),
        p99: median(mine.map((r) => r.p99)),
        errors: mine.reduce(
          (n, r) =>
            n +
            Object.entries(r.statuses)
              .filter(([s]) => Number(s) >= 500)
              .reduce((m, [, c]) => m + c, 0),
          0,
        ),
        statuses: [...new Set(mine.flatMap((r) => Object.keys(r.statuses)))].join(', '),
      });
    }
  }
  const report = [
    `${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, ${ROUNDS} rounds, wrangler dev on loopback (gateway snapshot ${Object.values(gateways)[0].version}); medians over the rounds, each ratio to the same gateway's \`/health\` in the same round.`,
    '',
    '| ACCEPT_MODE, LOG_LEVEL | scenario | req/s | vs /health (range) | p50 ms | p99 ms | answers | 5xx |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.mode} | ${r.name} | ${r.rps.toFixed(0)} | ${r.ratio.toFixed(2)}× (${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)}) | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.statuses} | ${r.errors} |`,
    ),
  ].join('\n');
  console.log(`\n${report}`);
  if (flags.md) writeFileSync(flags.md, `${report}\n`);
  if (flags.json)
    writeFileSync(
      flags.json,
      JSON.stringify(
        {
          requests: REQUESTS,
          concurrency: CONCURRENCY,
          rounds: ROUNDS,
          version: Object.values(gateways)[0].version,
          rows,
          runs,
        },
        null,
        2,
      ),
    );
} finally {
  await Promise.all(Object.values(gateways).map((gateway) => gateway.stop()));
  await crm.close();
}
