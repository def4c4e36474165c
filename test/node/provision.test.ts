// `npm run provision` (scripts/provision.mjs) against a stub wrangler (provision/wrangler-stub.mjs)
// that answers as wrangler 4 does and keeps the account in a state file: each test provisions its
// own temporary copy of the project's wrangler.toml and migrations.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROVISION = join(ROOT, 'scripts/provision.mjs');
const STUB = join(ROOT, 'test/node/provision/wrangler-stub.mjs');

/** The account as the stub keeps it. */
interface Account {
  loggedIn: boolean;
  accounts: { id: string; name: string }[];
  d1: { uuid: string; name: string; migrations: string[] }[];
  kv: { id: string; title: string }[];
  queues: string[];
  secrets: Record<string, string>;
  worker: boolean;
  deploys?: number;
}

interface Call {
  argv: string[];
  stdin?: string;
}

const SECRETS = {
  ADMIN_TOKEN: 'admin-9f2c41d7e0b3',
  DESTINATION_SECRET: 'whsec_c2VjcmV0LWRlc3RpbmF0aW9uLTc3',
  SOURCE_DEMO_SECRET: 'demo-4b1e8a0c55d2',
};
/** How each value reaches the script: the prefixed variable, or the secret's own name. */
const SECRET_ENV = {
  INLET_SECRET_ADMIN_TOKEN: SECRETS.ADMIN_TOKEN,
  DESTINATION_SECRET: SECRETS.DESTINATION_SECRET,
  INLET_SECRET_SOURCE_DEMO_SECRET: SECRETS.SOURCE_DEMO_SECRET,
};
const DEV_VARS_EXAMPLE = `# Local development secrets.
ADMIN_TOKEN=dev-admin-token

# The crm destination's signing secret.
DESTINATION_SECRET=whsec_ZGV2
SOURCE_DEMO_SECRET=whsec_ZGVtbw==
`;

const emptyAccount = (): Account => ({
  loggedIn: true,
  accounts: [{ id: '0123456789abcdef0123456789abcdef', name: 'Ada Lovelace' }],
  d1: [],
  kv: [],
  queues: ['someone-elses-queue'],
  secrets: {},
  worker: false,
});

const projects: string[] = [];
afterEach(() => {
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary project: wrangler.toml and migrations/ copied, a short .dev.vars.example, the account. */
function project(account: Account = emptyAccount()): string {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-provision-test-'));
  projects.push(dir);
  cpSync(join(ROOT, 'wrangler.toml'), join(dir, 'wrangler.toml'));
  cpSync(join(ROOT, 'migrations'), join(dir, 'migrations'), { recursive: true });
  writeFileSync(join(dir, '.dev.vars.example'), DEV_VARS_EXAMPLE);
  mkdirSync(join(dir, 'stub'));
  writeFileSync(join(dir, 'stub/state.json'), JSON.stringify(account));
  return dir;
}

function provision(dir: string, args: string[], env: Record<string, string> = {}) {
  // A bare environment: nothing of the developer's (a CLOUDFLARE_ACCOUNT_ID, a secret) leaks in.
  const result = spawnSync(process.execPath, [PROVISION, ...args], {
    cwd: dir,
    encoding: 'utf8',
    input: '',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      INLET_WRANGLER: STUB,
      WRANGLER_STUB_DIR: join(dir, 'stub'),
      ...env,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const accountOf = (dir: string): Account => JSON.parse(readFileSync(join(dir, 'stub/state.json'), 'utf8'));
const callsOf = (dir: string): Call[] =>
  readFileSync(join(dir, 'stub/calls.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Call);
const command = (call: Call) => call.argv.join(' ');
const creates = (calls: Call[]) => calls.filter((call) => call.argv.includes('create')).map(command);
const puts = (calls: Call[]) => calls.filter((call) => command(call).startsWith('secret put'));
const changes = (calls: Call[]) =>
  calls.filter((call) => /create|secret put|migrations apply|^deploy/.test(command(call))).map(command);

/** Every queue wrangler.toml names, dead-letter queues included, as provisioning must find them. */
function queuesOf(toml: string): string[] {
  return [
    ...new Set([...toml.matchAll(/^(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm)].map((m) => m[1] ?? '')),
  ];
}

/** The lines of `after` that differ from `before`, which must have as many lines. */
function changedLines(before: string, after: string): string[] {
  const old = before.split('\n');
  const now = after.split('\n');
  expect(now).toHaveLength(old.length);
  return now.filter((line, i) => line !== old[i]);
}

// Each test runs the script a few times, each run some ten stub processes: seconds on a busy machine.
describe('npm run provision', { timeout: 60_000 }, () => {
  it('creates what is missing, writes the ids, migrates, puts the secrets and deploys', () => {
    const dir = project();
    const before = readFileSync(join(dir, 'wrangler.toml'), 'utf8');

    const run = provision(dir, ['--yes'], SECRET_ENV);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const account = accountOf(dir);
    const calls = callsOf(dir);
    expect(calls[0]?.argv).toEqual(['whoami', '--json']);
    const queues = queuesOf(before);
    expect(queues).toContain('inlet-deliveries-dlq');
    expect(creates(calls).sort()).toEqual(
      [
        'd1 create inlet',
        'kv namespace create inlet-kv',
        ...queues.map((queue) => `queues create ${queue}`),
      ].sort(),
    );
    expect(account.queues.sort()).toEqual(['someone-elses-queue', ...queues].sort());

    // Only the two id values change; every comment and line of the file stays where it was.
    const after = readFileSync(join(dir, 'wrangler.toml'), 'utf8');
    expect(changedLines(before, after)).toEqual([
      `database_id = "${account.d1[0]?.uuid}"`,
      `id = "${account.kv[0]?.id}"`,
    ]);

    expect(account.d1[0]?.migrations).toEqual(
      readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')),
    );
    expect(puts(calls).map((call) => [call.argv[2], call.stdin])).toEqual(Object.entries(SECRETS));
    expect(account.secrets).toEqual(SECRETS);

    // Secrets before the deploy, so the Worker never runs without them; the deploy is the last call.
    expect(changes(calls).slice(-5)).toEqual([
      'd1 migrations apply inlet --remote',
      'secret put ADMIN_TOKEN',
      'secret put DESTINATION_SECRET',
      'secret put SOURCE_DEMO_SECRET',
      'deploy',
    ]);
    expect(account.deploys).toBe(1);
    expect(run.stdout).toContain('Deployed: https://inlet.ada-example.workers.dev');
    expect(run.stdout).toContain('migrations of inlet: ');
  });

  it('run again, creates nothing, puts no secret, leaves wrangler.toml as it is, and deploys', () => {
    const dir = project();
    expect(provision(dir, ['--yes'], SECRET_ENV).code).toBe(0);
    const toml = readFileSync(join(dir, 'wrangler.toml'), 'utf8');
    const first = callsOf(dir).length;

    const run = provision(dir, ['--yes']);

    expect(run.code).toBe(0);
    const again = callsOf(dir).slice(first);
    expect(creates(again)).toEqual([]);
    expect(puts(again)).toEqual([]);
    expect(changes(again)).toEqual(['d1 migrations apply inlet --remote', 'deploy']);
    expect(readFileSync(join(dir, 'wrangler.toml'), 'utf8')).toBe(toml);
    expect(run.stdout).toContain('all 3 set');
    expect(run.stdout).toContain('migrations of inlet: up to date');
    expect(accountOf(dir).deploys).toBe(2);
  });

  it('takes what the account already has: the database and namespace by name, set secrets, later queue pages', () => {
    const account = emptyAccount();
    account.d1.push({ uuid: '5c3b9a1e-7d4f-4e2a-9b6c-0a1b2c3d4e5f', name: 'inlet', migrations: [] });
    account.kv.push({ id: 'f'.repeat(32), title: 'inlet-kv' }, { id: 'e'.repeat(32), title: 'KV' });
    // The stub lists two queues a page: the project's come after another's, on the second page.
    const dir = project(account);
    const queues = queuesOf(readFileSync(join(dir, 'wrangler.toml'), 'utf8'));
    account.queues = ['a-queue', 'b-queue', ...queues];
    account.secrets = { ADMIN_TOKEN: 'set-before' };
    account.worker = true;
    writeFileSync(join(dir, 'stub/state.json'), JSON.stringify(account));

    const run = provision(dir, ['--yes'], SECRET_ENV);

    expect(run.code).toBe(0);
    const calls = callsOf(dir);
    expect(creates(calls)).toEqual([]);
    expect(puts(calls).map((call) => call.argv[2])).toEqual(['DESTINATION_SECRET', 'SOURCE_DEMO_SECRET']);
    expect(accountOf(dir).secrets.ADMIN_TOKEN).toBe('set-before');
    const toml = readFileSync(join(dir, 'wrangler.toml'), 'utf8');
    expect(toml).toContain('database_id = "5c3b9a1e-7d4f-4e2a-9b6c-0a1b2c3d4e5f"');
    // The namespace of this Worker, not one that merely bears the binding's name.
    expect(toml).toContain(`id = "${'f'.repeat(32)}"`);
  });

  it('not logged in, says how to log in and exits non-zero, having changed nothing', () => {
    const dir = project({ ...emptyAccount(), loggedIn: false });
    const before = readFileSync(join(dir, 'wrangler.toml'), 'utf8');

    const run = provision(dir, ['--yes'], SECRET_ENV);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Not logged in to Cloudflare');
    expect(run.stderr).toContain('npx wrangler login');
    expect(run.stderr).toContain('CLOUDFLARE_API_TOKEN');
    expect(callsOf(dir).map(command)).toEqual(['whoami --json']);
    expect(readFileSync(join(dir, 'wrangler.toml'), 'utf8')).toBe(before);
  });

  it('--dry-run prints the plan and changes nothing', () => {
    const dir = project();
    const before = readFileSync(join(dir, 'wrangler.toml'), 'utf8');

    const run = provision(dir, ['--dry-run'], SECRET_ENV);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dry run');
    expect(run.stdout).toContain('D1 database   inlet: create');
    expect(run.stdout).toContain('KV namespace  KV: create "inlet-kv"');
    expect(run.stdout).toContain('ADMIN_TOKEN (from $INLET_SECRET_ADMIN_TOKEN)');
    expect(changes(callsOf(dir))).toEqual([]);
    expect(readFileSync(join(dir, 'wrangler.toml'), 'utf8')).toBe(before);
    expect(accountOf(dir)).toEqual(emptyAccount());
  });

  it('with no terminal, stops before any change without --yes, or without a value for a secret', () => {
    const dir = project();

    const unconfirmed = provision(dir, [], SECRET_ENV);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('pass --yes');

    const { INLET_SECRET_ADMIN_TOKEN: _, ...withoutAdmin } = SECRET_ENV;
    const valueless = provision(dir, ['--yes'], withoutAdmin);
    expect(valueless.code).toBe(1);
    expect(valueless.stderr).toContain('INLET_SECRET_ADMIN_TOKEN=');
    expect(changes(callsOf(dir))).toEqual([]);
  });

  it('stops at an id in wrangler.toml that the account does not have (another account?)', () => {
    const dir = project();
    const toml = readFileSync(join(dir, 'wrangler.toml'), 'utf8');
    writeFileSync(
      join(dir, 'wrangler.toml'),
      toml.replace(/database_id = "[^"]*"/, 'database_id = "9d1c7b2a-0000-4000-8000-00000000abcd"'),
    );

    const run = provision(dir, ['--yes'], SECRET_ENV);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('9d1c7b2a-0000-4000-8000-00000000abcd');
    expect(changes(callsOf(dir))).toEqual([]);
  });

  it('adds a database_id line under database_name where wrangler.toml has none', () => {
    const dir = project();
    const toml = readFileSync(join(dir, 'wrangler.toml'), 'utf8');
    writeFileSync(join(dir, 'wrangler.toml'), toml.replace(/^database_id = .*\n/m, ''));

    expect(provision(dir, ['--yes'], SECRET_ENV).code).toBe(0);

    const uuid = accountOf(dir).d1[0]?.uuid;
    expect(readFileSync(join(dir, 'wrangler.toml'), 'utf8')).toContain(
      `database_name = "inlet"\ndatabase_id = "${uuid}"\n`,
    );
  });

  it('never prints a secret, not even with --verbose', () => {
    const dir = project();
    for (const args of [
      ['--yes', '--verbose'],
      ['--dry-run', '--verbose'],
    ]) {
      const run = provision(dir, args, SECRET_ENV);
      expect(run.code).toBe(0);
      for (const value of Object.values(SECRETS)) {
        expect(run.stdout).not.toContain(value);
        expect(run.stderr).not.toContain(value);
      }
    }
    expect(accountOf(dir).secrets).toEqual(SECRETS);
  });
});
