// `npm run dev`: the whole gateway on this machine. Creates .dev.vars when missing, applies the
// D1 migrations locally, starts the mock CRM on 127.0.0.1:8788, then `wrangler dev` on
// http://127.0.0.1:8787 with D1, KV and Queues embedded.
import { execFileSync, spawn } from 'node:child_process';
import { startMockCrm } from '../test/servers/crm.ts';
import { ensureDevVars, readDevVars, WRANGLER_ENV } from './env.mjs';

const PORT = process.env.PORT ?? '8787';
const CRM_PORT = Number(process.env.CRM_PORT ?? 8788);

ensureDevVars();
const vars = readDevVars();
execFileSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], {
  stdio: 'inherit',
  env: WRANGLER_ENV,
});

const crm = await startMockCrm({ secret: vars.DESTINATION_SECRET, port: CRM_PORT, print: true });
console.log(`[inlet] mock CRM listening on ${crm.url}`);

const wrangler = spawn(
  'wrangler',
  ['dev', '--ip', '127.0.0.1', '--port', PORT, '--var', `CRM_URL:${crm.url}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: WRANGLER_ENV },
);
const stop = async () => {
  wrangler.kill('SIGINT');
  await crm.close();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
wrangler.on('exit', async (code) => {
  await crm.close();
  process.exit(code ?? 0);
});
