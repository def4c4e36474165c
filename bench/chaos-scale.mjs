// `npm run chaos:scale` (10,000 leads) and `node bench/chaos-scale.mjs --ci` (300, a 90-second version):
// the gateway's promises at scale, against two misbehaving CRMs and an outage. Several sources,
// each signed with its own scheme (bin/lib/signers.mjs); the webhook destination `crm` (the mock
// CRM) and `hubspot` (the fake HubSpot), routed as inlet.config.ts says; redeliveries, second
// leads of a person and invalid leads; seeded faults at both CRMs; one destination down for a
// while in the middle. After the drain: the accounting (nothing stuck, nothing lost, one contact
// per person per CRM, nothing delivered where it was not routed, redeliveries processed once), then
// the dead deliveries replayed by a bulk job and checked delivered once. Prints the figures as a
// markdown table; the full run writes them to docs/reliability-run.md. Exits 1 on a failed check.
// Loopback only, bounded in count and time, stops everything it started. docs/reliability-run.md
// tells what it sends, what it changes in the gateway's settings and why, and what each check means.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SAMPLES } from '../bin/lib/samples.mjs';
import { SIGNERS } from '../bin/lib/signers.mjs';
import { loadConfig } from '../scripts/config.mjs';
import { ensureDevVars, readDevVars } from '../scripts/env.mjs';
import { FINAL_DELIVERY_STATUSES, FINAL_EVENT_STATUSES } from '../src/pipeline/status.ts';
import { seeded, startMockCrm } from '../test/servers/crm.ts';
import { startFakeHubspot } from '../test/servers/hubspot.ts';
import { startFakeSlack } from '../test/servers/slack.ts';
import { boundRun, checks, format, histogram, pool, sendingOrder, sleep, within } from './chaos-lib.mjs';
import { SOURCES, startGateway } from './gateway.mjs';

// --- settings -------------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    ci: { type: 'boolean', default: false },
    leads: { type: 'string' },
    seed: { type: 'string' },
    outage: { type: 'string' },
    'outage-seconds': { type: 'string' },
    senders: { type: 'string' },
    report: { type: 'string' },
  },
});
const CI = flags.ci || process.env.CHAOS_CI === '1';
const number = (flag, env, fallback) => Number(flag ?? process.env[env] ?? fallback);

/** The two sizes of the run: the full one, and the one `npm test` runs. */
const PROFILE = CI
  ? { leads: 300, outageSeconds: 20, senders: 8, waitSeconds: 90, port: 8799, watchdogSeconds: 300 }
  : { leads: 10_000, outageSeconds: 120, senders: 12, waitSeconds: 1200, port: 8798, watchdogSeconds: 2400 };
const LEADS = number(flags.leads, 'CHAOS_LEADS', PROFILE.leads);
const SEED = number(flags.seed, 'CHAOS_SEED', 1);
const OUTAGE = flags.outage ?? process.env.CHAOS_OUTAGE ?? 'crm';
const OUTAGE_SECONDS = number(flags['outage-seconds'], 'CHAOS_OUTAGE_SECONDS', PROFILE.outageSeconds);
const SENDERS = number(flags.senders, 'CHAOS_SENDERS', PROFILE.senders);
const WAIT_MS = number(undefined, 'CHAOS_WAIT_SECONDS', PROFILE.waitSeconds) * 1000;
const REPORT = flags.report ?? (CI ? '.tmp/chaos-ci.md' : 'docs/reliability-run.md');
const PORT = PROFILE.port;
const ROOT = resolve('.');
const WORK = resolve(CI ? '.tmp/chaos-ci' : '.tmp/chaos-scale');
const LOG = join(WORK, 'wrangler.log');

// Every wait of the gateway shortened alike, so minutes of production behaviour fit in the run:
// backoff 1-4 s instead of 30 s-1 h, the paused destination's first probe after 10 s instead of
// 60 s (it still doubles), the cron sweep every 10 s instead of every minute, HubSpot's rate-limit
// window 2 s instead of 10 (its 429 holds HubSpot for the window). Five attempts
// instead of nine, so a measurable share of deliveries dies under these faults (0.47^5 ≈ 2 %,
// where nine leave 0.1 %) and the replay of the dead has something to show.
const MAX_ATTEMPTS = number(undefined, 'CHAOS_MAX_ATTEMPTS', 5);
const PROBE_SECONDS = number(undefined, 'CHAOS_PROBE_SECONDS', 10);
const SWEEP_MS = number(undefined, 'CHAOS_SWEEP_SECONDS', 10) * 1000;
const HUBSPOT_WINDOW_SECONDS = number(undefined, 'CHAOS_HUBSPOT_WINDOW_SECONDS', 2);
// The local queue hands the consumer one batch at a time (max_concurrency is not honoured), and a
// batch's attempts run together: the batch size is the run's parallelism.
const BATCH_SIZE = number(undefined, 'CHAOS_BATCH_SIZE', 100);
const DELIVERY_TIMEOUT_MS = 1500;
const SLOW_MS = 2500;

/** The faults both CRMs inject, as shares of their write requests. */
const FAULT_SHARES = { http_500: 0.15, http_503: 0.15, http_429: 0.1, slow: 0.05, dropped: 0.02 };
/** Where leads come from: each a source of inlet.config.ts, signed with its own scheme. */
const SOURCE_SHARES = { demo: 0.35, n8n: 0.25, typeform: 0.25, zoom: 0.15 };
/** n8n leads of a `webinar-*` campaign also go to HubSpot (inlet.config.ts). */
const N8N_WEBINAR = 0.4;
const REDELIVERED = 0.2;
const SECOND_LEAD = 0.1;
const INVALID = 0.05;
// The CRMs still misbehave after the recovery, and a replay gives a dead delivery one more attempt
// (docs/runbook.md, "Replay"), so about half of a round is dead again: the dead are replayed again,
// round after round, up to this many bulk jobs and this long (0.47^12: 1 in 10,000 still dead).
const REPLAY_ROUNDS = 12;
const REPLAY_MS = (CI ? 90 : 300) * 1000;
/** How long a paused destination may stay paused after its CRM is up before the operator resumes it. */
const OPERATOR_AFTER_SECONDS = number(undefined, 'CHAOS_OPERATOR_AFTER_SECONDS', CI ? 30 : 60);

// --- the plan -------------------------------------------------------------------------------------

/** Picks a key of `shares` (they sum to 1) with `random`. */
const pick = (shares, random) => {
  let roll = random();
  for (const [key, share] of Object.entries(shares)) {
    roll -= share;
    if (roll < 0) return key;
  }
  return Object.keys(shares).at(-1);
};

/**
 * The routes inlet.config.ts gives a lead of `source` with `campaign`: read from the file, not from
 * the gateway, so a delivery the gateway makes elsewhere is caught. Only the `campaign` condition
 * is understood here; a route with another one fails the run rather than guess.
 */
function routing(config) {
  const globs = (value) => (Array.isArray(value) ? value : [value]);
  const matches = (glob, text) =>
    new RegExp(
      `^${glob
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    ).test(text ?? '');
  return (source, campaign) => {
    const names = new Set();
    for (const route of config.routes) {
      if (!globs(route.from).includes(source)) continue;
      const when = Object.entries(route.when ?? {});
      if (when.some(([key]) => key !== 'campaign'))
        throw new Error(
          `a route of ${source} has a condition this run cannot read: ${JSON.stringify(route.when)}`,
        );
      if (when.every(([, value]) => globs(value).some((glob) => matches(glob, campaign)))) {
        for (const name of globs(route.to)) names.add(name);
      }
    }
    return [...names].sort();
  };
}

function plan(routesOf) {
  const random = seeded(SEED);
  const run = Date.now().toString(36);
  const leads = [];
  const persons = [];
  const zoomBase = Date.now();
  for (let i = 0; i < LEADS; i++) {
    const source = pick(SOURCE_SHARES, random);
    const recent = persons.slice(-10).filter((p) => p.leads.length === 1);
    let person;
    let email;
    let invalid = false;
    if (random() < INVALID) {
      // An address no mailbox can have, and no phone: stored, answered 202, ends `invalid`.
      invalid = true;
      email = `chaos.${run}.${i}.at.example.com`;
    } else if (recent.length > 0 && random() < SECOND_LEAD) {
      // A second lead of one of the last few people, so both of their leads are in flight together.
      person = recent[Math.floor(random() * recent.length)];
      email = person.email;
    } else {
      person = { n: persons.length, email: `chaos.${run}.${persons.length}@example.com`, leads: [] };
      persons.push(person);
      email = person.email;
    }
    const n = person?.n ?? i;
    const campaign =
      source === 'n8n'
        ? random() < N8N_WEBINAR
          ? 'webinar-q4'
          : 'newsletter'
        : source === 'demo'
          ? 'chaos'
          : null;
    let payload;
    if (source === 'demo' || source === 'n8n') {
      payload = {
        email,
        first_name: ['Ada', 'Grace', 'Katherine', 'Dorothy', 'Mary'][n % 5],
        last_name: `Tester${n}`,
        company: person && person.leads.length > 0 ? `${person.n} Holdings` : 'Analytical Engines Ltd',
        job_title: person && person.leads.length > 0 ? 'Head of Operations' : 'Engineer',
        campaign,
        utm_source: 'chaos',
      };
    } else if (source === 'typeform') {
      payload = SAMPLES.typeform.sample({ email });
      if (invalid) {
        payload.form_response.answers = payload.form_response.answers.filter(
          (a) => a.type !== 'phone_number',
        );
      }
    } else {
      payload = SAMPLES.zoom.sample({ email });
      // Zoom sends no event id: its event time is part of the key, so each lead has its own.
      payload.event_ts = zoomBase + i;
      if (invalid) payload.payload.object.registrant.phone = '';
    }
    const redelivery = random() < REDELIVERED ? (random() < 0.5 ? 'concurrent' : 'later') : null;
    const lead = {
      i,
      source,
      email,
      person,
      invalid,
      routes: invalid ? [] : routesOf(source, campaign),
      body: JSON.stringify(payload),
      redelivery,
      headers: undefined,
    };
    person?.leads.push(lead);
    leads.push(lead);
  }
  return { leads, persons, jobs: sendingOrder(leads, random) };
}

// --- the tree the gateway runs --------------------------------------------------------------------

/** What bench/gateway.mjs snapshots from the working directory: its own list. */
const TREE = SOURCES;

/**
 * A copy of the tree with the run's own queue batch size and probe interval. Neither is a Worker
 * var, and bench/gateway.mjs snapshots the working directory, so the
 * run stages its tree and starts the gateway from there. Routes, sources, mappings stay as shipped.
 */
function stageTree(dir) {
  rmSync(dir, { recursive: true, force: true });
  for (const entry of TREE) {
    if (existsSync(entry)) cpSync(entry, join(dir, entry), { recursive: true });
  }
  const toml = join(dir, 'wrangler.toml');
  const consumer = /(\[\[queues\.consumers\]\]\s*\nqueue = "inlet-deliveries"\s*\nmax_batch_size = )\d+/;
  const shipped = readFileSync(toml, 'utf8');
  if (!consumer.test(shipped))
    throw new Error('wrangler.toml: no inlet-deliveries consumer with max_batch_size');
  writeFileSync(toml, shipped.replace(consumer, `$1${BATCH_SIZE}`));

  const configFile = join(dir, 'inlet.config.ts');
  const config = readFileSync(configFile, 'utf8');
  if (!config.includes('export default defineConfig('))
    throw new Error('inlet.config.ts: no `export default defineConfig(`');
  writeFileSync(
    configFile,
    `${config.replace('export default defineConfig(', 'const shipped = defineConfig(')}
// bench/chaos-scale.mjs: the shipped configuration, every destination probed sooner.
export default {
  ...shipped,
  destinations: Object.fromEntries(
    Object.entries(shipped.destinations).map(([name, entry]) => [
      name,
      {
        ...entry,
        health: { ...entry.health, probeSeconds: ${PROBE_SECONDS} },
      },
    ]),
  ),
};
`,
  );
}

// --- processes ------------------------------------------------------------------------------------

ensureDevVars();
const vars = readDevVars();
const admin = { authorization: `Bearer ${vars.ADMIN_TOKEN}` };
const config = await loadConfig('inlet.config.ts');
const routesOf = routing(config);
const firstSecret = (name) => (vars[name] ?? '').split(/\s+/).filter(Boolean)[0];
/** Per source: its scheme (the source's `verify`, else its type) and secret, as the gateway reads them. */
const signing = Object.fromEntries(
  Object.keys(SOURCE_SHARES).map((source) => {
    const entry = config.sources[source];
    if (!entry) throw new Error(`inlet.config.ts has no source ${source}`);
    const scheme = entry.verify ?? entry.type;
    const secretVar = `SOURCE_${source.toUpperCase().replace(/-/g, '_')}_SECRET`;
    if (!SIGNERS[scheme] || !firstSecret(secretVar))
      throw new Error(`cannot sign ${source} (${scheme}, ${secretVar})`);
    return [source, { scheme, sign: SIGNERS[scheme], secret: firstSecret(secretVar) }];
  }),
);

const shares = (mix) => {
  // crm.ts and hubspot.ts fail a request with `failureRate`, then pick its kind equally among
  // `faults`: a kind listed n times is n times as likely, so a list in hundredths gives the shares.
  const faults = Object.entries(mix).flatMap(([kind, share]) => Array(Math.round(share * 100)).fill(kind));
  return { failureRate: faults.length / 100, faults, seed: SEED, slowMs: SLOW_MS };
};

mkdirSync(WORK, { recursive: true });
const started = [];
const crm = await startMockCrm({ secret: vars.DESTINATION_SECRET, chaos: shares(FAULT_SHARES) });
started.push(() => {
  crm.server.closeAllConnections();
  return crm.close();
});
const crmPort = Number(new URL(crm.url).port);
const crmBase = crm.url.replace(/\/leads$/, '');
const hubspot = await startFakeHubspot({
  tokens: [vars.DESTINATION_HUBSPOT_TOKEN],
  chaos: { ...shares(FAULT_SHARES), seed: SEED + 1 },
});
started.push(() => hubspot.close());
// HubSpot's ten-secondly window, compressed like every other wait: its 429 says the window is 2 s.
await fetch(`${hubspot.url}/__control/rate-limit`, {
  method: 'POST',
  body: JSON.stringify({ limit: 0, windowSeconds: HUBSPOT_WINDOW_SECONDS }),
});
const slack = await startFakeSlack();
started.push(() => slack.close());

let gateway;
let sweeper;
let stopping;
function stopAll() {
  stopping ??= (async () => {
    clearInterval(sweeper);
    await gateway?.stop();
    for (const stop of started.reverse()) await within(stop(), 5_000);
  })();
  return stopping;
}
boundRun('chaos run', stopAll, PROFILE.watchdogSeconds * 1000);

const tree = join(WORK, 'tree');
stageTree(tree);
process.chdir(tree);
// startGateway snapshots the working directory before its first await, so the root is back at once.
const starting = startGateway({
  port: PORT,
  state: join(WORK, 'state'),
  log: LOG,
  logLevel: 'log',
  vars: {
    CRM_URL: crm.url,
    DESTINATION_HUBSPOT_URL: hubspot.url,
    ALERT_SLACK_WEBHOOK_URL: slack.webhookUrl,
    RETRY_BASE_SECONDS: 1,
    RETRY_MAX_SECONDS: 4,
    DELIVERY_TIMEOUT_MS,
    DELIVERY_MAX_ATTEMPTS: MAX_ATTEMPTS,
    PERSON_MERGE_WINDOW_SECONDS: 0,
  },
});
process.chdir(ROOT);
try {
  gateway = await starting;
} catch (error) {
  await stopAll();
  throw error;
}
const base = gateway.base;
/** How the sweeps triggered by the run were answered. */
const sweeps = [];
const sweep = () =>
  fetch(`${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}`, {
    signal: AbortSignal.timeout(SWEEP_MS),
  })
    .then(async (r) => {
      await r.text();
      sweeps.push(r.status);
    })
    .catch((error) => sweeps.push(error.name));
sweeper = setInterval(sweep, SWEEP_MS);

// --- talking to the gateway -----------------------------------------------------------------------

async function adminCall(path, init = {}) {
  for (let tries = 0; ; tries++) {
    try {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { ...admin, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        signal: AbortSignal.timeout(30_000),
      });
      if (response.status === 401) throw new Error('the admin API refused ADMIN_TOKEN from .dev.vars');
      if (response.ok) return await response.json();
      if (tries >= 2) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${response.status}`);
    } catch (error) {
      if (tries >= 2 || error.message.includes('ADMIN_TOKEN')) throw error;
    }
    await sleep(500);
  }
}

async function post(lead) {
  const { scheme, sign, secret } = signing[lead.source];
  const url = `${base}/in/${lead.source}`;
  // A redelivery is the same request again: the same headers, so the same delivery id and signature.
  if (!lead.headers) {
    const signed = sign({ body: Buffer.from(lead.body), secret, url });
    if (signed.query) throw new Error(`${scheme}: a signature in the query is not sent by this run`);
    lead.headers = { 'content-type': 'application/json', ...signed.headers };
  }
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: lead.headers,
      body: lead.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let json = {};
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, id: json.id, duplicate: json.duplicate === true, code: json.code };
  } catch (error) {
    return { status: 0, error: error.cause?.code ?? error.name };
  }
}

/** Every event of `source`, through the search API's cursor pages. */
async function listEvents(source) {
  const events = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const query = new URLSearchParams({ source, limit: '200', ...(cursor ? { cursor } : {}) });
    const answer = await adminCall(`/admin/events?${query}`);
    events.push(...answer.events);
    cursor = answer.next_cursor;
    if (!cursor) return events;
  }
  throw new Error(`more than 1000 pages of ${source} events`);
}

const funnel = async () => (await adminCall('/admin/stats/funnel')).totals;

const isFinal = (e) =>
  e !== undefined &&
  FINAL_EVENT_STATUSES.includes(e.status) &&
  (e.deliveries ?? []).every((d) => FINAL_DELIVERY_STATUSES.includes(d.status));

/** Waits until the funnel holds `received` events and none pending; answers the seconds it took. */
async function drain(received, deadlineMs, label) {
  const startedAt = Date.now();
  let lastReport = startedAt;
  for (;;) {
    const totals = await funnel().catch(() => undefined);
    if (totals && totals.received >= received && totals.pending === 0) break;
    if (Date.now() > deadlineMs) {
      console.log(`  ${label}: gave up waiting; funnel ${totals ? format(totals) : 'unreadable'}`);
      break;
    }
    if (Date.now() - lastReport > 15_000 && totals) {
      lastReport = Date.now();
      console.log(
        `  ${label} ${Math.round((Date.now() - startedAt) / 1000)} s: pending ${totals.pending}, delivered ${totals.delivered}, partial ${totals.partial}, dead ${totals.dead}, invalid ${totals.invalid}`,
      );
    }
    await sleep(2000);
  }
  return (Date.now() - startedAt) / 1000;
}

/** Takes `destination` down for `seconds`: the mock CRM refuses connections, HubSpot answers 503. */
async function outage(destination, seconds, timeline) {
  timeline.outageStart = Date.now();
  console.log(`  outage: ${destination} down for ${seconds} s`);
  if (destination === 'crm') {
    crm.server.close();
    crm.server.closeAllConnections();
  } else {
    await fetch(`${hubspot.url}/__control/chaos`, { method: 'POST', body: JSON.stringify({ down: true }) });
  }
  await sleep(seconds * 1000);
  if (destination === 'crm') {
    await new Promise((ready) => crm.server.listen(crmPort, '127.0.0.1', ready));
  } else {
    await fetch(`${hubspot.url}/__control/chaos`, { method: 'POST', body: JSON.stringify({ down: false }) });
  }
  timeline.outageEnd = Date.now();
  console.log(
    `  outage: ${destination} back after ${((timeline.outageEnd - timeline.outageStart) / 1000).toFixed(1)} s`,
  );
}

/**
 * The operator on call: a destination still paused this long after its CRM is up (the outage over,
 * or never down) is resumed by hand, as docs/runbook.md says to. The gateway resumes it by itself
 * when a probe succeeds, but each failed probe doubles the wait, and under these faults about half
 * fail (a 429 too), so without a bound one pause can outlast the run. Each resume is reported.
 */
function operator(timeline, afterMs) {
  const resumes = [];
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const { destinations } = await adminCall('/admin/destinations');
      for (const d of destinations) {
        if (d.state !== 'paused' || d.paused?.by !== 'outage') continue;
        const upSince = Math.max(
          Date.parse(d.paused.at),
          d.name === OUTAGE ? (timeline.outageEnd ?? Number.POSITIVE_INFINITY) : 0,
        );
        if (Date.now() - upSince < afterMs) continue;
        await adminCall(`/admin/destinations/${d.name}/resume`, { method: 'POST' });
        resumes.push({ name: d.name, pausedSeconds: (Date.now() - Date.parse(d.paused.at)) / 1000 });
        console.log(`  operator: resumed ${d.name}, paused ${Math.round(resumes.at(-1).pausedSeconds)} s`);
      }
    } catch {
      // The next tick looks again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, 5000);
  return { resumes, stop: () => clearInterval(timer) };
}

// --- the run --------------------------------------------------------------------------------------

const { check, all: checkList, failed } = checks();
const figures = [];
const figure = (name, value) => figures.push([name, value]);
const n = (value) => value.toLocaleString('en-US');

async function main() {
  if (!['crm', 'hubspot'].includes(OUTAGE)) throw new Error(`--outage is crm or hubspot, not ${OUTAGE}`);
  const { leads, persons, jobs } = plan(routesOf);
  const requests = jobs.reduce((sum, job) => sum + job.copies, 0);
  const bySource = histogram(leads.map((l) => l.source));
  console.log(
    `chaos scale run${CI ? ' (ci)' : ''}: ${n(LEADS)} leads (${format(bySource)}) of ${n(persons.length)} people, ` +
      `${leads.filter((l) => l.person && l.person.leads[0] !== l).length} second leads, ${leads.filter((l) => l.invalid).length} invalid, ` +
      `${leads.filter((l) => l.redelivery).length} redelivered: ${n(requests)} requests from ${SENDERS} senders; seed ${SEED}; ` +
      `faults ${format(FAULT_SHARES)} at crm and hubspot; ${OUTAGE} down ${OUTAGE_SECONDS} s; ` +
      `batch ${BATCH_SIZE}, timeout ${DELIVERY_TIMEOUT_MS} ms, backoff 1-4 s, ${MAX_ATTEMPTS} attempts, probe ${PROBE_SECONDS} s; ` +
      `gateway snapshot ${gateway.version} (log: ${LOG})`,
  );

  // 1. Send, taking the destination down when a third of the requests are out.
  const timeline = { start: Date.now() };
  const onCall = operator(timeline, OPERATOR_AFTER_SECONDS * 1000);
  const answers = new Map(leads.map((lead) => [lead, []]));
  const outageAfter = Math.floor(jobs.length * (CI ? 0.2 : 0.3));
  let outageDone;
  let sent = 0;
  let lastReport = Date.now();
  await pool(jobs, SENDERS, async (job, index) => {
    if (index === outageAfter) outageDone = outage(OUTAGE, OUTAGE_SECONDS, timeline);
    const results = await Promise.all(Array.from({ length: job.copies }, () => post(job.lead)));
    answers.get(job.lead).push(...results);
    sent += job.copies;
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      console.log(
        `  sent ${n(sent)}/${n(requests)} (${Math.round(sent / ((Date.now() - timeline.start) / 1000))} req/s)`,
      );
    }
  });
  timeline.sent = Date.now();
  const sendSeconds = (timeline.sent - timeline.start) / 1000;
  const all = [...answers.values()].flat();
  const statusCounts = histogram(all.map((a) => (a.status === 0 ? `error ${a.error}` : String(a.status))));
  console.log(
    `\nsent ${n(all.length)} requests in ${sendSeconds.toFixed(1)} s; answers: ${format(statusCounts)}`,
  );
  check(
    all.every((a) => a.status === 202 || a.status === 200),
    'every request answered 202 or 200 (no 4xx, no 5xx, no failed connection)',
    format(statusCounts),
  );

  // One 202 per lead (the first copy to land), every other copy 200 duplicate with the same id.
  const accepted = new Map();
  const redeliveryProblems = [];
  for (const lead of leads) {
    const got = answers.get(lead);
    const fresh = got.filter((a) => a.status === 202);
    const id = fresh[0]?.id;
    if (id) accepted.set(id, lead);
    if (fresh.length !== 1 || got.some((a) => a.status === 200 && (!a.duplicate || a.id !== id)))
      redeliveryProblems.push(
        `${lead.source} #${lead.i}: ${got.map((a) => `${a.status} ${a.id ?? a.error}`).join(', ')}`,
      );
  }
  const duplicates = all.filter((a) => a.status === 200 && a.duplicate).length;
  check(
    redeliveryProblems.length === 0,
    'every redelivery answered 200 duplicate with the original id (one 202 per lead)',
    redeliveryProblems.length ? redeliveryProblems.slice(0, 5).join('; ') : `${duplicates} duplicates`,
  );

  // 2. Drain: the outage ends, every event and delivery becomes final.
  await outageDone;
  const drainSeconds = await drain(accepted.size, timeline.start + WAIT_MS, 'drain');
  timeline.drained = Date.now();

  // 3. What the gateway holds, through the search API, source by source.
  const listed = new Map();
  for (const source of Object.keys(SOURCE_SHARES))
    for (const e of await listEvents(source)) listed.set(e.id, e);
  const stuck = [...accepted.keys()].filter((id) => !isFinal(listed.get(id)));
  check(
    stuck.length === 0,
    'none stuck: every accepted event final, with every delivery final',
    `${accepted.size - stuck.length}/${accepted.size} final after ${drainSeconds.toFixed(0)} s of draining` +
      (stuck.length
        ? `; e.g. ${stuck
            .slice(0, 5)
            .map(
              (id) =>
                `${id} ${listed.get(id)?.status ?? 'missing'} [${(listed.get(id)?.deliveries ?? []).map((d) => `${d.destination} ${d.status}`).join(', ')}]`,
            )
            .join('; ')}`
        : ''),
  );
  const totals = await funnel();
  const missing = [...accepted.keys()].filter((id) => !listed.has(id));
  const strangers = [...listed.keys()].filter((id) => !accepted.has(id));
  check(
    missing.length === 0 && strangers.length === 0 && totals.received === accepted.size,
    'nothing vanished: every 2xx-answered event is in the admin API, and nothing else is',
    `${listed.size} listed for ${accepted.size} accepted, funnel received ${totals.received}` +
      (missing.length ? `; missing ${missing.slice(0, 5).join(', ')}` : '') +
      (strangers.length ? `; not accepted ${strangers.slice(0, 5).join(', ')}` : ''),
  );

  // Routed where inlet.config.ts says, and ended as a lead of that kind may: a valid lead
  // delivered or dead (partial when it has two destinations), an invalid one `invalid`.
  const misrouted = [];
  for (const [id, lead] of accepted) {
    const event = listed.get(id);
    if (!event) continue;
    const got = event.deliveries.map((d) => d.destination).sort();
    const allowed = lead.invalid
      ? ['invalid']
      : lead.routes.length > 1
        ? ['delivered', 'partial', 'dead']
        : ['delivered', 'dead'];
    if (got.join() !== lead.routes.join() || !allowed.includes(event.status))
      misrouted.push(
        `${id} (${lead.source}${lead.invalid ? ', invalid' : ''}): ${event.status}, to [${got}] for [${lead.routes}]`,
      );
  }
  check(
    misrouted.length === 0,
    'each event delivered only where it is routed, and ended as its kind may',
    misrouted.length ? misrouted.slice(0, 5).join('; ') : `${accepted.size} events`,
  );
  const finalBefore = histogram([...listed.values()].map((e) => e.status));
  const deliveriesBefore = histogram(
    [...listed.values()].flatMap((e) => e.deliveries.map((d) => `${d.destination} ${d.status}`)),
  );
  const attemptsBefore = histogram([...listed.values()].flatMap((e) => e.deliveries.map((d) => d.attempts)));
  const deadEarly = [...listed.values()].flatMap((e) =>
    e.deliveries
      .filter((d) => d.status === 'dead' && d.attempts < MAX_ATTEMPTS)
      .map((d) => `${e.id} ${d.destination} after ${d.attempts}`),
  );
  check(
    deadEarly.length === 0,
    `dead only after ${MAX_ATTEMPTS} attempts`,
    deadEarly.length
      ? deadEarly.slice(0, 5).join('; ')
      : `${deliveriesBefore['crm dead'] ?? 0} crm and ${deliveriesBefore['hubspot dead'] ?? 0} hubspot deliveries dead`,
  );

  // 4. Replay the dead after the recovery: a bulk job per round, while the CRMs still misbehave.
  const deadKeys = (events) =>
    [...events.values()].flatMap((e) =>
      e.deliveries.filter((d) => d.status === 'dead').map((d) => `${e.id} ${d.destination}`),
    );
  const firstDead = deadKeys(listed);
  const rounds = [];
  let current = listed;
  const replayStart = Date.now();
  for (let round = 1; round <= REPLAY_ROUNDS && Date.now() - replayStart < REPLAY_MS; round++) {
    const dead = deadKeys(current);
    if (dead.length === 0) break;
    const { job } = await adminCall('/admin/replay-jobs', {
      method: 'POST',
      body: JSON.stringify({ filter: { delivery_status: 'dead' } }),
    });
    let done = job;
    for (let tries = 0; done.status === 'running' && tries < 120; tries++) {
      await sleep(1000);
      done = (await adminCall(`/admin/replay-jobs/${job.id}`)).job;
    }
    await sleep(2000);
    await drain(accepted.size, Date.now() + 90_000, `replay ${round}`);
    current = new Map();
    for (const source of Object.keys(SOURCE_SHARES))
      for (const e of await listEvents(source)) current.set(e.id, e);
    const still = deadKeys(current);
    // The attempts this round made for each delivery, from its attempt rows: the counter cannot
    // tell, as a replay may keep it or start it again.
    const made = new Map();
    await pool([...new Set(dead.map((key) => key.split(' ')[0]))], 16, async (id) => {
      for (const a of (await adminCall(`/admin/events/${id}`)).attempts) {
        if (Date.parse(a.started_at) < Date.parse(job.created_at)) continue;
        const key = `${id} ${a.destination}`;
        made.set(key, (made.get(key) ?? 0) + 1);
      }
    });
    const given = (key) => made.get(key) ?? 0;
    const spent = histogram(still.map(given));
    const unattempted = dead.filter((key) => given(key) < 1);
    rounds.push({ round, dead: dead.length, job: done, stillDead: still.length, spent, unattempted });
    console.log(
      `  replay round ${round}: ${dead.length} dead deliveries, job ${done.status} (matched ${done.matched}, replayed ${done.replayed}, skipped ${done.skipped}); dead after it: ${still.length} (attempts the replay gave them: ${format(spent)})`,
    );
  }
  const unattempted = rounds.flatMap((r) => r.unattempted);
  check(
    rounds.length > 0 ? unattempted.length === 0 && rounds.every((r) => r.job.status === 'done') : true,
    'each replay job ran to `done` and attempted every dead delivery again',
    rounds.length === 0
      ? 'no dead delivery to replay'
      : unattempted.length
        ? `not attempted: ${unattempted.slice(0, 5).join(', ')}`
        : rounds
            .map(
              (r) =>
                `job ${r.round}: ${r.job.replayed} events, ${r.stillDead} of ${r.dead} dead again` +
                (r.stillDead ? ` (after ${format(r.spent)} attempts)` : ''),
            )
            .join('; '),
  );
  const replaySeconds = (Date.now() - replayStart) / 1000;
  onCall.stop();
  const stillDead = deadKeys(current);
  const replayedDelivered = firstDead.filter((key) => {
    const [id, destination] = key.split(' ');
    return current.get(id)?.deliveries.find((d) => d.destination === destination)?.status === 'delivered';
  });

  // 5. The details: every attempt of every event, and what each CRM holds.
  const details = new Map();
  await pool([...accepted.keys()], 16, async (id) => details.set(id, await adminCall(`/admin/events/${id}`)));
  const crmRecords = await (await fetch(`${crmBase}/__control/records`)).json();
  const crmRequests = await (await fetch(`${crmBase}/__control/deliveries`)).json();
  const hubspotContacts = await (await fetch(`${hubspot.url}/__control/records`)).json();
  const hubspotFaults = await (await fetch(`${hubspot.url}/__control/faults`)).json();
  const hubspotCalls = await (await fetch(`${hubspot.url}/__control/requests`)).json();

  // Each delivered delivery succeeded exactly once at the gateway, and the mock CRM applied each
  // event once (a repeat of its webhook-id is answered without being applied).
  const applied = histogram(
    crmRequests.filter((d) => d.status >= 200 && d.status < 300 && !d.repeat).map((d) => d.webhookId),
  );
  const onceProblems = [];
  for (const [id, event] of details) {
    for (const d of event.deliveries) {
      const ok = event.attempts.filter(
        (a) => a.destination === d.destination && a.error_class === 'ok',
      ).length;
      if ((d.status === 'delivered' && ok !== 1) || (d.status !== 'delivered' && ok !== 0))
        onceProblems.push(`${id} ${d.destination} ${d.status} with ${ok} successful attempts`);
    }
    const crmDelivery = event.deliveries.find((d) => d.destination === 'crm');
    const times = applied[id] ?? 0;
    if (crmDelivery?.status === 'delivered' ? times !== 1 : times > 1)
      onceProblems.push(
        `${id} applied ${times} times by the mock CRM (${crmDelivery?.status ?? 'not routed there'})`,
      );
  }
  for (const webhookId of Object.keys(applied)) {
    if (!details.get(webhookId)?.deliveries.some((d) => d.destination === 'crm'))
      onceProblems.push(`the mock CRM applied ${webhookId}, which has no crm delivery`);
  }
  check(
    onceProblems.length === 0,
    'processed once: each delivered delivery has one successful attempt, the mock CRM applied each event once',
    onceProblems.length
      ? onceProblems.slice(0, 5).join('; ')
      : `${Object.keys(applied).length} events applied once`,
  );

  // One contact per person per CRM, and none for a person no lead of theirs was routed to.
  const contactProblems = [];
  const idOf = new Map([...accepted].map(([id, lead]) => [lead, id]));
  const personOf = new Map(persons.map((p) => [p.email.toLowerCase(), p]));
  const contacts = {
    crm: histogram(crmRecords.map((r) => (r.email ?? '').toLowerCase())),
    hubspot: histogram(hubspotContacts.map((c) => (c.properties.email ?? '').toLowerCase())),
  };
  const expected = { crm: 0, hubspot: 0 };
  /** People with two contacts in one CRM, to print how it came about. */
  const twice = [];
  for (const destination of ['crm', 'hubspot']) {
    for (const [email, count] of Object.entries(contacts[destination])) {
      const person = personOf.get(email);
      if (count > 1) {
        contactProblems.push(`${email}: ${count} ${destination} contacts`);
        twice.push({ email, destination, person });
      }
      if (!person?.leads.some((l) => l.routes.includes(destination)))
        contactProblems.push(`${email}: a ${destination} contact, but no lead of theirs is routed there`);
    }
    for (const person of persons) {
      const delivered = person.leads.some((lead) =>
        current
          .get(idOf.get(lead))
          ?.deliveries.some((d) => d.destination === destination && d.status === 'delivered'),
      );
      if (!delivered) continue;
      expected[destination]++;
      if ((contacts[destination][person.email.toLowerCase()] ?? 0) !== 1)
        contactProblems.push(
          `${person.email}: delivered to ${destination}, ${contacts[destination][person.email.toLowerCase()] ?? 0} contacts there`,
        );
    }
  }
  check(
    contactProblems.length === 0,
    'one contact per person per CRM, none where no lead of theirs was routed',
    contactProblems.length
      ? `${twice.length} people with two contacts; ${contactProblems.slice(0, 5).join('; ')}`
      : `crm ${crmRecords.length} records for ${expected.crm} people, hubspot ${hubspotContacts.length} contacts for ${expected.hubspot}`,
  );
  // Each of their events, with its attempts there in order, to read the race from.
  for (const { email, destination, person } of twice.slice(0, 5)) {
    console.log(`  ${email}, two ${destination} contacts:`);
    for (const lead of person?.leads ?? []) {
      const event = details.get(idOf.get(lead));
      if (!event) continue;
      const delivery = event.deliveries.find((d) => d.destination === destination);
      const tries = event.attempts
        .filter((a) => a.destination === destination)
        .map(
          (a) =>
            `#${a.attempt} ${a.started_at.slice(11, 23)} ${a.error_class}${a.http_status ? ` ${a.http_status}` : ''}`,
        )
        .join(', ');
      console.log(
        `    ${event.id} (${lead.source}, received ${event.received_at.slice(11, 23)}): ${delivery?.status ?? 'no delivery'} record ${delivery?.record_id ?? '-'}; ${tries || 'no attempts'}`,
      );
    }
  }

  check(
    stillDead.length === 0 && replayedDelivered.length === firstDead.length,
    'every dead delivery, replayed after the recovery until none is left, ends delivered (once: see above)',
    `${firstDead.length} dead → ${replayedDelivered.length} delivered in ${rounds.length} bulk jobs (${rounds.map((r) => `${r.dead} → ${r.dead - r.stillDead}`).join(', ') || 'none needed'})` +
      (stillDead.length
        ? `; still dead: ${stillDead
            .slice(0, 5)
            .map((key) => {
              const [id, destination] = key.split(' ');
              const d = current.get(id)?.deliveries.find((x) => x.destination === destination);
              return `${key} after ${d?.attempts} attempts (${d?.last_error})`;
            })
            .join(', ')}`
        : ''),
  );

  const reloads = gateway.reloads();
  check(
    reloads === 0,
    'the local gateway ran without a reload (a reload drops the local queue’s messages)',
    reloads ? `${reloads} reloads; see "Reloading local server" in ${LOG}` : 'none',
  );

  // 6. The figures.
  const log = readFileSync(LOG, 'utf8');
  const health = (word) =>
    histogram(
      [...log.matchAll(new RegExp(`"message":"destination ${word}"[^\\n]*?"destination":"(\\w+)"`, 'g'))].map(
        (m) => m[1],
      ),
    );
  const attempts = [...details.values()].flatMap((e) => e.attempts);
  const during = (a) =>
    Date.parse(a.started_at) >= timeline.outageStart && Date.parse(a.started_at) < timeline.outageEnd;
  const alerts = await (await fetch(`${slack.url}/__control/messages`)).json();
  const wall = (Date.now() - timeline.start) / 1000;
  const routes = histogram([...accepted.values()].filter((l) => !l.invalid).map((l) => l.routes.join(' + ')));
  const crmFaults = histogram(crmRequests.filter((d) => d.chaos).map((d) => d.chaos));
  const hubspotFaultKinds = histogram(hubspotFaults.map((f) => f.kind));
  const hubspotFaultInputs = hubspotFaults.reduce((sum, f) => sum + f.inputs, 0);

  figure(
    'leads',
    `${n(LEADS)} (${format(bySource)}) of ${n(persons.length)} people; ${leads.filter((l) => l.person && l.person.leads[0] !== l).length} second leads of a person, ${leads.filter((l) => l.invalid).length} invalid`,
  );
  figure(
    'requests sent',
    `${n(all.length)} from ${SENDERS} senders in ${sendSeconds.toFixed(0)} s (${Math.round(all.length / sendSeconds)} req/s); ${leads.filter((l) => l.redelivery === 'concurrent').length} redelivered at once, ${leads.filter((l) => l.redelivery === 'later').length} a little later`,
  );
  figure('answers', format(statusCounts));
  figure('events accepted / duplicates', `${n(accepted.size)} / ${n(duplicates)}`);
  figure('routes of the valid leads', format(routes));
  figure('crm: requests, faults injected', `${n(crmRequests.length)}; ${format(crmFaults)}`);
  figure(
    'hubspot: API calls, faults injected',
    `${n(hubspotCalls.length)}; ${format(hubspotFaultKinds)} (${n(hubspotFaultInputs)} inputs in the failed calls)`,
  );
  figure(
    'outage',
    `${OUTAGE} ${OUTAGE === 'crm' ? 'refused connections' : 'answered 503 to everything'} for ${((timeline.outageEnd - timeline.outageStart) / 1000).toFixed(1)} s, from ${((timeline.outageStart - timeline.start) / 1000).toFixed(0)} s into the run; ` +
      `${attempts.filter((a) => a.destination === OUTAGE && during(a)).length} attempts met it (${format(histogram(attempts.filter((a) => a.destination === OUTAGE && during(a)).map((a) => a.error_class)))})`,
  );
  figure(
    'destination paused / resumed (log)',
    `paused ${format(health('paused'))}; resumed by a probe ${format(health('resumed'))}, by the operator ${format(histogram(onCall.resumes.map((r) => r.name)))}` +
      `${onCall.resumes.length ? ` (after ${onCall.resumes.map((r) => `${Math.round(r.pausedSeconds)} s`).join(', ')} paused)` : ''}; ${alerts.length} Slack alerts; sweeps ${format(histogram(sweeps))}`,
  );
  figure('final statuses (before the replay)', format(finalBefore));
  figure('deliveries (before the replay)', format(deliveriesBefore));
  figure('attempts per delivery (before the replay)', format(attemptsBefore));
  figure('attempts by error class (all)', format(histogram(attempts.map((a) => a.error_class))));
  figure(
    'contacts per CRM',
    `crm ${n(crmRecords.length)} records for ${n(expected.crm)} people; hubspot ${n(hubspotContacts.length)} contacts for ${n(expected.hubspot)} people`,
  );
  figure(
    'duplicate contacts',
    String(contactProblems.filter((p) => / \d+ (crm|hubspot) contacts$/.test(p)).length),
  );
  figure('lost events', String(missing.length + stuck.length));
  figure(
    'replayed dead → delivered',
    `${firstDead.length} → ${replayedDelivered.length} in ${rounds.length} bulk jobs (${rounds.map((r) => `${r.dead} → ${r.dead - r.stillDead}`).join(', ') || '-'}), ${replaySeconds.toFixed(0)} s`,
  );
  figure('final statuses (after the replay)', format(histogram([...current.values()].map((e) => e.status))));
  figure(
    'wall time',
    `${wall.toFixed(0)} s: sending ${sendSeconds.toFixed(0)} s, then draining ${drainSeconds.toFixed(0)} s, replaying ${replaySeconds.toFixed(0)} s`,
  );
  figure('leads/s', `${(LEADS / ((timeline.drained - timeline.start) / 1000)).toFixed(1)} (sent to drained)`);

  const table = [
    '| figure | value |',
    '| --- | --- |',
    ...figures.map(([name, value]) => `| ${name} | ${value.replace(/\|/g, '\\|')} |`),
  ].join('\n');
  const checkTable = [
    '| check | result |',
    '| --- | --- |',
    ...checkList.map(
      (c) => `| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'}: ${c.detail.replace(/\|/g, '\\|')} |`,
    ),
  ].join('\n');
  console.log(`\n${table}\n\n${checkTable}\n`);
  writeReport(table, checkTable, wall);

  const failures = failed();
  console.log(
    `${checkList.length - failures.length}/${checkList.length} checks passed${failures.length ? `; failed: ${failures.map((c) => c.name).join('; ')}` : ''}`,
  );
  return failures.length === 0 ? 0 : 1;
}

/** Writes the run's part of the report between its markers, keeping what was written around it. */
function writeReport(table, checkTable, wall) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  const wrangler = JSON.parse(readFileSync('node_modules/wrangler/package.json', 'utf8')).version;
  const command = CI ? 'node bench/chaos-scale.mjs --ci' : 'npm run chaos:scale';
  // The options that change the run, not where its report goes.
  const settings = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--ci' && !a.startsWith('--report') && all[i - 1] !== '--report');
  const body = [
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: \`${command}${settings.length ? ` -- ${settings.join(' ')}` : ''}\`, seed ${SEED}, ` +
      `${failed().length === 0 ? 'every check passed' : `**${failed().length} check${failed().length === 1 ? '' : 's'} failed**`} in ${(wall / 60).toFixed(1)} min.`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadavg()[1].toFixed(1)} over the last 5 min (other work shares it), Node ${process.versions.node}, wrangler ${wrangler} (` +
      `\`wrangler dev\`, local D1/KV/Queues); commit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src', 'migrations', 'inlet.config.ts', 'wrangler.toml') ? ' with local changes' : ''}, gateway snapshot ${gateway.version}.`,
    '',
    `Settings: faults ${format(FAULT_SHARES)} of the write requests at both CRMs; ${OUTAGE} down ${OUTAGE_SECONDS} s; ` +
      `delivery batch ${BATCH_SIZE}, timeout ${DELIVERY_TIMEOUT_MS} ms (a slow answer takes ${SLOW_MS} ms), backoff 1–4 s, ` +
      `${MAX_ATTEMPTS} attempts, first probe ${PROBE_SECONDS} s, sweep every ${SWEEP_MS / 1000} s, circuits at the shipped ` +
      `20 failed calls, HubSpot's rate-limit window ${HUBSPOT_WINDOW_SECONDS} s, the operator's resume ` +
      `${OPERATOR_AFTER_SECONDS} s after a CRM is up; ${SENDERS} senders.`,
    '',
    table,
    '',
    checkTable,
  ].join('\n');
  const begin = '<!-- chaos-scale:begin -->';
  const end = '<!-- chaos-scale:end -->';
  const path = resolve(ROOT, REPORT);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : `# Reliability run\n\n${begin}\n${end}\n`;
  const at = old.indexOf(begin);
  const until = old.indexOf(end);
  const next =
    at >= 0 && until > at
      ? `${old.slice(0, at + begin.length)}\n${body}\n${old.slice(until)}`
      : `${old.trimEnd()}\n\n${begin}\n${body}\n${end}\n`;
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, next);
  // Aligned as `npm test`'s `biome check` wants the tables of a tracked file (it skips ignored ones).
  try {
    execFileSync(
      resolve(ROOT, 'node_modules/.bin/biome'),
      ['format', '--write', '--no-errors-on-unmatched', path],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    console.log(`  (biome could not format ${REPORT}: \`npx biome format --write ${REPORT}\`)`);
  }
  console.log(`report written to ${REPORT}`);
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`chaos run aborted: ${error.stack ?? error.message}`);
} finally {
  await stopAll();
}
process.exit(code);
