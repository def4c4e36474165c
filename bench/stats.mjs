// The operator's stats and search at a million events, on the real local D1 (Miniflare, the
// SQLite that `wrangler dev` runs): the rollups of migration 0008 against the GROUP BY over
// `events` they replace, the cost the triggers that keep them add to the writes, and the query
// plan of every search filter. A benchmark, not a test: nothing here passes or fails.
//
//   npm run bench:stats                     (node bench/stats.mjs)
//   node bench/stats.mjs --events 200000 --cost-events 50000 --runs 10 --out ''
//
// The queries are the ones src/store/stats.ts and src/store/search.ts send: those modules are
// imported (Node strips their types) and called with the D1 binding wrapped in a recorder, so
// the SQL timed and explained here cannot drift from the SQL the admin API runs.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';

// src/ imports its siblings without an extension, as the bundler allows; Node needs one.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && context.parentURL?.endsWith('.ts'))
        return next(`${specifier}.ts`, context);
      throw error;
    }
  },
});
const { funnel, cohorts, latency, FUNNEL_STAGES } = await import('../src/store/stats.ts');
const { searchEvents, countMatching } = await import('../src/store/search.ts');
const { personKeys } = await import('../src/leads/identity.ts');
const { timePrefix } = await import('../src/lib/ids.ts');

const count = (text) => {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.replace(/[_,]/g, ''));
  if (!match) throw new Error(`not a count: ${text}`);
  return Math.round(Number(match[1]) * { '': 1, k: 1e3, m: 1e6 }[match[2].toLowerCase()]);
};
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'cost-events': { type: 'string', default: '200000' },
    runs: { type: 'string', default: '20' },
    out: { type: 'string', default: 'docs/benchmarks/stats.md' },
    proposals: { type: 'boolean', default: false },
  },
});
const N = count(args.events);
const COST_N = count(args['cost-events']);
const RUNS = count(args.runs);
const ARGS = process.argv.slice(2).join(' ');
const COMMAND = process.env.npm_lifecycle_event
  ? `\`npm run ${process.env.npm_lifecycle_event}${ARGS ? ` -- ${ARGS}` : ''}\``
  : `\`node bench/stats.mjs${ARGS ? ` ${ARGS}` : ''}\`${ARGS ? '' : ' (what `npm run bench:stats` runs)'}`;

// --- the data's shape ------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
// A fixed window, so two runs hold the same events and their numbers compare.
const END_MS = Date.UTC(2026, 3, 1);
const DAYS = 90;
const START_MS = END_MS - DAYS * DAY_MS;
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

// Sorted by traffic: the first source gets ~29 % of the events, the last ~4 %.
const SOURCES = [
  'typeform',
  'meta-leads',
  'hubspot-forms',
  'calendly',
  'webflow',
  'google-ads',
  'linkedin-ads',
  'tally',
  'jotform',
  'unbounce',
  'zapier',
  'demo',
];
// 40 campaigns, each run by one source (4 for the first four sources, 3 for the others), as a
// campaign usually lives on one ad platform or form; a fifth of the leads carry none.
const CAMPAIGNS = Array.from(
  { length: 40 },
  (_, c) =>
    `${['brand', 'retarget', 'webinar', 'ebook', 'demo-request', 'pricing', 'trial', 'event', 'partner', 'newsletter'][c % 10]}-${['q1', 'emea', 'na', 'apac'][Math.floor(c / 10)]}`,
);
const campaignsOf = (s) =>
  s < 40 % SOURCES.length ? Math.ceil(40 / SOURCES.length) : Math.floor(40 / SOURCES.length);
// Every source delivers to `crm`; three in four also to one real CRM, so `partial` can happen.
const SECOND_DESTINATION = ['hubspot', 'pipedrive', 'salesforce', null];
const ROUTES = SOURCES.flatMap((source, s) => [
  [source, 'crm'],
  ...(SECOND_DESTINATION[s % 4] ? [[source, SECOND_DESTINATION[s % 4]]] : []),
]);

const caseOf = (expr, names) =>
  `CASE ${expr} ${names.map((name, k) => `WHEN ${k} THEN '${name}'`).join(' ')} END`;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
// Crockford base32 as src/lib/ids.ts writes it: the ids sort by time here as they do in the Worker.
const b32 = (expr, chars) =>
  Array.from(
    { length: chars },
    (_, k) => `substr('${ALPHABET}', ((${expr}) >> ${5 * (chars - 1 - k)} & 31) + 1, 1)`,
  ).join(' || ');

// Person keys per event index: three in four.
const PERSON_KEYS = [3, 4];

/**
 * One event's attributes as SQL over its row `r` of bench_rand: four 32-bit numbers hashed from
 * its index, so every statement that needs "its" randomness (the insert, the routing update, the
 * deliveries) agrees, and every run holds the same data. Each decision reads its own digits of a
 * number (`r1 % 10000` the stage, `(r1 / 10000) % step` the jitter, …), so they do not correlate.
 */
function shape(n) {
  const span = DAYS * DAY_MS;
  const step = Math.max(1, Math.floor(span / n));
  // The newest ~0.3 % of events (about the last 7 hours) may still be in flight.
  const tail = n - Math.max(1, Math.floor(n / 300));
  const lookback = Math.floor((n * 60) / DAYS);
  return {
    // Evenly spread, jittered within each event's slot: index order stays time order, so ids
    // (time-ordered) and rowids agree, as they do when ingest appends.
    ms: (r) => `(${START_MS} + ${r}.i * ${span} / ${n} + (${r}.r1 / 10000) % ${step})`,
    source: (r) => `((${r}.r2 % 1000) * (${r}.r2 % 1000) * ${SOURCES.length} / 1000000)`,
    // Stage mix, per 10,000: 83.5 % delivered, 1 % partial (dead where the source has one
    // destination), 2.5 % dead, 4 % invalid, 5 % ignored, 3 % merged, 0.5 % unrouted, 0.5 %
    // delivering (retries spread over days); of the newest events 4 in 10 are still in flight.
    status: (r, s) => `CASE
      WHEN ${r}.i >= ${tail} AND ${r}.r3 % 10 < 4 THEN CASE WHEN (${r}.r3 / 10) % 3 = 0 THEN 'queued' ELSE 'delivering' END
      WHEN ${r}.r1 % 10000 < 8350 THEN 'delivered'
      WHEN ${r}.r1 % 10000 < 8450 THEN CASE WHEN ${s} % 4 = 3 THEN 'dead' ELSE 'partial' END
      WHEN ${r}.r1 % 10000 < 8700 THEN 'dead'
      WHEN ${r}.r1 % 10000 < 9100 THEN 'invalid'
      WHEN ${r}.r1 % 10000 < 9600 THEN 'ignored'
      WHEN ${r}.r1 % 10000 < 9900 THEN 'merged'
      WHEN ${r}.r1 % 10000 < 9950 THEN 'unrouted'
      ELSE 'delivering' END`,
    campaign: (r, s) =>
      `CASE WHEN (${r}.r2 / 1000) % 100 < 20 THEN NULL ELSE ${s} + ${SOURCES.length} * ((${r}.r2 / 100000) % CASE WHEN ${s} < ${40 % SOURCES.length} THEN ${campaignsOf(0)} ELSE ${campaignsOf(SOURCES.length - 1)} END) END`,
    // A person per ~1.5 events that have one: seven in ten events start or share a person with
    // their neighbours (PERSON_KEYS of an index), three in ten come back for a person first seen
    // up to 60 days before (skewed to the last days), so cohorts have returns to count.
    person: (r) =>
      `(CASE WHEN ${r}.r4 % 100 < 30 THEN max(0, ${r}.i - ((${r}.r4 / 100) % 1000) * ((${r}.r4 / 100) % 1000) * ${lookback} / 1000000) ELSE ${r}.i END) * ${PERSON_KEYS[0]} / ${PERSON_KEYS[1]}`,
    // Ingest to delivered: most within 2 s, a third within 30 s, the rest retried for minutes to a day.
    latency: (r) => `CASE
      WHEN (${r}.r3 / 100) % 1000 < 550 THEN 120 + ((${r}.r3 / 100) % 1000) * 3
      WHEN (${r}.r3 / 100) % 1000 < 880 THEN 1800 + ((${r}.r3 / 100) % 1000 - 550) * 90
      WHEN (${r}.r3 / 100) % 1000 < 970 THEN 30000 + ((${r}.r3 / 100) % 1000 - 880) * 20000
      ELSE 1800000 + ((${r}.r3 / 100) % 1000 - 970) * 3000000 END`,
    error: (r) => `CASE
      WHEN (${r}.r3 / 100000) % 100 < 45 THEN 'client_error: http_422 invalid_field'
      WHEN (${r}.r3 / 100000) % 100 < 75 THEN 'server_error: http_500'
      WHEN (${r}.r3 / 100000) % 100 < 93 THEN 'timeout: no answer in 10 s'
      WHEN (${r}.r3 / 100000) % 100 < 99 THEN 'network: connection reset'
      ELSE 'auth: http_401 token expired' END`,
    clientError: (r) => `(${r}.r3 / 100000) % 100 < 45`,
  };
}

// About the size of the README's stored row (~400–530 bytes): redacted headers, a ~130-byte body,
// the normalised lead.
const HEADERS = `'{"content-type":"application/json","user-agent":"Webhooks/1.0","signature":"[redacted]"}'`;
const BODY = `CAST('${JSON.stringify({ id: 'x'.repeat(20), form: 'contact', email: 'someone@example.com', name: 'Ana Silva', utm_campaign: 'brand-q1' })}' AS BLOB)`;

// The histogram's bounds, as the events_latency trigger of migrations/0008_operator.sql writes them.
const LATENCY_BOUNDS = [
  100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 900000, 3600000, 86400000,
];
const latencyBucket = `CASE ${LATENCY_BOUNDS.map((b) => `WHEN delivered_at - received_at <= ${b} THEN ${b}`).join(' ')} ELSE -1 END`;

// --- the load ---------------------------------------------------------------------------------------

const HASH_SALTS = [
  [2654435761, 7],
  [2246822519, 11],
  [3266489917, 13],
  [668265263, 17],
];
// A 32-bit mix (multiply, xor-shift, multiply, xor-shift); SQLite has no `^`, so a ^ b = (a|b) - (a&b).
const xorShift = (x) => `((${x}) | ((${x}) >> 16)) - ((${x}) & ((${x}) >> 16))`;
const eventId = (ms, i, r1, r2) =>
  `'evt_' || ${b32(ms, 10)} || ${b32(i, 6)} || ${b32(r1, 6)} || ${b32(r2, 4)}`;

/** Every column of events ?1 … ?2 (indexes), final state, as one SELECT over bench_rand. */
function eventRows(f) {
  const s = f.source('r');
  const campaignName = caseOf('c', CAMPAIGNS);
  return `SELECT i, ms, source, status, latency, ${eventId('ms', 'i', 'r1', 'r2')} AS id,
      CASE WHEN status = 'ignored' THEN ${caseOf('(r3 / 10000000) % 3', ['ping', 'contact.deletion', 'test'])}
           WHEN status = 'queued' THEN NULL ELSE 'lead' END AS event_type,
      CASE WHEN status NOT IN ('queued', 'ignored') THEN ${campaignName} END AS campaign,
      CASE WHEN status NOT IN ('queued', 'ignored') THEN
        printf('{"normalizer_version":3,"source":"%s",%s"first_name":"Ana","campaign":%s,"utm":{"campaign":%s},"tags":[],"flags":[]}',
          source, CASE WHEN status = 'invalid' THEN '' ELSE printf('"email":"lead-%d@example.com",', k) END,
          CASE WHEN c IS NULL THEN 'null' ELSE '"' || ${campaignName} || '"' END,
          CASE WHEN c IS NULL THEN 'null' ELSE '"' || ${campaignName} || '"' END)
      END AS lead,
      CASE WHEN status IN ('delivered', 'partial', 'dead', 'delivering') THEN 'per_' || ${b32('k', 10)}
           WHEN status = 'merged' THEN 'per_' || ${b32('pk', 10)} END AS person_id,
      CASE WHEN status = 'merged' THEN ${eventId('pms', 'pi', 'pr1', 'pr2')} END AS merged_into,
      CASE WHEN status IN ('queued', 'ignored', 'invalid', 'unrouted', 'merged') THEN 0
           WHEN status = 'dead' THEN CASE WHEN ${f.clientError('y')} THEN 1 ELSE 9 END
           WHEN status = 'delivering' THEN 2 + r4 % 4
           ELSE 1 + (latency > 1800) + (latency > 30000) * 2 END AS attempts,
      CASE WHEN status IN ('dead', 'partial') THEN ${f.error('y')}
           WHEN status = 'invalid' THEN 'no_contact: the lead has neither a valid email nor a phone' END AS last_error
    FROM (
      SELECT q.*, ${f.status('q', 'q.s')} AS status, ${caseOf('q.s', SOURCES)} AS source, ${f.latency('q')} AS latency
      FROM (
        SELECT r.i, r.r1, r.r2, r.r3, r.r4, ${f.ms('r')} AS ms, ${s} AS s, ${f.campaign('r', s)} AS c, ${f.person('r')} AS k,
          ${f.person('p')} AS pk, p.i AS pi, p.r1 AS pr1, p.r2 AS pr2, ${f.ms('p')} AS pms
        FROM bench_rand r LEFT JOIN bench_rand p ON p.i = r.i - 1 WHERE r.i BETWEEN ?1 AND ?2
      ) AS q
    ) AS y`;
}

/**
 * The statements that load `n` events, in phases of steps of `batch` events, written as the
 * pipeline writes them: inserted `queued` as ingest stores them (the funnel insert trigger), then
 * routed and finished in one update (status, campaign, lead, person, delivered_at: the funnel update
 * and latency triggers; the pipeline spreads it over two or three). Then their deliveries, the people
 * their first events created (the cohort trigger), and each person's last seen (the cohort's returns).
 */
function loadPlan(n, batch) {
  const f = shape(n);
  const ranges = [];
  for (let from = 0; from < n; from += batch) ranges.push([from, Math.min(n, from + batch) - 1]);
  const people = [];
  const maxKey = Math.floor(((n - 1) * PERSON_KEYS[0]) / PERSON_KEYS[1]);
  for (let from = 0; from <= maxKey; from += batch) people.push([from, Math.min(maxKey + 1, from + batch)]);
  const personId = (k) => `per_${timePrefix(k)}`;
  const overEvents = (name, table, count, sql) => ({
    name,
    table,
    unit: 'events',
    count,
    steps: ranges.map(([from, to]) => ({ sql, binds: [from, to], covers: to - from + 1 })),
  });
  const columns = `id, source, idempotency_key, status, received_at, content_type, headers, body, enqueued_at`;
  const values = `id, source, lower(hex(randomblob(16))), 'queued', ms, 'application/json', ${HEADERS}, ${BODY}, ms`;
  return [
    {
      name: 'random numbers (bench_rand)',
      unit: 'events',
      count: 'SELECT count(*) FROM bench_rand',
      steps: ranges.map(([from, to]) => ({
        covers: to - from + 1,
        sql: `WITH RECURSIVE seq(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?2),
          a AS (SELECT i, ${HASH_SALTS.map(([m, c], k) => `(i * ${m} + ${c}) % 4294967296 AS a${k}`).join(', ')} FROM seq),
          b AS MATERIALIZED (SELECT i, ${HASH_SALTS.map((_, k) => `(${xorShift(`a${k}`)}) * 73244475 % 4294967296 AS b${k}`).join(', ')} FROM a)
          INSERT INTO bench_rand (i, r1, r2, r3, r4) SELECT i, ${HASH_SALTS.map((_, k) => xorShift(`b${k}`)).join(', ')} FROM b`,
        binds: [from, to],
      })),
    },
    overEvents(
      'events: insert as ingest (queued)',
      'events',
      'SELECT count(*) FROM events',
      `INSERT INTO events (${columns}) SELECT ${values} FROM (${eventRows(f)}) ORDER BY i`,
    ),
    overEvents(
      'events: route + finish (update)',
      'events',
      `SELECT count(*) FROM events WHERE status != 'queued'`,
      `UPDATE events SET status = x.status, event_type = x.event_type, campaign = x.campaign, lead = x.lead,
        person_id = x.person_id, merged_into = x.merged_into, attempts = x.attempts, last_error = x.last_error,
        delivered_at = CASE WHEN x.status IN ('delivered', 'partial') THEN events.received_at + x.latency END
      FROM (${eventRows(f)}) AS x WHERE events.rowid = x.i + 1`,
    ),
    {
      name: 'deliveries: insert',
      table: 'deliveries',
      unit: 'events',
      count: 'SELECT count(*) FROM deliveries',
      steps: ranges.map(([from, to]) => ({
        covers: to - from + 1,
        sql: `INSERT INTO deliveries (event_id, destination, status, attempts, next_attempt_at, enqueued_at, delivered_at,
            last_error, record_id, created_at)
          SELECT id, destination, status,
            CASE status WHEN 'delivered' THEN attempts WHEN 'dead' THEN CASE WHEN ${f.clientError('x')} THEN 1 ELSE 9 END
                        WHEN 'retrying' THEN 2 + r4 % 4 ELSE 0 END,
            CASE WHEN status = 'retrying' THEN ${END_MS} + (r4 % 30) * 60000 END,
            received_at + 40,
            CASE WHEN status = 'delivered' THEN delivered_at - CASE WHEN destination = 'crm' THEN 0 ELSE r4 % 100 END END,
            CASE WHEN status = 'dead' THEN ${f.error('x')}
                 WHEN status = 'retrying' THEN CASE WHEN r4 % 2 = 0 THEN 'server_error: http_503' ELSE 'rate_limited: http_429' END END,
            CASE WHEN status = 'delivered' THEN destination || '_' || substr(person_id, 5) END,
            received_at + 40
          FROM (
            SELECT e.id, e.received_at, e.delivered_at, e.attempts, e.person_id, d.destination, r.r3, r.r4,
              CASE e.status WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead'
                WHEN 'partial' THEN CASE WHEN d.destination = 'crm' THEN 'delivered' ELSE 'dead' END
                ELSE CASE WHEN d.destination = 'crm' THEN 'retrying' WHEN r.r4 % 2 = 0 THEN 'queued' ELSE 'paused' END
              END AS status
            FROM events e JOIN bench_rand r ON r.i = e.rowid - 1 JOIN bench_routes d ON d.source = e.source
            WHERE e.rowid BETWEEN ?1 + 1 AND ?2 + 1 AND e.status IN ('delivered', 'partial', 'dead', 'delivering')
          ) AS x`,
        binds: [from, to],
      })),
    },
    {
      name: 'people: insert (first event)',
      table: 'people',
      unit: 'person keys',
      count: 'SELECT count(*) FROM people',
      steps: people.map(([from, to]) => ({
        covers: to - from,
        // source and campaign are bare columns beside min(): SQLite takes them from the first event's row.
        sql: `INSERT INTO people (id, email_key, phone_key, first_seen, last_seen, first_source, first_campaign)
          SELECT person_id, lower(hex(randomblob(32))), CASE WHEN abs(random()) % 10 < 6 THEN lower(hex(randomblob(32))) END,
            first_seen, first_seen, source, campaign
          FROM (SELECT person_id, min(received_at) AS first_seen, source, campaign FROM events
                WHERE person_id >= ?1 AND person_id < ?2 GROUP BY person_id ORDER BY person_id)`,
        binds: [personId(from), personId(to)],
      })),
    },
    {
      name: 'people: last seen (update)',
      table: 'people',
      unit: 'person keys',
      count: 'SELECT count(*) FROM people WHERE last_seen > first_seen',
      steps: people.map(([from, to]) => ({
        covers: to - from,
        sql: `UPDATE people SET last_seen = x.last_seen
          FROM (SELECT person_id, max(received_at) AS last_seen FROM events
                WHERE person_id >= ?1 AND person_id < ?2 GROUP BY person_id HAVING count(*) > 1) AS x
          WHERE people.id = x.person_id`,
        binds: [personId(from), personId(to)],
      })),
    },
    {
      name: 'rejections_daily',
      unit: 'statements',
      count: 'SELECT count(*) FROM rejections_daily',
      steps: [
        {
          covers: 1,
          // Refused requests never become events: a few codes per source and day.
          sql: `WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < ${DAYS - 1})
            INSERT INTO rejections_daily (day, source, code, count)
            SELECT date(${START_MS / 1000} + n * 86400, 'unixepoch'), s.column1, c.column1,
              1 + (n * 7 + length(s.column1) * 13 + length(c.column1) * 3) % ${Math.max(2, Math.ceil(n / DAYS / SOURCES.length / 50))}
            FROM d, (VALUES ${[...SOURCES, '(unknown)'].map((x) => `('${x}')`).join(', ')}) AS s,
              (VALUES ('invalid_signature'), ('schema_mismatch'), ('payload_too_large'), ('unknown_source')) AS c
            WHERE (c.column1 = 'unknown_source') = (s.column1 = '(unknown)')`,
          binds: [],
        },
      ],
    },
  ];
}

const SCAFFOLD = [
  'CREATE TABLE bench_rand (i INTEGER PRIMARY KEY, r1 INTEGER NOT NULL, r2 INTEGER NOT NULL, r3 INTEGER NOT NULL, r4 INTEGER NOT NULL)',
  'CREATE TABLE bench_routes (source TEXT NOT NULL, destination TEXT NOT NULL, PRIMARY KEY (source, destination))',
  `INSERT INTO bench_routes (source, destination) VALUES ${ROUTES.map(([source, destination]) => `('${source}', '${destination}')`).join(', ')}`,
];

// --- D1 ---------------------------------------------------------------------------------------------

/**
 * Statements of a migration file, split as `wrangler d1 migrations apply` must: on `;` outside
 * strings and comments, and not inside a trigger's BEGIN … END, whose CASE … END nest in it.
 * (D1's `exec()` splits on newlines, so a trigger written over several lines cannot go through it.)
 */
function splitStatements(sql) {
  const statements = [];
  let start = 0;
  let depth = 0;
  let words = [];
  let i = 0;
  // Past the end when a comment or string is never closed: the rest is one statement.
  const after = (text, from) => {
    const at = sql.indexOf(text, from);
    return at < 0 ? sql.length : at + text.length;
  };
  const push = (end) => {
    const text = sql.slice(start, end).trim();
    if (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim()) statements.push(text);
    start = end + 1;
    depth = 0;
    words = [];
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      if (!words.length) start = i;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = after('*/', i + 2);
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      // A quote doubled inside a string is part of it.
      const close = c === '[' ? ']' : c;
      i = after(close, i + 1);
      while (close !== ']' && sql[i] === close) i = after(close, i + 1);
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 64))[0].toUpperCase();
      words.push(word);
      const trigger = words[0] === 'CREATE' && words.slice(1, 4).includes('TRIGGER');
      if (word === 'CASE' || (word === 'BEGIN' && trigger)) depth++;
      else if (word === 'END' && depth > 0) depth--;
      i += word.length;
    } else if (c === ';' && depth === 0) {
      push(i);
      i++;
    } else i++;
  }
  push(sql.length);
  return statements;
}

/** Every migration, in order, each file in one batch (one transaction), as wrangler applies them. */
async function migrate(db) {
  const files = readdirSync('migrations')
    .filter((file) => file.endsWith('.sql'))
    .sort();
  for (const file of files) {
    const statements = splitStatements(readFileSync(`migrations/${file}`, 'utf8'));
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
  return files;
}

const triggersOf = async (db) =>
  (
    await db
      .prepare(`SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)
      .all()
  ).results;

/**
 * The binding, recording what the store functions send: each statement's SQL, binds and D1's own
 * meta (time inside SQLite, rows read). `first()` is answered from `all()`, as D1 does: it too
 * runs the whole statement and keeps the first row.
 */
function recorder(db) {
  const log = [];
  const wrap = (statement, sql, binds) => ({
    statement,
    sql,
    binds,
    bind: (...values) => wrap(statement.bind(...values), sql, values),
    async all() {
      const result = await statement.all();
      log.push({ sql, binds, meta: result.meta });
      return result;
    },
    async first(column) {
      const row = (await this.all()).results[0];
      return row === undefined ? null : column === undefined ? row : row[column];
    },
    async run() {
      const result = await statement.run();
      log.push({ sql, binds, meta: result.meta });
      return result;
    },
  });
  return {
    log,
    db: {
      prepare: (sql) => wrap(db.prepare(sql), sql, []),
      async batch(statements) {
        const results = await db.batch(statements.map((s) => s.statement));
        statements.forEach((s, k) => {
          log.push({ sql: s.sql, binds: s.binds, meta: results[k].meta });
        });
        return results;
      },
    },
  };
}

// --- measuring ----------------------------------------------------------------------------------------

const fmt = (value, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value) =>
  value === null || value === undefined
    ? '–'
    : value < 10
      ? fmt(value, 2)
      : value < 100
        ? fmt(value, 1)
        : fmt(value);
const ratio = (a, b) => (a && b ? `×${fmt(a / b, a / b < 10 ? 1 : 0)}` : '–');
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
const say = (line = '') => process.stdout.write(`${line}\n`);
const benchStarted = performance.now();
const clock = () => `[${fmt((performance.now() - benchStarted) / 1000)} s]`;
const tty = process.stdout.isTTY;

/**
 * Runs one phase's steps; answers its wall time and D1's `meta.changes`, which here counts the
 * rows the triggers wrote too (Miniflare reads total_changes()): exact only without triggers.
 */
async function runPhase(db, phase, label) {
  const startedAt = performance.now();
  let changes = 0;
  let covered = 0;
  const total = phase.steps.reduce((sum, step) => sum + step.covers, 0);
  for (const [k, step] of phase.steps.entries()) {
    const result = await db
      .prepare(step.sql)
      .bind(...step.binds)
      .run();
    changes += result.meta.changes;
    covered += step.covers;
    if (label) {
      const seconds = (performance.now() - startedAt) / 1000;
      const line = `  ${label}: ${fmt(covered)}/${fmt(total)} ${phase.unit} (${k + 1}/${phase.steps.length} statements, ${fmt(seconds, 1)} s)`;
      const last = k + 1 === phase.steps.length;
      if (tty) process.stdout.write(`\r${line}${last ? '\n' : ''}`);
      else if (last || (k + 1) % 5 === 0) say(line);
    }
  }
  return { seconds: (performance.now() - startedAt) / 1000, changes };
}

async function sample(fn, log) {
  log.length = 0;
  const t = performance.now();
  await fn();
  const wall = performance.now() - t;
  return {
    wall,
    sql: log.reduce((sum, entry) => sum + (entry.meta?.duration ?? 0), 0),
    rowsRead: log.reduce((sum, entry) => sum + (entry.meta?.rows_read ?? 0), 0),
  };
}

function summary(samples) {
  const wall = samples.map((s) => s.wall).sort((a, b) => a - b);
  return {
    runs: samples.length,
    median: quantile(wall, 0.5),
    p95: quantile(wall, 0.95),
    // D1 times a statement with workerd's clock, which moves in whole milliseconds: a mean over
    // the runs resolves what one run cannot.
    sql: samples.reduce((sum, s) => sum + s.sql, 0) / samples.length,
    rowsRead: samples.at(-1).rowsRead,
  };
}

/**
 * Times `fns` (one, or two compared side by side) `RUNS` times each after a warm-up, in turn, so a
 * busy moment of this shared machine falls on both. A slow query gets fewer runs (at least 3) once
 * the pair has used `budgetMs`; one slower than 1.5 s keeps its warm-up as a run.
 */
async function measure(fns, log, budgetMs = 5_000) {
  const samples = fns.map(() => []);
  const startedAt = performance.now();
  for (const [k, fn] of fns.entries()) {
    const warm = await sample(fn, log);
    if (warm.wall > 1500) samples[k].push(warm);
  }
  for (let run = 0; run < RUNS; run++) {
    const enough = samples.every((s) => s.length >= 3) && performance.now() - startedAt > budgetMs;
    if (enough) break;
    const order = run % 2 === 0 ? fns.entries() : [...fns.entries()].reverse();
    for (const [k, fn] of order) if (samples[k].length < RUNS) samples[k].push(await sample(fn, log));
  }
  return samples.map(summary);
}

async function explain(db, entry) {
  const { results } = await db
    .prepare(`EXPLAIN QUERY PLAN ${entry.sql}`)
    .bind(...entry.binds)
    .all();
  // Each step indented under its parent, as the sqlite3 shell prints a plan.
  const depth = new Map([[0, -1]]);
  return results.map((row) => {
    depth.set(row.id, (depth.get(row.parent) ?? -1) + 1);
    return `${'  '.repeat(depth.get(row.id))}${row.detail}`;
  });
}

/** How a plan reaches `events e`: a SEARCH through an index, or a SCAN of the table or of a whole index. */
function eventsAccess(plan) {
  const line = plan.find((step) => /^\s*(SEARCH|SCAN) e\b/.test(step))?.trim();
  return line ? line.replace(/^(SEARCH|SCAN) e /, (_, verb) => `${verb} `) : 'events not read';
}

/**
 * A correlated subquery over deliveries that is not keyed by the event: SQLite then walks every
 * delivery the index finds (all of one status) for each event it checks, rows × rows.
 */
// Quadratic only when the deliveries are searched per event (a correlated EXISTS); under a
// LIST SUBQUERY SQLite lists the matching deliveries once, which is what a count should do.
const unkeyedDeliveries = (plan) =>
  !plan.some((step) => /LIST SUBQUERY/.test(step)) &&
  plan.some((step) =>
    /SEARCH d .*USING (COVERING )?INDEX deliveries_(status_enqueued|destination_status)/.test(step),
  );

// --- the run ------------------------------------------------------------------------------------------

const mf = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script: 'export default {}',
    d1Databases: ['DB', 'COST_TRIGGERS', 'COST_NO_TRIGGERS'],
  }),
);
const report = [];
const md = (line = '') => report.push(line);
const EXPECTED_TRIGGERS = [
  'events_funnel_insert',
  'events_funnel_update',
  'events_latency',
  'people_cohort_insert',
  'people_cohort_returned',
];

try {
  const db = await mf.getD1Database('DB');
  const miniflare = JSON.parse(readFileSync('node_modules/miniflare/package.json', 'utf8')).version;

  say(`# bench:stats — ${fmt(N)} events on the local D1 (Miniflare ${miniflare})`);
  const migrations = await migrate(db);
  const triggers = await triggersOf(db);
  say(`migrations: ${migrations.join(', ')}`);
  say(`triggers:   ${triggers.map((t) => `${t.name} (on ${t.tbl_name})`).join(', ')}`);
  const missing = EXPECTED_TRIGGERS.filter((name) => !triggers.some((t) => t.name === name));
  if (missing.length) throw new Error(`the migrations left out the triggers ${missing.join(', ')}`);

  // 1. The load: every event through the triggers, which fill the rollups.
  say();
  say(`## Load: ${fmt(N)} events over ${DAYS} days (${day(START_MS)} … ${day(END_MS - 1)}) ${clock()}`);
  for (const sql of SCAFFOLD) await db.prepare(sql).run();
  const loads = [];
  for (const phase of loadPlan(N, 100_000)) {
    const result = await runPhase(db, phase, phase.name);
    loads.push({ phase, ...result, rows: await one(db, phase.count) });
  }
  const loadSeconds = loads.reduce((sum, load) => sum + load.seconds, 0);
  for (const table of ['bench_rand', 'bench_routes']) await db.prepare(`DROP TABLE ${table}`).run();
  const facts = await dataFacts(db);
  say(
    `loaded in ${fmt(loadSeconds, 1)} s: ${fmt(facts.events)} events, ${fmt(facts.people)} people, ${fmt(facts.deliveries)} deliveries; ${fmt(facts.bytes / 1e6)} MB`,
  );
  say(`status mix: ${statusMix(facts)}`);
  const exact = await exactness(db);
  say(
    `rollups against a GROUP BY over the tables: ${exact.ok ? 'exact' : 'NOT EXACT'} (${exact.detail}) ${clock()}`,
  );

  // The one person the search by email looks for: of the people of the newest 1,000 events, the
  // one with the most events. (In two steps: asked as one, SQLite counts every person there is.)
  const newest = await db.prepare('SELECT person_id FROM events ORDER BY id DESC LIMIT 1000').all();
  const person = await db
    .prepare(
      `SELECT person_id, count(*) AS n FROM events WHERE person_id IN (SELECT value FROM json_each(?1))
       GROUP BY person_id ORDER BY n DESC, person_id DESC LIMIT 1`,
    )
    .bind(JSON.stringify([...new Set(newest.results.map((row) => row.person_id).filter(Boolean))]))
    .first();
  const benchEmail = 'bench.person@example.com';
  await db
    .prepare('UPDATE people SET email_key = ?1 WHERE id = ?2')
    .bind((await personKeys({ email: benchEmail })).email, person.person_id)
    .run();

  const recording = recorder(db);
  const raw = (query) => async () => {
    const result = await db
      .prepare(query.sql)
      .bind(...query.binds)
      .all();
    recording.log.push({ ...query, meta: result.meta });
  };
  const [floor] = await measure([raw({ sql: 'SELECT 1', binds: [] })], recording.log);
  say(`round trip Node → D1 binding → back, SELECT 1: ${ms(floor.median)} ms median (p95 ${ms(floor.p95)})`);

  // 2. Stats: the rollups through src/store/stats.ts, beside the GROUP BY they replace.
  const last30 = { from: day(END_MS - 30 * DAY_MS), to: day(END_MS) };
  const last90 = { from: day(START_MS), to: day(END_MS) };
  const topSource = SOURCES[0];
  const smallSource = SOURCES[SOURCES.length - 1];
  const campaign = CAMPAIGNS[0];
  const statsCases = [
    { name: 'funnel, 30 days', call: () => funnel(recording.db, last30), naive: naiveFunnel(last30) },
    {
      name: `funnel, 30 days, source ${topSource}`,
      call: () => funnel(recording.db, { ...last30, source: topSource }),
      naive: naiveFunnel({ ...last30, source: topSource }),
    },
    {
      name: `funnel, 30 days, campaign ${campaign}`,
      call: () => funnel(recording.db, { ...last30, campaign }),
      naive: naiveFunnel({ ...last30, campaign }),
    },
    { name: 'funnel, 90 days', call: () => funnel(recording.db, last90), naive: naiveFunnel(last90) },
    { name: 'cohorts, 90 days', call: () => cohorts(recording.db, last90), naive: naiveCohorts(last90) },
    {
      name: `cohorts, 90 days, source ${topSource}`,
      call: () => cohorts(recording.db, { ...last90, source: topSource }),
    },
    { name: 'latency, 30 days', call: () => latency(recording.db, last30), naive: naiveLatency(last30) },
    {
      name: `latency, 30 days, source ${topSource}`,
      call: () => latency(recording.db, { ...last30, source: topSource }),
    },
  ];
  say();
  say(`## Stats: the rollups (src/store/stats.ts) beside a GROUP BY over the tables ${clock()}`);
  const plans = [];
  const stats = [];
  for (const item of statsCases) {
    recording.log.length = 0;
    const answer = await item.call();
    const statements = [...recording.log];
    const [rollup, naive] = await measure(
      item.naive ? [item.call, raw(item.naive)] : [item.call],
      recording.log,
    );
    for (const entry of statements)
      plans.push({
        name: `${item.name}: rollup (${/FROM (\w+)/.exec(entry.sql)[1]})`,
        sql: entry.sql,
        plan: await explain(db, entry),
      });
    if (item.naive)
      plans.push({
        name: `${item.name}: GROUP BY over the table`,
        sql: item.naive.sql,
        plan: await explain(db, item.naive),
      });
    const rows = Array.isArray(answer)
      ? answer.length
      : answer.buckets
        ? answer.buckets.length
        : answer.rows.length;
    stats.push({ name: item.name, rows, rollup, naive });
    say(
      `  ${item.name}: rollup ${ms(rollup.median)} ms (p95 ${ms(rollup.p95)}, ${fmt(rollup.rowsRead)} rows read)` +
        (naive
          ? `; GROUP BY ${ms(naive.median)} ms (p95 ${ms(naive.p95)}, ${fmt(naive.rowsRead)} rows read): ${ratio(naive.median, rollup.median)}`
          : '') +
        ` ${clock()}`,
    );
  }

  // 3. Search: each filter of src/store/search.ts, a page of 50 (the admin default, newest first)
  // and the count a bulk replay starts with.
  const recent = END_MS - 10 * DAY_MS;
  const searchCases = [
    { name: 'status=dead', filter: { status: 'dead' } },
    { name: 'status=delivering', filter: { status: 'delivering' } },
    { name: `source=${topSource} & status=delivered`, filter: { source: topSource, status: 'delivered' } },
    { name: `source=${smallSource} & status=dead`, filter: { source: smallSource, status: 'dead' } },
    { name: `campaign=${campaign}`, filter: { campaign } },
    {
      name: 'destination=hubspot & delivery_status=dead',
      filter: { destination: 'hubspot', deliveryStatus: 'dead' },
    },
    { name: 'destination=salesforce', filter: { destination: 'salesforce' } },
    { name: 'delivery_status=retrying', filter: { deliveryStatus: 'retrying' } },
    { name: 'email (a person, by hashed key)', filter: { email: benchEmail } },
    { name: 'time range, 1 day', filter: { fromMs: recent, toMs: recent + DAY_MS } },
    {
      name: `source=${topSource} & 7 days`,
      filter: { source: topSource, fromMs: recent - 7 * DAY_MS, toMs: recent },
    },
    { name: 'error_class=client_error', filter: { errorClass: 'client_error' } },
    { name: 'error_class=auth (rare)', filter: { errorClass: 'auth' } },
    { name: 'event_type=contact.deletion', filter: { eventType: 'contact.deletion' } },
  ];
  say();
  say(
    `## Search (src/store/search.ts): a page of 50, newest first, and the count of a bulk replay ${clock()}`,
  );
  const searches = [];
  for (const item of searchCases) {
    const page = await statementOf(() => searchEvents(recording.db, item.filter, {}, 50));
    const total = await statementOf(() => countMatching(recording.db, item.filter));
    const guard = unkeyedDeliveries(total.plan) ? await quadraticEstimate(db, item.filter, facts) : null;
    // A page stops at its 50th match, so even a quadratic plan may afford one; past ~20 M rows it
    // would take minutes a run, and is estimated like the count.
    page.timing = null;
    if (!guard || guard.pageRows < 20_000_000) [page.timing] = await measure([page.fn], recording.log, 4_000);
    if (!guard) [total.timing] = await measure([total.fn], recording.log, 4_000);
    const matches = guard ? guard.matches : (await countMatching(db, item.filter)).count;
    searches.push({ ...item, page, total, guard, matches });
    say(
      `  ${item.name}: ${fmt(matches)} match; page ${page.timing ? `${ms(page.timing.median)} ms (${fmt(page.timing.rowsRead)} rows read)` : `not run: ~${fmt(guard.pageRows)} rows to read`}; count ${
        guard
          ? `not run: ~${fmt(guard.rows)} rows to read (${fmt(facts.events)} events × ${fmt(guard.probe)} deliveries each)`
          : `${ms(total.timing.median)} ms (${fmt(total.timing.rowsRead)} rows read)`
      } — ${eventsAccess(total.plan)} ${clock()}`,
    );
  }

  async function statementOf(fn) {
    recording.log.length = 0;
    await explainOnly(fn);
    const entry = recording.log[0];
    return { fn, sql: entry.sql, binds: entry.binds, plan: await explain(db, entry) };
  }

  // Records the statement a store function sends without running it: the count of a quadratic
  // filter would hold the database for hours. Its EXPLAIN runs instead.
  async function explainOnly(fn) {
    const original = recording.db.prepare;
    recording.db.prepare = (sql) => {
      const statement = original(`EXPLAIN QUERY PLAN ${sql}`);
      return { ...statement, bind: (...values) => ({ ...statement.bind(...values), sql, binds: values }) };
    };
    try {
      await fn();
    } catch {
      // The store maps plan rows as if they were events; the statement is recorded by then.
    } finally {
      recording.db.prepare = original;
    }
    for (const entry of recording.log) entry.sql = entry.sql.replace(/^EXPLAIN QUERY PLAN /, '');
  }

  // 4. Changes to try, each measured on the same data (`--proposals`). The ones an earlier run
  // proposed (+d.status, IN for counts, the error-class and event-type indexes, the pivoted funnel)
  // are in src/ and migration 0008 now, so the default run measures the code as it is.
  say();
  say(`## Proposals, tried on this database only ${clock()}`);
  const proposals = args.proposals ? await tryProposals(db, recording, searches, facts) : [];
  for (const p of proposals)
    say(
      `  ${p.name}: ${p.before ? `${ms(p.before.median)} ms` : 'not run'} → ${ms(p.after.median)} ms (${fmt(p.beforeRows)} → ${fmt(p.after.rowsRead)} rows read)`,
    );
  if (args.proposals) proposals.push(...(await funnelPivot(db, recording, stats, [last30, last90])));
  for (const p of args.proposals ? proposals.slice(-2) : [])
    say(
      `  ${p.name}: ${ms(p.before.median)} → ${ms(p.after.median)} ms (${fmt(p.beforeRows)} → ${fmt(p.after.rowsRead)} rows read)`,
    );
  const analyzed = await afterAnalyze(db, recording, searches);
  say(`  after ANALYZE: ${analyzed.changed.length} of ${searches.length * 2} search plans change`);
  for (const c of analyzed.changed) say(`    ${c.name} (${c.which}): ${c.before} → ${c.after}`);

  // 5. What the triggers cost the writes: two fresh databases, one without the triggers, loaded
  // statement by statement in turn (ABBA), so a busy moment of this shared machine hits both.
  say();
  say(
    `## Trigger cost: ${fmt(COST_N)} events into two fresh databases, with and without the triggers, in turn ${clock()}`,
  );
  const withTriggers = await mf.getD1Database('COST_TRIGGERS');
  const withoutTriggers = await mf.getD1Database('COST_NO_TRIGGERS');
  await migrate(withTriggers);
  await migrate(withoutTriggers);
  const saved = await triggersOf(withoutTriggers);
  for (const t of saved) await withoutTriggers.prepare(`DROP TRIGGER ${t.name}`).run();
  for (const target of [withTriggers, withoutTriggers])
    for (const sql of SCAFFOLD) await target.prepare(sql).run();
  const cost = [];
  let turn = 0;
  for (const phase of loadPlan(COST_N, 50_000)) {
    const totals = { with: 0, without: 0, rows: 0 };
    for (const step of phase.steps) {
      const order = turn++ % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
      for (const which of order) {
        const result = await runPhase(which === 'with' ? withTriggers : withoutTriggers, {
          ...phase,
          steps: [step],
        });
        totals[which] += result.seconds;
        // Without triggers D1's change count is the rows the statement itself wrote.
        if (which === 'without') totals.rows += result.changes;
      }
    }
    cost.push({ phase, ...totals });
    if (phase.table)
      say(
        `  ${phase.name}: ${fmt(totals.rows / totals.with)} rows/s with, ${fmt(totals.rows / totals.without)} without: ×${fmt(totals.with / totals.without, 2)} the time`,
      );
  }
  for (const t of saved) await withoutTriggers.prepare(t.sql).run();
  const restored = (await triggersOf(withoutTriggers)).length;
  const costExact = await exactness(withTriggers);
  say(
    `  triggers recreated after the run: ${restored}/${saved.length}; rollups of the run with them: ${costExact.ok ? 'exact' : 'NOT EXACT'}`,
  );

  const elapsed = (performance.now() - benchStarted) / 1000;
  writeReport({
    miniflare,
    facts,
    exact,
    loads,
    loadSeconds,
    floor,
    stats,
    searches,
    proposals,
    analyzed,
    cost,
    plans,
    person,
    elapsed,
  });
  say();
  say(report.join('\n'));
  if (args.out) {
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${report.join('\n')}\n`);
    say(`\nwritten to ${args.out} (${fmt(elapsed)} s in all)`);
  }
} finally {
  await mf.dispose();
}

// --- the queries the rollups replace ------------------------------------------------------------------

/**
 * The funnel from `events`, as it would be written without the rollup, given the best index it
 * can use: the id range (ids are time-ordered) and the source or campaign index when asked for one.
 */
function naiveFunnel(range) {
  const conditions = ['id >= ?1', 'id < ?2'];
  const binds = [`evt_${timePrefix(Date.parse(range.from))}`, `evt_${timePrefix(Date.parse(range.to))}`];
  if (range.source) conditions.push(`source = ?${binds.push(range.source)}`);
  if (range.campaign) conditions.push(`campaign = ?${binds.push(range.campaign)}`);
  return {
    sql: `SELECT date(received_at / 1000, 'unixepoch') AS day, source, COALESCE(campaign, '') AS campaign,
        CASE WHEN status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE status END AS stage, count(*) AS count
      FROM events WHERE ${conditions.join(' AND ')} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3`,
    binds,
  };
}

/** From the Monday of the range's first week, as cohorts() reads its weeks. */
function naiveCohorts(range) {
  const week = (column) => `date(${column} / 1000, 'unixepoch', '-6 days', 'weekday 1')`;
  return {
    sql: `SELECT ${week('first_seen')} AS week, COALESCE(first_source, '') AS source, COALESCE(first_campaign, '') AS campaign,
        count(*) AS people, sum(${week('last_seen')} > ${week('first_seen')}) AS returned
      FROM people WHERE first_seen >= ?1 AND first_seen < ?2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    binds: [Date.parse(range.from) - 6 * DAY_MS, Date.parse(range.to)],
  };
}

/** delivered_at has no index: the events delivered in the range were received at most ~25 h before it. */
function naiveLatency(range) {
  return {
    sql: `SELECT ${latencyBucket} AS le_ms,
        count(*) AS count
      FROM events WHERE id >= ?1 AND id < ?2 AND delivered_at >= ?3 AND delivered_at < ?4 GROUP BY 1`,
    binds: [
      `evt_${timePrefix(Date.parse(range.from) - 2 * DAY_MS)}`,
      `evt_${timePrefix(Date.parse(range.to))}`,
      Date.parse(range.from),
      Date.parse(range.to),
    ],
  };
}

// --- helpers of the run -------------------------------------------------------------------------------

/** The database's size in bytes, as D1 reports it after a statement. */
async function dbSize(db) {
  return (await db.prepare('SELECT 1').run()).meta.size_after;
}

async function one(db, sql, ...binds) {
  const row = await db
    .prepare(sql)
    .bind(...binds)
    .first();
  return Object.values(row)[0];
}

async function dataFacts(db) {
  return {
    events: await one(db, 'SELECT count(*) FROM events'),
    people: await one(db, 'SELECT count(*) FROM people'),
    deliveries: await one(db, 'SELECT count(*) FROM deliveries'),
    withPerson: await one(db, 'SELECT count(*) FROM events WHERE person_id IS NOT NULL'),
    funnelRows: await one(db, 'SELECT count(*) FROM funnel_daily'),
    latencyRows: await one(db, 'SELECT count(*) FROM latency_daily'),
    cohortRows: await one(db, 'SELECT count(*) FROM cohorts_weekly'),
    statuses: (
      await db.prepare('SELECT status, count(*) AS n FROM events GROUP BY status ORDER BY n DESC').all()
    ).results,
    bytes: await dbSize(db),
  };
}

function statusMix(facts) {
  return facts.statuses.map((row) => `${row.status} ${fmt((100 * row.n) / facts.events, 1)} %`).join(', ');
}

/**
 * The rollups hold exactly what a GROUP BY over the tables counts: each row of one side must
 * appear once on the other (one pass each, the union grouped).
 */
async function exactness(db) {
  const unmatched = (rollup, truth, keys) =>
    one(
      db,
      `SELECT count(*) FROM (SELECT 1 FROM (${rollup} UNION ALL ${truth}) GROUP BY ${keys} HAVING count(*) != 2)`,
    );
  const week = (column) => `date(${column} / 1000, 'unixepoch', '-6 days', 'weekday 1')`;
  const funnelOff = await unmatched(
    'SELECT day AS k1, source AS k2, campaign AS k3, stage AS k4, count AS n FROM funnel_daily WHERE count != 0',
    `SELECT date(received_at / 1000, 'unixepoch'), source, COALESCE(campaign, ''),
       CASE WHEN status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE status END, count(*) FROM events GROUP BY 1, 2, 3, 4`,
    'k1, k2, k3, k4, n',
  );
  const latencyOff = await unmatched(
    'SELECT day AS k1, source AS k2, le_ms AS k3, count AS n FROM latency_daily',
    `SELECT date(delivered_at / 1000, 'unixepoch'), source, ${latencyBucket}, count(*) FROM events WHERE delivered_at IS NOT NULL GROUP BY 1, 2, 3`,
    'k1, k2, k3, n',
  );
  const cohortsOff = await unmatched(
    'SELECT week AS k1, source AS k2, campaign AS k3, people AS k4, returned AS n FROM cohorts_weekly',
    `SELECT ${week('first_seen')}, COALESCE(first_source, ''), COALESCE(first_campaign, ''), count(*),
       sum(${week('last_seen')} > ${week('first_seen')}) FROM people GROUP BY 1, 2, 3`,
    'k1, k2, k3, k4, n',
  );
  return {
    ok: funnelOff + latencyOff + cohortsOff === 0,
    detail: `rows that differ: funnel_daily ${funnelOff}, latency_daily ${latencyOff}, cohorts_weekly ${cohortsOff}`,
  };
}

/**
 * A filter whose plan probes deliveries by status for every event: rows read ≈ events × the
 * deliveries of that status. The matches are counted another way (IN over the deliveries index).
 */
async function quadraticEstimate(db, filter, facts) {
  const conditions = [];
  const binds = [];
  if (filter.destination) conditions.push(`destination = ?${binds.push(filter.destination)}`);
  if (filter.deliveryStatus) conditions.push(`status = ?${binds.push(filter.deliveryStatus)}`);
  const where = conditions.join(' AND ');
  const probe = await one(db, `SELECT count(*) FROM deliveries WHERE ${where}`, ...binds);
  const matches = await one(
    db,
    `SELECT count(*) FROM events WHERE id IN (SELECT event_id FROM deliveries WHERE ${where})`,
    ...binds,
  );
  // A page stops at its 50th match, newest first: it checks the events down to that one.
  const checked = await one(
    db,
    `SELECT count(*) FROM events WHERE id >= (SELECT id FROM events WHERE id IN (SELECT event_id FROM deliveries WHERE ${where})
       ORDER BY id DESC LIMIT 1 OFFSET 49)`,
    ...binds,
  );
  return { probe, matches, rows: facts.events * probe, pageRows: (checked || facts.events) * probe };
}

/**
 * The fixes this bench proposes for the filters that read most of the table or worse, each timed on
 * the same data against what src/ sends: the SQL rewritten, or an index created here and dropped.
 */
async function tryProposals(db, recording, searches) {
  const find = (name) => searches.find((s) => s.name === name);
  const out = [];
  const attempt = async ({ name, search, which, rewrite, indexes = [] }) => {
    const target = find(search);
    if (!target) return;
    const statement = target[which];
    for (const sql of indexes) await db.prepare(sql.replace(/^/, 'CREATE INDEX ')).run();
    const sql = rewrite ? rewrite(statement.sql) : statement.sql;
    const query = { sql, binds: statement.binds };
    const fn = async () => {
      const result = await db
        .prepare(sql)
        .bind(...statement.binds)
        .all();
      recording.log.push({ ...query, meta: result.meta });
    };
    const [after] = await measure([fn], recording.log, 4_000);
    const plan = await explain(db, query);
    for (const index of indexes) await db.prepare(`DROP INDEX ${/^(\w+)/.exec(index)[1]}`).run();
    const before = statement.timing ?? null;
    out.push({
      name,
      search,
      which,
      before,
      beforeRows: before ? before.rowsRead : which === 'page' ? target.guard?.pageRows : target.guard?.rows,
      after,
      sql,
      plan,
    });
  };
  // The status of a delivery alone: `+d.status` keeps the subquery on the primary key (event_id),
  // one probe per event; or IN, which reads only the deliveries of that status.
  const plusStatus = (sql) => sql.replace(/AND d\.status = (\?\d+)\)/, 'AND +d.status = $1)');
  const inStatus = (sql) =>
    sql.replace(
      /EXISTS \(SELECT 1 FROM deliveries d WHERE d\.event_id = e\.id AND d\.status = (\?\d+)\)/,
      'e.id IN (SELECT d.event_id FROM deliveries d WHERE d.status = $1)',
    );
  for (const which of ['page', 'total']) {
    await attempt({
      name: `delivery_status alone, ${which === 'page' ? 'page' : 'count'}: \`+d.status\` (the primary key, not the status index)`,
      search: 'delivery_status=retrying',
      which,
      rewrite: plusStatus,
    });
    await attempt({
      name: `delivery_status alone, ${which === 'page' ? 'page' : 'count'}: \`e.id IN (SELECT event_id FROM deliveries WHERE status = ?)\``,
      search: 'delivery_status=retrying',
      which,
      rewrite: inStatus,
    });
  }
  // Destination and status: the same IN, over deliveries_destination_status.
  await attempt({
    name: 'destination & delivery_status, count: `e.id IN (SELECT event_id … WHERE destination = ? AND status = ?)`',
    search: 'destination=hubspot & delivery_status=dead',
    which: 'total',
    rewrite: (sql) =>
      sql.replace(
        /EXISTS \(SELECT 1 FROM deliveries d WHERE d\.event_id = e\.id AND d\.destination = (\?\d+) AND d\.status = (\?\d+)\)/,
        'e.id IN (SELECT d.event_id FROM deliveries d WHERE d.destination = $1 AND d.status = $2)',
      ),
  });
  // The same IN for a common destination: it reads only the matching deliveries for the count, but
  // a page then gathers every match to sort it, where EXISTS stops at the 50th newest.
  const inDestination = (sql) =>
    sql.replace(
      /EXISTS \(SELECT 1 FROM deliveries d WHERE d\.event_id = e\.id AND d\.destination = (\?\d+)\)/,
      'e.id IN (SELECT d.event_id FROM deliveries d WHERE d.destination = $1)',
    );
  for (const which of ['total', 'page'])
    await attempt({
      name: `destination alone, ${which === 'page' ? 'page' : 'count'}: \`e.id IN (SELECT event_id … WHERE destination = ?)\``,
      search: 'destination=salesforce',
      which,
      rewrite: inDestination,
    });
  // error_class is the text before ':' of last_error: an index on that expression, over the rows
  // that have one, and the two LIKEs as one IN (… UNION …).
  const cls = "substr(last_error, 1, instr(last_error, ':') - 1)";
  const byClass = (sql) =>
    sql.replace(
      /\(e\.last_error LIKE (\?\d+) ESCAPE '\\' OR EXISTS \(SELECT 1 FROM deliveries d WHERE d\.event_id = e\.id AND d\.last_error LIKE (\?\d+) ESCAPE '\\'\)\)/,
      (_, a, b) =>
        `e.id IN (SELECT id FROM events WHERE ${cls} = rtrim(replace(${a}, '\\', ''), ':%') AND last_error IS NOT NULL
          UNION SELECT event_id FROM deliveries WHERE ${cls} = rtrim(replace(${b}, '\\', ''), ':%') AND last_error IS NOT NULL)`,
    );
  const classIndexes = [
    `bench_events_error_class ON events (${cls}) WHERE last_error IS NOT NULL`,
    `bench_deliveries_error_class ON deliveries (${cls}) WHERE last_error IS NOT NULL`,
  ];
  for (const which of ['page', 'total'])
    await attempt({
      name: `error_class, ${which === 'page' ? 'page' : 'count'}: index on the class (events, deliveries) + IN (… UNION …)`,
      search: 'error_class=auth (rare)',
      which,
      rewrite: byClass,
      indexes: classIndexes,
    });
  await attempt({
    name: 'event_type, count: index events (event_type, id) WHERE event_type IS NOT NULL',
    search: 'event_type=contact.deletion',
    which: 'total',
    indexes: ['bench_events_type ON events (event_type, id) WHERE event_type IS NOT NULL'],
  });
  return out;
}

/**
 * The funnel with its stages pivoted in SQL: one row per day × source × campaign instead of one
 * per stage, the answer `funnel()` folds them into. Fewer rows to cross from D1 to the Worker.
 */
async function funnelPivot(db, recording, stats, ranges) {
  const out = [];
  for (const range of ranges) {
    const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS);
    const before = stats.find((s) => s.name === `funnel, ${days} days`)?.rollup;
    if (!before) continue;
    const sql = `SELECT day, source, campaign, sum(count) AS received,
        ${FUNNEL_STAGES.map((stage) => `sum(count) FILTER (WHERE stage = '${stage}') AS "${stage}"`).join(', ')}
      FROM funnel_daily
      WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR source = ?3) AND (?4 IS NULL OR campaign = ?4) AND count != 0
      GROUP BY day, source, campaign ORDER BY day, source, campaign`;
    const binds = [range.from, range.to, null, null];
    // With the rejections query funnel() sends beside it, in one batch as it does.
    recording.log.length = 0;
    await funnel(recording.db, range);
    const rejections = recording.log.find((entry) => entry.sql.includes('rejections_daily'));
    const [after] = await measure(
      [
        async () => {
          const results = await db.batch([
            db.prepare(sql).bind(...binds),
            db.prepare(rejections.sql).bind(...rejections.binds),
          ]);
          recording.log.push({ sql, binds, meta: results[0].meta }, { ...rejections, meta: results[1].meta });
        },
      ],
      recording.log,
    );
    const rows = (
      await db
        .prepare(sql)
        .bind(...binds)
        .all()
    ).results.length;
    const stageRows = await one(
      db,
      'SELECT count(*) FROM funnel_daily WHERE day >= ?1 AND day < ?2 AND count != 0',
      range.from,
      range.to,
    );
    out.push({
      name: `funnel, ${days} days: stages pivoted in SQL (${fmt(rows)} rows cross instead of ${fmt(stageRows)})`,
      before,
      beforeRows: before.rowsRead,
      after,
      sql,
      plan: await explain(db, { sql, binds }),
    });
  }
  return out;
}

/**
 * ANALYZE (what `PRAGMA optimize` runs when it decides to): no migration runs it, so D1 plans
 * without statistics, as this bench did. Which search plans change once SQLite knows the sizes?
 */
async function afterAnalyze(db, recording, searches) {
  await db.prepare('ANALYZE').run();
  const changed = [];
  for (const s of searches) {
    for (const which of ['page', 'total']) {
      const plan = await explain(db, s[which]);
      if (plan.join('\n') !== s[which].plan.join('\n'))
        changed.push({
          name: s.name,
          which: which === 'page' ? 'page' : 'count',
          before: s[which].plan.map((x) => x.trim()).join('; '),
          after: plan.map((x) => x.trim()).join('; '),
          plan,
        });
    }
  }
  // The quadratic filter again, if ANALYZE fixed its plan.
  const retrying = searches.find((s) => s.name === 'delivery_status=retrying');
  let retryingCount = null;
  if (retrying && !unkeyedDeliveries(await explain(db, retrying.total))) {
    [retryingCount] = await measure([retrying.total.fn], recording.log, 4_000);
  }
  return { changed, retryingCount };
}

function verdictOf(s, facts) {
  if (s.guard) return '**quadratic**';
  const big = (rows) => rows > facts.events / 10;
  if (big(s.page.timing.rowsRead)) return '**scans, even for a page**';
  if (eventsAccess(s.total.plan).startsWith('SCAN') && big(s.total.timing.rowsRead)) return '**count scans**';
  if (s.total.timing.rowsRead > 5 * s.matches + 100) return 'index, filters';
  return 'index';
}

function writeReport(r) {
  const cpu = cpus();
  md(`# Operator queries at ${N === 1_000_000 ? 'a million' : fmt(N)} events`);
  md();
  md(
    `Produced by ${COMMAND} on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, Miniflare ${r.miniflare} (the local D1 of \`wrangler dev\`: SQLite in workerd, on disk), ${fmt(r.elapsed)} s in all. The machine is shared: other work ran beside it, so read the ratios (each pair measured in turn, in the same run) before the absolute times.`,
  );
  md();
  md(
    `**Data**: ${fmt(r.facts.events)} events over ${DAYS} days (${day(START_MS)} … ${day(END_MS - 1)}), ${SOURCES.length} sources (the largest ~29 % of the events, the smallest ~4 %), ${CAMPAIGNS.length} campaigns (each on one source; a fifth of the leads carry none), ${fmt(r.facts.people)} people (one per ${fmt(r.facts.withPerson / r.facts.people, 2)} of the events that have one), ${fmt(r.facts.deliveries)} deliveries (to \`crm\`, and for three sources in four to one more CRM); ${fmt(r.facts.bytes / 1e6)} MB. Stages: ${statusMix(r.facts)}. Rollups: ${fmt(r.facts.funnelRows)} funnel_daily rows, ${fmt(r.facts.latencyRows)} latency_daily, ${fmt(r.facts.cohortRows)} cohorts_weekly, filled by the triggers during the load and **${r.exact.ok ? 'exact' : 'NOT exact'}** against a GROUP BY over the tables afterwards (${r.exact.detail}).`,
  );
  md();
  md(
    `**Times**: median and p95 over up to ${RUNS} runs after a warm-up (fewer, at least 3, for a query slow enough to exhaust its budget), wall clock from Node through the D1 binding. That includes Miniflare's round trip from Node to workerd: ${ms(r.floor.median)} ms median for \`SELECT 1\` here (p95 ${ms(r.floor.p95)}), which a Worker does not pay. "SQL" is D1's \`meta.duration\`, the time inside SQLite (a mean: workerd's clock moves in whole milliseconds); "rows read" is D1's \`meta.rows_read\`, what D1 bills. The stats and search SQL is what src/store/stats.ts and src/store/search.ts send: the bench imports those modules and records their statements.`,
  );
  md();
  md('## Findings');
  md();
  const compared = r.stats.filter((s) => s.naive);
  const span = (values) => `${ratio(Math.min(...values), 1)}–${ratio(Math.max(...values), 1)}`;
  md(
    `- The GROUP BY over the tables takes ${span(compared.map((s) => s.naive.median / s.rollup.median))} the rollup's time through the binding, ${span(compared.map((s) => s.naive.sql / Math.max(s.rollup.sql, 0.5)))} inside SQLite, and reads ${span(compared.map((s) => s.naive.rowsRead / s.rollup.rowsRead))} the rows. The rollups answer in ${ms(Math.min(...r.stats.map((s) => s.rollup.median)))}–${ms(Math.max(...r.stats.map((s) => s.rollup.median)))} ms, growing with the rows asked for (days × sources × campaigns × stages), not with the events.`,
  );
  const slow = r.searches.filter((s) => verdictOf(s, r.facts).startsWith('**'));
  const indexed = r.searches.filter((s) => !verdictOf(s, r.facts).startsWith('**'));
  md(
    `- Search: ${indexed.length} of ${r.searches.length} filters go through an index for the page and the count (${indexed.map((s) => `\`${s.name}\``).join(', ')}).${slow.length ? ` The others: ${slow.map((s) => `\`${s.name}\` ${verdictOf(s, r.facts).replaceAll('*', '')}`).join('; ')}.` : ''}`,
  );
  if (r.proposals.length) md('- Proposals (measured below, on this data), each at least ×3 faster:');
  for (const p of r.proposals.filter((x) => x.before === null || x.before.median / x.after.median >= 3))
    md(
      `  - ${p.name}: ${p.before ? `${ms(p.before.median)} → ${ms(p.after.median)} ms` : `not runnable → ${ms(p.after.median)} ms`}, ${fmt(p.beforeRows)} → ${fmt(p.after.rowsRead)} rows read`,
    );
  let withAll = 0;
  let withoutAll = 0;
  for (const c of r.cost.filter((x) => x.phase.table)) {
    withAll += c.with;
    withoutAll += c.without;
  }
  md(
    `- The triggers make the writes of an event's life (insert, route and finish, deliveries, person) ×${fmt(withAll / withoutAll, 2)} the time (${fmt(COST_N)} events, with and without them in turn); the insert alone ×${fmt(r.cost.find((c) => c.phase.name.startsWith('events: insert')).with / r.cost.find((c) => c.phase.name.startsWith('events: insert')).without, 2)}.`,
  );
  md();
  md('## Summary: stats');
  md();
  md(
    '| query | rows answered | rollup: median / p95 ms | SQL ms | rows read | GROUP BY over the table: median / p95 ms | SQL ms | rows read | GROUP BY ÷ rollup: wall, SQL, rows read |',
  );
  md('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.stats) {
    const n = s.naive;
    md(
      `| ${s.name} | ${fmt(s.rows)} | ${ms(s.rollup.median)} / ${ms(s.rollup.p95)} | ${ms(s.rollup.sql)} | ${fmt(s.rollup.rowsRead)} | ${n ? `${ms(n.median)} / ${ms(n.p95)}` : '–'} | ${n ? ms(n.sql) : '–'} | ${n ? fmt(n.rowsRead) : '–'} | ${n ? `**${ratio(n.median, s.rollup.median)}**, ${ratio(n.sql, Math.max(s.rollup.sql, 0.5))}, ${ratio(n.rowsRead, s.rollup.rowsRead)}` : '–'} |`,
    );
  }
  md();
  md(
    "The rollup side is the whole store call: for the funnel, `funnel()` (funnel_daily and rejections_daily in one batch, the rows folded into the answer). The GROUP BY side is its query alone, with the best index it can use (the id range, which is the time range, and the source or campaign index), so the wall ratio is a floor; the SQL ratio divides by at least 0.5 ms (workerd's clock cannot tell less). Both sides of the funnel return the same rows, one per day × source × campaign × stage: where the rollup's wall time is far above its SQL time, the difference is those rows crossing from workerd to Node.",
  );
  md();
  md('## Search: each filter, a page of 50 (newest first) and the count that starts a bulk replay');
  md();
  md(
    '| filter | matches | how the count reads `events` (EXPLAIN QUERY PLAN) | page: median / p95 ms | rows read | count: median / p95 ms | rows read | verdict |',
  );
  md('| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |');
  for (const s of r.searches) {
    const verdict = verdictOf(s, r.facts);
    md(
      `| ${s.name} | ${fmt(s.matches)} | ${eventsAccess(s.total.plan)}${s.guard ? '; per event, every delivery of the status' : ''} | ${s.page.timing ? `${ms(s.page.timing.median)} / ${ms(s.page.timing.p95)}` : `not run (~${fmt(s.guard.pageRows)} rows)`} | ${s.page.timing ? fmt(s.page.timing.rowsRead) : '–'} | ${s.guard ? `not run (~${fmt(s.guard.rows)} rows: ${fmt(r.facts.events)} events × ${fmt(s.guard.probe)})` : `${ms(s.total.timing.median)} / ${ms(s.total.timing.p95)}`} | ${s.guard ? '–' : fmt(s.total.timing.rowsRead)} | ${verdict} |`,
    );
  }
  md();
  md(
    `"scans": the plan walks \`events\` whole and reads more than a tenth of it; "filters": an index finds the rows of one condition and the others are checked row by row (reading over 5 rows per match); "quadratic": the plan walks the deliveries of one status for each event. The person searched by email is \`${r.person.person_id}\` (${fmt(r.person.n)} events). A page also reads the deliveries of its 50 events, one lookup by primary key each.`,
  );
  if (r.proposals.length) {
    md();
    md('## Proposals, measured here on the same data (nothing changed in src/ or migrations/)');
    md();
    md('| change | before: median ms | rows read | after: median ms | p95 ms | rows read |');
    md('| --- | ---: | ---: | ---: | ---: | ---: |');
  }
  for (const p of r.proposals)
    md(
      `| ${p.name} | ${p.before ? ms(p.before.median) : 'not run'} | ${p.before ? fmt(p.beforeRows) : `~${fmt(p.beforeRows)}`} | ${ms(p.after.median)} | ${ms(p.after.p95)} | ${fmt(p.after.rowsRead)} |`,
    );
  md();
  md(
    `With \`ANALYZE\` run on this database (no migration runs it or \`PRAGMA optimize\`, so D1 plans without statistics, as everything above did), ${r.analyzed.changed.length} of ${r.searches.length * 2} search plans change${r.analyzed.changed.length ? ':' : '.'}`,
  );
  md();
  for (const c of r.analyzed.changed) md(`- ${c.name} (${c.which}): \`${c.before}\` → \`${c.after}\``);
  if (r.analyzed.retryingCount)
    md(
      `- and the count of \`delivery_status=retrying\` then runs: ${ms(r.analyzed.retryingCount.median)} ms median, ${fmt(r.analyzed.retryingCount.rowsRead)} rows read.`,
    );
  md();
  md(`## The load (${fmt(N)} events, every one through the triggers)`);
  md();
  md('| phase | rows written | s | rows/s |');
  md('| --- | ---: | ---: | ---: |');
  for (const l of r.loads)
    md(`| ${l.phase.name} | ${fmt(l.rows)} | ${fmt(l.seconds, 1)} | ${fmt(l.rows / l.seconds)} |`);
  md(`| all | | ${fmt(r.loadSeconds, 1)} | ${fmt(N / r.loadSeconds)} events/s |`);
  md();
  md(
    "Generated inside SQLite, one statement per 100,000 rows: a recursive CTE hashes each event's index into four 32-bit numbers (`bench_rand`, dropped after), from which every statement derives the event's source, campaign, stage, person, latency and error, so every run holds the same data (only the random keys differ). Events are written as the pipeline writes them: inserted `queued` as ingest stores them, then routed and finished in one update (status, campaign, lead, person, delivered_at; the pipeline spreads that over two or three updates); people are inserted from their first event, then their last seen moved to their last. Every trigger fires as it does in production. Not generated: attempts and person_destinations, which no operator query reads.",
  );
  md();
  md(`## What the triggers cost the writes (${fmt(COST_N)} events, two fresh databases in turn)`);
  md();
  md('| phase | triggers that fire | rows/s with | rows/s without | time with ÷ without |');
  md('| --- | --- | ---: | ---: | ---: |');
  const fired = {
    'events: insert as ingest (queued)': 'events_funnel_insert',
    'events: route + finish (update)': 'events_funnel_update, events_latency',
    'deliveries: insert': 'none (a control)',
    'people: insert (first event)': 'people_cohort_insert',
    'people: last seen (update)': 'people_cohort_returned',
  };
  for (const c of r.cost) {
    if (!c.phase.table) continue;
    md(
      `| ${c.phase.name} | ${fired[c.phase.name] ?? ''} | ${fmt(c.rows / c.with)} | ${fmt(c.rows / c.without)} | ×${fmt(c.with / c.without, 2)} |`,
    );
  }
  md(
    `| all the writes of an event's life | | ${fmt(COST_N / withAll)} events/s | ${fmt(COST_N / withoutAll)} events/s | **×${fmt(withAll / withoutAll, 2)}** |`,
  );
  md();
  md(
    "The same statements as the load above, 50,000 rows each, each run on the database with the triggers and on the one without, the order alternating. The triggers were dropped from the second database for the run and recreated from `sqlite_master` after it. In the pipeline the route and finish are two or three updates, each firing the funnel update trigger when the stage or campaign changes, so the update's ratio is per update.",
  );
  md();
  md('## Query plans');
  md();
  const block = (title, sql, ...plans) => {
    md(`**${title}**`);
    md();
    md('```');
    md(sql.replace(/\s+/g, ' ').trim());
    for (const [label, plan] of plans) {
      md(`-- ${label}`);
      for (const step of plan) md(step);
    }
    md('```');
    md();
  };
  for (const p of r.plans) block(p.name, p.sql, ['plan', p.plan]);
  for (const s of r.searches)
    block(`search: ${s.name}`, s.page.sql, ['the page', s.page.plan], ['the count', s.total.plan]);
  for (const p of r.proposals) block(`proposal: ${p.name}`, p.sql, ['plan', p.plan]);
}
