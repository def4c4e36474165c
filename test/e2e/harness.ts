/**
 * The real gateway for end-to-end tests, started from Node: the fake CRM, Graph API, HubSpot,
 * Pipedrive, Salesforce and Slack on free ports of 127.0.0.1, then `wrangler dev` on another, with
 * D1, KV and Queues persisted in a fresh temporary directory (migrations applied), every destination
 * pointed at its fake, short retries, and a known admin token. Nothing outside 127.0.0.1 is called.
 *
 *     const gateway = await startGateway();
 *     const id = await gateway.sendLead({ email: 'ada@example.com' });
 *     await gateway.crm.script('ada@example.com', [{ status: 400 }]);
 *     await gateway.stop();
 *
 * It runs the shipped inlet.config.ts (the one `npm run dev` runs): `demo` routes to the `crm`
 * webhook destination (the mock CRM), the other sources as docs/providers.md says. The Worker is
 * the code as it stood at start: bundled once, so a file saved during the run changes nothing.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { readDevVars, WRANGLER_ENV } from '../../scripts/env.mjs';
import { startMockCrm } from '../servers/crm.ts';
import { startFakeGraph } from '../servers/graph.ts';
import { startFakeHubspot } from '../servers/hubspot.ts';
import { startFakePipedrive } from '../servers/pipedrive.ts';
import { startFakeSalesforce } from '../servers/salesforce.ts';
import { startFakeSlack } from '../servers/slack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');
const run = promisify(execFile);

export interface GatewayOptions {
  /** Vars and secrets over the defaults (.dev.vars.example, fakes' URLs, short retries). */
  vars?: Record<string, string>;
  /** Print wrangler's output as it comes, with a line per request (the tail is kept either way, and shown when start fails). */
  verbose?: boolean;
  /** How long to wait for `/health`; default 60 s. */
  startTimeoutMs?: number;
}

/** A scripted answer of the mock CRM to the next lead with an email (test/servers/crm.ts). */
export interface CrmAnswer {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface Gateway {
  /** `http://127.0.0.1:<port>`: ingest at `/in/<source>`, the admin API and dashboard at `/admin`. */
  url: string;
  /** The `ADMIN_TOKEN` the gateway runs with. */
  adminToken: string;
  /** Every var and secret the Worker was given. */
  vars: Record<string, string>;
  /** Base URLs of the fakes (their control APIs are under `/__control`). */
  fakes: Record<'crm' | 'graph' | 'hubspot' | 'pipedrive' | 'salesforce' | 'slack', string>;
  /** Posts a lead to a `demo`-signed source (Standard Webhooks) and answers the event id. */
  sendLead(lead: Record<string, unknown>, source?: string): Promise<string>;
  /** The admin API: `admin('/events?status=dead')`, with the bearer token. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** The mock CRM (destination `crm`): script its next answers for an email, read what it got. */
  crm: {
    script(email: string, answers: CrmAnswer[]): Promise<void>;
    deliveries(email?: string): Promise<{ webhookId: string; type: string; status: number; email: string }[]>;
  };
  /** Runs the cron sweep once (re-sends, probes, alert summaries), as the minute's cron would. */
  sweep(): Promise<void>;
  /** Stops wrangler and the fakes and deletes the temporary state. Safe to call twice. */
  stop(): Promise<void>;
}

/** A free port on 127.0.0.1: the OS picks one, we release it for wrangler to take. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const dev = readDevVars(join(ROOT, '.dev.vars.example'));
  const adminToken = `e2e-admin-${crypto.randomUUID()}`;
  const servers = await Promise.all([
    startMockCrm({ secret: options.vars?.DESTINATION_SECRET ?? (dev.DESTINATION_SECRET as string) }),
    startFakeGraph({ pageToken: dev.SOURCE_META_PAGE_TOKEN as string }),
    startFakeHubspot({
      tokens: [dev.DESTINATION_HUBSPOT_TOKEN, dev.SOURCE_HUBSPOT_ACCESS_TOKEN].filter(Boolean) as string[],
    }),
    startFakePipedrive({ tokens: [dev.DESTINATION_PIPEDRIVE_TOKEN as string] }),
    startFakeSalesforce({
      clients: [
        {
          id: dev.DESTINATION_SALESFORCE_CLIENT_ID as string,
          secret: dev.DESTINATION_SALESFORCE_CLIENT_SECRET as string,
        },
      ],
    }),
  ]);
  const [crm, graph, hubspot, pipedrive, salesforce] = servers;
  const slack = await startFakeSlack({});
  const closeFakes = () => Promise.all([...servers, slack].map((server) => server.close()));

  const state = mkdtempSync(join(tmpdir(), 'inlet-e2e-'));
  const vars: Record<string, string> = {
    ...dev,
    ADMIN_TOKEN: adminToken,
    CRM_URL: crm.url,
    META_GRAPH_URL: graph.url,
    HUBSPOT_API_URL: hubspot.url,
    DESTINATION_HUBSPOT_URL: hubspot.url,
    DESTINATION_PIPEDRIVE_URL: pipedrive.url,
    DESTINATION_SALESFORCE_URL: salesforce.url,
    ALERT_SLACK_WEBHOOK_URL: slack.webhookUrl,
    // Retries within seconds, so a test sees an event die or recover without waiting minutes.
    RETRY_BASE_SECONDS: '1',
    RETRY_MAX_SECONDS: '2',
    DELIVERY_MAX_ATTEMPTS: '3',
    DELIVERY_TIMEOUT_MS: '2000',
    ...options.vars,
  };
  // Secrets go in a file, not in argv where `ps` shows them; --env-file also keeps a developer's
  // own .dev.vars out of the run.
  const envFile = join(state, 'e2e.env');
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
      .join(''),
  );
  const persist = join(state, 'state');

  let wrangler: ChildProcess | undefined;
  let output = '';
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const child = wrangler;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      // wrangler stops workerd on SIGTERM; a stuck one is killed rather than left behind.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await closeFakes();
    rmSync(state, { recursive: true, force: true });
  };

  // wrangler dev watches the sources and restarts the Worker on every save, failing requests in
  // flight: a suite run while someone edits would flake. So the Worker is bundled once, up front
  // (as a deploy would), and dev runs that bundle, with the config not watched either.
  const env = { ...WRANGLER_ENV, CI: '1', WRANGLER_CI_DISABLE_CONFIG_WATCHING: 'true' };
  const bundle = join(state, 'bundle');
  try {
    await Promise.all([
      run(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], {
        cwd: ROOT,
        env,
      }),
      run(WRANGLER, ['deploy', '--dry-run', '--outdir', bundle], { cwd: ROOT, env }),
    ]);
    const [port, inspectorPort] = [await freePort(), await freePort()];
    wrangler = spawn(
      WRANGLER,
      [
        'dev',
        join(bundle, 'index.js'),
        // Named, or wrangler looks for a config beside the bundle and runs it with no bindings.
        '--config',
        join(ROOT, 'wrangler.toml'),
        // Already bundled: used as it is, so nothing watches the sources.
        '--no-bundle',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--inspector-port',
        String(inspectorPort),
        '--persist-to',
        persist,
        '--env-file',
        envFile,
        '--test-scheduled',
        '--show-interactive-dev-session=false',
        '--log-level',
        options.verbose ? 'info' : 'warn',
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (options.verbose) process.stderr.write(chunk);
    };
    wrangler.stdout?.on('data', keep);
    wrangler.stderr?.on('data', keep);

    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited (${wrangler.exitCode})`);
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error('wrangler dev did not answer /health in time');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const crmBase = crm.url.replace(/\/leads$/, '');
    const demoSigner = new Webhook(vars.SOURCE_DEMO_SECRET as string);
    return {
      url,
      adminToken,
      vars,
      fakes: {
        crm: crmBase,
        graph: graph.url,
        hubspot: hubspot.url,
        pipedrive: pipedrive.url,
        salesforce: salesforce.url,
        slack: slack.url,
      },
      async sendLead(lead, source = 'demo') {
        const body = JSON.stringify(lead);
        const id = `msg_${crypto.randomUUID()}`;
        const at = new Date();
        const response = await fetch(`${url}/in/${source}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': demoSigner.sign(id, at, body),
          },
          body,
        });
        if (response.status !== 202)
          throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
        return ((await response.json()) as { id: string }).id;
      },
      admin: (path, init = {}) =>
        fetch(`${url}/admin${path}`, {
          ...init,
          headers: { authorization: `Bearer ${adminToken}`, ...(init.headers as Record<string, string>) },
        }),
      crm: {
        async script(email, answers) {
          const response = await fetch(`${crmBase}/__control/script`, {
            method: 'POST',
            body: JSON.stringify({ email, responses: answers }),
          });
          if (!response.ok) throw new Error(`crm script answered ${response.status}`);
        },
        deliveries: async (email) =>
          (
            await fetch(
              `${crmBase}/__control/deliveries${email ? `?email=${encodeURIComponent(email)}` : ''}`,
            )
          ).json(),
      },
      async sweep() {
        await (await fetch(`${url}/__scheduled?cron=${encodeURIComponent('* * * * *')}`)).text();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${output.slice(-4000)}`);
  }
}
