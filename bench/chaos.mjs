// `npm run chaos`: the gateway's promises under a misbehaving CRM. Starts the mock CRM with random
// faults (500, 503 and 429 with Retry-After, answers slower than the delivery timeout, dropped
// connections), `wrangler dev` on its own port and state with short retry settings, sends signed
// leads with redeliveries and second leads of the same person, waits until every event is final,
// then checks that nothing was lost, stuck, answered 5xx, or created twice. Exits 1 on a failed
// check. Bounded in count and time, stops everything it started; loopback only. Never part of CI.
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { ensureDevVars, readDevVars } from '../scripts/env.mjs';
import { FINAL_DELIVERY_STATUSES, FINAL_EVENT_STATUSES } from '../src/pipeline/status.ts';
import { seeded, startMockCrm } from '../test/servers/crm.ts';
import { boundRun, format, histogram, pool, sendingOrder, sleep, within } from './chaos-lib.mjs';
import { startGateway } from './gateway.mjs';

const PORT = 8796;
const STATE = '.tmp/chaos-state';
const LOG = '.tmp/chaos-wrangler.log';
const LEADS = Number(process.env.CHAOS_LEADS ?? 300);
const CONCURRENCY = 8;
const FAILURE_RATE = Number(process.env.CHAOS_FAILURE_RATE ?? 0.3);
const SEED = Number(process.env.CHAOS_SEED ?? 1);
/** Which faults the CRM injects (comma-separated; default all): http_500, http_503, http_429, slow, dropped. */
const FAULTS = process.env.CHAOS_FAULTS?.split(',').filter(Boolean);
const WAIT_MS = Number(process.env.CHAOS_WAIT_SECONDS ?? 180) * 1000;
const REDELIVERED = 0.2;
const SECOND_LEAD = 0.1;
const DELIVERY_TIMEOUT_MS = 1500;
const SLOW_MS = 2500;
// An event is final once every one of its deliveries is (src/pipeline/status.ts). Every demo lead
// has one delivery, to `crm`; of the final statuses only these four are an outcome this run accepts
// (`partial` and `unrouted` cannot be right for a lead whose one route is `crm`: it is lost).
const FINAL = FINAL_EVENT_STATUSES;
const FINAL_DELIVERY = FINAL_DELIVERY_STATUSES;
const EXPECTED = ['delivered', 'dead', 'invalid', 'merged'];
const DESTINATION = 'crm';
// Inlet counts delivery attempts itself (DELIVERY_MAX_ATTEMPTS in wrangler.toml).
const MAX_ATTEMPTS = Number(
  /DELIVERY_MAX_ATTEMPTS\s*=\s*"(\d+)"/.exec(readFileSync('wrangler.toml', 'utf8'))?.[1] ?? 9,
);

// --- the plan: which leads, which are second leads of a person, which are redelivered ------------

function plan() {
  const random = seeded(SEED);
  const run = Date.now().toString(36);
  const leads = [];
  const persons = [];
  for (let i = 0; i < LEADS; i++) {
    // A second lead goes to one of the last few people, so both of their leads are in flight together.
    const recent = persons.slice(-10).filter((p) => p.leads === 1);
    let lead;
    if (i > 0 && recent.length > 0 && random() < SECOND_LEAD) {
      const person = recent[Math.floor(random() * recent.length)];
      person.leads++;
      lead = {
        email: person.email,
        second: true,
        body: {
          email: person.email,
          full_name: `Dr. ${person.first} ${person.last}`,
          job_title: 'Head of Operations',
          company: `${person.last} Holdings`,
          phone: `+1 415 555 0${String(100 + (person.n % 100)).padStart(3, '0')}`,
          form: 'webinar-signup',
          utm_source: 'webinar',
        },
      };
    } else {
      const n = persons.length;
      const person = {
        n,
        email: `chaos.${run}.${n}@example.com`,
        first: ['Ada', 'Grace', 'Katherine', 'Dorothy', 'Mary'][n % 5],
        last: `Tester${n}`,
        leads: 1,
      };
      persons.push(person);
      lead = {
        email: person.email,
        second: false,
        body: {
          email: person.email,
          first_name: person.first,
          last_name: person.last,
          company: 'Analytical Engines Ltd',
          utm_source: 'chaos',
          utm_campaign: `seed-${SEED}`,
        },
      };
    }
    const redelivery = random() < REDELIVERED ? (random() < 0.5 ? 'concurrent' : 'later') : null;
    leads.push({
      ...lead,
      i,
      webhookId: `msg_chaos_${run}_${i}`,
      body: JSON.stringify(lead.body),
      redelivery,
    });
  }
  return { leads, persons, jobs: sendingOrder(leads, random) };
}

// --- processes ------------------------------------------------------------------------------------

ensureDevVars();
const vars = readDevVars();
const secret = vars.SOURCE_DEMO_SECRET.split(/\s+/).filter(Boolean)[0];
const admin = { authorization: `Bearer ${vars.ADMIN_TOKEN}` };
const webhook = new Webhook(secret);

const crm = await startMockCrm({
  secret: vars.DESTINATION_SECRET,
  chaos: { failureRate: FAILURE_RATE, seed: SEED, slowMs: SLOW_MS, ...(FAULTS ? { faults: FAULTS } : {}) },
});
const crmBase = crm.url.replace(/\/leads$/, '');
const gateway = await startGateway({
  port: PORT,
  state: STATE,
  log: LOG,
  logLevel: 'log',
  vars: {
    CRM_URL: crm.url,
    RETRY_BASE_SECONDS: 1,
    RETRY_MAX_SECONDS: 4,
    DELIVERY_TIMEOUT_MS,
    // CHAOS_MERGE_WINDOW=2 runs the same chaos with the person merge window on.
    PERSON_MERGE_WINDOW_SECONDS: process.env.CHAOS_MERGE_WINDOW ?? '0',
  },
}).catch(async (error) => {
  await crm.close();
  throw error;
});

let stopping;
function stopAll() {
  stopping ??= (async () => {
    await gateway.stop();
    crm.server.closeAllConnections();
    await within(crm.close(), 5_000);
  })();
  return stopping;
}
boundRun('chaos run', stopAll);

// --- the run --------------------------------------------------------------------------------------

const checks = [];
const check = (ok, name, detail = '') => {
  checks.push({ ok, name });
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`);
};

async function post(lead) {
  const now = new Date();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': lead.webhookId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': webhook.sign(lead.webhookId, now, lead.body),
  };
  try {
    const response = await fetch(`${gateway.base}/in/demo`, { method: 'POST', headers, body: lead.body });
    const text = await response.text();
    let json = {};
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, id: json.id, duplicate: json.duplicate === true };
  } catch (error) {
    return { status: 0, error: error.cause?.code ?? error.message };
  }
}

async function readEvent(id) {
  for (let tries = 0; ; tries++) {
    try {
      const response = await fetch(`${gateway.base}/admin/events/${encodeURIComponent(id)}`, {
        headers: admin,
      });
      if (response.status === 401) throw new Error('the admin API refused ADMIN_TOKEN from .dev.vars');
      if (response.ok) return await response.json();
      if (tries >= 2) return { id, status: `http_${response.status}` };
    } catch (error) {
      if (tries >= 2 || error.message.includes('ADMIN_TOKEN')) throw error;
    }
    await sleep(200);
  }
}

async function main() {
  const { leads, persons, jobs } = plan();
  const redeliveries = leads.filter((l) => l.redelivery).length;
  const seconds = leads.filter((l) => l.second).length;
  console.log(
    `chaos run: ${LEADS} leads of ${persons.length} people (${seconds} second leads of a person), ` +
      `${redeliveries} redelivered, ${jobs.length + leads.filter((l) => l.redelivery === 'concurrent').length} requests, ` +
      `concurrency ${CONCURRENCY}; CRM failure rate ${FAILURE_RATE} (${FAULTS?.join(', ') ?? 'all faults'}), seed ${SEED}; ` +
      `timeout ${DELIVERY_TIMEOUT_MS} ms, backoff 1-4 s, ${MAX_ATTEMPTS} attempts max; ` +
      `gateway snapshot ${gateway.version} (log: ${LOG})`,
  );

  // 1. Send.
  const answers = new Map(leads.map((lead) => [lead.webhookId, []]));
  const sendStarted = performance.now();
  await pool(jobs, CONCURRENCY, async (job) => {
    const results = await Promise.all(Array.from({ length: job.copies }, () => post(job.lead)));
    answers.get(job.lead.webhookId).push(...results);
  });
  const sendSeconds = (performance.now() - sendStarted) / 1000;

  const all = [...answers.values()].flat();
  const statusCounts = histogram(all.map((a) => (a.status === 0 ? `error ${a.error}` : a.status)));
  const badRequests = all.filter((a) => a.status !== 200 && a.status !== 202);
  console.log(
    `\nsent ${all.length} requests in ${sendSeconds.toFixed(1)} s; answers: ${format(statusCounts)}`,
  );
  check(badRequests.length === 0, 'every request answered 202 or 200 (no 5xx)', format(statusCounts));

  // Per webhook-id: exactly one 202 (the first to land), every other copy 200 duplicate with its id.
  const redeliveryProblems = [];
  const accepted = [];
  const leadOf = new Map();
  for (const lead of leads) {
    const got = answers.get(lead.webhookId);
    const fresh = got.filter((a) => a.status === 202);
    const dups = got.filter((a) => a.status === 200);
    const id = fresh[0]?.id;
    if (id) {
      accepted.push(id);
      leadOf.set(id, lead);
    }
    if (fresh.length !== 1 || dups.some((a) => !a.duplicate || a.id !== id)) {
      redeliveryProblems.push(
        `${lead.webhookId}: ${got.map((a) => `${a.status} ${a.id ?? a.error}`).join(', ')}`,
      );
    }
  }
  check(
    redeliveryProblems.length === 0,
    'every redelivery answered 200 with the original id (one 202 per webhook-id)',
    redeliveryProblems.length ? redeliveryProblems.slice(0, 10).join('; ') : `${redeliveries} redelivered`,
  );

  // 2. Wait until every accepted event is final, and every one of its deliveries too.
  const events = new Map();
  const isFinal = (e) =>
    e !== undefined &&
    FINAL.includes(e.status) &&
    (e.deliveries ?? []).every((d) => FINAL_DELIVERY.includes(d.status));
  const waitStarted = Date.now();
  let lastReport = waitStarted;
  for (;;) {
    const pending = accepted.filter((id) => !isFinal(events.get(id)));
    if (pending.length === 0 || Date.now() - waitStarted > WAIT_MS) break;
    await pool(pending, CONCURRENCY, async (id) => events.set(id, await readEvent(id)));
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      const statuses = histogram([...events.values()].map((e) => e.status));
      const waiting = histogram(
        [...events.values()]
          .flatMap((e) => (e.deliveries ?? []).map((d) => d.status))
          .filter((s) => !FINAL_DELIVERY.includes(s)),
      );
      console.log(
        `  ${Math.round((Date.now() - waitStarted) / 1000)} s: ${format(statuses)}; deliveries not final: ${format(waiting)}`,
      );
    }
    if (accepted.some((id) => !isFinal(events.get(id)))) await sleep(1000);
  }
  const waitSeconds = (Date.now() - waitStarted) / 1000;
  const final = [...events.values()];
  const allDeliveries = final.flatMap((e) => (e.deliveries ?? []).map((d) => ({ ...d, eventId: e.id })));
  /** The attempts recorded for one delivery (each attempt row names its destination). */
  const attemptsOf = (event, destination) =>
    (event.attempts ?? []).filter((a) => a.destination === destination);
  const stuck = accepted
    .map((id) => events.get(id) ?? { id, status: 'unread', deliveries: [] })
    .filter((e) => !isFinal(e));
  const byStatus = histogram(final.map((e) => e.status));
  console.log(
    `\nevents final after ${waitSeconds.toFixed(1)} s of waiting: ${format(byStatus)}; ` +
      `deliveries: ${format(histogram(allDeliveries.map((d) => `${d.destination} ${d.status}`)))}`,
  );
  check(
    stuck.length === 0 && accepted.length === leads.length,
    'every accepted event ended final, with every delivery final (none stuck)',
    `${accepted.length - stuck.length}/${accepted.length} final, ${accepted.length}/${leads.length} accepted`,
  );
  const describeDeliveries = (event) =>
    (event.deliveries ?? [])
      .map(
        (d) =>
          `${d.destination} ${d.status} ${d.attempts} attempts (${attemptsOf(event, d.destination).length} recorded)` +
          `${d.next_attempt_at ? ` next ${d.next_attempt_at}` : ''}${d.last_error ? `, ${d.last_error}` : ''}`,
      )
      .join('; ') || 'no deliveries';
  for (const event of stuck.slice(0, 10)) {
    console.log(
      `  stuck ${event.id}: ${event.status}, ${describeDeliveries(event)}; ${event.last_error ?? ''}`,
    );
  }

  // 3. What the CRM holds. A slow answer was applied before it was answered, so it is all there.
  const received = await (await fetch(`${crmBase}/__control/deliveries`)).json();
  const ok2xx = received.filter((d) => d.status >= 200 && d.status < 300);
  const deliveredIds = new Set(ok2xx.map((d) => d.webhookId));
  const delivered = final.filter((e) => e.status === 'delivered');
  // A merged event reaches the CRM inside its holder's delivery (`merged_event_ids`).
  const mergedIds = new Set(ok2xx.flatMap((d) => d.mergedEventIds ?? []));
  const merged = final.filter((e) => e.status === 'merged');
  // Per delivery: every delivery that ended `delivered` reached the CRM with a 2xx (the webhook-id
  // is the event id). A delivered event is delivered to its one destination; a final status this
  // run cannot accept (`partial`, `unrouted`) is a lead that never reached the CRM.
  const lost = [
    ...allDeliveries
      .filter((d) => d.status === 'delivered' && !deliveredIds.has(d.eventId))
      .map((d) => `${d.eventId} (${d.destination} delivered, not at the CRM)`),
    ...delivered
      .filter(
        (e) =>
          e.deliveries.length !== 1 ||
          e.deliveries[0].destination !== DESTINATION ||
          e.deliveries[0].status !== 'delivered',
      )
      .map((e) => `${e.id} (delivered event: ${describeDeliveries(e)})`),
    ...merged.filter((e) => !mergedIds.has(e.id)).map((e) => `${e.id} (merged, in no holder's delivery)`),
    ...final
      .filter((e) => FINAL.includes(e.status) && !EXPECTED.includes(e.status))
      .map((e) => `${e.id} (${e.status}: ${describeDeliveries(e)})`),
  ];
  check(
    lost.length === 0,
    'nothing lost: every delivered delivery reached the CRM with a 2xx, every merged event inside another',
    lost.length
      ? lost.slice(0, 20).join(', ')
      : `${delivered.length} delivered, ${merged.length} merged, all found`,
  );
  const acceptedSet = new Set(accepted);
  const strangers = [...deliveredIds].filter((id) => !acceptedSet.has(id));
  if (strangers.length)
    console.log(`  CRM 2xx for webhook-ids no request was accepted under: ${strangers.join(', ')}`);

  // 4. One record per person: never created twice, even when two leads of one person race.
  const deliveredEmails = new Set(delivered.map((e) => leadOf.get(e.id)?.email));
  const recordProblems = [];
  const recordIds = new Map();
  await pool(persons, CONCURRENCY, async (person) => {
    const records = await (
      await fetch(`${crmBase}/__control/records?email=${encodeURIComponent(person.email)}`)
    ).json();
    if (records.length === 1) recordIds.set(person.email, records[0].id);
    const expected = deliveredEmails.has(person.email);
    if (records.length > 1 || (expected && records.length !== 1)) {
      const creates = ok2xx.filter((d) => d.email === person.email && d.status === 201);
      // Each of the person's events, with its delivery and attempts, to read the race from.
      const timeline = accepted
        .filter((id) => leadOf.get(id)?.email === person.email)
        .map((id) => {
          const event = events.get(id);
          const attempts = (event?.attempts ?? [])
            .map((a) => `#${a.attempt} ${a.started_at.slice(11, 23)} ${a.error_class}`)
            .join(', ');
          return `    ${id} ${event?.status}: ${event ? describeDeliveries(event) : '?'}; attempts: ${attempts || '-'}`;
        });
      recordProblems.push(
        `${person.email}: ${records.length} records (${records.map((r) => r.id).join(', ')}); creating deliveries: ${creates
          .map((d) => `${d.webhookId} (${d.type}${d.chaos ? `, ${d.chaos}` : ''})`)
          .join(', ')}\n${timeline.join('\n')}`,
      );
    }
  });
  check(
    recordProblems.length === 0,
    'one CRM record per person (never created twice)',
    recordProblems.length ? `${recordProblems.length} people` : `${persons.length} people`,
  );
  for (const problem of recordProblems.slice(0, 10)) console.log(`  ${problem}`);
  // Report: the record id each delivered delivery stored is the person's one CRM record.
  const otherRecord = delivered.filter((e) => {
    const record = recordIds.get(leadOf.get(e.id)?.email);
    return e.deliveries.some(
      (d) => d.status === 'delivered' && d.record_id !== null && d.record_id !== record,
    );
  });
  console.log(
    `  record ids: ${delivered.length - otherRecord.length}/${delivered.length} delivered deliveries name the person's CRM record` +
      (otherRecord.length
        ? `; others: ${otherRecord
            .slice(0, 10)
            .map((e) => e.id)
            .join(', ')}`
        : ''),
  );

  // 5. Dead only after every attempt (no CRM answer here is a 4xx that stops at once): per
  // delivery, its attempt counter and the attempts recorded for it both reach the maximum, so a
  // wait (a hold, another lead's creation) was never counted as an attempt. A dead event without a
  // dead delivery would be dead without any attempt.
  const deadDeliveries = allDeliveries.filter((d) => d.status === 'dead');
  const deadEvents = final.filter((e) => e.status === 'dead');
  const deadEarly = [
    ...deadDeliveries
      .filter(
        (d) =>
          d.attempts < MAX_ATTEMPTS || attemptsOf(events.get(d.eventId), d.destination).length < MAX_ATTEMPTS,
      )
      .map((d) => d.eventId),
    ...deadEvents.filter((e) => !e.deliveries.some((d) => d.status === 'dead')).map((e) => e.id),
  ];
  check(
    deadEarly.length === 0,
    `dead only after ${MAX_ATTEMPTS} attempts`,
    `${deadDeliveries.length} dead deliveries (${deadEvents.length} dead events), ${deadEarly.length} with fewer attempts`,
  );
  for (const event of deadEvents.slice(0, 20)) {
    console.log(
      `  dead ${event.id}: ${describeDeliveries(event)} [${event.attempts.map((a) => a.error_class).join(' ')}]`,
    );
  }
  for (const id of deadEarly.slice(0, 20)) {
    const event = events.get(id);
    if (event.status !== 'dead')
      console.log(`  dead delivery of ${id} (${event.status}): ${describeDeliveries(event)}`);
  }

  // 6. Reports, not checks.
  const perId = histogram(ok2xx.map((d) => d.webhookId));
  const repeatedIds = Object.values(perId).filter((n) => n > 1);
  const repeats = repeatedIds.reduce((sum, n) => sum + n - 1, 0);
  console.log(
    `\nat-least-once: ${repeats} CRM 2xx deliveries repeated a webhook-id (${repeatedIds.length} ids; ` +
      `the receiver drops them by webhook-id)`,
  );
  console.log(
    `CRM requests: ${received.length}; faults injected: ${format(histogram(received.filter((d) => d.chaos).map((d) => d.chaos)))}`,
  );
  console.log(
    `CRM answers: ${format(histogram(received.map((d) => d.status)))}; types of 2xx: ${format(histogram(ok2xx.filter((d) => !d.repeat).map((d) => d.type)))}`,
  );
  console.log(
    `attempts per delivery: ${format(histogram(allDeliveries.map((d) => String(d.attempts).padStart(2))))}`,
  );
  const miscounted = allDeliveries.filter(
    (d) => d.attempts !== attemptsOf(events.get(d.eventId), d.destination).length,
  );
  console.log(
    `deliveries whose attempt counter differs from the attempts recorded: ${miscounted.length}` +
      (miscounted.length
        ? ` (${miscounted
            .slice(0, 10)
            .map((d) => d.eventId)
            .join(', ')})`
        : ''),
  );
  console.log(
    `error classes of attempts: ${format(histogram(final.flatMap((e) => (e.attempts ?? []).map((a) => a.error_class))))}`,
  );

  // Not a promise of the gateway, but the condition for reading the others: a reload of the local
  // Worker drops the local queue's messages in flight (delayed retries included), which the cron
  // sweep would only bring back after REQUEUE_AFTER_SECONDS.
  const reloads = gateway.reloads();
  check(
    reloads === 0,
    'the local gateway ran without a reload (else stuck deliveries may be lost local queue messages)',
    reloads ? `${reloads} reloads; see "Reloading local server" in ${LOG}` : 'none',
  );

  const failed = checks.filter((c) => !c.ok);
  console.log(
    `\n${checks.length - failed.length}/${checks.length} checks passed${failed.length ? `; failed: ${failed.map((c) => c.name).join('; ')}` : ''}`,
  );
  return failed.length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`chaos run aborted: ${error.message}`);
} finally {
  await stopAll();
}
process.exit(code);
