// `npm run dev`: the whole gateway on this machine. Checks inlet.config.ts, creates .dev.vars when
// missing, applies the D1 migrations locally, starts the mock CRM on 127.0.0.1:8788, a fake Meta
// Graph API on 127.0.0.1:8789 and fakes of HubSpot (8790), Pipedrive (8791), Salesforce (8792) and
// Slack (8793), then `wrangler dev` on http://127.0.0.1:8787 with D1, KV and Queues embedded. The
// CRM and the fake CRMs keep their records in .wrangler/fakes/<name>.json, so they survive a
// restart, as D1 does. The cron sweep (probes of paused destinations, re-sends) is triggered once a
// minute.
//
// What it prints: a banner once the Worker is ready, then one line per webhook received and per
// delivery attempt, read from the Worker's JSON logs. Wrangler's own chatter (its banner, the
// bindings table at every reload, queue batches, the admin API polls) is left out; anything it says
// that is not known chatter, errors and warnings first, is shown as it came. `--verbose` (or
// INLET_DEV_VERBOSE=1) shows wrangler's raw output and the fakes' records instead.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { startMockCrm } from '../test/servers/crm.ts';
import { startFakeGraph } from '../test/servers/graph.ts';
import { startFakeHubspot } from '../test/servers/hubspot.ts';
import { startFakePipedrive } from '../test/servers/pipedrive.ts';
import { startFakeSalesforce } from '../test/servers/salesforce.ts';
import { startFakeSlack } from '../test/servers/slack.ts';
import { loadConfig, routeTargets } from './config.mjs';
import { ensureDevVars, readDevVars, WRANGLER_ENV } from './env.mjs';

const PORT = process.env.PORT ?? '8787';
const CRM_PORT = Number(process.env.CRM_PORT ?? 8788);
const GRAPH_PORT = Number(process.env.GRAPH_PORT ?? 8789);
const HUBSPOT_PORT = Number(process.env.HUBSPOT_PORT ?? 8790);
const PIPEDRIVE_PORT = Number(process.env.PIPEDRIVE_PORT ?? 8791);
const SALESFORCE_PORT = Number(process.env.SALESFORCE_PORT ?? 8792);
const SLACK_PORT = Number(process.env.SLACK_PORT ?? 8793);
const BASE = `http://127.0.0.1:${PORT}`;
const FAKES_DIR = '.wrangler/fakes';
/** How often the cron sweep runs locally (deployed: the crons of wrangler.toml). */
const SWEEP_EVERY_MS = 60_000;

const VERBOSE = process.argv.includes('--verbose') || process.env.INLET_DEV_VERBOSE === '1';
// The rest of the arguments are wrangler's: `npm run dev -- --inspector-port 9230`.
const extraArgs = process.argv.slice(2).filter((arg) => arg !== '--verbose');
// The banner is wrangler's version line plus an update check against the npm registry, and the
// tidy output drops it anyway; --verbose keeps wrangler as it is.
const QUIET_WRANGLER_ENV = VERBOSE ? WRANGLER_ENV : { ...WRANGLER_ENV, WRANGLER_HIDE_BANNER: 'true' };

const COLOR = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code) => (text) => (COLOR ? `\x1b[${code}m${text}\x1b[0m` : String(text));
const bold = paint('1');
const dim = paint('2');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');

/** Vars and secret names as the Worker derives them (src/config/schema.ts `varFor`). */
const varFor = (name, suffix) => `DESTINATION_${name.toUpperCase().replaceAll('-', '_')}_${suffix}`;

/**
 * Applies the local D1 migrations and says in one line what changed. Wrangler's tables are only
 * worth reading when something went wrong, so its output is kept and shown on a failure.
 */
function applyMigrations() {
  const args = ['d1', 'migrations', 'apply', 'DB', '--local'];
  if (VERBOSE) {
    execFileSync('wrangler', args, { stdio: 'inherit', env: WRANGLER_ENV });
    return;
  }
  // Without a TTY wrangler answers its own "continue?" with yes, as it did with stdio inherited.
  const result = spawnSync('wrangler', args, {
    encoding: 'utf8',
    env: QUIET_WRANGLER_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = stripVTControlCharacters(`${result.stdout ?? ''}${result.stderr ?? ''}`).trim();
  if (result.error || result.status !== 0) {
    const why = result.error
      ? result.error.message
      : `wrangler exited with ${result.status ?? result.signal}`;
    console.error(`[inlet] applying the D1 migrations failed (${why}). wrangler said:\n${output}`);
    process.exit(1);
  }
  if (/No migrations to apply/.test(output)) {
    console.log('[inlet] migrations: up to date');
    return;
  }
  const count =
    /About to apply (\d+) migration/.exec(output)?.[1] ?? new Set(output.match(/\b\d+_[\w.-]+\.sql\b/g)).size;
  console.log(`[inlet] migrations: ${count} applied`);
}

const config = await loadConfig();
ensureDevVars();
const vars = readDevVars();
applyMigrations();
mkdirSync(FAKES_DIR, { recursive: true });

/** Starts a fake, naming the port when it is taken (another `npm run dev` still running?). */
async function start(what, port, run) {
  try {
    return await run();
  } catch (error) {
    if (error.code === 'EADDRINUSE') {
      console.error(`[inlet] cannot start the ${what}: port ${port} is in use (another \`npm run dev\`?)`);
      process.exit(1);
    }
    throw error;
  }
}

// The credentials each fake accepts: those the configured destinations of its type are given.
const destinations = Object.entries(config.destinations);
const ofType = (type) => destinations.filter(([, entry]) => entry.type === type);
const defined = (values) => [...new Set(values.filter(Boolean))];
const hubspotTokens = defined([
  ...ofType('hubspot').map(([name, e]) => vars[e.tokenVar ?? varFor(name, 'TOKEN')]),
  // HubSpot sources read app-webhook contacts from the same fake with their own token.
  ...Object.keys(config.sources).map(
    (name) => vars[`SOURCE_${name.toUpperCase().replaceAll('-', '_')}_ACCESS_TOKEN`],
  ),
  vars.DESTINATION_HUBSPOT_TOKEN,
]);
const pipedriveTokens = defined([
  ...ofType('pipedrive').map(([name, e]) => vars[e.tokenVar ?? varFor(name, 'TOKEN')]),
  vars.DESTINATION_PIPEDRIVE_TOKEN,
]);
const salesforceClients = [
  ...ofType('salesforce').map(([name, e]) => ({
    id: vars[e.clientIdVar ?? varFor(name, 'CLIENT_ID')],
    secret: vars[e.secretVar ?? varFor(name, 'CLIENT_SECRET')],
  })),
  { id: vars.DESTINATION_SALESFORCE_CLIENT_ID, secret: vars.DESTINATION_SALESFORCE_CLIENT_SECRET },
].filter(
  (client, i, all) =>
    client.id &&
    client.secret &&
    all.findIndex((c) => c.id === client.id && c.secret === client.secret) === i,
);

// The fakes' record lines repeat what the delivery lines say (the CRM's quotes the whole lead), so
// they print only with --verbose; the fake Slack is the alert channel, and always prints.
const crm = await start('mock CRM', CRM_PORT, () =>
  startMockCrm({
    secret: vars.DESTINATION_SECRET,
    port: CRM_PORT,
    print: VERBOSE,
    persistPath: `${FAKES_DIR}/crm.json`,
  }),
);
const graph = await start('fake Graph API', GRAPH_PORT, () =>
  startFakeGraph({ pageToken: vars.SOURCE_META_PAGE_TOKEN, port: GRAPH_PORT }),
);
const hubspot = await start('fake HubSpot', HUBSPOT_PORT, () =>
  startFakeHubspot({
    port: HUBSPOT_PORT,
    tokens: hubspotTokens,
    persistPath: `${FAKES_DIR}/hubspot.json`,
    print: VERBOSE,
  }),
);
const pipedrive = await start('fake Pipedrive', PIPEDRIVE_PORT, () =>
  startFakePipedrive({
    port: PIPEDRIVE_PORT,
    tokens: pipedriveTokens,
    persistPath: `${FAKES_DIR}/pipedrive.json`,
    print: VERBOSE,
  }),
);
const salesforce = await start('fake Salesforce', SALESFORCE_PORT, () =>
  startFakeSalesforce({
    port: SALESFORCE_PORT,
    clients: salesforceClients,
    persistPath: `${FAKES_DIR}/salesforce.json`,
    print: VERBOSE,
  }),
);
const FAKES = {
  hubspot: { label: 'fake HubSpot', url: hubspot.url },
  pipedrive: { label: 'fake Pipedrive', url: pipedrive.url },
  salesforce: { label: 'fake Salesforce', url: salesforce.url },
};

// Each destination pointed at its local stand-in: the CRMs' API base URL var at their fake.
const slack = await start('fake Slack', SLACK_PORT, () => startFakeSlack({ port: SLACK_PORT, print: true }));
// Every Slack alert channel posts to the fake Slack, which prints each message.
const slackVars = Object.entries(config.alerts?.channels ?? {})
  .filter(([, channel]) => channel.type === 'slack')
  .map(([name, channel]) => [
    channel.webhookVar ?? `ALERT_${name.toUpperCase().replaceAll('-', '_')}_WEBHOOK_URL`,
    slack.webhookUrl,
  ]);
const devVars = {
  CRM_URL: crm.url,
  META_GRAPH_URL: graph.url,
  HUBSPOT_API_URL: hubspot.url,
  ...Object.fromEntries(slackVars),
};
/** Destinations by the URL they deliver to, to name them beside their fake. */
const servedBy = new Map();
/** Destinations that reach no fake here: a real URL, or none at all. */
const elsewhere = [];
for (const [name, entry] of destinations) {
  const urlVar = entry.urlVar ?? varFor(name, 'URL');
  const fake = FAKES[entry.type];
  if (fake) devVars[urlVar] = fake.url;
  const url = devVars[urlVar] ?? vars[urlVar] ?? entry.url;
  if (url && (fake || url === crm.url)) servedBy.set(url, [...(servedBy.get(url) ?? []), name]);
  else
    elsewhere.push(
      `${name} (${entry.type}) → ${url ? `${url}  (${urlVar})` : `nowhere: ${urlVar} is not set`}`,
    );
}

// --- the banner ----------------------------------------------------------------------------------

/** `items` joined by ", " in lines of at most `width` characters, the later ones indented. */
function wrap(items, indent, width = 100) {
  const lines = [''];
  for (const item of items) {
    const last = lines.length - 1;
    const next = lines[last] ? `${lines[last]}, ${item}` : item;
    if (lines[last] && indent + next.length > width) {
      lines[last] += ',';
      lines.push(item);
    } else lines[last] = next;
  }
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** Sources grouped by where their leads go, in the order of inlet.config.ts: `from → to`. */
function routeLines() {
  const targets = routeTargets(config);
  const groups = new Map();
  for (const name of Object.keys(config.sources)) {
    const to = targets[name].length ? targets[name].join(' + ') : 'no route: kept unrouted';
    groups.set(to, [...(groups.get(to) ?? []), name]);
  }
  return [...groups].map(
    ([to, sources]) => `  ${wrap([...sources.slice(0, -1), `${sources.at(-1)} → ${to}`], 4)}`,
  );
}

function banner() {
  const sample = 'demo' in config.sources ? 'demo' : Object.keys(config.sources)[0];
  const send = `npx inlet send ${sample}`;
  const urlWidth = Math.max(...[crm, hubspot, pipedrive, salesforce, graph].map(({ url }) => url.length));
  const fake = (label, url, note) => `  ${label.padEnd(16)} ${url.padEnd(urlWidth)}  ${note}`.trimEnd();
  const feeds = (url) => (servedBy.has(url) ? `← ${servedBy.get(url).join(', ')}` : '');
  return [
    '',
    `${bold('Inlet is ready')}  ${BASE}`,
    `  webhooks   POST ${BASE}/in/<source>`,
    `  dashboard  ${BASE}/admin  (sign in with ADMIN_TOKEN of .dev.vars)`,
    `  admin API  ${BASE}/admin/reference  (Authorization: Bearer <ADMIN_TOKEN>; the CLI: npx inlet help)`,
    `  try it     ${send}   (or \`all\`: one request per source)`,
    'routes (source → destination):',
    ...routeLines(),
    'fakes (records in .wrangler/fakes/):',
    fake('mock CRM', crm.url, feeds(crm.url)),
    fake('fake HubSpot', hubspot.url, feeds(hubspot.url)),
    fake('fake Pipedrive', pipedrive.url, feeds(pipedrive.url)),
    fake('fake Salesforce', salesforce.url, feeds(salesforce.url)),
    fake('fake Graph API', graph.url, '(Meta Lead Ads: POST /__control/leads)'),
    fake('fake Slack', slack.webhookUrl, '(alerts print here)'),
    ...(elsewhere.length ? ['not on a fake:', ...elsewhere.map((line) => `  ${line}`)] : []),
    dim(`cron sweep every ${SWEEP_EVERY_MS / 1000} s (now: curl ${BASE}/__scheduled)`),
    dim('src/ and inlet.config.ts reload by themselves; after editing .dev.vars or wrangler.toml, restart.'),
    dim(
      VERBOSE
        ? 'wrangler output: raw (--verbose)'
        : 'wrangler output: tidied (npm run dev -- --verbose for raw)',
    ),
    '',
  ].join('\n');
}

// --- wrangler's output, tidied -------------------------------------------------------------------

const NAME_WIDTH = Math.min(
  18,
  Math.max(...[...Object.keys(config.sources), ...Object.keys(config.destinations)].map((n) => n.length)),
);
const clock = () => dim(new Date().toTimeString().slice(0, 8));
const fieldText = (fields) =>
  Object.entries(fields)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');

const STATUS_COLOR = { delivered: green, retrying: yellow, dead: red, paused: yellow };

/** `delivered (create, HTTP 201) 183ms`: what one attempt did, with what it ran into. */
function attemptText(fields) {
  const { status, action, http_status, error_class, attempt, retry_in_s, duration_ms } = fields;
  const details = [
    action,
    http_status ? `HTTP ${http_status}` : undefined,
    error_class && error_class !== 'ok' ? error_class : undefined,
    attempt > 1 ? `attempt ${attempt}` : undefined,
    retry_in_s ? `retry in ${retry_in_s}s` : undefined,
  ].filter(Boolean);
  const paintStatus = STATUS_COLOR[status] ?? ((text) => text);
  return [
    paintStatus(status ?? 'attempted'),
    details.length ? `(${details.join(', ')})` : '',
    duration_ms === undefined || duration_ms === null ? '' : dim(`${duration_ms}ms`),
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Requests the Worker logged itself (its `request` line), by method and path: wrangler prints its
 * own line for each after the answer, which would say the same again.
 */
const loggedRequests = new Map();
const requestKey = (method, path) => `${method} ${path.slice(0, 200)}`;

/** `202 accepted 48ms`, coloured by class: the answer a sender got. */
function answerText(status, text, ms) {
  const code = Number(status);
  const paintCode = code >= 500 ? red : code >= 400 ? yellow : green;
  const words = (text || STATUS_CODES[code] || '').toLowerCase();
  return [paintCode(`${status} ${words}`.trim()), ms === undefined ? '' : dim(`${ms}ms`)]
    .filter(Boolean)
    .join(' ');
}

/** The source a `/in/<source>` path is for, else undefined. */
const sourceOf = (path) => {
  const match = /^\/in\/([^/?]+)/.exec(path ?? '');
  return match ? decodeURIComponent(match[1]) : undefined;
};

/**
 * One line for a request: a webhook received always, other requests only when they fail or change
 * something (the admin API's polls by `npm run send` and the dashboard, the cron sweep's GETs
 * would drown the webhooks). Undefined when there is nothing to print.
 */
function requestLine({ method, path, status, ms, text, eventIds = [] }) {
  const source = sourceOf(path);
  if (source) {
    const more = eventIds.length > 1 ? dim(` (+${eventIds.length - 1})`) : '';
    return [
      clock(),
      '←',
      source.padEnd(NAME_WIDTH),
      `${eventIds[0] ?? ''}${more}`,
      answerText(status, text, ms),
    ]
      .filter(Boolean)
      .join(' ');
  }
  if (method === 'GET' && Number(status) < 400) return undefined;
  return `${clock()}   ${method} ${path} ${answerText(status, text, ms)}`;
}

/** One line for one JSON log line of the Worker (src/lib/log.ts). */
function logLine(entry) {
  if (entry.message === 'request' && typeof entry.path === 'string') {
    const key = requestKey(entry.method, entry.path);
    loggedRequests.set(key, (loggedRequests.get(key) ?? 0) + 1);
    const ids = entry.event_ids ?? entry.event_id;
    return requestLine({
      method: entry.method,
      path: entry.path,
      status: entry.status,
      ms: entry.duration_ms,
      eventIds: Array.isArray(ids) ? ids : typeof ids === 'string' ? ids.split(',').filter(Boolean) : [],
    });
  }
  const { level, message, source: named, destination, event_id, ...rest } = entry;
  // An error answered to a webhook names its path, not its source.
  const source = named ?? sourceOf(entry.path);
  // An arrow says which side of the pipeline the line is about: in from a source, out to a destination.
  const arrow = destination ? '→' : source ? '←' : ' ';
  const name = String(destination ?? source ?? '').padEnd(NAME_WIDTH);
  const levelColor = level === 'error' ? red : level === 'warn' ? yellow : (text) => text;
  if (message === 'delivery attempt')
    return [clock(), arrow, name, event_id ?? '', attemptText(rest)].join(' ');
  // Anything else: its message, then its fields as key=value (ids and codes only: src/lib/log.ts).
  const fields = fieldText(rest);
  const what = [
    levelColor(level === 'info' || !level ? message : `${level}: ${message}`),
    fields && dim(fields),
  ]
    .filter(Boolean)
    .join('  ');
  return [clock(), arrow, name, event_id ?? '', what].filter(Boolean).join(' ');
}

// miniflare's request log: `[wrangler:info] POST /in/demo 202 Accepted (35ms)`.
const REQUEST = /^\[wrangler:\w+\] ([A-Z]+) (\S+) (\d{3}) ?(.*?) \((\d+)ms\)$/;

/** Wrangler's request line, unless the Worker's own line said it already. */
function wranglerRequestLine([, method, url, status, text, ms]) {
  // A URL-token source carries its secret in the query: the query is never printed.
  const path = url.split('?')[0];
  const key = requestKey(method, path);
  const logged = loggedRequests.get(key) ?? 0;
  if (logged > 0) {
    if (logged === 1) loggedRequests.delete(key);
    else loggedRequests.set(key, logged - 1);
    return undefined;
  }
  return requestLine({ method, path, status, ms, text });
}

/** Known wrangler chatter, dropped: what it says is in the banner or says nothing new. */
const CHATTER = [
  /^\s*⛅️ wrangler /,
  /^─+$/,
  /^Using (secrets|vars) defined in /,
  /^❓ Your types might be out of date/,
  /^⎔ (Starting local server|Reloading local server|Connection status updated)/,
  /^\[wrangler:\w+\] QUEUE /,
  /^🪵 {1,2}Logs were written to /,
];
const READY = /^\[wrangler:info\] Ready on /;
const RELOADED = /^⎔ Local server updated and ready/;
const BINDINGS = /^Your Worker has access to the following bindings:/;

let ready = false;
let stopping = false;
/** Wrangler's output as it came (colours removed): all of it until ready, the latest lines after. */
const transcript = [];
const TRANSCRIPT_AFTER_READY = 60;
/** Inside the bindings table, which wrangler prints at every start and reload. */
let inBindings = false;
/** Inside an unknown block (an error and its frames): its blank lines belong to it. */
let inBlock = false;
let lastBlank = false;
let lastReloaded = false;

function onReady() {
  if (ready) return;
  ready = true;
  transcript.length = 0;
  console.log(banner());
}

/** `output` is where this line is written: stderr lines stay on stderr. */
function tidy(raw, output) {
  const line = stripVTControlCharacters(raw).trimEnd();
  transcript.push(line);
  if (ready && transcript.length > TRANSCRIPT_AFTER_READY) transcript.shift();
  if (VERBOSE) {
    output.write(`${raw}\n`);
    if (READY.test(line)) onReady();
    return;
  }
  const write = (text) => {
    output.write(`${text}\n`);
    lastBlank = text === '';
    lastReloaded = false;
  };
  // Only the table's own rows are dropped, so that nothing wrangler says after it can be lost.
  if (inBindings && (/^Binding\s+Resource/.test(line) || /^env\.\S/.test(line))) return;
  inBindings = false;
  if (line === '') {
    if (inBlock && !lastBlank) write('');
    return;
  }
  const known = (text) => {
    inBlock = false;
    if (text) write(text);
  };
  // The Worker's console.warn and console.error come marked `▲ [WARNING] ` and `✘ [ERROR] `.
  const logged = line.replace(/^(▲ \[WARNING\]|✘ \[ERROR\]) (?=\{)/, '');
  if (logged.startsWith('{')) {
    let entry;
    try {
      entry = JSON.parse(logged);
    } catch {}
    if (entry && typeof entry === 'object' && typeof entry.message === 'string') return known(logLine(entry));
  }
  const request = REQUEST.exec(line);
  if (request) return known(wranglerRequestLine(request));
  if (READY.test(line)) {
    known();
    return onReady();
  }
  if (RELOADED.test(line)) {
    // An editor saving several files reloads several times in a row: one line says it.
    const say = ready && !lastReloaded;
    known(say ? `${clock()}   ${dim('reloaded')}` : undefined);
    lastReloaded = true;
    return;
  }
  if (BINDINGS.test(line)) {
    inBindings = true;
    return known();
  }
  if (CHATTER.some((pattern) => pattern.test(line))) return known();
  // Anything else (an error, a warning, a stack, the Worker's own console output) is shown as it is.
  inBlock = true;
  write(line);
}

// --- wrangler dev --------------------------------------------------------------------------------

console.log(`[inlet] starting wrangler dev on ${BASE} …`);
// Piped output also keeps wrangler from drawing its hotkey bar, which needs a TTY.
const wrangler = spawn(
  'wrangler',
  [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    PORT,
    '--test-scheduled',
    ...Object.entries(devVars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ...extraArgs,
  ],
  { stdio: ['ignore', 'pipe', 'pipe'], env: QUIET_WRANGLER_ENV },
);
createInterface({ input: wrangler.stdout }).on('line', (line) => tidy(line, process.stdout));
createInterface({ input: wrangler.stderr }).on('line', (line) => tidy(line, process.stderr));
wrangler.on('error', (error) => {
  console.error(`[inlet] cannot run wrangler: ${error.message} (is \`npm install\` done?)`);
  process.exit(1);
});

// `--test-scheduled` serves GET /__scheduled, which runs the Worker's scheduled handler.
const sweep = setInterval(async () => {
  try {
    await (await fetch(`${BASE}/__scheduled?cron=${encodeURIComponent('* * * * *')}`)).text();
  } catch (error) {
    if (error.cause?.code !== 'ECONNREFUSED')
      console.error(`[inlet] cron sweep: ${error.cause?.message ?? error.message}`);
  }
}, SWEEP_EVERY_MS);

const running = () => wrangler.exitCode === null && wrangler.signalCode === null;
const closeServers = () =>
  Promise.all([
    crm.close(),
    graph.close(),
    hubspot.close(),
    pipedrive.close(),
    salesforce.close(),
    slack.close(),
  ]);
const stop = async () => {
  stopping = true;
  clearInterval(sweep);
  if (running()) wrangler.kill('SIGINT');
  await closeServers();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
// However this process ends, wrangler (and its workerd) does not outlive it.
process.on('exit', () => {
  if (running()) wrangler.kill('SIGTERM');
});
wrangler.on('exit', async (code, signal) => {
  clearInterval(sweep);
  // What the tidy output left out may be the reason it stopped: show it whole.
  if (!stopping && !VERBOSE && (!ready || code)) {
    const how = code === null ? `on ${signal}` : `with code ${code}`;
    const which = ready ? 'its last lines' : 'its output';
    console.error(`[inlet] wrangler dev exited ${how}${ready ? '' : ' before it was ready'}; ${which}:`);
    console.error(transcript.join('\n').trim());
  }
  await closeServers();
  process.exit(code ?? (stopping ? 0 : 1));
});
