// `npm run dev`: the whole gateway on this machine. Checks inlet.config.ts, creates .dev.vars when
// missing, applies the D1 migrations locally, starts the mock CRM on 127.0.0.1:8788, a fake Meta
// Graph API on 127.0.0.1:8789 and fakes of HubSpot (8790), Pipedrive (8791) and Salesforce (8792),
// then `wrangler dev` on http://127.0.0.1:8787 with D1, KV and Queues embedded. The CRM and the fake
// CRMs keep their records in .wrangler/fakes/<name>.json, so they survive a restart, as D1 does.
// The cron sweep (probes of paused destinations, re-sends) is triggered once a minute.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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

/** Vars and secret names as the Worker derives them (src/config/schema.ts `varFor`). */
const varFor = (name, suffix) => `DESTINATION_${name.toUpperCase().replaceAll('-', '_')}_${suffix}`;

const config = await loadConfig();
ensureDevVars();
const vars = readDevVars();
execFileSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], {
  stdio: 'inherit',
  env: WRANGLER_ENV,
});
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

const crm = await start('mock CRM', CRM_PORT, () =>
  startMockCrm({
    secret: vars.DESTINATION_SECRET,
    port: CRM_PORT,
    print: true,
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
    print: true,
  }),
);
const pipedrive = await start('fake Pipedrive', PIPEDRIVE_PORT, () =>
  startFakePipedrive({
    port: PIPEDRIVE_PORT,
    tokens: pipedriveTokens,
    persistPath: `${FAKES_DIR}/pipedrive.json`,
    print: true,
  }),
);
const salesforce = await start('fake Salesforce', SALESFORCE_PORT, () =>
  startFakeSalesforce({
    port: SALESFORCE_PORT,
    clients: salesforceClients,
    persistPath: `${FAKES_DIR}/salesforce.json`,
    print: true,
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
const pointsAt = {};
for (const [name, entry] of destinations) {
  const urlVar = entry.urlVar ?? varFor(name, 'URL');
  const fake = FAKES[entry.type];
  if (fake) devVars[urlVar] = fake.url;
  const url = devVars[urlVar] ?? vars[urlVar] ?? entry.url;
  const what = fake ? fake.label : url === crm.url ? 'mock CRM' : undefined;
  pointsAt[name] = url
    ? `${url}  (${[what, urlVar].filter(Boolean).join(', ')})`
    : `nowhere: ${urlVar} is not set`;
}

const targets = routeTargets(config);
const width = Math.max(...Object.keys(config.sources).map((name) => `${BASE}/in/${name}`.length));
const destWidth = Math.max(...destinations.map(([name, entry]) => `${name} (${entry.type})`.length));
console.log(
  [
    '',
    `[inlet] Inlet on ${BASE}  (admin API: ${BASE}/admin, Authorization: Bearer <ADMIN_TOKEN of .dev.vars>)`,
    'sources:',
    ...Object.entries(config.sources).map(([name, source]) => {
      const to = targets[name].length ? targets[name].join(', ') : 'no route: kept unrouted';
      return `  POST ${`${BASE}/in/${name}`.padEnd(width)}  (${source.type}) → ${to}`;
    }),
    'destinations:',
    ...destinations.map(
      ([name, entry]) => `  ${`${name} (${entry.type})`.padEnd(destWidth)}  → ${pointsAt[name]}`,
    ),
    'fakes (records in .wrangler/fakes/):',
    `  mock CRM         ${crm.url}`,
    `  fake Graph API   ${graph.url}  (register Lead Ads leads: POST /__control/leads)`,
    `  fake HubSpot     ${hubspot.url}`,
    `  fake Pipedrive   ${pipedrive.url}`,
    `  fake Salesforce  ${salesforce.url}`,
    `  fake Slack       ${slack.webhookUrl}  (alerts print here)`,
    `cron sweep: every ${SWEEP_EVERY_MS / 1000} s (now: curl ${BASE}/__scheduled)`,
    '',
  ].join('\n'),
);

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
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: WRANGLER_ENV },
);

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
wrangler.on('exit', async (code) => {
  clearInterval(sweep);
  await closeServers();
  process.exit(code ?? 0);
});
