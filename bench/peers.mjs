// Peers side by side (issue 12, point 4): one job, done by each peer on this machine, on loopback.
// The job: verify an Inlet HMAC (`x-inlet-timestamp`, `x-inlet-signature: sha256=<hex>` over
// `${timestamp}.${body}`), forward the lead to a local sink, answer. The peers:
//
//  (a) Express 5 on Node: the receiver users write themselves (raw body, createHmac,
//      crypto.timingSafeEqual, fetch to the sink, 200 once the sink answered);
//  (b) Inlet under `wrangler dev` (bench/gateway.mjs): its answer (202) comes once the event is in
//      D1 and the queue; its forward is the queue consumer delivering to the sink, so ingest req/s
//      and delivered/s (counted at the sink, until drained) are reported apart;
//  (c) n8n, only with N8N=1 (../shared/n8n.md): Webhook → Crypto HMAC → IF → HTTP Request →
//      Respond to Webhook. Skipped otherwise, and the output says so.
//
// autocannon drives each peer for BENCH_SECONDS (10) per cell at 10 and 50 connections, with a
// fresh, signed lead per request. Peak RSS is sampled from /proc every 200 ms during a cell: the
// peer's process, or for Inlet every process of wrangler's process group (wrangler, workerd,
// esbuild). The sink and Express each run in their own process; the load generator in this one.
// Everything shares the machine's cores. The table is printed and written to docs/benchmarks/peers.md.
//
//   node bench/peers.mjs                         Express and Inlet (~1.5 min)
//   N8N=1 node bench/peers.mjs                   n8n too (~2.5 min): N8N_BIN, else .tmp/n8n, else PATH
//   N8N=1 N8N_TUNED=1 node bench/peers.mjs       n8n with the settings ../shared/n8n.md found faster
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = new URL('..', import.meta.url).pathname;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = [10, 50];
const PORTS = { sink: 8810, express: 8811, inlet: 8812, n8n: 8813 };
/** The whole run stops starting new cells after this; each cell and each wait is bounded too. */
const BUDGET_MS = 170_000;
const TOLERANCE_SECONDS = 300;

// --- the sink: counts what reaches it -----------------------------------------------------------

function sink() {
  let total = 0;
  let lastAt = 0;
  const ids = new Set();
  createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/count') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ total, unique: ids.size, lastAt }));
      return;
    }
    req.resume();
    req.on('end', () => {
      total++;
      lastAt = Date.now();
      // Inlet's deliveries carry the event id: a repeat (at-least-once) is counted once.
      const id = req.headers['webhook-id'];
      ids.add(typeof id === 'string' ? id : `request-${total}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sink_${total}` }));
    });
  }).listen(PORTS.sink, '127.0.0.1', () => process.send?.('ready'));
}

// --- (a) the hand-written Express receiver ------------------------------------------------------

async function express() {
  const { default: expressApp } = await import('express');
  const secret = process.env.PEERS_SECRET ?? '';
  const sinkUrl = process.env.PEERS_SINK ?? '';
  const app = expressApp();
  app.post('/in/n8n', expressApp.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const timestamp = req.get('x-inlet-timestamp') ?? '';
    const signature = (req.get('x-inlet-signature') ?? '').replace(/^sha256=/, '');
    const age = Math.abs(Date.now() / 1000 - Number(timestamp));
    if (!/^\d+$/.test(timestamp) || !(age <= TOLERANCE_SECONDS)) return res.sendStatus(401);
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(req.body).digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return res.sendStatus(401);
    const forwarded = await fetch(sinkUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: req.body,
    });
    await forwarded.arrayBuffer();
    if (!forwarded.ok) return res.sendStatus(502);
    res.status(200).json({ ok: true });
  });
  app.listen(PORTS.express, '127.0.0.1', () => process.send?.('ready'));
}

// --- the run ------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts this file in another role (a process of its own) and resolves once it listens. */
function child(name, env = {}) {
  const proc = spawn(process.execPath, [...process.execArgv, SELF, `--${name}`], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const ready = new Promise((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
    setTimeout(() => reject(new Error(`${name} did not listen within 15 s`)), 15_000).unref();
  });
  return { proc, ready, stop: () => proc.exitCode === null && proc.kill('SIGTERM') };
}

/** Resident set, KiB, of one process; 0 once it is gone. */
function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Every process of a process group (wrangler runs detached, so its group is its own). */
function groupOf(pgid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after the last ')'.
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** The process group of the `wrangler dev` listening on `port`, found by its command line. */
function wranglerGroup(port) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('--port');
      if (at > 0 && args[at + 1] === String(port) && args.some((arg) => arg.includes('wrangler'))) {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      }
    } catch {}
  }
  return undefined;
}

/** A process's short name, for the composition of a peak. */
function nameOf(pid) {
  try {
    const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    // Node names its main thread, which is what /proc shows for the process.
    return name === 'MainThread' ? 'node' : name;
  } catch {
    return '?';
  }
}

/**
 * Samples the summed RSS of `pids()` every 200 ms until stopped; answers the peak in MiB and what
 * it was made of (MiB per process name).
 */
function rssSampler(pids) {
  let peak = 0;
  let parts = {};
  const sample = () => {
    const each = pids().map((pid) => [nameOf(pid), rssKiB(pid)]);
    const sum = each.reduce((total, [, kib]) => total + kib, 0);
    if (sum <= peak) return;
    peak = sum;
    parts = {};
    for (const [name, kib] of each) parts[name] = (parts[name] ?? 0) + kib / 1024;
  };
  sample();
  const timer = setInterval(sample, 200);
  return () => {
    clearInterval(timer);
    sample();
    return { peakMiB: peak / 1024, parts };
  };
}

/** `workerd 612 + node 301 + esbuild 21` (MiB). */
const composition = (parts) =>
  Object.entries(parts)
    .sort((a, b) => b[1] - a[1])
    .map(([name, mib]) => `${name} ${mib.toFixed(0)}`)
    .join(' + ');

async function sinkCount() {
  return (await fetch(`http://127.0.0.1:${PORTS.sink}/count`)).json();
}

async function main() {
  const started = Date.now();
  const loadAtStart = loadavg()[0].toFixed(2);
  const { default: autocannon } = await import('autocannon');
  const { ensureDevVars, readDevVars } = await import('../scripts/env.mjs');
  const { startGateway } = await import('./gateway.mjs');
  ensureDevVars();
  const secret = readDevVars().SOURCE_N8N_SECRET?.split(/\s+/)[0];
  if (!secret) throw new Error('.dev.vars has no SOURCE_N8N_SECRET');
  const runId = Date.now().toString(36);
  let sequence = 0;

  /** A fresh lead per request, signed the Inlet HMAC way (v1), as an n8n Crypto node does. */
  const signedRequest = (path) => (request) => {
    const n = sequence++;
    const body = JSON.stringify({
      email: `lead${n}.${runId}@example.com`,
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: '+1 415 867 5309',
      company: 'Analytical Engines Ltd',
      utm_source: 'newsletter',
      message: 'Please send me a quote',
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    request.method = 'POST';
    request.path = path;
    request.body = body;
    request.headers = {
      'content-type': 'application/json',
      'x-inlet-timestamp': timestamp,
      'x-inlet-signature': `sha256=${signature}`,
    };
    return request;
  };

  async function cell(base, path, connections, seconds) {
    return autocannon({
      url: base,
      connections,
      duration: seconds,
      timeout: 10,
      requests: [{ setupRequest: signedRequest(path) }],
    });
  }

  const versions = await versionsOf();
  const rows = [];
  const skipped = [];
  const sinkProc = child('sink');
  const stops = [sinkProc.stop];
  try {
    await sinkProc.ready;

    /** Runs the cells of one peer; `afterCell` waits for its forward when it is asynchronous. */
    async function measure(peer, base, path, pids, afterCell) {
      // Warm-up, not measured: JIT, connection pools, the local D1 file.
      await cell(base, path, 10, 2);
      if (afterCell) await afterCell(null);
      for (const connections of CONNECTIONS) {
        if (Date.now() - started > BUDGET_MS) {
          skipped.push(`${peer} at ${connections} connections (time budget)`);
          continue;
        }
        const before = await sinkCount();
        const startedAt = Date.now();
        const peak = rssSampler(pids);
        const result = await cell(base, path, connections, SECONDS);
        const { peakMiB, parts } = peak();
        const answered = result['2xx'];
        const row = {
          peer,
          connections,
          rps: answered / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          failed: result.non2xx + result.errors + result.timeouts,
          peakMiB,
          parts,
          answered,
        };
        const forward = afterCell ? await afterCell({ before, startedAt, answered }) : undefined;
        const after = await sinkCount();
        row.delivered = after.unique - before.unique;
        row.deliveredPerSecond = forward?.deliveredPerSecond ?? row.delivered / result.duration;
        row.drained = forward?.drained ?? true;
        rows.push(row);
        console.log(
          `${peer} @${connections}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ` +
            `${row.failed} failed, peak RSS ${peakMiB.toFixed(0)} MiB (${composition(parts)}), ${row.delivered} at the sink`,
        );
      }
    }

    // (c) n8n, only when asked for; first, so its start-up (tens of seconds of CPU) is over
    // before anything else is measured.
    if (process.env.N8N === '1') {
      const n8n = await startN8n(secret);
      stops.push(n8n.stop);
      await measure(`n8n ${versions.n8n}`, n8n.base, '/webhook/inlet-peers', n8n.pids);
      await n8n.stop();
    } else {
      skipped.push('n8n: skipped (set N8N=1, with n8n installed as ../shared/n8n.md says, to include it)');
    }

    // (a) Express
    const express = child('express', {
      PEERS_SECRET: secret,
      PEERS_SINK: `http://127.0.0.1:${PORTS.sink}/leads`,
    });
    stops.push(express.stop);
    await express.ready;
    await measure('Express 5', `http://127.0.0.1:${PORTS.express}`, '/in/n8n', () => [express.proc.pid]);
    express.stop();

    // (b) Inlet under wrangler dev: answers once durable, delivers from its queue.
    const gateway = await startGateway({
      port: PORTS.inlet,
      state: '.tmp/peers-state',
      // Express logs nothing either; under wrangler dev a line per request costs more than the request.
      vars: { CRM_URL: `http://127.0.0.1:${PORTS.sink}/leads`, LOG_LEVEL: 'warn' },
      log: '.tmp/peers-wrangler.log',
    });
    stops.push(gateway.stop);
    const pgid = wranglerGroup(PORTS.inlet);
    if (pgid === undefined) throw new Error('could not find the wrangler dev process group');
    /** Waits (bounded) until every accepted lead of the cell reached the sink. */
    const drain = async (cellInfo) => {
      const waitStarted = Date.now();
      let last = await sinkCount();
      let progressAt = Date.now();
      const target = cellInfo ? cellInfo.before.unique + cellInfo.answered : undefined;
      for (let i = 0; i < 600 && Date.now() - waitStarted < 60_000; i++) {
        await sleep(250);
        const now = await sinkCount();
        if (now.unique !== last.unique) progressAt = Date.now();
        last = now;
        if (target !== undefined && now.unique >= target) break;
        // Warm-up: drained once nothing arrived for 2 s; a cell: give up after 15 s without progress.
        if (Date.now() - progressAt > (target === undefined ? 2_000 : 15_000)) break;
      }
      if (!cellInfo) return undefined;
      const delivered = last.unique - cellInfo.before.unique;
      const seconds = Math.max(0.001, (last.lastAt - cellInfo.startedAt) / 1000);
      return { deliveredPerSecond: delivered / seconds, drained: delivered >= cellInfo.answered };
    };
    await measure('Inlet (wrangler dev)', gateway.base, '/in/n8n', () => groupOf(pgid), drain);
    if (gateway.reloads() > 0)
      skipped.push(`Inlet: wrangler dev reloaded ${gateway.reloads()} time(s) during the run`);
    await gateway.stop();
  } finally {
    for (const stop of stops.reverse()) await stop();
  }

  const report = markdown(rows, skipped, versions, Math.round((Date.now() - started) / 1000), loadAtStart);
  console.log(`\n${report}`);
  mkdirSync(`${ROOT}docs/benchmarks`, { recursive: true });
  const doc = `${ROOT}docs/benchmarks/peers.md`;
  writeFileSync(doc, report);
  // Aligned as `npm run lint` wants the tables (biome formats Markdown).
  spawnSync(`${ROOT}node_modules/.bin/biome`, ['format', '--write', doc], {
    stdio: 'ignore',
    timeout: 30_000,
  });
}

// --- (c) n8n ------------------------------------------------------------------------------------

/** The n8n binary: N8N_BIN, else a local install under .tmp/n8n, else `n8n` on PATH. */
function n8nBinary() {
  if (process.env.N8N_BIN) return process.env.N8N_BIN;
  const local = `${ROOT}.tmp/n8n/node_modules/.bin/n8n`;
  return existsSync(local) ? local : 'n8n';
}

function n8nVersion() {
  try {
    const bin = realpathSync(n8nBinary());
    return JSON.parse(readFileSync(resolve(dirname(bin), '../package.json'), 'utf8')).version;
  } catch {
    return '';
  }
}

/** The receiver an n8n user builds: Webhook → Crypto HMAC → IF → HTTP Request → Respond. */
function n8nWorkflow() {
  const node = (name, type, typeVersion, parameters, extra = {}) => ({
    id: `0b1c2d3e-4f50-4a6b-8c7d-${String(Object.keys(positions).indexOf(name)).padStart(12, '0')}`,
    name,
    type: `n8n-nodes-base.${type}`,
    typeVersion,
    position: positions[name],
    parameters,
    ...extra,
  });
  const positions = {
    Webhook: [0, 0],
    'HMAC of timestamp.body': [220, 0],
    'Signature valid?': [440, 0],
    'Forward to the sink': [660, -100],
    'Respond 200': [880, -100],
    'Respond 401': [660, 100],
  };
  const header = (name) => `$json.headers['${name}']`;
  const connect = (to, index = 0) => ({ node: to, type: 'main', index });
  return {
    id: 'inletPeersBench1',
    name: 'Inlet peers bench: verify an Inlet HMAC, forward, answer',
    active: false,
    settings: { executionOrder: 'v1' },
    pinData: {},
    nodes: [
      node(
        'Webhook',
        'webhook',
        2.1,
        { httpMethod: 'POST', path: 'inlet-peers', responseMode: 'responseNode', options: {} },
        { webhookId: '5b0c4a52-8d1e-4b6f-9a3c-2e7d1f0a9b64' },
      ),
      // n8n parses the JSON body: the common pattern signs it re-serialised, which matches
      // byte for byte here because the sender's body is JSON.stringify output too.
      node(
        'HMAC of timestamp.body',
        'crypto',
        2,
        {
          action: 'hmac',
          type: 'SHA256',
          value: `={{ ${header('x-inlet-timestamp')} }}.{{ JSON.stringify($json.body) }}`,
          dataPropertyName: 'expected',
          encoding: 'hex',
        },
        { credentials: { crypto: { id: 'inletPeersSecret', name: 'Inlet peers bench secret' } } },
      ),
      node('Signature valid?', 'if', 2.2, {
        conditions: {
          options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
          combinator: 'and',
          conditions: [
            {
              id: 'sig',
              leftValue: '=sha256={{ $json.expected }}',
              rightValue: `={{ ${header('x-inlet-signature')} }}`,
              operator: { type: 'string', operation: 'equals' },
            },
            {
              id: 'age',
              leftValue: `={{ Math.abs(Date.now() / 1000 - Number(${header('x-inlet-timestamp')})) }}`,
              rightValue: TOLERANCE_SECONDS,
              operator: { type: 'number', operation: 'lte' },
            },
          ],
        },
        options: {},
      }),
      node('Forward to the sink', 'httpRequest', 4.2, {
        method: 'POST',
        url: `http://127.0.0.1:${PORTS.sink}/leads`,
        sendBody: true,
        contentType: 'raw',
        rawContentType: 'application/json',
        body: "={{ JSON.stringify($('Webhook').item.json.body) }}",
        options: {},
      }),
      node('Respond 200', 'respondToWebhook', 1.1, {
        respondWith: 'json',
        responseBody: '={"ok":true}',
        options: {},
      }),
      node('Respond 401', 'respondToWebhook', 1.1, {
        respondWith: 'noData',
        options: { responseCode: 401 },
      }),
    ],
    connections: {
      Webhook: { main: [[connect('HMAC of timestamp.body')]] },
      'HMAC of timestamp.body': { main: [[connect('Signature valid?')]] },
      'Signature valid?': { main: [[connect('Forward to the sink')], [connect('Respond 401')]] },
      'Forward to the sink': { main: [[connect('Respond 200')]] },
    },
  };
}

/**
 * n8n on loopback, quiet and offline (../shared/n8n.md), with its own wiped user folder, in its
 * own process group (it starts task runners). Resolves once the workflow's webhook answers.
 */
async function startN8n(secret) {
  const folder = `${ROOT}.tmp/peers-n8n`;
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const env = {
    ...process.env,
    N8N_USER_FOLDER: folder,
    N8N_PORT: String(PORTS.n8n),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    DB_TYPE: 'sqlite',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_PUBLIC_API_DISABLED: 'true',
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_ENCRYPTION_KEY: 'inlet-peers-bench-local-only',
    N8N_RUNNERS_ENABLED: 'true',
    // N8N_TUNED=1: the two settings ../shared/n8n.md found to triple its throughput.
    ...(process.env.N8N_TUNED === '1'
      ? { N8N_EXPRESSION_ENGINE: 'legacy', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none' }
      : {}),
  };
  const bin = n8nBinary();
  const cli = (args) =>
    new Promise((resolve, reject) => {
      const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
      let stderr = '';
      proc.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
      proc.once('error', reject);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`n8n ${args[0]} exited ${code}: ${stderr.slice(-500)}`));
      });
    });
  writeFileSync(
    `${folder}/credentials.json`,
    JSON.stringify([
      {
        id: 'inletPeersSecret',
        name: 'Inlet peers bench secret',
        type: 'crypto',
        data: { hmacSecret: secret },
      },
    ]),
  );
  writeFileSync(`${folder}/workflow.json`, JSON.stringify([n8nWorkflow()]));
  await cli(['import:credentials', `--input=${folder}/credentials.json`]);
  await cli(['import:workflow', `--input=${folder}/workflow.json`]);
  await cli(['publish:workflow', '--id=inletPeersBench1']);

  const log = openSync(`${ROOT}.tmp/peers-n8n.log`, 'w');
  const proc = spawn(bin, ['start'], { stdio: ['ignore', log, log], env, detached: true });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const running = () => proc.exitCode === null && proc.signalCode === null;
  const stop = async () => {
    for (const [signal, waitMs] of [
      ['SIGTERM', 15_000],
      ['SIGKILL', 5_000],
    ]) {
      if (!running()) break;
      try {
        process.kill(-proc.pid, signal);
      } catch {}
      await Promise.race([exited, sleep(waitMs)]);
    }
  };
  const base = `http://127.0.0.1:${PORTS.n8n}`;
  for (let i = 0; ; i++) {
    if (!running() || i > 240) {
      await stop();
      throw new Error('n8n did not start within 120 s; see .tmp/peers-n8n.log');
    }
    try {
      // An unsigned request: the workflow is live once it answers 401.
      const answer = await fetch(`${base}/webhook/inlet-peers`, { method: 'POST', body: '{}' });
      if (answer.status === 401) break;
    } catch {}
    await sleep(500);
  }
  return { base, stop, pids: () => groupOf(proc.pid) };
}

// --- the report ---------------------------------------------------------------------------------

async function versionsOf() {
  const json = async (specifier) => {
    try {
      return (await import(specifier, { with: { type: 'json' } })).default.version;
    } catch {
      return 'unknown';
    }
  };
  const fromRoot = (name) => {
    try {
      return JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  let commit = 'unknown';
  try {
    const head = readFileSync(`${ROOT}.git/HEAD`, 'utf8').trim();
    commit = head.startsWith('ref: ') ? readFileSync(`${ROOT}.git/${head.slice(5)}`, 'utf8').trim() : head;
  } catch {}
  return {
    node: process.version,
    express: await json('express/package.json'),
    autocannon: await json('autocannon/package.json'),
    wrangler: fromRoot('wrangler'),
    n8n: n8nVersion(),
    workerd: fromRoot('workerd'),
    commit: commit.slice(0, 7),
  };
}

/** The command line of this run, with the options that were set. */
function command() {
  const set = ['N8N', 'N8N_TUNED', 'N8N_BIN', 'BENCH_SECONDS'].filter((name) => process.env[name]);
  return [...set.map((name) => `${name}=${process.env[name]}`), 'node bench/peers.mjs'].join(' ');
}

function markdown(rows, skipped, versions, seconds, loadAtStart) {
  const f0 = (x) => x.toFixed(0);
  const inletAt = (connections) =>
    rows.find((r) => r.peer.startsWith('Inlet') && r.connections === connections);
  const lines = [
    '# Peers side by side',
    '',
    'Generated by `node bench/peers.mjs` (issue 12, point 4). One job for every peer: verify an Inlet',
    'HMAC (`x-inlet-timestamp`, `x-inlet-signature: sha256=<hex>` over `timestamp.body`), forward the',
    'lead to a local sink (a node:http server counting requests), answer. Express answers after the',
    'sink did; Inlet answers 202 once the event is durable (D1 + queue) and delivers from its queue,',
    'so its ingest req/s and its delivered/s (counted at the sink until drained) are apart. Inlet runs',
    'with `LOG_LEVEL=warn` (no line per request or attempt; Express logs nothing either) and its',
    'default `ACCEPT_MODE` (concurrent).',
    '',
    `Machine: ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, load average ${loadAtStart} at the start, ${loadavg()[0].toFixed(2)} at the end (other work shares this machine).`,
    `Versions: Node ${versions.node}, Express ${versions.express}, autocannon ${versions.autocannon}, wrangler ${versions.wrangler}, workerd ${versions.workerd}${rows.some((r) => r.peer.startsWith('n8n')) ? `, n8n ${versions.n8n}${process.env.N8N_TUNED === '1' ? ' (N8N_TUNED: legacy expressions, no saved successful executions)' : ' (defaults)'}` : ''}, Inlet ${versions.commit} (working tree).`,
    `Load: autocannon, ${SECONDS} s per cell after a 2 s warm-up, a fresh signed lead per request; the load generator, the sink and the peer share the cores. Run took ${seconds} s.`,
    '',
    '| peer | connections | answered req/s | p50 ms | p99 ms | failed | peak RSS MiB | at the sink | delivered/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.peer} | ${r.connections} | ${f0(r.rps)} | ${r.p50} | ${r.p99} | ${r.failed} | ${f0(r.peakMiB)} | ${r.delivered}${r.drained ? '' : ' (not drained)'} | ${f0(r.deliveredPerSecond)} |`,
    ),
    '',
    '| Inlet ÷ peer | connections | req/s | p50 | p99 | peak RSS | delivered/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows.filter((row) => !row.peer.startsWith('Inlet'))) {
    const inlet = inletAt(r.connections);
    if (!inlet) continue;
    const x = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
    lines.push(
      `| ${r.peer} | ${r.connections} | ${x(inlet.rps, r.rps)} | ${x(inlet.p50, r.p50)} | ${x(inlet.p99, r.p99)} | ${x(inlet.peakMiB, r.peakMiB)} | ${x(inlet.deliveredPerSecond, r.deliveredPerSecond)} |`,
    );
  }
  lines.push(
    '',
    'Peak RSS: sampled from /proc every 200 ms during the cell; for Inlet, the sum over wrangler’s',
    'process group (wrangler’s Node processes, workerd, esbuild). `failed`: non-2xx answers, errors and',
    'timeouts. `delivered/s`: leads that reached the sink during the cell and its drain, over the time',
    'from the start of the cell to the last one (for Express, the forward is part of each answer).',
    '',
    ...rows
      .filter((r) => Object.keys(r.parts).length > 1)
      .map(
        (r) => `- ${r.peer} at ${r.connections}: peak RSS ${f0(r.peakMiB)} MiB = ${composition(r.parts)} MiB`,
      ),
    '',
    ...(skipped.length > 0 ? ['Not measured:', '', ...skipped.map((s) => `- ${s}`), ''] : []),
    'Reading it: the peers do not do the same work behind their answer. Express answers once the',
    'sink did and keeps nothing: with the sink down the lead is lost unless the sender retries its',
    '502. Inlet answers once the event is stored (D1) and queued, then delivers and retries on its',
    'own; under `wrangler dev` D1 is a local SQLite file and the queue consumer runs in the same',
    'workerd as the ingest, on the same cores, so its ingest and delivery rates say little about',
    'the edge, where each request has an isolate and D1 is remote. n8n runs its workflow engine for',
    'every request and, by default, stores each execution.',
    '',
    `Command: \`${command()}\` (\`BENCH_SECONDS\` per cell, default 10; \`N8N=1\` adds n8n, \`N8N_TUNED=1\` its faster settings).`,
    '',
  );
  return lines.join('\n');
}

const role = process.argv[2];
if (role === '--sink') sink();
else if (role === '--express') await express();
else await main();
