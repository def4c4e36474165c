// CPU per lead against the floor of its own primitives, in one run (issue 12, point 3).
//
// The pure work Inlet does for one lead, timed next to the primitives it cannot avoid: one
// HMAC-SHA256 with a cached key, one JSON.parse of the body, one valibot parse of the source's
// schema, one libphonenumber parse. The floor is those four run back to back; path / floor is what
// Inlet's own code adds (target ≤ 1.3×, well under 1 ms). docs/benchmarks/cpu.md has a run.
//
// The code measured is src/ bundled by esbuild as wrangler bundles it (the `inlet-config` alias,
// workerd/worker/browser conditions) into .tmp/cpu/, so it runs in Node without a TypeScript loader
// and `node --cpu-prof bench/cpu.mjs` profiles it as it is.
//
// Two passes, because Node and workerd run WebCrypto differently. workerd computes an HMAC or a
// digest on the calling thread and returns a settled promise; Node posts each one to the libuv
// thread pool, so every `await crypto.subtle.*` is a thread hop whose cost is mostly the OS waking
// a thread (on a busy 2-core machine, a lot of it), not hashing. The first pass computes them on
// the calling thread with node:crypto (same algorithms, settled promises), as workerd does; the
// second, shorter, uses Node's own WebCrypto, to show what the hop costs. Median and p99 are
// tinybench's, one call at a time; the CPU column is process.cpuUsage (every thread of the
// process) over a separate bounded loop, divided by its calls.
//
//   node bench/cpu.mjs                          both passes (~40 s)
//   CPU_BENCH_ONLY=path node bench/cpu.mjs      only the tasks whose name contains "path"
//   CPU_BENCH_POOL=0                            skip the thread-pool pass (for a profile)
//   CPU_BENCH_AGAINST=.tmp/a,.tmp/b             also run the paths and the floor on the src/ and
//                                               inlet.config.ts under each directory, interleaved
//                                               with this tree's (to measure a change on a copy)
//   CPU_BENCH_TIME_MS=500                       time budget per task (default 800)
import { createHmac, createSecretKey, hash, timingSafeEqual } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Bench } from 'tinybench';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = `${ROOT}.tmp/cpu`;
const TIME_MS = Number(process.env.CPU_BENCH_TIME_MS ?? 800);
const ONLY = process.env.CPU_BENCH_ONLY;
const AGAINST = (process.env.CPU_BENCH_AGAINST ?? '').split(',').filter(Boolean);

// --- crypto.subtle as workerd runs it: on the calling thread -------------------------------------

const nodeCrypto = globalThis.crypto;
const native = nodeCrypto.subtle;
/** `inline`: HMACs and digests computed on this thread, settled promises (workerd); else Node's. */
const cryptoMode = { inline: true };
const rawKeys = new WeakMap();
const hashName = (algorithm) =>
  (typeof algorithm === 'string' ? algorithm : algorithm.name).replace('-', '').toLowerCase();
const bytesOf = (data) =>
  ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
const arrayBufferOf = (buffer) =>
  buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
// A KeyObject, not the raw bytes: createHmac checks a Buffer key for a KeyObject the slow way
// (~15 µs a call in Node 24, against ~3.5 µs), which would pad both the path and the floor.
const hmacOf = (key, data) => {
  const { algorithm, secret } = rawKeys.get(key);
  return createHmac(algorithm, secret).update(bytesOf(data)).digest();
};
const subtle = {
  async importKey(format, keyData, algorithm, extractable, usages) {
    const key = await native.importKey(format, keyData, algorithm, extractable, usages);
    if (format === 'raw' && algorithm.name === 'HMAC')
      rawKeys.set(key, { algorithm: hashName(algorithm.hash), secret: createSecretKey(bytesOf(keyData)) });
    return key;
  },
  sign(algorithm, key, data) {
    if (!cryptoMode.inline || !rawKeys.has(key)) return native.sign(algorithm, key, data);
    return Promise.resolve(arrayBufferOf(hmacOf(key, data)));
  },
  verify(algorithm, key, signature, data) {
    if (!cryptoMode.inline || !rawKeys.has(key)) return native.verify(algorithm, key, signature, data);
    const mac = hmacOf(key, data);
    const given = bytesOf(signature);
    return Promise.resolve(given.byteLength === mac.byteLength && timingSafeEqual(mac, given));
  },
  digest(algorithm, data) {
    if (!cryptoMode.inline) return native.digest(algorithm, data);
    return Promise.resolve(arrayBufferOf(hash(hashName(algorithm), bytesOf(data), 'buffer')));
  },
};
Object.defineProperty(globalThis, 'crypto', {
  configurable: true,
  enumerable: true,
  value: {
    subtle,
    getRandomValues: (array) => nodeCrypto.getRandomValues(array),
    randomUUID: () => nodeCrypto.randomUUID(),
  },
});

// --- a realistic lead and realistic secrets -----------------------------------------------------

/** A website contact form as n8n or Make forwards it: 16 keys, 541 bytes. */
const LEAD = {
  email: 'Ada.Lovelace@Example.com',
  phone: '(415) 867-5309',
  first_name: 'Ada',
  last_name: 'Lovelace',
  company: 'Analytical Engines Ltd',
  job_title: 'Head of Engineering',
  country: 'United States',
  city: 'San Francisco',
  utm_source: 'google',
  utm_medium: 'cpc',
  utm_campaign: 'spring-launch',
  form: 'Contact sales',
  message: "We'd like a demo for 40 seats. Could someone call me on Tuesday morning, Pacific time?",
  page_url: 'https://www.example.com/pricing?plan=team&ref=nav',
  consent_marketing: true,
  submitted_at: '2026-11-20T10:15:00Z',
};
const BODY_TEXT = JSON.stringify(LEAD);
const BODY = new TextEncoder().encode(BODY_TEXT);
const NOW_S = 1_764_000_000;
const NOW_MS = NOW_S * 1000;
// Standard Webhooks: whsec_ + base64 of 24 random bytes, as Svix issues them.
const DEMO_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const DEMO_ID = 'msg_2pVxTqKJ7bLw9XeR4mN8cZ';
// Inlet HMAC: a 32-byte shared secret as hex, what `openssl rand -hex 32` gives an n8n user.
const N8N_SECRET = '6f1d3c2a9b8e47f0a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2';
// The shipped n8n workflow (examples/n8n-inlet-hmac.json) signs v2, which covers the delivery id.
const N8N_ID = 'n8n-exec-48213-0';
const DESTINATION_SECRET = 'whsec_ZGV2LWRlc3RpbmF0aW9uLXNlY3JldC0wMTIzNDU2Nzg5';
const EVENT_ID = 'evt_01M8XMTQX175K0Y022M6QC9EZD';
const PERSON_ID = 'per_01M8XMTQYPCV7X8YN86ZKAFTKH';

// --- the code under test, bundled as wrangler bundles it ----------------------------------------

const ENTRY = `
export { findSource } from './src/sources/registry';
export { parsePayload, validatePayload } from './src/pipeline/parse';
export { normalizeLead } from './src/leads/normalize';
export { leadContractProblem, personKeys } from './src/leads/identity';
export { deliveryBody, signStandardWebhook } from './src/destinations/webhook';
export { hmacKey, toHex, utf8 } from './src/verify/crypto';
export { decodeWebhookSecret, signedContent } from './src/verify/standard-webhooks';
export { parsePhoneNumberFromString } from 'libphonenumber-js/min';
export * as v from 'valibot';
`;

/** Bundles the tree under `root` (its src/ and inlet.config.ts) and imports it. */
async function bundle(root, name) {
  const outfile = `${OUT}/${name}.mjs`;
  await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'ts', sourcefile: 'cpu-entry.ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    alias: { 'inlet-config': resolve(root, 'inlet.config.ts') },
    // The tree under test may be a scratch copy outside the repo: its packages are the repo's.
    nodePaths: [`${ROOT}node_modules`],
    target: 'es2022',
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/** Per-stage times of the paths, read inside them: the paths run on fresh input every call (a new
 * JSON.parse, new strings), which stages timed alone on one constant object would not (V8 caches
 * regexp results per subject string), so the breakdown is taken from the paths themselves. */
class Laps {
  samples = new Map();
  #last = 0;
  start() {
    this.#last = performance.now();
  }
  lap(name) {
    const now = performance.now();
    const list = this.samples.get(name) ?? [];
    if (list.length === 0) this.samples.set(name, list);
    list.push(now - this.#last);
    this.#last = now;
  }
}
const NO_LAPS = { start() {}, lap() {} };

/** The paths of one tree, as tasks; `suffix` tells two trees apart in a comparison. */
async function treeTasks(inlet, suffix = '') {
  const { utf8, toHex } = inlet;
  const demo = inlet.findSource('demo');
  const n8n = inlet.findSource('n8n');
  if (!demo || !n8n) throw new Error('inlet.config.ts has no `demo` or `n8n` source');

  const demoRequest = {
    method: 'POST',
    url: 'https://inlet.example/in/demo',
    headers: new Headers({
      'content-type': 'application/json',
      ...(await inlet.signStandardWebhook(DEMO_SECRET, DEMO_ID, NOW_S, BODY)),
    }),
    body: BODY,
  };
  const n8nKey = await crypto.subtle.importKey(
    'raw',
    utf8(N8N_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const n8nSignature = await crypto.subtle.sign('HMAC', n8nKey, utf8(`${N8N_ID}.${NOW_S}.${BODY_TEXT}`));
  const n8nRequest = {
    method: 'POST',
    url: 'https://inlet.example/in/n8n',
    headers: new Headers({
      'content-type': 'application/json',
      'x-inlet-id': N8N_ID,
      'x-inlet-timestamp': String(NOW_S),
      'x-inlet-signature': `v2=${toHex(new Uint8Array(n8nSignature))}`,
    }),
    body: BODY,
  };
  const demoContext = { secrets: [DEMO_SECRET], nowMs: NOW_MS };
  const n8nContext = { secrets: [N8N_SECRET], nowMs: NOW_MS };
  for (const [source, request, context] of [
    [demo, demoRequest, demoContext],
    [n8n, n8nRequest, n8nContext],
  ]) {
    const result = await source.preset.verifier.verify(request, context);
    if (!result.ok) throw new Error(`the ${source.name} request does not verify: ${result.reason}`);
  }

  /** Parse, validate, map, normalise: src/pipeline/routing.ts `leadOf`, also run at ingest here. */
  async function leadOf(source, body, laps) {
    const parsed = await inlet.parsePayload('application/json', body);
    laps.lap('parse (parsePayload)');
    const payload = inlet.validatePayload(source.schema, parsed);
    laps.lap('validate (validatePayload)');
    const input = await source.toLead(payload, {});
    laps.lap('map (toLead)');
    const lead = inlet.normalizeLead(input, {
      source: source.name,
      ...(source.defaultRegion ? { defaultRegion: source.defaultRegion } : {}),
    });
    if (inlet.leadContractProblem(lead)) throw new Error('no contact');
    laps.lap('normalise (normalizeLead)');
    return lead;
  }
  /** Verify, parse, validate, map, normalise, person keys: the whole pure path of one lead. */
  async function ingestPath(source, request, context, laps = NO_LAPS) {
    laps.start();
    const verified = await source.preset.verifier.verify(request, context);
    if (!verified.ok) throw new Error(verified.reason);
    laps.lap('verify');
    const keys = await inlet.personKeys(await leadOf(source, request.body, laps));
    laps.lap('person keys (personKeys)');
    return keys;
  }
  /** What POST /in/:source itself runs (src/routes/ingest.ts); mapping waits for the consumer. */
  async function ingestRoute(source, request, context) {
    const verified = await source.preset.verifier.verify(request, context);
    if (!verified.ok) throw new Error(verified.reason);
    return inlet.validatePayload(source.schema, await inlet.parsePayload('application/json', request.body));
  }
  /** The consumer's pure work for a stored event (src/pipeline/routing.ts `leadOf`, then
   * `personKeys`), and the `crm` webhook destination's body and signature (webhook.ts). */
  async function consumerPath(source, body, laps = NO_LAPS) {
    laps.start();
    const lead = await leadOf(source, body, laps);
    await inlet.personKeys(lead);
    laps.lap('person keys (personKeys)');
    const out = utf8(
      inlet.deliveryBody(
        {
          eventId: EVENT_ID,
          source: source.name,
          receivedAt: NOW_MS,
          lead,
          person: { id: PERSON_ID, recordId: null, action: 'create' },
          mergedEventIds: [],
        },
        NOW_MS,
      ),
    );
    laps.lap('body (deliveryBody)');
    const signature = await inlet.signStandardWebhook(DESTINATION_SECRET, EVENT_ID, NOW_S, out);
    laps.lap('sign (signStandardWebhook)');
    return signature;
  }

  return {
    tasks: [
      [`path: ingest, demo (Standard Webhooks)${suffix}`, () => ingestPath(demo, demoRequest, demoContext)],
      [`path: ingest, n8n (Inlet HMAC v2)${suffix}`, () => ingestPath(n8n, n8nRequest, n8nContext)],
      [`path: consumer, demo → crm webhook${suffix}`, () => consumerPath(demo, BODY)],
      [`part: ingest route as written, demo${suffix}`, () => ingestRoute(demo, demoRequest, demoContext)],
    ],
    breakdowns: [
      [`ingest, demo${suffix}`, (laps) => ingestPath(demo, demoRequest, demoContext, laps)],
      [`ingest, n8n${suffix}`, (laps) => ingestPath(n8n, n8nRequest, n8nContext, laps)],
      [`consumer, demo → crm${suffix}`, (laps) => consumerPath(demo, BODY, laps)],
    ],
  };
}

/** The floor: each primitive once, with what the path has in hand at that point. */
async function floorTasks(inlet, suffix = '') {
  const { v } = inlet;
  const schema = inlet.findSource('demo').schema;
  const key = await inlet.hmacKey('SHA-256', inlet.decodeWebhookSecret(DEMO_SECRET));
  const signed = inlet.signedContent(DEMO_ID, String(NOW_S), BODY);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, signed));
  const decoder = new TextDecoder();
  const parsed = JSON.parse(BODY_TEXT);
  const phoneOptions = { defaultCountry: 'US' };
  const digestInput = inlet.utf8(`email:${LEAD.email.toLowerCase()}`);
  // Only for reference, not in the floor: valibot on a plain object schema of the lead's keys.
  const plain = v.looseObject(
    Object.fromEntries(
      Object.entries(LEAD).map(([name, value]) => [
        name,
        v.optional(typeof value === 'boolean' ? v.boolean() : v.string()),
      ]),
    ),
  );
  const hmac = () => crypto.subtle.verify('HMAC', key, signature, signed);
  const phone = (text) => inlet.parsePhoneNumberFromString(text, phoneOptions)?.isValid();
  return [
    [
      `floor: HMAC + JSON.parse + valibot + phone${suffix}`,
      async () => {
        if (!(await hmac())) throw new Error('floor HMAC failed');
        const payload = JSON.parse(decoder.decode(BODY));
        v.safeParse(schema, payload);
        phone(payload.phone);
      },
    ],
    ['prim: HMAC-SHA256 verify, cached key', hmac],
    ['prim: JSON.parse (with UTF-8 decode)', () => JSON.parse(decoder.decode(BODY))],
    // A fresh object each call, as in the path: the flat schema keeps an index per payload object
    // (src/leads/mappings/flat.ts), which one object reused would hit every time after the first.
    [
      'prim: JSON.parse + valibot safeParse, flat schema',
      () => v.safeParse(schema, JSON.parse(decoder.decode(BODY))),
    ],
    ['prim: libphonenumber parse + isValid', () => phone(LEAD.phone)],
    ['prim: SHA-256 digest, 40 bytes', () => crypto.subtle.digest('SHA-256', digestInput)],
    ['ref: valibot safeParse, plain looseObject', () => v.safeParse(plain, parsed)],
  ];
}

mkdirSync(OUT, { recursive: true });
const current = await bundle(ROOT, 'inlet');
const trees = [{ paths: await treeTasks(current), floor: await floorTasks(current) }];
for (const [i, dir] of AGAINST.entries()) {
  const other = await bundle(resolve(dir), `against-${i}`);
  const suffix = ` [${basename(resolve(dir))}]`;
  trees.push({ paths: await treeTasks(other, suffix), floor: await floorTasks(other, suffix) });
}
// With a second tree, each task sits next to its twin, so the machine's noise hits both alike.
const zip = (lists) => lists[0].flatMap((_, i) => lists.map((list) => list[i]));
const FLOOR_TASKS = 1; // the composed floor; the primitives are the current tree's only
let tasks = [
  ...zip(trees.map((tree) => tree.paths.tasks)),
  ...zip(trees.map((tree) => tree.floor.slice(0, FLOOR_TASKS))),
  ...trees[0].floor.slice(FLOOR_TASKS),
];
tasks = tasks.filter(([name]) => !ONLY || name.includes(ONLY));
const breakdowns = zip(trees.map((tree) => tree.paths.breakdowns)).filter(
  ([name]) => !ONLY || `path: ${name}`.includes(ONLY),
);

// --- run ----------------------------------------------------------------------------------------

const ROUNDS = 4;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** CPU of every thread (the thread pool's included) per call, over a fixed, bounded loop. */
async function cpuPerCall(fn) {
  const before = process.cpuUsage();
  const started = performance.now();
  let calls = 0;
  while (calls < 20_000 && performance.now() - started < TIME_MS / 4) {
    await fn();
    calls++;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls; // µs
}

/**
 * tinybench in ROUNDS short runs over every task, samples pooled per task: a burst of load from
 * elsewhere on the machine then spreads over all tasks instead of landing on one.
 */
async function pass(list) {
  const samples = new Map(list.map(([name]) => [name, []]));
  const cpu = new Map(list.map(([name]) => [name, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({
      time: TIME_MS / ROUNDS,
      warmupTime: round === 0 ? 200 : 20,
      retainSamples: true,
      throws: true,
    });
    for (const [name, fn] of list) bench.add(name, fn);
    await bench.run();
    for (const [name, fn] of list) {
      // A loop, not push(...): a fast task takes 100,000 samples a round, past the argument limit.
      const pooled = samples.get(name);
      for (const sample of bench.getTask(name).result.latency.samples) pooled.push(sample);
      cpu.set(name, cpu.get(name) + (await cpuPerCall(fn)) / ROUNDS);
    }
  }
  return list.map(([name]) => {
    const sorted = samples.get(name).sort((a, b) => a - b);
    return {
      name,
      p50: quantile(sorted, 0.5) * 1000,
      p99: quantile(sorted, 0.99) * 1000,
      cpu: cpu.get(name),
      n: sorted.length,
    };
  });
}

/** Per-stage medians read inside each path (bounded in calls and time), on-thread crypto. */
async function breakdown([name, run]) {
  const laps = new Laps();
  const started = performance.now();
  for (let i = 0; i < 20_000 && performance.now() - started < TIME_MS; i++) await run(laps);
  return {
    name,
    stages: [...laps.samples].map(([stage, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return { stage, p50: quantile(sorted, 0.5) * 1000, p99: quantile(sorted, 0.99) * 1000 };
    }),
  };
}

const us = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const FLOOR = 'floor: HMAC + JSON.parse + valibot + phone';
function report(title, rows) {
  const lines = [
    `### ${title}`,
    '',
    '| task | median µs | p99 µs | CPU µs/call | samples |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${us(r.p50)} | ${us(r.p99)} | ${us(r.cpu)} | ${r.n} |`),
  ];
  const measured = rows.filter((r) => r.name.startsWith('path:') || r.name.startsWith('part:'));
  const floorOf = (r) => rows.find((f) => f.name === FLOOR + (/ \[[^\]]+\]$/.exec(r.name)?.[0] ?? ''));
  if (measured.some(floorOf)) {
    lines.push(
      '',
      '| path | median / floor | p99 / floor | CPU / floor |',
      '| --- | ---: | ---: | ---: |',
      ...measured.filter(floorOf).map((r) => {
        const f = floorOf(r);
        return `| ${r.name.slice(6)} | ${(r.p50 / f.p50).toFixed(2)}× | ${(r.p99 / f.p99).toFixed(2)}× | ${(r.cpu / f.cpu).toFixed(2)}× |`;
      }),
    );
  }
  return lines.join('\n');
}
function reportBreakdowns(list) {
  const lines = [
    '### where the time goes: stages timed inside each path (median µs, share of their sum)',
    '',
  ];
  for (const { name, stages } of list) {
    const total = stages.reduce((sum, s) => sum + s.p50, 0);
    lines.push(
      `${name}: ${stages.map((s) => `${s.stage} ${us(s.p50)} (${((100 * s.p50) / total).toFixed(0)} %)`).join(', ')}; sum ${us(total)}`,
      '',
    );
  }
  return lines.join('\n');
}

const header = `CPU per lead: Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, load average ${loadavg()[0].toFixed(2)} at start, ${BODY.byteLength}-byte lead, ${TIME_MS} ms per task in ${ROUNDS} rounds`;
const results = { header };
const sections = [];
cryptoMode.inline = true;
results.inline = await pass(tasks);
sections.push(report('crypto on the calling thread, as in workerd', results.inline));
results.breakdowns = [];
for (const entry of breakdowns) results.breakdowns.push(await breakdown(entry));
if (results.breakdowns.length > 0) sections.push(reportBreakdowns(results.breakdowns));
if (process.env.CPU_BENCH_POOL !== '0') {
  cryptoMode.inline = false;
  const pooled = ['path:', 'part:', 'floor:', 'prim: HMAC', 'prim: SHA'];
  results.pooled = await pass(tasks.filter(([name]) => pooled.some((prefix) => name.startsWith(prefix))));
  sections.push(report("Node's WebCrypto (libuv thread pool)", results.pooled));
}
console.log(`\n${header}\n\n${sections.join('\n\n')}\n`);
writeFileSync(`${OUT}/results.json`, JSON.stringify(results, null, 2));
// What scripts/bench.mjs puts in docs/benchmarks.md.
writeFileSync(`${OUT}/report.md`, `${header}\n\n${sections.join('\n\n')}\n`);
