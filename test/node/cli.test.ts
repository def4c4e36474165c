// The `inlet` CLI (bin/inlet.mjs) run as a child process against a fake gateway on 127.0.0.1: a
// node:http server that records each request, answers the admin API as docs/admin-api.md says,
// and checks every webhook `inlet send` posts with the gateway's own verifier for that source.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIGNERS } from '../../bin/lib/signers.mjs';
import shipped from '../../inlet.config.ts';
import { readDevVars } from '../../scripts/env.mjs';
import { varFor } from '../../src/config/schema';
import { type PresetName, presets } from '../../src/sources/presets';
import type { Verifier, VerifyResult } from '../../src/verify/types';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/inlet.mjs');
// Distinctive, so a test can prove it never reaches the output.
const TOKEN = `tok-${randomUUID()}`;
// The example's development secrets, passed as environment variables (the staging path), so the
// suite needs no .dev.vars and never reads a developer's own.
const SECRETS = Object.fromEntries(
  Object.entries(readDevVars(join(ROOT, '.dev.vars.example'))).filter(([name]) => name.startsWith('SOURCE_')),
);

/**
 * What verifies a source's requests at the gateway: its `verify` preset, else its type's own, as
 * src/sources/registry.ts builds it (the registry itself belongs to the Worker's typed world).
 */
function verifierOf(name: string): { verifier: Verifier; secretVar: string } | undefined {
  const entry = (shipped.sources as Record<string, { type: string; verify?: string; secretVar?: string }>)[
    name
  ];
  if (!entry) return undefined;
  const preset = presets[(entry.verify ?? entry.type) as PresetName];
  return { verifier: preset.verifier, secretVar: entry.secretVar ?? varFor('SOURCE', name, 'SECRET') };
}

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: Buffer;
  json?: unknown;
  verified?: VerifyResult;
}

type Answer = { status?: number; body?: unknown; headers?: Record<string, string> };
type Handler = (request: Recorded, match: RegExpExecArray) => Answer | Promise<Answer>;

const problem = (status: number, code: string, detail: string, issues?: unknown[]) => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: {
    type: `https://inlet.dev/problems/${code}`,
    title: code,
    status,
    code,
    detail,
    ...(issues ? { issues } : {}),
  },
});

/** A fake gateway: routes are `METHOD /path-regex` → handler; every request is recorded. */
class FakeGateway {
  server!: Server;
  url = '';
  requests: Recorded[] = [];
  routes: [string, RegExp, Handler][] = [];

  async start() {
    this.server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const url = new URL(request.url ?? '/', this.url);
      const recorded: Recorded = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      try {
        recorded.json = JSON.parse(recorded.body.toString('utf8'));
      } catch {}
      this.requests.push(recorded);
      let answer: Answer = problem(404, 'not_found', 'No such route in the fake.');
      for (const [method, pattern, handler] of this.routes) {
        const match = method === recorded.method ? pattern.exec(recorded.path) : null;
        if (match) {
          answer = await handler(recorded, match);
          break;
        }
      }
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(method: string, path: RegExp, handler: Handler) {
    this.routes.unshift([method, path, handler]);
  }

  reset() {
    this.requests = [];
    this.routes = [];
    this.defaults();
  }

  admin(method?: string, path?: RegExp) {
    return this.requests.filter(
      (r) => r.path.startsWith('/admin') && (!method || r.method === method) && (!path || path.test(r.path)),
    );
  }

  /** Ingest checked with the gateway's verifier; admin answers that tests override as they need. */
  defaults() {
    this.on('POST', /^\/in\/([^/]+)$/, async (request, match) => {
      const name = match[1]!;
      const source = verifierOf(name);
      if (!source) return problem(404, 'unknown_source', 'No source is configured under this name.');
      const headers = new Headers();
      for (const [key, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(key, value);
      }
      const query = new URLSearchParams(request.query).toString();
      request.verified = await source.verifier.verify(
        {
          method: 'POST',
          url: `${this.url}${request.path}${query ? `?${query}` : ''}`,
          headers,
          body: new Uint8Array(request.body),
        },
        {
          secrets: (SECRETS[source.secretVar] ?? '').split(/\s+/).filter(Boolean),
          nowMs: Date.now(),
        },
      );
      if (!request.verified.ok) {
        return problem(401, 'invalid_signature', 'The request signature could not be verified.');
      }
      return { status: 202, body: { id: `evt_${name}` } };
    });
    this.on('POST', /^\/__control\/leads$/, () => ({ status: 204 }));
    // Each sample ends as the CLI expects of it: contactless ones invalid, jotform unrouted.
    this.on('GET', /^\/admin\/events\/evt_([^/]+)$/, (_request, match) => ({
      body: event(
        match[1]!,
        ['github', 'slack', 'mandrill'].includes(match[1]!)
          ? 'invalid'
          : match[1] === 'jotform'
            ? 'unrouted'
            : 'delivered',
      ),
    }));
  }

  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function event(source: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    id: `evt_${source}`,
    source,
    status,
    event_type: null,
    campaign: 'launch',
    idempotency_key: `key-${source}`,
    received_at: '2026-12-03T10:00:00.000Z',
    delivered_at: status === 'delivered' ? '2026-12-03T10:00:01.000Z' : null,
    last_error: null,
    person_id: 'per_1',
    merged_into: null,
    normalizer_version: '2026-12-03.2',
    request: { content_type: 'application/json', headers: { 'user-agent': 'test' }, body: '{}' },
    lead_before: { email: ' ADA@Example.com ', first_name: 'ada' },
    lead: { email: 'ada@example.com', first_name: 'Ada' },
    deliveries:
      status === 'delivered'
        ? [{ destination: 'crm', status: 'delivered', attempts: 1, record_id: 'crm_1', last_error: null }]
        : [],
    attempts:
      status === 'delivered'
        ? [
            {
              destination: 'crm',
              attempt: 1,
              started_at: '2026-12-03T10:00:00.500Z',
              duration_ms: 12,
              http_status: 200,
              error_class: null,
              reason: null,
              retry_in_s: null,
            },
          ]
        : [],
    ...extra,
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** util-linux `script`, to run the CLI on a pseudo-terminal and see what a user at one sees. */
const HAS_SCRIPT = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const ESC = '\x1b';

const fake = new FakeGateway();
const outputs: string[] = [];

function cliEnv(env: Record<string, string | undefined> = {}) {
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    INLET_URL: fake.url,
    INLET_ADMIN_TOKEN: TOKEN,
    INLET_POLL_MS: '10',
    ...SECRETS,
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** Starts the CLI; `done` resolves with its exit code and output. */
function start(args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(options.env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done };
}

const inlet = (...args: string[]) => start(args).done;

const waitFor = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Runs the CLI on a pseudo-terminal (util-linux `script`), to see what a user at a terminal sees. */
function onTerminal(args: string[], env: Record<string, string | undefined> = {}) {
  const command = [process.execPath, BIN, ...args].map((arg) => `'${arg}'`).join(' ');
  const child: ChildProcess = spawn('script', ['-qefc', `stty cols 200; ${command}`, '/dev/null'], {
    cwd: ROOT,
    env: { ...cliEnv(env), NO_COLOR: '1' },
  });
  let stdout = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      outputs.push(stdout);
      resolve({ code, stdout, stderr: '' });
    }),
  );
  return { child, done, output: () => stdout };
}

beforeAll(async () => {
  await fake.start();
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await fake.close();
  // Whatever ran, with whatever answer: the admin token never reached a terminal.
  for (const output of outputs) expect(output).not.toContain(TOKEN);
});

describe('usage', () => {
  it('prints help and the version, exit 0', async () => {
    const help = await inlet('help');
    expect(help.code).toBe(0);
    for (const command of [
      'send',
      'events',
      'show',
      'replay',
      'stats',
      'erase',
      'destinations',
      'pause',
      'resume',
    ])
      expect(help.stdout).toContain(`  ${command} `);
    expect((await inlet('--version')).stdout).toMatch(/^inlet \d+\.\d+\.\d+\n$/);
    const events = await inlet('events', '--help');
    expect(events.code).toBe(0);
    expect(events.stdout).toContain('--all-pages');
    expect((await inlet('help', 'replay')).stdout).toContain('--detach');
    expect(fake.requests).toEqual([]);
  });

  it.each([
    [['frobnicate'], /no command frobnicate/],
    [[], /which command/],
    [['events', '--bogus'], /unknown option --bogus/],
    [['events', '--status', 'lost'], /--status must be one of queued, .*\(not lost\)/],
    [['events', '--limit', '0'], /--limit must be a whole number from 1 to 200/],
    [['events', '--from', 'yesterday'], /--from must be an ISO date/],
    [['events', '--url'], /--url needs a value/],
    [['events', '--url', 'ftp://x'], /not an http\(s\) URL/],
    [['show'], /which event/],
    [['replay'], /replay what\?/],
    [['replay', 'evt_1', '--status', 'dead'], /ids or filters, not both/],
    [['replay', '--cancel'], /--cancel needs --job/],
    [['erase'], /exactly one of --email or --phone/],
    [['erase', '--email', 'a@b.example', '--phone', '+1'], /exactly one/],
    [['stats', 'weekly'], /unexpected argument: weekly/],
    [['pause'], /which destination/],
    [['send'], /which source/],
    [['send', 'nowhere'], /no source is named nowhere in inlet.config.ts \(sources: demo, /],
    [['send', 'demo', '--email', 'not-an-email'], /not an email address/],
    [['send', 'demo', '-H', 'no colon'], /--header must be 'Name: value'/],
  ])('inlet %j is a usage error: exit 2, said why, pointed to help', async (args, message) => {
    const run = await inlet(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/hint: see `inlet .*--help`/);
    expect(fake.requests).toEqual([]);
  });
});

describe('connection and credentials', () => {
  it('cannot reach the gateway: exit 3, naming the URL and `npm run dev`', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await inlet('events', '--url', url);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`cannot reach the gateway at ${url} (ECONNREFUSED)`);
    expect(run.stderr).toContain('npm run dev');
  });

  it('a refused token: exit 4, naming the variable to set and never the token', async () => {
    fake.on('GET', /^\/admin\/events$/, () =>
      problem(401, 'unauthorized', 'A valid admin bearer token is required.'),
    );
    const run = await inlet('events');
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`the gateway at ${fake.url} refused the admin token`);
    expect(run.stderr).toContain('the token came from INLET_ADMIN_TOKEN; set INLET_ADMIN_TOKEN');
    expect(fake.admin()[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('ADMIN_TOKEN is read when INLET_ADMIN_TOKEN is not set', async () => {
    fake.on('GET', /^\/admin\/destinations$/, () => ({ body: { destinations: [] } }));
    const run = await start(['destinations'], {
      env: { INLET_ADMIN_TOKEN: undefined, ADMIN_TOKEN: 'other-token' },
    }).done;
    expect(run.code).toBe(0);
    expect(fake.admin()[0]!.headers.authorization).toBe('Bearer other-token');
  });

  it('a remote gateway without a token: exit 4 before any request, .dev.vars is only for local ones', async () => {
    const run = await start(['events', '--url', 'https://inlet-staging.example.com'], {
      env: { INLET_ADMIN_TOKEN: undefined },
    }).done;
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('no admin token for https://inlet-staging.example.com');
    expect(run.stderr).toContain('set INLET_ADMIN_TOKEN');
  });

  it('prints an RFC 9457 problem as `error: <detail> (<code>)` with its issues, exit 1', async () => {
    fake.on('GET', /^\/admin\/events$/, () =>
      problem(422, 'invalid_payload', 'The query is not valid.', [
        { path: 'limit', message: 'must be at most 200' },
      ]),
    );
    const run = await inlet('events');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: The query is not valid. (invalid_payload)\n  - limit: must be at most 200\n',
    );
  });
});

describe('inlet events', () => {
  const page = (ids: string[], next: string | null) => ({
    events: ids.map((id) => ({
      id,
      source: 'typeform',
      status: id.endsWith('dead') ? 'dead' : 'delivered',
      event_type: 'form_response',
      campaign: 'spring-launch',
      received_at: '2026-12-03T10:42:01.123Z',
      delivered_at: null,
      attempts: 3,
      last_error: id.endsWith('dead') ? 'client_error: HTTP 422 from hubspot' : null,
      person_id: 'per_1',
      deliveries: [
        { destination: 'hubspot', status: id.endsWith('dead') ? 'dead' : 'delivered', attempts: 3 },
      ],
    })),
    next_cursor: next,
  });

  it('prints a table, passing each filter under its API name', async () => {
    fake.on('GET', /^\/admin\/events$/, () => ({ body: page(['evt_1_dead', 'evt_2'], null) }));
    const run = await inlet(
      'events',
      '--status',
      'dead',
      '--source',
      'typeform',
      '--destination',
      'hubspot',
      '--delivery-status',
      'dead',
      '--error-class',
      'client_error',
      '--campaign',
      'spring-launch',
      '--email',
      'ada@example.com',
      '--phone',
      '+14155550132',
      '--from',
      '2026-12-01',
      '--to',
      '2026-12-04T00:00:00Z',
      '--limit',
      '20',
    );
    expect(run.code).toBe(0);
    expect(fake.admin()[0]!.query).toEqual({
      status: 'dead',
      source: 'typeform',
      destination: 'hubspot',
      delivery_status: 'dead',
      error_class: 'client_error',
      campaign: 'spring-launch',
      email: 'ada@example.com',
      phone: '+14155550132',
      from: '2026-12-01',
      to: '2026-12-04T00:00:00Z',
      limit: '20',
    });
    const [header, first, second] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(
      /^ID +RECEIVED \(UTC\) +SOURCE +STATUS +CAMPAIGN +DELIVERIES +ATTEMPTS +LAST ERROR$/,
    );
    expect(first).toMatch(
      /^evt_1_dead +2026-12-03 10:42:01 +typeform +dead +spring-launch +hubspot dead +3 +client_error: HTTP 422 from hubspot$/,
    );
    expect(second).toMatch(/^evt_2 +2026-12-03 10:42:01 +typeform +delivered .* hubspot delivered +3$/);
    // Not a terminal, NO_COLOR unset: still no colour.
    expect(run.stdout).not.toContain('\x1b[');
  });

  it('turns a span such as 24h into a time', async () => {
    fake.on('GET', /^\/admin\/events$/, () => ({ body: page([], null) }));
    const before = Date.now();
    const run = await inlet('events', '--from', '24h');
    expect(run.stdout).toBe('no events match.\n');
    const from = Date.parse(fake.admin()[0]!.query.from!);
    expect(Math.abs(before - 24 * 3600_000 - from)).toBeLessThan(5000);
  });

  it('--json prints the API answer; a next page is announced on stderr', async () => {
    const answer = page(['evt_1'], 'cur_2');
    fake.on('GET', /^\/admin\/events$/, () => ({ body: answer }));
    const json = await inlet('events', '--json');
    expect(JSON.parse(json.stdout)).toEqual(answer);
    const text = await inlet('events');
    expect(text.stderr).toContain('more: add --cursor cur_2, or --all-pages');
  });

  it('--all-pages follows next_cursor to the last page', async () => {
    const pages: Record<string, ReturnType<typeof page>> = {
      '': page(['evt_1', 'evt_2'], 'cur_2'),
      cur_2: page(['evt_3', 'evt_4'], 'cur_3'),
      cur_3: page(['evt_5'], null),
    };
    fake.on('GET', /^\/admin\/events$/, (request) => ({ body: pages[request.query.cursor ?? '']! }));
    const run = await inlet('events', '--all-pages', '--status', 'delivered', '--limit', '2');
    expect(run.code).toBe(0);
    expect(fake.admin().map((r) => r.query)).toEqual([
      { status: 'delivered', limit: '2' },
      { status: 'delivered', limit: '2', cursor: 'cur_2' },
      { status: 'delivered', limit: '2', cursor: 'cur_3' },
    ]);
    expect(run.stdout.match(/^evt_\d/gm)).toEqual(
      ['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5'].map((id) => id),
    );
    expect(run.stderr).toBe('');

    const json = await inlet('events', '--all-pages', '--json');
    const merged = JSON.parse(json.stdout) as { events: { id: string }[]; next_cursor: null };
    expect(merged.events.map((e) => e.id)).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5']);
    expect(merged.next_cursor).toBeNull();
  });
});

describe('inlet show', () => {
  it('prints the status, deliveries with attempts, lead before and after, and headers', async () => {
    fake.on('GET', /^\/admin\/events\/evt_42$/, () => ({
      body: event('typeform', 'delivered', {
        id: 'evt_42',
        request: {
          content_type: 'application/json',
          headers: { 'typeform-signature': 'sha256=abc', authorization: 'Bearer leaked' },
          body: '{"x":1}',
        },
      }),
    }));
    const run = await inlet('show', 'evt_42');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^evt_42 {2}typeform {2}delivered\n/);
    expect(run.stdout).toContain('idempotency key  key-typeform');
    expect(run.stdout).toMatch(/deliveries \(1\)\n {2}crm {2}delivered {2}1 attempt · record crm_1/);
    expect(run.stdout).toContain('2026-12-03 10:00:00  #1 HTTP 200 in 12 ms');
    expect(run.stdout).toContain('lead (before → after normalisation)');
    expect(run.stdout).toMatch(/email +" ADA@Example\.com " +ada@example\.com/);
    expect(run.stdout).toMatch(/first_name +ada +Ada/);
    expect(run.stdout).toContain('typeform-signature  sha256=abc');
    expect(run.stdout).toContain('authorization       [redacted]');
    expect(run.stdout).not.toContain('leaked');
    expect(run.stdout).toContain('body: 7 bytes (--body to print it)');
  });

  it('an unknown event: exit 1 with the problem', async () => {
    fake.on('GET', /^\/admin\/events\/evt_nope$/, () => problem(404, 'not_found', 'No event has this id.'));
    const run = await inlet('show', 'evt_nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: No event has this id. (not_found)\n');
  });

  it('--json prints the API answer', async () => {
    const body = event('demo', 'dead');
    fake.on('GET', /^\/admin\/events\/evt_demo$/, () => ({ body }));
    expect(JSON.parse((await inlet('show', 'evt_demo', '--json')).stdout)).toEqual(body);
  });
});

describe('inlet replay', () => {
  it('replays one event, to one destination, again where delivered', async () => {
    fake.on('POST', /^\/admin\/events\/evt_7\/replay$/, () => ({
      status: 202,
      body: { replayed: ['evt_7'] },
    }));
    const run = await inlet('replay', 'evt_7', '--destination', 'hubspot', '--all');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('replayed evt_7\n');
    expect(fake.admin()[0]!.query).toEqual({ destination: 'hubspot', all: 'true' });
  });

  it('a refused replay (409): exit 1', async () => {
    fake.on('POST', /^\/admin\/events\/evt_7\/replay$/, () => ({ status: 409, body: { replayed: [] } }));
    const run = await inlet('replay', 'evt_7');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nothing was replayed: a consumer holds the event right now (conflict)');
  });

  it('several ids go in one POST /admin/replay', async () => {
    fake.on('POST', /^\/admin\/replay$/, () => ({
      status: 202,
      body: { replayed: ['evt_1', 'evt_2'], count: 2 },
    }));
    const run = await inlet('replay', 'evt_1', 'evt_2');
    expect(run.code).toBe(0);
    expect(fake.admin()[0]!.json).toEqual({ ids: ['evt_1', 'evt_2'] });
  });

  /** A job that replays `step` events per poll until all `matched` are done. */
  function jobs(matched: number, step: number, finish = true) {
    const state = { id: 'rpj_1', status: 'running', replayed: 0, skipped: 0, polls: 0 };
    const job = () => ({
      id: state.id,
      status: state.status,
      filter: { status: 'dead' },
      all: false,
      destination: null,
      matched,
      replayed: state.replayed,
      skipped: state.skipped,
      created_at: new Date(Date.now() - 3000).toISOString(),
      updated_at: new Date().toISOString(),
      finished_at: state.status === 'running' ? null : new Date().toISOString(),
    });
    fake.on('POST', /^\/admin\/replay-jobs$/, () => ({ status: 202, body: { job: job() } }));
    fake.on('GET', /^\/admin\/replay-jobs\/rpj_1$/, () => {
      state.polls++;
      if (finish) state.replayed = Math.min(matched, state.replayed + step);
      if (state.replayed === matched) state.status = 'done';
      return { body: { job: job() } };
    });
    fake.on('POST', /^\/admin\/replay-jobs\/rpj_1\/cancel$/, () => {
      state.status = 'canceled';
      return { body: { job: job() } };
    });
    return state;
  }

  it('a bulk replay starts a job with an idempotency key and follows it to done', async () => {
    const state = jobs(5, 2);
    const run = await inlet('replay', '--status', 'dead', '--source', 'typeform', '--all');
    expect(run.code).toBe(0);
    const [create] = fake.admin('POST', /replay-jobs$/);
    expect(create!.json).toEqual({ filter: { status: 'dead', source: 'typeform' }, all: true });
    expect(create!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(state.polls).toBe(3);
    expect(run.stderr).toBe('started replay job rpj_1: 5 events matched\n');
    // Not a terminal: the outcome, not a progress line per poll.
    expect(run.stdout).toMatch(/^rpj_1 done: 5 of 5 replayed, 0 skipped in \d+(\.\d)? s\n$/);
  });

  it('a job request whose answer failed (5xx) is sent once more with the same idempotency key', async () => {
    jobs(1, 1);
    let posts = 0;
    fake.on('POST', /^\/admin\/replay-jobs$/, () => {
      posts++;
      return posts === 1
        ? problem(503, 'internal_error', 'Try again.')
        : {
            status: 200,
            body: { job: { id: 'rpj_1', status: 'done', matched: 0, replayed: 0, skipped: 0 } },
          };
    });
    const run = await inlet('replay', '--status', 'dead', '--detach');
    expect(run.code).toBe(0);
    const keys = fake.admin('POST').map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('--detach prints the job id at once; --job follows it; --job --cancel cancels it', async () => {
    const state = jobs(4, 1);
    const detached = await inlet('replay', '--status', 'dead', '--detach');
    expect(detached.code).toBe(0);
    expect(detached.stdout).toBe('rpj_1\n');
    expect(detached.stderr).toContain('follow it with `inlet replay --job rpj_1`');
    expect(state.polls).toBe(0);

    const followed = await inlet('replay', '--job', 'rpj_1');
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/^rpj_1 done: 4 of 4 replayed/);

    fake.reset();
    jobs(4, 0, false);
    const canceled = await inlet('replay', '--job', 'rpj_1', '--cancel');
    expect(canceled.code).toBe(0);
    expect(canceled.stdout).toMatch(
      /^rpj_1 canceled: 0 of 4 replayed, 0 skipped in .* \(a chunk under way finishes\)\n$/,
    );
    expect(fake.admin('POST').map((r) => r.path)).toEqual(['/admin/replay-jobs/rpj_1/cancel']);
  });

  it('Ctrl-C without a terminal leaves the job running and says how to follow or cancel it', async () => {
    const state = jobs(4, 0, false);
    const { child, done } = start(['replay', '--job', 'rpj_1']);
    // The second poll is the first made while following, with Ctrl-C handled.
    await waitFor(() => state.polls > 1);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('left job rpj_1 running: follow it with `inlet replay --job rpj_1`');
    expect(fake.admin('POST')).toEqual([]);
  });

  it.skipIf(!HAS_SCRIPT)(
    'on a terminal: one progress line rewritten in place; Ctrl-C asks, y cancels',
    async () => {
      const state = jobs(10, 0, false);
      const { child, done, output } = onTerminal(['replay', '--job', 'rpj_1'], { INLET_POLL_MS: '50' });
      await waitFor(() => state.polls > 2 && output().includes('rpj_1 running ['));
      child.stdin!.write('\x03');
      await waitFor(() => output().includes('cancel replay job rpj_1? [y/N]'));
      child.stdin!.write('y\r');
      const run = await done;
      expect(run.code).toBe(130);
      expect(fake.admin('POST').map((r) => r.path)).toEqual(['/admin/replay-jobs/rpj_1/cancel']);
      expect(run.stdout).toContain(
        `\r\x1b[2Krpj_1 running [${'░'.repeat(24)}]   0%  0/10 replayed · 0 skipped`,
      );
      expect(run.stdout).toMatch(/rpj_1 canceled: 0 of 10 replayed/);
      // No colour under NO_COLOR, even on a terminal.
      expect(run.stdout).not.toMatch(new RegExp(`${ESC}\\[\\d+m`));
    },
  );
});

describe('inlet stats', () => {
  const funnel = {
    from: '2026-11-03',
    to: '2026-12-04',
    rows: [
      {
        day: '2026-12-02',
        source: 'typeform',
        campaign: 'spring',
        received: 10,
        pending: 0,
        delivered: 8,
        partial: 0,
        dead: 1,
        invalid: 1,
        ignored: 0,
        unrouted: 0,
        merged: 0,
      },
      {
        day: '2026-12-03',
        source: 'typeform',
        campaign: 'spring',
        received: 10,
        pending: 1,
        delivered: 9,
        partial: 0,
        dead: 0,
        invalid: 0,
        ignored: 0,
        unrouted: 0,
        merged: 0,
      },
      {
        day: '2026-12-03',
        source: 'demo',
        campaign: null,
        received: 2,
        pending: 0,
        delivered: 2,
        partial: 0,
        dead: 0,
        invalid: 0,
        ignored: 0,
        unrouted: 0,
        merged: 0,
      },
    ],
    rejected: [
      { day: '2026-12-02', source: 'typeform', code: 'invalid_signature', count: 3 },
      { day: '2026-12-03', source: 'typeform', code: 'invalid_signature', count: 1 },
    ],
    totals: {
      received: 22,
      pending: 1,
      delivered: 19,
      partial: 0,
      dead: 1,
      invalid: 1,
      ignored: 0,
      unrouted: 0,
      merged: 0,
      rejected: 4,
    },
  };
  const latency = { count: 19, p50_ms: 250, p90_ms: 1000, p99_ms: 5000, buckets: [] };

  it('sums the funnel per source and campaign, with totals, rejections and latency', async () => {
    fake.on('GET', /^\/admin\/stats\/funnel$/, () => ({ body: funnel }));
    fake.on('GET', /^\/admin\/stats\/latency$/, () => ({ body: latency }));
    const run = await inlet('stats', '--from', '2026-12-01', '--source', 'typeform');
    expect(run.code).toBe(0);
    expect(fake.admin().map((r) => [r.path, r.query])).toEqual(
      expect.arrayContaining([
        ['/admin/stats/funnel', { from: '2026-12-01', source: 'typeform' }],
        ['/admin/stats/latency', { from: '2026-12-01', source: 'typeform' }],
      ]),
    );
    expect(run.stdout).toMatch(/^2026-11-03 to 2026-12-04 \(UTC days, to exclusive\)\n/);
    expect(run.stdout).toMatch(/^typeform +spring +20 +17 +- +1 +1 +- +- +- +1 +85%$/m);
    expect(run.stdout).toMatch(/^demo +- +2 +2 .* 100%$/m);
    expect(run.stdout).toMatch(/^total +22 +19 .* 86%$/m);
    expect(run.stdout).toMatch(
      /rejected before storing \(4\)\nSOURCE +REASON +COUNT\ntypeform +invalid_signature +4/,
    );
    expect(run.stdout).toContain(
      'latency (ingest → delivered, 19 events): p50 250 ms · p90 1.0 s · p99 5.0 s',
    );

    const json = await inlet('stats', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ funnel, latency });
  });

  it('cohorts: people per week and how many came back', async () => {
    const cohorts = {
      cohorts: [{ week: '2026-11-30', source: 'typeform', campaign: 'spring', people: 40, returned: 10 }],
    };
    fake.on('GET', /^\/admin\/stats\/cohorts$/, () => ({ body: cohorts }));
    const run = await inlet('stats', 'cohorts');
    expect(run.stdout).toMatch(/^2026-11-30 +typeform +spring +40 +10 +25%$/m);
    expect(JSON.parse((await inlet('stats', 'cohorts', '--json')).stdout)).toEqual(cohorts);
  });
});

describe('inlet erase', () => {
  const erased = {
    erased: true,
    people: 1,
    deleted: { events: 3, deliveries: 3, attempts: 4, people: 1, person_destinations: 1, alert_events: 0 },
  };

  it('with --yes erases and prints what was deleted', async () => {
    fake.on('POST', /^\/admin\/erase$/, () => ({ body: erased }));
    const run = await inlet('erase', '--email', 'ada@example.com', '--yes');
    expect(run.code).toBe(0);
    expect(fake.admin()[0]!.json).toEqual({ email: 'ada@example.com' });
    expect(run.stdout).toBe(
      'erased 1 person matching ada@example.com: deleted 3 events, 3 deliveries, 4 attempts, 1 CRM record link, 0 alert samples.\n',
    );
  });

  it('nobody matched: says so, exit 0', async () => {
    fake.on('POST', /^\/admin\/erase$/, () => ({ body: { erased: false, people: 0, deleted: {} } }));
    const run = await inlet('erase', '--phone', '+14155550100', '-y');
    expect(run.code).toBe(0);
    expect(fake.admin()[0]!.json).toEqual({ phone: '+14155550100' });
    expect(run.stdout).toBe('nobody matched +14155550100: nothing erased.\n');
  });

  it('without --yes and no terminal to ask on: refuses, exit 2, nothing sent', async () => {
    const run = await start(['erase', '--email', 'ada@example.com'], { input: 'y\n' }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --yes');
    expect(fake.requests).toEqual([]);
  });
});

describe('inlet destinations, pause, resume', () => {
  it('lists each destination with its state and what waits for it', async () => {
    fake.on('GET', /^\/admin\/destinations$/, () => ({
      body: {
        destinations: [
          {
            name: 'crm',
            type: 'webhook',
            state: 'active',
            paused: null,
            hold_until: null,
            failure_streak: 0,
            last_success_at: '2026-12-03T10:00:00Z',
            last_failure_at: null,
            waiting: {},
          },
          {
            name: 'hubspot',
            type: 'hubspot',
            state: 'paused',
            paused: { at: '2026-12-03T09:00:00Z', by: 'operator', reason: 'paused by an operator' },
            hold_until: null,
            failure_streak: 2,
            last_success_at: null,
            last_failure_at: '2026-12-03T08:59:00Z',
            waiting: { paused: 12, retrying: 0 },
          },
        ],
      },
    }));
    const run = await inlet('destinations');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^crm +webhook +active +0 +2026-12-03 10:00:00 +- +-$/m);
    expect(run.stdout).toMatch(
      /^hubspot +hubspot +paused +2 +- +2026-12-03 08:59:00 +paused 12 +paused by an operator by operator/m,
    );
  });

  it('pauses and resumes', async () => {
    fake.on('POST', /^\/admin\/destinations\/hubspot\/pause$/, () => ({
      body: { destination: 'hubspot', state: 'paused' },
    }));
    fake.on('POST', /^\/admin\/destinations\/hubspot\/resume$/, () => ({
      body: { destination: 'hubspot', state: 'active', resent: 12 },
    }));
    expect((await inlet('pause', 'hubspot')).stdout).toContain('paused hubspot');
    expect((await inlet('resume', 'hubspot')).stdout).toBe(
      'resumed hubspot: 12 waiting deliveries sent again\n',
    );
    fake.on('POST', /^\/admin\/destinations\/nope\/pause$/, () =>
      problem(404, 'not_found', 'No destination has this name.'),
    );
    const missing = await inlet('pause', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: No destination has this name. (not_found)\n');
  });
});

describe('signers', () => {
  // Secrets of the shape each scheme expects: Standard Webhooks keys are base64, Basic a pair.
  const secretFor = (name: string) =>
    ['standard-webhooks', 'svix'].includes(name)
      ? `whsec_${Buffer.from('a-test-signing-key-0123456789').toString('base64')}`
      : ['basic-auth', 'pipedrive'].includes(name)
        ? 'inlet:test-password'
        : 'a-test-secret';

  it.each(Object.keys(presets))('%s: the CLI signs what the gateway verifies', async (name) => {
    const sign = SIGNERS[name];
    expect(sign, `bin/lib/signers.mjs has no signer for the preset ${name}`).toBeDefined();
    const form =
      name === 'mandrill'
        ? new URLSearchParams({ mandrill_events: '[{"event":"send"}]' })
        : name === 'twilio'
          ? new URLSearchParams({ From: '+14155550111', Body: 'hello' })
          : undefined;
    const body = Buffer.from(form ? form.toString() : '{"email":"ada@example.com"}');
    const url = 'http://127.0.0.1:8787/in/source';
    const secret = secretFor(name);
    const signed = sign!({ body, secret, url, ...(form ? { form } : {}) });
    const query = new URLSearchParams(signed.query ?? {}).toString();
    const result = await presets[name as PresetName].verifier.verify(
      {
        method: 'POST',
        url: `${url}${query ? `?${query}` : ''}`,
        headers: new Headers({
          'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
          ...signed.headers,
        }),
        body: new Uint8Array(body),
      },
      { secrets: [secret], nowMs: Date.now() },
    );
    expect(result.ok).toBe(true);
  });
});

describe('inlet send', () => {
  const posted = (source: string) => fake.requests.filter((r) => r.path === `/in/${source}`);

  it('signs the demo sample with Standard Webhooks, posts it, follows the event to delivered', async () => {
    const run = await inlet('send', 'demo', '--email', 'grace@example.com');
    expect(run.code).toBe(0);
    const [request] = posted('demo');
    expect(request!.verified).toEqual({ ok: true, deliveryId: request!.headers['webhook-id'] });
    expect(request!.json).toMatchObject({ email: 'grace@example.com', utm_source: 'demo' });
    expect(run.stdout).toBe(
      'POST /in/demo → 202 evt_demo\nevt_demo delivered · crm delivered crm_1 · 1 attempt · ada@example.com\n',
    );
    expect(fake.admin('GET')[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('signs n8n with the generic Inlet HMAC and typeform with its preset', async () => {
    for (const source of ['n8n', 'typeform']) {
      const run = await inlet('send', source);
      expect(run.code).toBe(0);
      expect(posted(source)[0]!.verified?.ok).toBe(true);
    }
    expect(posted('n8n')[0]!.headers['x-inlet-signature']).toMatch(/^v2=[0-9a-f]{64}$/);
    expect(posted('typeform')[0]!.headers['typeform-signature']).toMatch(/^sha256=[A-Za-z0-9+/]+=*$/);
  });

  it('an email as the second argument is the sample email, as `npm run send -- typeform a@b` took it', async () => {
    await inlet('send', 'typeform', 'lena@example.com');
    expect(JSON.stringify(posted('typeform')[0]!.json)).toContain('lena@example.com');
  });

  it("sends a user's payload file byte for byte, signed with the source's scheme", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-cli-'));
    const file = join(dir, 'lead.json');
    const bytes = '{ "event_id": "01JTEST", "form_response": { "answers": [] },\n  "note": "caf\u00e9" }\n';
    writeFileSync(file, bytes);
    const run = await inlet('send', 'typeform', file, '--no-wait', '-H', 'x-trace: abc');
    expect(run.code).toBe(0);
    const [request] = posted('typeform');
    expect(request!.body.toString('utf8')).toBe(bytes);
    expect(request!.verified?.ok).toBe(true);
    expect(request!.headers['x-trace']).toBe('abc');
    expect(run.stdout).toBe('POST /in/typeform → 202 evt_typeform\n');
    expect(fake.admin()).toEqual([]);

    writeFileSync(file, '{ not json');
    const broken = await inlet('send', 'typeform', file);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('is not valid JSON');
  });

  it('a payload on stdin for a form source is encoded as its provider posts it', async () => {
    const run = await start(['send', 'twilio', '-', '--no-wait'], {
      input: JSON.stringify({ From: '+14155550111', Body: 'hello', MessageSid: 'SM1' }),
    }).done;
    expect(run.code).toBe(0);
    const [request] = posted('twilio');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.body.toString()).toBe('From=%2B14155550111&Body=hello&MessageSid=SM1');
    expect(request!.verified?.ok).toBe(true);
  });

  it('a refused signature: exit 4, naming the secret to set and never its value', async () => {
    const wrong = `whsec_${Buffer.from('not-the-gateway-secret').toString('base64')}`;
    const run = await start(['send', 'demo'], { env: { SOURCE_DEMO_SECRET: wrong } }).done;
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('error: The request signature could not be verified. (invalid_signature)');
    expect(run.stderr).toContain(
      `signed with SOURCE_DEMO_SECRET; set SOURCE_DEMO_SECRET to the secret the gateway at ${fake.url} has`,
    );
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });

  it('an event that ends dead: the final line says so, exit 1', async () => {
    fake.on('GET', /^\/admin\/events\/evt_demo$/, () => ({
      body: event('demo', 'dead', {
        last_error: 'client_error: HTTP 422',
        deliveries: [
          { destination: 'crm', status: 'dead', attempts: 1, last_error: 'client_error: HTTP 422' },
        ],
      }),
    }));
    const run = await inlet('send', 'demo');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'evt_demo dead (client_error: HTTP 422) · crm dead (client_error: HTTP 422) · ada@example.com · expected delivered',
    );
  });

  it('--json prints the answer and the final event', async () => {
    const run = await inlet('send', 'demo', '--json');
    const result = JSON.parse(run.stdout) as {
      status: number;
      answer: unknown;
      events: { status: string }[];
    };
    expect(result.status).toBe(202);
    expect(result.answer).toEqual({ id: 'evt_demo' });
    expect(result.events.map((e) => e.status)).toEqual(['delivered']);
  });

  it('`inlet send all`: every source signed as the gateway verifies it, a line each', async () => {
    const run = await inlet('send', 'all', '--graph', fake.url);
    const sources = [
      ...new Set(fake.requests.filter((r) => r.path.startsWith('/in/')).map((r) => r.path.slice(4))),
    ];
    expect(sources.length).toBeGreaterThan(20);
    for (const source of sources) {
      expect({ source, verified: posted(source)[0]!.verified?.ok }).toEqual({ source, verified: true });
    }
    // Meta's lead was registered in the (fake) Graph API before the webhook that names it.
    const control = fake.requests.find((r) => r.path === '/__control/leads');
    expect((control!.json as { id: string }).id).toMatch(/^\d+$/);
    // Tokens in URLs (jotform, mailchimp) never reach the output.
    for (const name of ['SOURCE_JOTFORM_SECRET', 'SOURCE_MAILCHIMP_SECRET'])
      expect(run.stdout).not.toContain(SECRETS[name]);
    expect(run.stdout).toMatch(/^ok +typeform +202 +evt_typeform delivered/m);
    expect(run.stdout).toMatch(/^ok +github +202 +evt_github invalid/m);
    expect(run.stdout).toMatch(/^ok +jotform +202 +evt_jotform unrouted/m);
    expect(run.stdout).toContain(`${sources.length}/${sources.length} sources ended as expected`);
    expect(run.code).toBe(0);
  });

  it.skipIf(!HAS_SCRIPT)(
    'on a terminal: one line rewritten while the event moves on, then the final one',
    async () => {
      let polls = 0;
      fake.on('GET', /^\/admin\/events\/evt_demo$/, () => {
        polls++;
        if (polls < 3) return { body: event('demo', 'queued') };
        if (polls < 5)
          return {
            body: event('demo', 'delivering', {
              deliveries: [
                { destination: 'crm', status: 'retrying', attempts: 1, last_error: 'server_error: HTTP 503' },
              ],
            }),
          };
        return { body: event('demo', 'delivered') };
      });
      const run = await onTerminal(['send', 'demo'], { INLET_POLL_MS: '20' }).done;
      expect(run.code).toBe(0);
      const output = run.stdout;
      const lines = output.split(/\r?\n/).filter(Boolean);
      expect(lines[0]).toBe('POST /in/demo → 202 evt_demo');
      // The rest is one line on screen: each state overwrote the previous one.
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('\r\x1b[2Kevt_demo queued · ada@example.com');
      expect(lines[1]).toContain('\r\x1b[2Kevt_demo delivering · crm retrying (server_error: HTTP 503)');
      expect(
        lines[1]!.endsWith('\r\x1b[2Kevt_demo delivered · crm delivered crm_1 · 1 attempt · ada@example.com'),
      ).toBe(true);
    },
  );
});
