// `npm run bench`: every benchmark, one after the other on the same machine, each writing its own
// block of docs/benchmarks.md (between its markers; the prose around them is left alone), and a
// block naming the machine, the versions and the commit. `npm run bench -- load cost` runs those
// steps only and rewrites only their blocks. Benchmarks, not tests: nothing here is timed by CI.
//
//   cost   binding calls, statements, D1 rows and queue bytes per path (bench/cost.workerd.ts, in workerd),
//          and the accept path's answer time with distant bindings (bench/latency.workerd.ts)
//   cpu    CPU per lead against the floor of its primitives (bench/cpu.mjs, Node)
//   load   HTTP ingest per ACCEPT_MODE against /health under wrangler dev (bench/load.mjs)
//   peers  Express 5 and Inlet (and n8n with N8N=1) doing one job (bench/peers.mjs)
//   bundle the Worker's size as deployed, minified and gzipped
//   e2e    10,000 signed leads from ingest to the mock CRM (bench/e2e.mjs)
//
// The cost per million leads is computed from the `cost` step's counts at Cloudflare's list prices
// (PRICES below, with their date and source).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { gzipSync } from 'node:zlib';
import { WRANGLER_ENV } from './env.mjs';

const DOC = 'docs/benchmarks.md';
const OUT = '.tmp/bench';
mkdirSync(OUT, { recursive: true });

/**
 * Cloudflare's published prices beyond each plan's included usage (Workers Paid), as of
 * 2026-12: developers.cloudflare.com/workers/platform/pricing, /queues/platform/pricing,
 * /d1/platform/pricing, /kv/platform/pricing.
 */
const PRICES = {
  workerRequestPerMillion: 0.3,
  cpuMsPerMillion: 0.02,
  /** One operation per 64 KB written, read or deleted: a message delivered once is three. */
  queueOperationPerMillion: 0.4,
  d1RowReadPerMillion: 0.001,
  d1RowWrittenPerMillion: 1.0,
  d1StorageGbMonth: 0.75,
  kvReadPerMillion: 0.5,
};

/** Runs a command with its output shown and kept; resolves with the output and whether it passed. */
function run(command, args) {
  console.log(`\n== ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: WRANGLER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (stream, to) =>
      stream.on('data', (chunk) => {
        output += chunk;
        to.write(chunk);
      });
    keep(child.stdout, process.stdout);
    keep(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

const fixed = (n, digits = 2) => (Number.isInteger(n) ? String(n) : n.toFixed(digits));

function costBlock(rows, storedEventBytes) {
  const table = [
    '| path | status | D1 round trips | D1 statements | D1 rows read | D1 rows written | KV reads | KV writes | queue sends | queue bytes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.status === 200 && r.label.startsWith('deliver') ? '–' : r.status} | ${[
          'd1',
          'd1Statements',
          'rowsRead',
          'rowsWritten',
          'kvRead',
          'kvWrite',
          'queueSend',
          'queueBytes',
        ]
          .map((k) => fixed(r.perRequest[k] ?? 0))
          .join(' | ')} |`,
    ),
  ];
  return [
    'Counted on the real local D1, KV and queue bindings inside workerd (`bench/cost.workerd.ts`): per',
    'request for ingest, per delivery for the consumer (batches of 10 messages, the shipped',
    '`max_batch_size`; every `demo` lead has one delivery). Rows are what D1 reports in each',
    "result's meta (an index entry written is a row written), and what it bills.",
    '',
    ...table,
    '',
    `An event row as stored (body, headers, lead and keys) averages ~${storedEventBytes} bytes.`,
  ].join('\n');
}

function latencyBlock({ d1Ms, queueMs, requests, rows }) {
  return [
    `The accept path with every D1 round trip answering after ${d1Ms} ms and every queue send after ${queueMs} ms (\`bench/latency.workerd.ts\`: the real handler and local D1 inside workerd, the delays added around them; ${requests} new leads one at a time per mode):`,
    '',
    '| ACCEPT_MODE | answer p50 ms | max ms |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.mode} | ${r.p50.toFixed(0)} | ${r.max.toFixed(0)} |`),
  ].join('\n');
}

/** What a million leads cost at list prices, from the counts: one new event, one new-person delivery. */
function pricesBlock(rows, cpuMsPerLead) {
  const row = (prefix) => rows.find((r) => r.label.startsWith(prefix))?.perRequest ?? {};
  const ingest = row('ingest: new event (202)');
  const deliver = row('deliver: new person');
  const consumerBatch = 10;
  const lines = [
    // [what, per lead, unit price per million, unit]
    ['Workers requests (ingest)', 1, PRICES.workerRequestPerMillion, 'requests'],
    [
      'Workers requests (consumer, one per batch of 10)',
      1 / consumerBatch,
      PRICES.workerRequestPerMillion,
      'requests',
    ],
    ['Workers CPU (ingest + consumer, ms)', cpuMsPerLead, PRICES.cpuMsPerMillion, 'CPU ms'],
    [
      'Queue operations (write, read, delete of each message under 64 KB)',
      3 * ((ingest.queueSend ?? 1) + (deliver.queueSend ?? 0)),
      PRICES.queueOperationPerMillion,
      'operations',
    ],
    ['D1 rows read', (ingest.rowsRead ?? 0) + (deliver.rowsRead ?? 0), PRICES.d1RowReadPerMillion, 'rows'],
    [
      'D1 rows written',
      (ingest.rowsWritten ?? 0) + (deliver.rowsWritten ?? 0),
      PRICES.d1RowWrittenPerMillion,
      'rows',
    ],
    ['KV reads', (ingest.kvRead ?? 0) + (deliver.kvRead ?? 0), PRICES.kvReadPerMillion, 'reads'],
  ];
  let total = 0;
  const table = lines.map(([what, perLead, price, unit]) => {
    const cost = perLead * price;
    total += cost;
    return `| ${what} | ${fixed(perLead)} ${unit} | $${price} per million | $${cost.toFixed(2)} |`;
  });
  return [
    'A million leads, each new, one destination, delivered at the first attempt, at the list prices',
    "beyond the Workers Paid plan's included usage ($5 a month includes 10M requests, 30M CPU ms, 1M",
    'queue operations, 25B D1 rows read, 50M rows written, 5 GB of D1 storage): the counts are the',
    "`cost` step's; the CPU is the `cpu` step's median ingest and consumer paths (Node, a stand-in",
    "for workerd's own CPU accounting).",
    '',
    '| item | per lead | price | per million leads |',
    '| --- | --- | --- | --- |',
    ...table,
    `| **total** | | | **$${total.toFixed(2)}** |`,
  ].join('\n');
}

/** The markers of one block, and the block replaced (or appended) in the doc. */
function writeBlock(name, body) {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  const block = `${begin}\n${body.trim()}\n${end}`;
  const at = doc.indexOf(begin);
  const next =
    at >= 0
      ? doc.slice(0, at) + block + doc.slice(doc.indexOf(end, at) + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, next);
}

const version = (command, args) => {
  try {
    return execFileSync(command, args, { env: WRANGLER_ENV, encoding: 'utf8' }).trim().split('\n')[0];
  } catch {
    return 'unknown';
  }
};

/** The JSON a workerd bench printed on its one line starting with `tag` (it cannot write a file). */
function marked(output, tag) {
  const line = output.split('\n').find((l) => l.includes(`${tag} `));
  return line ? JSON.parse(line.slice(line.indexOf(`${tag} `) + tag.length + 1)) : undefined;
}

/** A step whose script writes its report to a file: its block is that file, less its title. */
const fromReport = (block, args, report) => async () => {
  const { ok } = await run(process.execPath, args);
  if (!ok || !existsSync(report)) return false;
  writeBlock(block, readFileSync(report, 'utf8').replace(/^#.*\n/, ''));
  return true;
};

const STEPS = {
  async cost() {
    const { ok, output } = await run('vitest', [
      'run',
      '--config',
      'vitest.cost.config.ts',
      '--silent=false',
    ]);
    const cost = marked(output, 'BENCH_COST_JSON');
    if (!ok || !cost) return false;
    writeFileSync(`${OUT}/cost.json`, JSON.stringify(cost, null, 2));
    writeBlock('cost', costBlock(cost.rows, cost.storedEventBytes));
    const latency = marked(output, 'BENCH_LATENCY_JSON');
    if (latency) writeBlock('latency', latencyBlock(latency));
    return true;
  },
  cpu: fromReport('cpu', ['bench/cpu.mjs'], '.tmp/cpu/report.md'),
  load: fromReport(
    'load',
    ['bench/load.mjs', '--json', `${OUT}/load.json`, '--md', `${OUT}/load.md`],
    `${OUT}/load.md`,
  ),
  peers: fromReport('peers', ['bench/peers.mjs'], 'docs/benchmarks/peers.md'),
  async bundle() {
    const { ok } = await run('wrangler', ['deploy', '--dry-run', '--minify', '--outdir', `${OUT}/dist`]);
    const file = `${OUT}/dist/index.js`;
    if (!ok || !existsSync(file)) return false;
    const bytes = readFileSync(file);
    const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
    writeBlock(
      'bundle',
      `The Worker as \`wrangler deploy --minify\` builds it: ${kib(bytes.length)}, ${kib(gzipSync(bytes).length)} gzipped (the Workers Paid limit is 10 MiB gzipped; the free plan's 3 MiB). libphonenumber's \`min\` metadata is its largest part.`,
    );
    return true;
  },
  e2e: fromReport(
    'e2e',
    ['bench/e2e.mjs', '--json', `${OUT}/e2e.json`, '--md', `${OUT}/e2e.md`],
    `${OUT}/e2e.md`,
  ),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((step) => !Object.hasOwn(STEPS, step));
if (unknown.length) {
  console.error(`unknown step(s): ${unknown.join(', ')}; the steps are ${Object.keys(STEPS).join(', ')}`);
  process.exit(2);
}
const steps = asked.length ? asked : Object.keys(STEPS);
const started = Date.now();
const load = [loadavg()[0]];
const results = {};
for (const step of steps) results[step] = await STEPS[step]();
load.push(loadavg()[0]);

// The price block needs the cost counts and the CPU figures, from this run or the last one kept.
if (existsSync(`${OUT}/cost.json`)) {
  const { rows } = JSON.parse(readFileSync(`${OUT}/cost.json`, 'utf8'));
  let cpuMs = 0.2;
  try {
    const cpu = JSON.parse(readFileSync('.tmp/cpu/results.json', 'utf8'));
    // tinybench medians, in µs.
    const median = (prefix) => {
      const task = (cpu.inline ?? []).find((t) => t.name?.startsWith(prefix));
      return task ? task.p50 / 1000 : undefined;
    };
    const ingest = median('path: ingest');
    const consumer = median('path: consumer');
    if (ingest !== undefined && consumer !== undefined) cpuMs = ingest + consumer;
  } catch {}
  writeBlock('prices', pricesBlock(rows, cpuMs));
}

const commit = version('git', ['rev-parse', '--short', 'HEAD']);
const dirty = version('git', ['status', '--porcelain']) !== '' ? ' with local changes' : '';
writeBlock(
  'run',
  [
    `Last \`npm run bench${asked.length ? ` -- ${asked.join(' ')}` : ''}\`: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round((Date.now() - started) / 1000)} s, steps ${steps
      .map((step) => `${step} ${results[step] ? 'done' : 'FAILED'}`)
      .join(', ')}; commit ${commit}${dirty}.`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${load.map((l) => l.toFixed(1)).join(' → ')} (other work may share it). Node ${process.version}, ${version('wrangler', ['--version'])} (wrangler), vitest ${version('vitest', ['--version'])}.`,
  ].join('\n'),
);
execFileSync('biome', ['format', '--write', DOC], { env: WRANGLER_ENV, stdio: 'ignore' });
process.exit(Object.values(results).every(Boolean) ? 0 : 1);
