// The `inlet` CLI against the real gateway (wrangler dev, D1, Queues, the fake CRM; see
// ./harness.ts): what a user types, and that the admin API it drives agrees with what it printed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}bin/inlet.mjs`;

let gateway: Gateway;
const outputs: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it: the gateway's URL and token in the environment, the sources' secrets too. */
function inlet(...args: string[]): Promise<Run> {
  const secrets = Object.fromEntries(
    Object.entries(gateway.vars).filter(([name]) => name.startsWith('SOURCE_')),
  );
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      INLET_URL: gateway.url,
      INLET_ADMIN_TOKEN: gateway.adminToken,
      INLET_GRAPH_URL: gateway.fakes.graph,
      ...secrets,
    },
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    }),
  );
}

beforeAll(async () => {
  gateway = await startGateway();
});

afterAll(async () => {
  await gateway?.stop();
  for (const output of outputs) expect(output).not.toContain(gateway.adminToken);
});

describe('inlet against the real gateway', () => {
  const email = `cli.${Date.now()}@example.com`;
  let id = '';

  it('`inlet send demo` posts a signed lead and follows it to delivered', async () => {
    const run = await inlet('send', 'demo', '--email', email);
    // The whole run in one assertion, so a failure shows what the CLI printed.
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [posted, outcome] = run.stdout.trimEnd().split('\n');
    const match = /^POST \/in\/demo → 202 (evt_\w+)$/.exec(posted ?? '');
    expect(match).not.toBeNull();
    id = match![1]!;
    expect(outcome).toMatch(new RegExp(`^${id} delivered · crm delivered \\S+ · 1 attempt · ${email}$`));
    // The mock CRM got it, once.
    const deliveries = await gateway.crm.deliveries(email);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.status).toBeGreaterThanOrEqual(200);
    expect(deliveries[0]!.status).toBeLessThan(300);
  });

  it('`inlet events --status delivered --json` finds it', async () => {
    const run = await inlet(
      'events',
      '--status',
      'delivered',
      '--source',
      'demo',
      '--email',
      email,
      '--json',
    );
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as { events: { id: string; status: string }[]; next_cursor: null };
    expect(answer.events.map((e) => [e.id, e.status])).toEqual([[id, 'delivered']]);
    expect(answer.next_cursor).toBeNull();

    const table = await inlet('events', '--source', 'demo', '--all-pages', '--limit', '1');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`^${id} +\\S+ \\S+ +demo +delivered +launch +crm delivered +1$`, 'm'),
    );
  });

  it('`inlet show` shows it: deliveries, the attempt, the lead before and after', async () => {
    const run = await inlet('show', id);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${id} {2}demo {2}delivered\\n`));
    expect(run.stdout).toMatch(/deliveries \(1\)\n {2}crm {2}delivered {2}1 attempt · record \S+/);
    expect(run.stdout).toMatch(/ {4}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}#1 HTTP 2\d\d in \d+ ms/);
    expect(run.stdout).toContain('lead (before → after normalisation)');
    expect(run.stdout).toMatch(/phone +\(415\) 555-0132 +\+14155550132/);
    expect(run.stdout).toMatch(/webhook-signature +\S+|webhook-id +msg_/);
  });

  it('`inlet stats --json` counts it', async () => {
    const run = await inlet('stats', '--source', 'demo', '--json');
    expect(run.code).toBe(0);
    const { funnel, latency } = JSON.parse(run.stdout) as {
      funnel: {
        rows: { source: string; campaign: string; delivered: number }[];
        totals: { delivered: number };
      };
      latency: { count: number };
    };
    expect(funnel.totals.delivered).toBeGreaterThanOrEqual(1);
    expect(
      funnel.rows.some((row) => row.source === 'demo' && row.campaign === 'launch' && row.delivered >= 1),
    ).toBe(true);
    expect(latency.count).toBeGreaterThanOrEqual(1);
    const text = await inlet('stats', '--source', 'demo');
    expect(text.stdout).toMatch(/^demo +launch +\d+ +\d+ /m);
    expect(text.stdout).toMatch(/latency \(ingest → delivered, \d+ events?\): p50 /);
  });

  it('a bulk replay by filter runs as a job to done', async () => {
    const run = await inlet('replay', '--source', 'demo', '--email', email, '--all');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^started replay job rpj_\w+: 1 event matched\n$/);
    expect(run.stdout).toMatch(/^rpj_\w+ done: 1 of 1 replayed, 0 skipped in /);
  });

  it('`inlet erase --yes` deletes the person and their events', async () => {
    const run = await inlet('erase', '--email', email, '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^erased 1 person matching ${email.replaceAll('.', '\\.')}: deleted \\d+ events?`),
    );
    const gone = await inlet('show', id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('error: No event has this id. (not_found)\n');
  });
});
