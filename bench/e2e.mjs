// `node bench/e2e.mjs [--leads N] [--json FILE] [--port P]`: end to end (issue 12, point 5). N
// distinct signed leads (default 10,000, each a different person) through ingest, the queue and
// delivery to the local mock CRM, from 16 concurrent senders, then waited on until every event is
// final. Figures: ingest requests/s and answers; leads/s delivered, first request to last delivery;
// ingest-to-delivered latency per event (delivered_at − received_at) p50/p95/p99/max; the calls
// made (what the mock CRM received, and the events, deliveries and attempts rows that D1 holds,
// from which the queue messages follow). Checks: every request answered 202, every event ended
// `delivered`, the CRM got exactly one delivery per lead. Exits 1 on a failed check.
//
// Why this shape: the load run (bench/load.mjs) times the answer only, the chaos run
// (bench/chaos-scale.mjs) the promises under faults; this one is the clean path's throughput and
// latency with the delivery included, no faults, so no retries. The gateway runs under
// `wrangler dev` (local D1 is a SQLite file, the queue in-process), so absolute figures are far
// below the edge's. LOG_LEVEL is `warn`: under wrangler dev printing an info line costs the local
// runtime more than the request around it. D1 round trips cannot be counted from outside wrangler
// dev: the per-event counts come from bench/cost.workerd.ts (its `.tmp/bench/cost.json`, when
// there). The latency and row counts are read from the gateway's local D1 file directly
// (read-only, once drained), not through the admin API: one query instead of N event reads.
//
// Loopback only, bounded in time (a send deadline, a drain deadline and a watchdog), and stops
// everything it started in a finally. State in `.tmp/e2e/` (wiped at start). Prints a markdown
// table; `--json FILE` writes the figures too.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { ensureDevVars, readDevVars } from '../scripts/env.mjs';
import { startMockCrm } from '../test/servers/crm.ts';
import { boundRun, format, histogram, sleep, within } from './chaos-lib.mjs';
import { startGateway } from './gateway.mjs';

const { values: flags } = parseArgs({
  options: {
    leads: { type: 'string', default: '10000' },
    json: { type: 'string' },
    md: { type: 'string' },
    // Not 8900–8950: bench/load.mjs runs its six gateways there.
    port: { type: 'string', default: '8960' },
  },
});
const LEADS = Number(flags.leads);
const PORT = Number(flags.port);
if (!Number.isInteger(LEADS) || LEADS < 1)
  throw new Error(`--leads must be a positive integer: ${flags.leads}`);
const SENDERS = 16;
const WORK = resolve('.tmp/e2e');
const STATE = join(WORK, 'state');
const LOG = join(WORK, 'wrangler.log');
const COST_JSON = '.tmp/bench/cost.json';
const SEND_MS = 15 * 60_000;
const DRAIN_MS = 20 * 60_000;
const WATCHDOG_MS = 45 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

ensureDevVars();
const vars = readDevVars();
const admin = { authorization: `Bearer ${vars.ADMIN_TOKEN}` };

// --- what is started, and its stop ---------------------------------------------------------------

let crm;
let gateway;
let stopping;
const stopAll = () => {
  stopping ??= (async () => {
    await within(gateway?.stop() ?? Promise.resolve(), 20_000);
    await within(crm?.close() ?? Promise.resolve(), 5_000);
  })();
  return stopping;
};
boundRun('e2e run', stopAll, WATCHDOG_MS);

/** Refuses a port already taken: startGateway would otherwise take another gateway's /health for its own. */
async function portFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

// --- helpers -------------------------------------------------------------------------------------

const n = (value) => value.toLocaleString('en-US');
const ms = (value) => (value === undefined ? '-' : `${Math.round(value)} ms`);
/** Nearest-rank percentile of sorted values. */
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
const machine = () => ({
  cpus: cpus().length,
  model: cpus()[0]?.model ?? '?',
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
});

async function adminCall(path) {
  for (let tries = 0; ; tries++) {
    try {
      const response = await fetch(`${gateway.base}${path}`, {
        headers: admin,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.status === 401) throw new Error('the admin API refused ADMIN_TOKEN from .dev.vars');
      if (response.ok) return await response.json();
      if (tries >= 2) throw new Error(`GET ${path}: HTTP ${response.status}`);
    } catch (error) {
      if (tries >= 2 || error.message.includes('ADMIN_TOKEN')) throw error;
    }
    await sleep(500);
  }
}

/** The gateway's D1 file: the one SQLite file of the local D1 object that holds `events`. */
function openD1() {
  const dir = join(STATE, 'data/v3/d1/miniflare-D1DatabaseObject');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')) {
    const db = new DatabaseSync(join(dir, name), { readOnly: true });
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get()) return db;
    db.close();
  }
  throw new Error(`no D1 file with an events table in ${dir}`);
}

/** Per-lead D1 round trips and queue sends from bench/cost.workerd.ts, when its JSON is there. */
function costPerLead() {
  if (!existsSync(COST_JSON)) return undefined;
  try {
    const { rows } = JSON.parse(readFileSync(COST_JSON, 'utf8'));
    const ingest = rows.find((r) => r.label === 'ingest: new event (202)')?.perRequest;
    const deliver = rows.find((r) => /^deliver: new person( \(|$)/.test(r.label))?.perRequest;
    if (!ingest || !deliver) return undefined;
    return { ingest, deliver };
  } catch {
    return undefined;
  }
}

const versionOf = (pkg) => {
  try {
    return JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')).version;
  } catch {
    return '?';
  }
};
const commit = () => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
};

// --- the run -------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const machineAtStart = machine();
  if (!(await portFree(PORT))) throw new Error(`port ${PORT} is taken; pass another with --port`);
  mkdirSync(WORK, { recursive: true });

  crm = await startMockCrm({ secret: vars.DESTINATION_SECRET });
  const crmBase = crm.url.replace(/\/leads$/, '');
  gateway = await startGateway({
    port: PORT,
    state: STATE,
    vars: { CRM_URL: crm.url, LOG_LEVEL: 'warn' },
    log: LOG,
    logLevel: 'error',
  });
  const base = gateway.base;
  const startupSeconds = (Date.now() - started) / 1000;
  console.log(
    `gateway ${gateway.version} on ${base} in ${startupSeconds.toFixed(1)} s; mock CRM on ${crmBase}; ${n(LEADS)} leads from ${SENDERS} senders`,
  );

  // 1. Send: N distinct people, each lead signed as the demo source (Standard Webhooks).
  const webhook = new Webhook(vars.SOURCE_DEMO_SECRET.split(/\s+/)[0]);
  const run = Date.now().toString(36);
  const statuses = {};
  /** The event id of each accepted lead. */
  const ids = [];
  const latencies = [];
  let next = 0;
  const sendStart = Date.now();
  const sendDeadline = sendStart + SEND_MS;
  let lastReport = sendStart;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < LEADS && Date.now() < sendDeadline) {
        const i = next++;
        const body = JSON.stringify({
          email: `e2e-${run}-${i}@example.com`,
          name: `Lead ${i}`,
          phone: '+1 415 555 0132',
        });
        const id = `msg_e2e_${run}_${i}`;
        const now = new Date();
        const t = performance.now();
        let status;
        try {
          const response = await fetch(`${base}/in/demo`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
              'webhook-signature': webhook.sign(id, now, body),
            },
            body,
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          status = response.status;
          const text = await response.text();
          if (status === 202) ids.push(JSON.parse(text).id);
        } catch (error) {
          status = error.cause?.code ?? error.name;
        }
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (Date.now() - lastReport >= 10_000) {
          lastReport = Date.now();
          console.log(
            `  sending ${Math.round((lastReport - sendStart) / 1000)} s: ${n(latencies.length)} answered (${format(statuses)})`,
          );
        }
      }
    }),
  );
  const sendEnd = Date.now();
  const sent = latencies.length;
  const sendSeconds = (sendEnd - sendStart) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(`sent ${n(sent)} in ${sendSeconds.toFixed(1)} s (${(sent / sendSeconds).toFixed(0)} req/s)`);

  // 2. Drain: the funnel's rollup (one small read, whatever the number of events) until every
  // accepted event is counted and none is pending (src/pipeline/status.ts: not final).
  const drainDeadline = Date.now() + DRAIN_MS;
  lastReport = Date.now();
  let totals;
  let lastDelivered = 0;
  let drained = false;
  for (;;) {
    totals = await adminCall('/admin/stats/funnel').then(
      (answer) => answer.totals,
      () => undefined,
    );
    if (totals && totals.received >= ids.length && totals.pending === 0) {
      drained = true;
      break;
    }
    if (Date.now() > drainDeadline) {
      console.log(
        `  gave up waiting after ${DRAIN_MS / 60_000} min; funnel ${totals ? format(totals) : '?'}`,
      );
      break;
    }
    if (Date.now() - lastReport >= 10_000 && totals) {
      const seconds = (Date.now() - lastReport) / 1000;
      lastReport = Date.now();
      console.log(
        `  draining ${Math.round((lastReport - sendEnd) / 1000)} s: received ${n(totals.received)}, pending ${n(totals.pending)}, delivered ${n(totals.delivered)} (${((totals.delivered - lastDelivered) / seconds).toFixed(0)}/s)`,
      );
      lastDelivered = totals.delivered;
    }
    await sleep(1000);
  }
  const drainedAt = Date.now();
  console.log(`drained in ${((drainedAt - sendEnd) / 1000).toFixed(1)} s after the last answer`);

  // 3. What was delivered and called: the mock CRM's log, the gateway's D1 rows.
  const crmCalls = await (await fetch(`${crmBase}/__control/deliveries`)).json();
  const db = openD1();
  const rows = (sql) => db.prepare(sql).all();
  const one = (sql) => db.prepare(sql).get();
  // What a million events take in D1: the database's pages in use (with every index and the
  // deliveries, attempts, people and rollups next to the events), per event.
  const { pages, size } = one(
    'SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()) AS pages, (SELECT page_size FROM pragma_page_size()) AS size',
  );
  const storageBytesPerEvent = (pages * size) / Math.max(1, LEADS);
  const eventStatuses = Object.fromEntries(
    rows('SELECT status, count(*) AS n FROM events GROUP BY status').map((r) => [r.status, r.n]),
  );
  const deliveryStatuses = Object.fromEntries(
    rows('SELECT status, count(*) AS n FROM deliveries GROUP BY status').map((r) => [r.status, r.n]),
  );
  const attemptClasses = Object.fromEntries(
    rows('SELECT error_class, count(*) AS n FROM attempts GROUP BY error_class').map((r) => [
      r.error_class,
      r.n,
    ]),
  );
  const counts = one(
    `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deliveries) AS deliveries,
            (SELECT count(*) FROM attempts) AS attempts`,
  );
  const span = one("SELECT max(delivered_at) AS last FROM events WHERE status = 'delivered'");
  const lag = rows(
    "SELECT delivered_at - received_at AS ms FROM events WHERE status = 'delivered' ORDER BY ms",
  ).map((r) => r.ms);
  db.close();

  const delivered = eventStatuses.delivered ?? 0;
  const deliverSeconds = span.last ? (span.last - sendStart) / 1000 : undefined;
  const latency = lag.length
    ? { p50: pct(lag, 0.5), p95: pct(lag, 0.95), p99: pct(lag, 0.99), max: lag.at(-1) }
    : {};
  const crmIds = histogram(crmCalls.map((c) => c.webhookId));
  const accepted = new Set(ids);
  const repeats = Object.values(crmIds).filter((count) => count > 1).length;
  const strangers = Object.keys(crmIds).filter((id) => !accepted.has(id)).length;
  const crmOk = crmCalls.filter((c) => c.status >= 200 && c.status < 300).length;
  // One queue message per new event at ingest, and one per retry (attempts beyond the first of a
  // delivery, re-sent as `{eventId, destination}`); the cron sweep does not run under wrangler dev.
  const queueMessages = counts.events + (counts.attempts - counts.deliveries);
  const cost = costPerLead();
  const costTotal = (key) =>
    cost ? Math.round((cost.ingest[key] + cost.deliver[key]) * LEADS * 10) / 10 : undefined;
  const machineAtEnd = machine();
  const wallSeconds = (Date.now() - started) / 1000;

  // 4. Checks.
  const checks = [];
  const check = (ok, name, detail) => {
    checks.push({ ok, name, detail });
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
  };
  check(
    sent === LEADS && statuses[202] === LEADS,
    'every request answered 202',
    `${n(sent)} of ${n(LEADS)} sent; ${format(statuses)}`,
  );
  check(
    drained && counts.events === LEADS && delivered === LEADS,
    'every event ended delivered',
    `${n(counts.events)} events: ${format(eventStatuses)}${drained ? '' : ' (not drained in time)'}`,
  );
  check(
    crmCalls.length === LEADS &&
      Object.keys(crmIds).length === LEADS &&
      repeats === 0 &&
      strangers === 0 &&
      crmOk === LEADS,
    'the CRM received exactly one delivery per lead',
    `${n(crmCalls.length)} calls, ${n(Object.keys(crmIds).length)} distinct webhook-ids, ${repeats} repeated, ${strangers} not an accepted event, ${n(crmOk)} answered 2xx`,
  );
  const failed = checks.filter((c) => !c.ok);

  // 5. The figures.
  const figures = [
    [
      'leads',
      `${n(LEADS)} distinct people, POST /in/demo (Standard Webhooks), ${SENDERS} concurrent senders, no faults`,
    ],
    [
      'ingest',
      `${n(sent)} requests in ${sendSeconds.toFixed(1)} s: ${(sent / sendSeconds).toFixed(0)} req/s; answer p50 ${ms(pct(latencies, 0.5))}, p99 ${ms(pct(latencies, 0.99))}`,
    ],
    ['answers', format(statuses)],
    [
      'delivered',
      deliverSeconds
        ? `${n(delivered)} in ${deliverSeconds.toFixed(1)} s (first request to last delivered_at): ${(delivered / deliverSeconds).toFixed(1)} leads/s`
        : `${n(delivered)}`,
    ],
    [
      'ingest-to-delivered latency (delivered_at − received_at, D1)',
      `p50 ${ms(latency.p50)}, p95 ${ms(latency.p95)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)}`,
    ],
    [
      'CRM calls (mock CRM)',
      `${n(crmCalls.length)} (${format(histogram(crmCalls.map((c) => c.status)))}); attempts rows ${n(counts.attempts)} (${format(attemptClasses)})`,
    ],
    [
      'D1 rows',
      `events ${n(counts.events)} (${format(eventStatuses)}); deliveries ${n(counts.deliveries)} (${format(deliveryStatuses)}); attempts ${n(counts.attempts)}`,
    ],
    [
      'queue messages (inferred from D1)',
      `${n(queueMessages)}: ${n(counts.events)} at ingest + ${n(counts.attempts - counts.deliveries)} retries`,
    ],
    [
      'D1 round trips (from bench/cost.workerd.ts)',
      cost
        ? `${n(costTotal('d1'))} (${cost.ingest.d1} per ingest + ${cost.deliver.d1} per delivery, × ${n(LEADS)}); ${n(costTotal('d1Statements'))} statements`
        : 'see docs/benchmarks.md',
    ],
    [
      'queue sends (from bench/cost.workerd.ts)',
      cost
        ? `${n(costTotal('queueSend'))} (${cost.ingest.queueSend} per ingest + ${cost.deliver.queueSend} per delivery, × ${n(LEADS)})`
        : 'see docs/benchmarks.md',
    ],
    [
      'D1 storage',
      `${((pages * size) / 2 ** 20).toFixed(1)} MiB in use for ${n(LEADS)} events: ${n(Math.round(storageBytesPerEvent))} bytes an event with its delivery, attempt, person and indexes (${((storageBytesPerEvent * 1e6) / 2 ** 30).toFixed(2)} GiB a million)`,
    ],
    [
      'machine',
      `${machineAtStart.cpus} × ${machineAtStart.model}, ${machineAtStart.memoryGiB} GiB; load average ${machineAtStart.loadavg.join(' ')} at start, ${machineAtEnd.loadavg.join(' ')} at end (other work shares it)`,
    ],
    [
      'versions',
      `Node ${process.versions.node}, wrangler ${versionOf('wrangler')} (wrangler dev, local D1/Queues), commit ${commit()}, gateway snapshot ${gateway.version}; LOG_LEVEL warn`,
    ],
    [
      'wall time',
      `${wallSeconds.toFixed(1)} s: start ${startupSeconds.toFixed(1)} s, sending ${sendSeconds.toFixed(1)} s, draining ${((drainedAt - sendEnd) / 1000).toFixed(1)} s`,
    ],
  ];
  const cell = (text) => String(text).replace(/\|/g, '\\|');
  const figureTable = `| figure | value |\n| --- | --- |\n${figures.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`).join('\n')}`;
  const checkTable = `| check | result |\n| --- | --- |\n${checks.map((c) => `| ${cell(c.name)} | ${c.ok ? 'pass' : '**FAIL**'}: ${cell(c.detail)} |`).join('\n')}`;
  console.log(`\n${figureTable}\n\n${checkTable}\n`);
  if (flags.md)
    writeFileSync(flags.md, `\`node bench/e2e.mjs --leads ${LEADS}\`\n\n${figureTable}\n\n${checkTable}\n`);
  console.log(
    `${checks.length - failed.length}/${checks.length} checks passed${failed.length ? `; failed: ${failed.map((c) => c.name).join('; ')}` : ''}`,
  );

  if (flags.json) {
    mkdirSync(dirname(resolve(flags.json)), { recursive: true });
    writeFileSync(
      flags.json,
      JSON.stringify(
        {
          leads: LEADS,
          senders: SENDERS,
          machine: { start: machineAtStart, end: machineAtEnd },
          versions: {
            node: process.versions.node,
            wrangler: versionOf('wrangler'),
            commit: commit(),
            gateway: gateway.version,
          },
          ingest: {
            sent,
            seconds: sendSeconds,
            rps: sent / sendSeconds,
            statuses,
            answerMs: { p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) },
          },
          delivered: {
            count: delivered,
            seconds: deliverSeconds,
            leadsPerSecond: deliverSeconds ? delivered / deliverSeconds : undefined,
          },
          latencyMs: latency,
          calls: {
            crm: crmCalls.length,
            crmByStatus: histogram(crmCalls.map((c) => c.status)),
            events: counts.events,
            deliveries: counts.deliveries,
            attempts: counts.attempts,
            attemptsByClass: attemptClasses,
            queueMessages,
            d1RoundTrips: costTotal('d1') ?? 'see docs/benchmarks.md',
            d1Statements: costTotal('d1Statements') ?? 'see docs/benchmarks.md',
            queueSends: costTotal('queueSend') ?? 'see docs/benchmarks.md',
            costPerLead: cost ?? null,
          },
          eventStatuses,
          deliveryStatuses,
          wallSeconds,
          checks,
        },
        null,
        2,
      ),
    );
    console.log(`figures written to ${flags.json}`);
  }
  return failed.length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`e2e run aborted: ${error.stack ?? error.message}`);
} finally {
  await stopAll();
}
process.exit(code);
