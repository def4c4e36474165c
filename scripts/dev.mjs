// `npm run dev`: the whole gateway on this machine. Creates .dev.vars when missing, applies the
// D1 migrations locally, starts the mock CRM on 127.0.0.1:8788 and a fake Meta Graph API on
// 127.0.0.1:8789, then `wrangler dev` on http://127.0.0.1:8787 with D1, KV and Queues embedded.
import { execFileSync, spawn } from 'node:child_process';
import { startMockCrm } from '../test/servers/crm.ts';
import { startFakeGraph } from '../test/servers/graph.ts';
import { ensureDevVars, readDevVars, WRANGLER_ENV } from './env.mjs';

const PORT = process.env.PORT ?? '8787';
const CRM_PORT = Number(process.env.CRM_PORT ?? 8788);
const GRAPH_PORT = Number(process.env.GRAPH_PORT ?? 8789);

ensureDevVars();
const vars = readDevVars();
execFileSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], {
  stdio: 'inherit',
  env: WRANGLER_ENV,
});

const crm = await startMockCrm({ secret: vars.DESTINATION_SECRET, port: CRM_PORT, print: true });
console.log(`[inlet] mock CRM listening on ${crm.url}`);
const graph = await startFakeGraph({ pageToken: vars.SOURCE_META_PAGE_TOKEN, port: GRAPH_PORT });
console.log(`[inlet] fake Meta Graph API on ${graph.url} (register leads: POST /__control/leads)`);

const wrangler = spawn(
  'wrangler',
  [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    PORT,
    '--var',
    `CRM_URL:${crm.url}`,
    '--var',
    `META_GRAPH_URL:${graph.url}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: WRANGLER_ENV },
);
const closeServers = () => Promise.all([crm.close(), graph.close()]);
const stop = async () => {
  wrangler.kill('SIGINT');
  await closeServers();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
wrangler.on('exit', async (code) => {
  await closeServers();
  process.exit(code ?? 0);
});
